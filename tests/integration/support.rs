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

    /// The postmortems-app corpus with its fixture configuration.
    pub fn postmortems_app() -> Self {
        let site = Site::fixture("postmortems-app");
        // `shared/` sits beside the main checkout; worktrees are one level deeper.
        let corpus = repo()
            .ancestors()
            .map(|dir| dir.join("shared/corpora/postmortems-app"))
            .find(|dir| dir.is_dir())
            .expect("the corpus is in shared/corpora beside the repository");
        for entry in std::fs::read_dir(&corpus)
            .expect("corpus is present beside the repository")
            .flatten()
        {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "md") {
                std::fs::copy(&path, site.root().join("content").join(entry.file_name()))
                    .expect("copy corpus file");
            }
        }
        site
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
