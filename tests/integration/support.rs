//! Test support: knowledge bases in temporary folders and the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where `content/` and `tests/fixtures/` live).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A knowledge base in a temporary folder.
pub struct Site {
    dir: tempfile::TempDir,
}

/// What a run of the binary printed and returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The one summary line every run ends with.
    pub fn summary(&self) -> &str {
        self.stdout.lines().last().unwrap_or_default()
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Site {
    /// An empty knowledge base: a root with an empty `content/`.
    pub fn empty() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("content")).expect("content dir");
        Site { dir }
    }

    /// A copy of the fixture site `tests/fixtures/<name>/`.
    pub fn fixture(name: &str) -> Self {
        let site = Site::empty();
        copy_dir(&repo().join("tests/fixtures").join(name), site.root());
        site
    }

    /// A copy of the bundled sample knowledge base.
    pub fn bundled() -> Self {
        let site = Site::empty();
        copy_dir(&repo().join("content"), &site.root().join("content"));
        std::fs::copy(
            repo().join("hindsight.yaml"),
            site.root().join("hindsight.yaml"),
        )
        .expect("copy config");
        site
    }

    /// The postmortems-app corpus (from `HINDSIGHT_CORPORA`) with its fixture
    /// configuration; `None`, after a printed note, when the corpora are not given.
    pub fn postmortems_app() -> Option<Self> {
        let corpus = corpus("postmortems-app")?;
        let site = Site::fixture("postmortems-app");
        for entry in std::fs::read_dir(&corpus)
            .unwrap_or_else(|e| panic!("read {}: {e}", corpus.display()))
            .flatten()
        {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "md") {
                std::fs::copy(&path, site.root().join("content").join(entry.file_name()))
                    .expect("copy corpus file");
            }
        }
        Some(site)
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file relative to the root, creating folders.
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Self {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write file");
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.root().join(rel).exists()
    }

    /// Runs `hindsight --root <site> ARGS` from the root, with `CI=true` and no colour.
    pub fn run(&self, args: &[&str]) -> Run {
        hindsight()
            .current_dir(self.root())
            .arg("--root")
            .arg(self.root())
            .args(args)
            .output()
            .expect("run hindsight")
            .into()
    }

    /// `build --now 2026-01-15` (a fixed "today" keeps output deterministic).
    pub fn build(&self, extra: &[&str]) -> Run {
        let mut args = vec!["build", "--now", "2026-01-15"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Every file under `rel`, as (relative path, bytes), sorted.
    pub fn files(&self, rel: &str) -> Vec<(String, Vec<u8>)> {
        let base = self.root().join(rel);
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&base)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path()
                        .strip_prefix(&base)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    }
}

/// Test data that is not ours to copy into the repository: a corpus of real postmortems, `$HINDSIGHT_CORPORA/<name>/`. Without the
/// variable the test is skipped: this prints a note and returns `None`.
/// `.ci/run` sets it, and fails when the folder is missing.
pub fn corpus(name: &str) -> Option<PathBuf> {
    let dir = data_folder("HINDSIGHT_CORPORA")?.join(name);
    assert!(
        dir.is_dir(),
        "HINDSIGHT_CORPORA has no {name}/: {}",
        dir.display()
    );
    Some(dir)
}

/// The legacy seed documents (five postmortems without front matter),
/// `$HINDSIGHT_SEEDS/`; like [`corpus`], `None` after a note without it.
pub fn seeds() -> Option<PathBuf> {
    data_folder("HINDSIGHT_SEEDS")
}

fn data_folder(variable: &str) -> Option<PathBuf> {
    match std::env::var_os(variable).filter(|v| !v.is_empty()) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            assert!(
                dir.is_dir(),
                "{variable} is not a folder: {}",
                dir.display()
            );
            Some(dir)
        }
        None => {
            eprintln!(
                "note: {variable} is not set: skipping {} (set it to run this test)",
                std::thread::current().name().unwrap_or("this test")
            );
            None
        }
    }
}

pub fn hindsight() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hindsight"));
    command
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE");
    command
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Replaces the temporary root in output so snapshots are stable.
pub fn redact(text: &str, site: &Site) -> String {
    text.replace(&site.root().display().to_string(), "[ROOT]")
}
