//! The theme: tera templates and static files embedded in the binary, each
//! overridable by a file of the same name in the site's own `theme/` folder.
//!
//! A site's templates are code from merge requests, so every page renders
//! within a budget (see [`PageBudget`]): a runaway template makes the build
//! fail fast with a diagnostic instead of running for hours.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use include_dir::{Dir, include_dir};
use tera::{Context, Kwargs, State, Tera, TeraResult};

use crate::diagnostics::{Diagnostic, codes};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/theme");

/// Where a theme file came from, for diagnostics.
fn origin(name: &str, overridden: bool) -> String {
    if overridden {
        format!("theme/{name}")
    } else {
        format!("(built-in theme) {name}")
    }
}

pub struct Theme {
    tera: Tera,
    /// Files under `static/`, keyed by their path below it.
    pub static_files: BTreeMap<String, Vec<u8>>,
    /// Other theme files (e.g. `postmortem.md`, the template for `hindsight new`).
    files: BTreeMap<String, Vec<u8>>,
    overridden: std::collections::BTreeSet<String>,
}

/// What rendering one page may cost. A page over its output size, or still
/// rendering after its time, fails with a `template-error`: time is checked
/// whenever the template writes output or calls `range`. A template that
/// runs on without doing either is stopped by a watchdog (see
/// [`on_runaway`]) after twice its time.
#[derive(Debug, Clone, Copy)]
pub struct PageBudget {
    pub time: Duration,
    pub bytes: usize,
}

/// The environment variable that sets the time of the [`PageBudget`], in seconds.
pub const PAGE_SECONDS_VAR: &str = "HINDSIGHT_PAGE_SECONDS";

/// 10 seconds (or `HINDSIGHT_PAGE_SECONDS`) and 64 MiB per page: the largest
/// pages of a 10,000-incident site take well under a second and a few MB.
pub fn page_budget() -> PageBudget {
    static BUDGET: OnceLock<PageBudget> = OnceLock::new();
    *BUDGET.get_or_init(|| {
        let seconds = std::env::var(PAGE_SECONDS_VAR)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(10.0);
        PageBudget {
            time: Duration::from_secs_f64(seconds),
            bytes: 64 * 1024 * 1024,
        }
    })
}

/// Why a page was stopped, and what to do about it.
fn over_budget(what: &str) -> String {
    let budget = page_budget();
    format!(
        "the page was stopped: {what}; a page must render within {} s and {} MB\nlook for loops that never end or keep growing (nested `range`, `for` over large lists); {PAGE_SECONDS_VAR} gives pages more time",
        budget.time.as_secs_f64(),
        budget.bytes / (1024 * 1024)
    )
}

thread_local! {
    /// When the page being rendered on this thread must be done.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

fn past_deadline() -> bool {
    DEADLINE.with(|d| d.get().is_some_and(|deadline| Instant::now() > deadline))
}

/// Pages being rendered, by render number: (template, when it started).
static RENDERING: Mutex<BTreeMap<u64, (String, Instant)>> = Mutex::new(BTreeMap::new());
/// What to do about a page still rendering after twice its time.
static ON_RUNAWAY: OnceLock<Box<dyn Fn(Diagnostic) + Send + Sync>> = OnceLock::new();

/// Installs what happens when a page renders for more than twice its time
/// without writing or calling `range` (where its budget is checked): a
/// render cannot be interrupted, so the command line reports the diagnostic
/// and exits. Without a handler, such a render runs on.
pub fn on_runaway(handler: impl Fn(Diagnostic) + Send + Sync + 'static) {
    if ON_RUNAWAY.set(Box::new(handler)).is_err() {
        return;
    }
    std::thread::spawn(|| {
        let limit = page_budget().time * 2;
        loop {
            std::thread::sleep(Duration::from_millis(200));
            let runaway = RENDERING
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .values()
                .find(|(_, started)| started.elapsed() > limit)
                .map(|(template, _)| template.clone());
            if let (Some(template), Some(handler)) = (runaway, ON_RUNAWAY.get()) {
                handler(
                    Diagnostic::error(
                        codes::TEMPLATE_ERROR,
                        format!("theme/templates/{template}"),
                        format!("template `{template}` failed to render"),
                    )
                    .hint(over_budget(&format!(
                        "it was still running after {} s",
                        limit.as_secs_f64()
                    ))),
                );
            }
        }
    });
}

/// The output of one page: refuses to grow past the budget or the deadline.
struct BudgetedWriter {
    html: Vec<u8>,
    limit: usize,
    exceeded: Option<String>,
}

impl std::io::Write for BudgetedWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.html.len() + bytes.len() > self.limit {
            self.exceeded = Some(format!(
                "its output passed {} MB",
                self.limit / (1024 * 1024)
            ));
        } else if past_deadline() {
            self.exceeded = Some("it ran out of time".into());
        }
        if self.exceeded.is_some() {
            return Err(std::io::Error::other("page budget exceeded"));
        }
        self.html.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// tera's `range` (same arguments, same limit), with the page's deadline
/// checked on every call: nested `range` loops are how a template runs away.
fn range(kwargs: Kwargs, _: &State) -> TeraResult<Vec<i128>> {
    const MAX_LEN: u128 = 100_000;
    if past_deadline() {
        return Err(tera::Error::message("the page ran out of time"));
    }
    let start = kwargs.get::<i128>("start")?.unwrap_or_default();
    let end = kwargs.must_get::<i128>("end")?;
    let step = kwargs.get::<i128>("step_by")?.unwrap_or(1);
    if step == 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `step_by` argument of 0",
        ));
    }
    if start > end && step > 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    let len = if (step > 0) == (end > start) {
        end.abs_diff(start).div_ceil(step.unsigned_abs())
    } else {
        0
    };
    if len > MAX_LEN {
        return Err(tera::Error::message(format!(
            "Function `range` would produce {len} elements, which exceeds the limit of {MAX_LEN}"
        )));
    }
    Ok((0..len as i128).map(|i| start + i * step).collect())
}

#[derive(Debug, thiserror::Error)]
#[error("template {template} failed: {message}")]
pub struct TemplateError {
    pub template: String,
    pub message: String,
}

impl TemplateError {
    pub fn into_diagnostic(self, theme: &Theme) -> Diagnostic {
        let path = origin(
            &format!("templates/{}", self.template),
            theme
                .overridden
                .contains(&format!("templates/{}", self.template)),
        );
        Diagnostic::error(
            codes::TEMPLATE_ERROR,
            path,
            format!("template `{}` failed to render", self.template),
        )
        .hint(format!(
            "{}\nfix the template, or delete the override to use the built-in one",
            self.message
        ))
    }
}

/// Every file of the built-in theme, by path (for `init` and tests).
pub fn builtin_files() -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    collect(&BUILTIN, &mut files);
    files
}

fn collect(dir: &Dir<'_>, into: &mut BTreeMap<String, Vec<u8>>) {
    for file in dir.files() {
        into.insert(
            file.path().to_string_lossy().replace('\\', "/"),
            file.contents().to_vec(),
        );
    }
    for sub in dir.dirs() {
        collect(sub, into);
    }
}

impl Theme {
    /// The built-in theme with the site's overrides (paths relative to `theme/`).
    pub fn load(overrides: &BTreeMap<String, Vec<u8>>) -> Result<Theme, Vec<Diagnostic>> {
        let mut files = builtin_files();
        let mut overridden = std::collections::BTreeSet::new();
        for (path, bytes) in overrides {
            files.insert(path.clone(), bytes.clone());
            overridden.insert(path.clone());
        }

        let mut diagnostics = Vec::new();
        let mut templates = Vec::new();
        let mut static_files = BTreeMap::new();
        let mut other = BTreeMap::new();
        for (path, bytes) in files {
            if let Some(name) = path.strip_prefix("templates/") {
                match String::from_utf8(bytes) {
                    Ok(text) => templates.push((name.to_string(), text)),
                    Err(_) => diagnostics.push(
                        Diagnostic::error(
                            codes::TEMPLATE_ERROR,
                            origin(&path, overridden.contains(&path)),
                            "template is not valid UTF-8",
                        )
                        .hint("save the template as UTF-8"),
                    ),
                }
            } else if let Some(name) = path.strip_prefix("static/") {
                static_files.insert(name.to_string(), bytes);
            } else {
                other.insert(path, bytes);
            }
        }

        let mut tera = Tera::default();
        tera.register_function("range", range);
        if let Err(e) =
            tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        {
            let message = error_text(&e);
            // Name the file the error is about when tera's message says which.
            let culprit = templates
                .iter()
                .map(|(n, _)| format!("templates/{n}"))
                .find(|p| message.contains(p.trim_start_matches("templates/")));
            let path = culprit.map_or_else(
                || "theme/templates".to_string(),
                |p| origin(&p, overridden.contains(&p)),
            );
            diagnostics.push(
                Diagnostic::error(
                    codes::TEMPLATE_ERROR,
                    path,
                    "theme templates do not compile",
                )
                .hint(message),
            );
        }
        if !diagnostics.is_empty() {
            return Err(diagnostics);
        }
        Ok(Theme {
            tera,
            static_files,
            files: other,
            overridden,
        })
    }

    /// Renders one page within the [`page_budget`].
    pub fn render(&self, template: &str, context: &Context) -> Result<String, TemplateError> {
        static RENDERS: AtomicU64 = AtomicU64::new(0);
        let budget = page_budget();
        let number = RENDERS.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        RENDERING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(number, (template.to_string(), started));
        let outer = DEADLINE.with(|d| d.replace(Some(started + budget.time)));
        let mut out = BudgetedWriter {
            html: Vec::new(),
            limit: budget.bytes,
            exceeded: None,
        };
        let result =
            crate::profile::TEMPLATES.time(|| self.tera.render_to(template, context, &mut out));
        DEADLINE.with(|d| d.set(outer));
        RENDERING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&number);
        let failed = |message: String| TemplateError {
            template: template.to_string(),
            message,
        };
        if let Some(what) = out.exceeded {
            return Err(failed(over_budget(&what)));
        }
        if let Err(e) = result {
            return Err(failed(if started.elapsed() > budget.time {
                over_budget("it ran out of time")
            } else {
                error_text(&e)
            }));
        }
        String::from_utf8(out.html)
            .map_err(|_| failed("the template wrote text that is not UTF-8".into()))
    }

    /// A non-template theme file, e.g. `postmortem.md`.
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }
}

/// Tera's error with its chain of causes.
fn error_text(error: &tera::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}
