//! The theme: tera templates and static files embedded in the binary, each
//! overridable by a file of the same name in the site's own `theme/` folder.

use std::collections::BTreeMap;

use include_dir::{Dir, include_dir};
use tera::{Context, Tera};

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

    pub fn render(&self, template: &str, context: &Context) -> Result<String, TemplateError> {
        crate::profile::TEMPLATES
            .time(|| self.tera.render(template, context))
            .map_err(|e| TemplateError {
                template: template.to_string(),
                message: error_text(&e),
            })
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
