//! `tandem train`: plan → fit → verify → evaluate (the tandem-train library) → record (the
//! run store) → report (a table or JSON). Driven by a `tandem.toml` spec (`--spec`) or by
//! flags for the default pipeline.

mod flags;
mod parity;
mod progress;
mod record;
mod report;

use std::process::ExitCode;

use anyhow::Result;
use tandem_tracking::recorder::Recorder;

pub use flags::TrainArgs;

/// Run `tandem train`.
pub fn run(args: TrainArgs) -> Result<ExitCode> {
    let plan = args.plan()?;
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
    let tags = record::tags(&prepared, &warnings);
    let run_name = args.run_name.clone().unwrap_or_else(|| {
        let stamp = tandem_tracking::ids::now_rfc3339().replace([':', '-'], "");
        prepared.plan.run_name(stamp.trim_end_matches('Z'))
    });
    let mut rec = Recorder::start(&args.store.config(), &args.experiment, &run_name, &tags)?;
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
    let run_id = rec.run_id.clone();
    let done = (|| {
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
        report::summary(&rec, &outcome, &warnings)
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
