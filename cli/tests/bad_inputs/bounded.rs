//! Run `tandem` with bounded time and memory: an address-space limit (`prlimit --as`, so an
//! allocation past it fails inside the process instead of swapping the machine), a watchdog
//! that kills it past `LIMIT_SECONDS`, and its peak resident memory (`VmHWM`, sampled).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// No case may run longer.
pub const LIMIT_SECONDS: u64 = 20;
/// No case may reach this peak resident memory (the debug binary with its input).
pub const RSS_LIMIT_MIB: u64 = 400;

/// What a bounded run gave.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    pub peak_rss_kib: u64,
}

fn prlimit() -> Option<&'static Path> {
    ["/usr/bin/prlimit", "/bin/prlimit"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.is_file())
}

/// Run the `tandem` binary with `args` in `cwd` under an address-space limit of
/// `as_mib` MiB; panics if the watchdog had to kill it.
pub fn tandem(args: &[String], cwd: &Path, as_mib: u64) -> Ran {
    let bin = env!("CARGO_BIN_EXE_tandem");
    let mut cmd = match prlimit() {
        Some(p) => {
            let mut c = Command::new(p);
            c.arg(format!("--as={}", as_mib << 20)).arg("--").arg(bin);
            c
        }
        None => Command::new(bin),
    };
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("MLFLOW_TRACKING_URI")
        .env_remove("MLFLOW_EXPERIMENT_NAME")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        peak = peak.max(vm_hwm_kib(&status_path));
        if start.elapsed() > Duration::from_secs(LIMIT_SECONDS) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tandem {args:?} still running after {LIMIT_SECONDS} s: killed");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Ran {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out_t.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_t.join().unwrap()).into_owned(),
        elapsed: start.elapsed(),
        peak_rss_kib: peak,
    }
}

/// The process's peak resident set so far, in KiB (0 once it is gone).
fn vm_hwm_kib(status: &str) -> u64 {
    std::fs::read_to_string(status)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}
