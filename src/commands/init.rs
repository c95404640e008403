//! `hindsight init DIR`: a ready knowledge base. Never overwrites: if any of
//! its files exists, nothing is written.

use std::io::Write;

use super::Error;
use crate::cli::InitArgs;
use crate::scaffold::init::{SAMPLE_PATH, files};

pub fn run(args: &InitArgs) -> Result<(), Error> {
    let dir = &args.dir;
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
    for (path, _) in &files {
        let what = match *path {
            "hindsight.yaml" => "configuration, every key explained",
            SAMPLE_PATH => "a sample postmortem: replace it with yours",
            ".gitlab-ci.yml" => "GitLab CI: check merge requests, publish with GitLab Pages",
            _ => "GitHub Actions: check pull requests, publish to GitHub Pages",
        };
        println!("  {path:<52} {what}");
    }
    let dir = dir.display();
    println!(
        "Created a knowledge base in {dir}; next: `hindsight --root {dir} build` (keep public/ out of git), `hindsight --root {dir} new \"Title\"`."
    );
    Ok(())
}
