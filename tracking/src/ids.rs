//! Run ids, timestamps and the git commit recorded with a run.

pub use tandem_core::bundle::sha256_hex;
pub use tandem_core::time::{now_rfc3339, rfc3339};

/// A new 32-hex run id (like MLflow's): a hash of the time, the process and the data.
pub fn new_run_id(data_sha: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let seed = format!("{now}:{}:{data_sha}", std::process::id());
    sha256_hex(seed.as_bytes())[..32].to_string()
}

/// The commit checked out in the git work tree holding `dir`, if any (and git is installed).
pub fn git_commit(dir: &std::path::Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let commit = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && commit.len() >= 40).then_some(commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_32_hex() {
        let id = new_run_id("x");
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
