//! `hindsight init DIR`: a ready knowledge base. Never overwrites: if any of
//! its files exists, nothing is written.

use std::io::Write;
use std::path::Path;

use super::Error;
use crate::cli::InitArgs;
use crate::scaffold::init::{GITIGNORE_PATH, SAMPLE_PATH, files, gitignore};

pub fn run(root: &Path, args: &InitArgs) -> Result<(), Error> {
    let dir = &args.dir;
    // (clap hands the global --root's value to init's hidden one as well.)
    let given = [args.root.as_deref(), Some(root)];
    if let Some(root) = given.into_iter().flatten().find(|r| *r != Path::new(".")) {
        return Err(
            Error::usage(format!("init does not take --root {}", root.display())).hint(format!(
                "name the folder to create as DIR: `hindsight init {}`",
                root.display()
            )),
        );
    }
    let files = files();
    let existing: Vec<&str> = files
        .iter()
        .map(|(path, _)| *path)
        .filter(|path| dir.join(path).exists())
        .collect();
    if !existing.is_empty() {
        return Err(Error::usage(format!(
            "{} already has {}; nothing was written",
            dir.display(),
            existing.join(", ")
        ))
        .hint("init never overwrites: choose an empty folder, or move those files away"));
    }
    for (path, text) in &files {
        let target = dir.join(path);
        let written = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&target)
            })
            .and_then(|mut file| file.write_all(text.as_bytes()));
        written.map_err(|e| Error::usage(format!("cannot write {}: {e}", target.display())))?;
    }
    let ignore_path = dir.join(GITIGNORE_PATH);
    let existing = std::fs::read_to_string(&ignore_path).ok();
    let ignore_note = match gitignore(existing.as_deref()) {
        Some(text) => {
            std::fs::write(&ignore_path, text).map_err(|e| {
                Error::usage(format!("cannot write {}: {e}", ignore_path.display()))
            })?;
            Some(if existing.is_some() {
                "keeps the built site (public/) out of git: line added"
            } else {
                "keeps the built site (public/) out of git"
            })
        }
        None => None,
    };
    for (path, _) in &files {
        let what = match *path {
            "hindsight.yaml" => "configuration, every key explained",
            SAMPLE_PATH => "a sample postmortem: replace it with yours",
            ".gitlab-ci.yml" => "GitLab CI: check merge requests, publish with GitLab Pages",
            _ => "GitHub Actions: check pull requests, publish to GitHub Pages",
        };
        println!("  {path:<52} {what}");
    }
    if let Some(what) = ignore_note {
        println!("  {GITIGNORE_PATH:<52} {what}");
    }
    let dir = dir.display();
    println!(
        "Created a knowledge base in {dir}. Next: `cd {dir}`, then `hindsight new \"Title\"` to start a postmortem and `hindsight serve --drafts` to see the site as you write."
    );
    Ok(())
}
