//! Structured log lines (one JSON object per line on stderr) written by a background thread.
//!
//! A server logs every request; writing each line with its own `write` call under stderr's
//! lock costs a syscall and a lock handoff per request on the serving threads. Here the
//! serving threads only queue the line; one thread writes whatever has queued up in one go.
//! The queue is bounded: under a flood that outruns stderr, lines are dropped and counted
//! (the count is logged once the flood passes) rather than growing memory or blocking
//! requests.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, Instant};

const QUEUE: usize = 65_536;

static SENDER: OnceLock<SyncSender<String>> = OnceLock::new();
static DROPPED: AtomicU64 = AtomicU64::new(0);
/// Lines queued and not yet written.
static PENDING: AtomicUsize = AtomicUsize::new(0);

fn writer(rx: Receiver<String>) {
    let stderr = std::io::stderr();
    while let Ok(first) = rx.recv() {
        let mut out = stderr.lock();
        let _ = out.write_all(first.as_bytes());
        let mut written = 1;
        for line in rx.try_iter().take(4096) {
            let _ = out.write_all(line.as_bytes());
            written += 1;
        }
        let dropped = DROPPED.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            let _ = writeln!(
                out,
                "{{\"event\":\"log_lines_dropped\",\"count\":{dropped}}}"
            );
        }
        let _ = out.flush();
        PENDING.fetch_sub(written, Ordering::Relaxed);
    }
}

/// Queue one line (a JSON object, without its newline) for stderr.
pub fn emit(mut line: String) {
    line.push('\n');
    let tx = SENDER.get_or_init(|| {
        let (tx, rx) = sync_channel(QUEUE);
        // Without a thread (the OS refused one) the queue fills and lines are counted as
        // dropped.
        let _ = std::thread::Builder::new()
            .name("log".into())
            .spawn(move || writer(rx));
        tx
    });
    PENDING.fetch_add(1, Ordering::Relaxed);
    match tx.try_send(line) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
            PENDING.fetch_sub(1, Ordering::Relaxed);
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Wait until queued lines are written (at shutdown), at most `wait`.
pub fn flush(wait: Duration) {
    let deadline = Instant::now() + wait;
    while PENDING.load(Ordering::Relaxed) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
}
