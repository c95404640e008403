//! Opt-in stage timings: with `HINDSIGHT_PROFILE=1`, `build` prints where its
//! time went to stderr (BENCHMARKS.md explains the numbers). Stages are wall
//! time and the process's CPU time meanwhile (on a shared machine the wall
//! time depends on the others' load, the CPU time much less); work spread
//! over many pages (highlighting, Markdown, templates) is CPU time summed
//! over threads, as it runs on all cores at once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

static ENABLED: LazyLock<bool> =
    LazyLock::new(|| std::env::var_os("HINDSIGHT_PROFILE").is_some_and(|v| v != "0"));

/// A finished stage.
struct Stage {
    name: &'static str,
    wall: Duration,
    /// The process's CPU time (user + system, all threads) during the stage.
    cpu: Option<Duration>,
    /// The process's peak RSS (KiB) when it ended.
    peak_rss: Option<u64>,
}

/// Finished stages in the order they ended.
static STAGES: Mutex<Vec<Stage>> = Mutex::new(Vec::new());

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
    let cpu_before = cpu_time();
    let result = work();
    let wall = started.elapsed();
    let cpu = cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    STAGES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Stage {
            name,
            wall,
            cpu,
            peak_rss: peak_rss_kib(),
        });
    result
}

/// Prints the stages and counters recorded so far, then the total.
pub fn report(total: Duration) {
    if !*ENABLED {
        return;
    }
    let stages = STAGES.lock().unwrap_or_else(|e| e.into_inner());
    let mut text = String::from(
        "profile (per stage: wall time, process CPU time (overlapping for stages run side by side), peak RSS so far):\n",
    );
    for stage in stages.iter() {
        let cpu = stage
            .cpu
            .map_or_else(String::new, |cpu| format!("{:>9.1} ms CPU", ms(cpu)));
        let rss = stage
            .peak_rss
            .map_or_else(String::new, |kib| format!("{:>7} MiB", kib / 1024));
        text.push_str(&format!(
            "  {:<28} {:>9.1} ms {cpu} {rss}\n",
            stage.name,
            ms(stage.wall)
        ));
    }
    text.push_str("profile (CPU time summed over threads):\n");
    for counter in COUNTERS {
        let took = Duration::from_nanos(counter.nanos.load(Ordering::Relaxed));
        text.push_str(&format!("  {:<28} {:>9.1} ms\n", counter.name, ms(took)));
    }
    text.push_str(&format!("  {:<28} {:>9.1} ms\n", "total (wall)", ms(total)));
    eprint!("{text}");
}

/// User + system time of the whole process, from `/proc/self/stat` (Linux
/// only; in clock ticks, which are 10 ms everywhere Linux runs today).
fn cpu_time() -> Option<Duration> {
    const TICK: Duration = Duration::from_millis(10);
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) from `state` on:
    // utime and stime are the 12th and 13th of them.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ').skip(11);
    let user: u32 = fields.next()?.parse().ok()?;
    let system: u32 = fields.next()?.parse().ok()?;
    Some(TICK * (user + system))
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
