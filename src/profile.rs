//! Opt-in stage timings: with `HINDSIGHT_PROFILE=1`, `build` prints where its
//! time went to stderr (BENCHMARKS.md explains the numbers). Stages are wall
//! time; work spread over many pages (highlighting, Markdown, templates) is
//! CPU time summed over threads, as it runs on all cores at once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

static ENABLED: LazyLock<bool> =
    LazyLock::new(|| std::env::var_os("HINDSIGHT_PROFILE").is_some_and(|v| v != "0"));

/// Finished stages in the order they ended, with the process's peak RSS
/// (KiB) when each ended.
static STAGES: Mutex<Vec<(&'static str, Duration, Option<u64>)>> = Mutex::new(Vec::new());

/// Time spent in one kind of work, summed over threads.
pub struct Counter {
    name: &'static str,
    nanos: AtomicU64,
}

pub static MARKDOWN: Counter = Counter::new("markdown (incl. highlight)");
pub static HIGHLIGHT: Counter = Counter::new("highlight");
pub static TEMPLATES: Counter = Counter::new("templates");
const COUNTERS: [&Counter; 3] = [&MARKDOWN, &HIGHLIGHT, &TEMPLATES];

impl Counter {
    const fn new(name: &'static str) -> Self {
        Counter {
            name,
            nanos: AtomicU64::new(0),
        }
    }

    pub fn time<T>(&self, work: impl FnOnce() -> T) -> T {
        if !*ENABLED {
            return work();
        }
        let started = Instant::now();
        let result = work();
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
        result
    }
}

/// Runs one stage and records its wall time.
pub fn stage<T>(name: &'static str, work: impl FnOnce() -> T) -> T {
    if !*ENABLED {
        return work();
    }
    let started = Instant::now();
    let result = work();
    let elapsed = started.elapsed();
    STAGES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((name, elapsed, peak_rss_kib()));
    result
}

/// Prints the stages and counters recorded so far, then the total.
pub fn report(total: Duration) {
    if !*ENABLED {
        return;
    }
    let stages = STAGES.lock().unwrap_or_else(|e| e.into_inner());
    let mut text = String::from("profile (wall time per stage; peak RSS so far):\n");
    for (name, took, rss) in stages.iter() {
        let rss = rss.map_or_else(String::new, |kib| format!("{:>7} MiB", kib / 1024));
        text.push_str(&format!("  {name:<28} {:>9.1} ms {rss}\n", ms(*took)));
    }
    text.push_str("profile (CPU time summed over threads):\n");
    for counter in COUNTERS {
        let took = Duration::from_nanos(counter.nanos.load(Ordering::Relaxed));
        text.push_str(&format!("  {:<28} {:>9.1} ms\n", counter.name, ms(took)));
    }
    text.push_str(&format!("  {:<28} {:>9.1} ms\n", "total (wall)", ms(total)));
    eprint!("{text}");
}

/// `VmHWM` from `/proc/self/status` (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
