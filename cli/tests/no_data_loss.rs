//! No `tandem` command destroys a user's data: `predict` refuses an output that is its input,
//! and an output cut short (a kill, a full disk) leaves the file that was there whole and no
//! temporary file behind.
#![allow(clippy::unwrap_used, clippy::panic)] // Test code: a panic is a failed test.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::Command;

use common::{root, scratch, tandem, text};

const EARLIER: &str = "earlier predictions\n";

fn model() -> String {
    root()
        .join("tests/fixtures/v1/titanic.tandem")
        .to_string_lossy()
        .into_owned()
}

/// All 1,309 titanic passengers: a 65 KB prediction file.
fn passengers() -> PathBuf {
    root().join("examples/data/titanic.csv")
}

fn predict_args<'a>(model: &'a str, input: &'a str, output: &'a str) -> Vec<&'a str> {
    vec![
        "predict", "--model", model, "--input", input, "--output", output,
    ]
}

#[test]
fn predict_refuses_to_write_over_its_input_and_leaves_it_whole() {
    let dir = scratch("clobber");
    let path = dir.join("rows.csv");
    std::fs::copy(passengers(), &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    let link = dir.join("link.csv");
    std::fs::hard_link(&path, &link).unwrap();
    let (model, input) = (model(), path.to_str().unwrap().to_string());
    for output in [&path, &link] {
        let out = tandem(&predict_args(&model, &input, output.to_str().unwrap()));
        assert!(!out.status.success(), "{}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("is the input file: refusing to overwrite"),
            "{err}"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "the input is untouched"
        );
    }
}

#[test]
fn a_predict_killed_while_writing_leaves_an_existing_output_whole() {
    let dir = scratch("killed-output");
    let output = dir.join("out.csv");
    std::fs::write(&output, EARLIER).unwrap();
    let (model, input) = (model(), passengers().to_string_lossy().into_owned());
    let out = common::command()
        .args(predict_args(&model, &input, output.to_str().unwrap()))
        .env("TANDEM_FAILPOINT", "kill-while-writing:out.csv")
        .output()
        .unwrap();
    assert_eq!(out.status.signal(), Some(9), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&output).unwrap(), EARLIER);
}

/// Runs `predict` writing to a 256 KiB tmpfs that a filler file leaves 16 KiB of, in a private
/// mount namespace (`unshare`), so the disk is really full when the 65 KB output is written.
/// Prints the exit status, then the output file, then the folder's listing.
const FULL_DISK: &str = r#"
set -u
mount -t tmpfs -o size=256k tandem-full "$DIR" || exit 90
printf '%s' "$EARLIER" > "$DIR/out.csv"
head -c $((240 * 1024)) /dev/zero > "$DIR/filler" 2>/dev/null
if [ -n "${STREAM:-}" ]; then
  "$TANDEM" predict --model "$MODEL" --input - --output "$DIR/out.csv" < "$INPUT" 2>"$ERR"
else
  "$TANDEM" predict --model "$MODEL" --input "$INPUT" --output "$DIR/out.csv" 2>"$ERR"
fi
echo "status=$?"
echo "output=$(cat "$DIR/out.csv")"
echo "files=$(ls -A "$DIR" | tr '\n' ' ')"
"#;

#[test]
fn a_predict_on_a_full_disk_fails_clearly_and_leaves_the_existing_output_whole() {
    full_disk(false);
}

#[test]
fn a_streamed_predict_on_a_full_disk_leaves_no_temporary_file_either() {
    full_disk(true);
}

fn full_disk(stream: bool) {
    let dir = scratch(if stream {
        "full-disk-stream"
    } else {
        "full-disk"
    });
    let mount = dir.join("mnt");
    std::fs::create_dir(&mount).unwrap();
    let err = dir.join("stderr.txt");
    let out = Command::new("unshare")
        .args([
            "--user",
            "--map-root-user",
            "--mount",
            "sh",
            "-c",
            FULL_DISK,
        ])
        .env("DIR", &mount)
        .env("EARLIER", EARLIER)
        .env("TANDEM", env!("CARGO_BIN_EXE_tandem"))
        .env("MODEL", model())
        .env("INPUT", passengers())
        .env("ERR", &err)
        .env("STREAM", if stream { "1" } else { "" })
        .output()
        .expect("unshare (util-linux) runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    let stderr = std::fs::read_to_string(&err).unwrap();
    assert!(report.contains("status=1"), "{report}\n{stderr}");
    assert!(
        report.contains(&format!("output={}", EARLIER.trim_end())),
        "the earlier output is whole: {report}"
    );
    assert!(
        report.contains("files=filler out.csv \n"),
        "no temporary file is left: {report}"
    );
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(
        stderr.contains("out.csv"),
        "the error names the file: {stderr}"
    );
}
