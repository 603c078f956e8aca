//! `tandem train`: plan → fit → verify → evaluate (the tandem-train library) → record (the
//! run store) → report (a table or JSON). Driven by a `tandem.toml` spec (`--spec`) or by
//! flags for the default pipeline.
//!
//! A run has two halves, [`begin`] (read the data, create the run) and [`complete`] (train,
//! record, report); `tandem tune` runs its search between them, in the same run.

mod flags;
mod parity;
mod progress;
mod record;
mod report;

use std::process::ExitCode;

use anyhow::Result;
use tandem_core::bundle::SigningKey;
use tandem_tracking::recorder::Recorder;
use tandem_train::warnings::Warning;
use tandem_train::{Plan, Prepared};

pub use flags::TrainArgs;
pub use report::Section;

/// Run `tandem train`.
pub fn run(args: TrainArgs) -> Result<ExitCode> {
    let plan = args.plan()?;
    let begun = begin(&args, plan, &[])?;
    complete(&args, begun, |_, _| Ok(None))
}

/// A run begun: its data read and checked, the run created in the store.
pub struct Begun {
    /// The data, split, with the plan.
    pub prepared: Prepared,
    /// The run.
    pub rec: Recorder,
    /// Its name.
    pub run_name: String,
    warnings: Vec<Warning>,
    sign_key: Option<SigningKey>,
}

/// Read the data of `plan` and create its run (with `extra_tags`), telling the user what
/// reading found.
pub fn begin(args: &TrainArgs, plan: Plan, extra_tags: &[(String, String)]) -> Result<Begun> {
    // Read before training: a bad key file must not cost a training run.
    let sign_key = args
        .sign_key
        .as_deref()
        .map(crate::commands::key_args::signing_key)
        .transpose()?;
    let quiet = args.quiet || args.json;
    let prepared = tandem_train::prepare_observed(plan, &mut progress::Reading::new(quiet))?;
    for note in &prepared.notes {
        eprintln!("note: {note}");
    }
    let warnings = tandem_train::warnings::of_prepared(&prepared);
    let mut tags = record::tags(&prepared, &warnings);
    tags.extend_from_slice(extra_tags);
    let run_name = args.run_name.clone().unwrap_or_else(|| {
        let stamp = tandem_tracking::ids::now_rfc3339().replace([':', '-'], "");
        prepared.plan.run_name(stamp.trim_end_matches('Z'))
    });
    let rec = Recorder::start(&args.store.config(), &args.experiment, &run_name, &tags)?;
    if !args.json {
        eprintln!(
            "run {} in experiment `{}` ({})",
            rec.run_id,
            rec.experiment.name,
            rec.location()
        );
        report::preamble(&prepared);
    }
    report::quarantine(&prepared);
    report::warnings(&warnings);
    Ok(Begun {
        prepared,
        rec,
        run_name,
        warnings,
        sign_key,
    })
}

/// Run `before` (which may change the plan's model, and may return a section for the
/// summary), then train, record and report; any error marks the run FAILED.
pub fn complete(
    args: &TrainArgs,
    begun: Begun,
    before: impl FnOnce(&mut Prepared, &mut Recorder) -> Result<Option<Section>>,
) -> Result<ExitCode> {
    let Begun {
        mut prepared,
        mut rec,
        run_name: _,
        warnings,
        sign_key,
    } = begun;
    let quiet = args.quiet || args.json;
    let run_id = rec.run_id.clone();
    let done = (|| -> Result<report::Report> {
        let section = before(&mut prepared, &mut rec)?;
        let mut observer = progress::Progress::new(&mut rec, quiet);
        let mut outcome = tandem_train::train(&prepared, &run_id, &mut observer)?;
        if let Some(key) = &sign_key {
            outcome.sign(key)?;
            if !args.json {
                eprintln!("bundle signed by key {}", key.public_key().fingerprint());
            }
        }
        record::outcome(&mut rec, &prepared, &outcome, &warnings)?;
        if let Some(dir) = &args.emit_parity {
            parity::write(dir, &outcome)?;
        }
        let mut report = report::summary(&rec, &outcome, &warnings)?;
        if let Some(section) = section {
            report.json[section.key] = section.json;
            report.text.insert_str(0, &section.text);
        }
        Ok(report)
    })();
    let report = match done {
        Ok(report) => report,
        Err(e) => {
            let id = rec.fail(&e);
            return Err(e.context(format!("run {id} marked FAILED")));
        }
    };
    let finished = rec.finish();
    if args.json {
        println!("{}", serde_json::to_string(&report.json)?);
    } else {
        print!("{}", report.text);
    }
    finished?;
    Ok(ExitCode::SUCCESS)
}
