//! `hindsight init` and the newcomer's path: a knowledge base that checks and
//! builds at once; the README's "Use it" commands as written; CI pipelines
//! that parse, install this version of hindsight (release binary checked
//! against its SHA-256, else `cargo install`) and run only commands our CLI
//! accepts; no overwrites.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{Run, hindsight, repo};

const GITHUB: &str = ".github/workflows/hindsight.yml";
const GITLAB: &str = ".gitlab-ci.yml";
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn init(dir: &Path) -> Run {
    hindsight().arg("init").arg(dir).output().unwrap().into()
}

fn yaml(path: &Path) -> yaml_serde::Value {
    let text = std::fs::read_to_string(path).unwrap();
    yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

/// Every shell script of a pipeline, by where it stands: GitHub steps'
/// `run`, GitLab jobs' `before_script` and `script` items.
fn scripts(pipeline: &yaml_serde::Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let Some(map) = pipeline.as_mapping() else {
        return found;
    };
    for (name, job) in map {
        let name = name.as_str().unwrap_or_default();
        if name == "jobs" {
            for (job_name, job) in job.as_mapping().unwrap() {
                for step in job["steps"].as_sequence().into_iter().flatten() {
                    if let Some(run) = step["run"].as_str() {
                        let step_name = step["name"].as_str().unwrap_or("run");
                        found.push((
                            format!("{}: {step_name}", job_name.as_str().unwrap()),
                            run.to_string(),
                        ));
                    }
                }
            }
        }
        for key in ["before_script", "script"] {
            for item in job[key].as_sequence().into_iter().flatten() {
                found.push((format!("{name}.{key}"), item.as_str().unwrap().to_string()));
            }
        }
    }
    found
}

/// The lines of the scripts that run hindsight.
fn hindsight_commands(pipeline: &yaml_serde::Value) -> Vec<String> {
    scripts(pipeline)
        .iter()
        .flat_map(|(_, script)| script.lines())
        .map(str::trim)
        .filter(|line| line.starts_with("hindsight "))
        .map(str::to_string)
        .collect()
}

/// The install script of a pipeline (the one that runs `cargo install`).
fn install_script(pipeline: &yaml_serde::Value) -> String {
    scripts(pipeline)
        .into_iter()
        .map(|(_, s)| s)
        .find(|s| s.contains("cargo install"))
        .expect("an install script")
}

/// Runs a pipeline's command line in the knowledge base, with the test
/// binary as `hindsight`, and the variables Pages gives a publishing job.
fn run_pipeline_command(kb: &Path, command: &str) -> Run {
    let bin = Path::new(env!("CARGO_BIN_EXE_hindsight")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .args(["-euo", "pipefail", "-c", command])
        .current_dir(kb)
        .env("PATH", path)
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .env("PAGES_URL", "https://example.github.io/kb")
        .env("CI_PAGES_URL", "https://example.gitlab.io/kb")
        .output()
        .unwrap()
        .into()
}

#[test]
fn init_then_check_and_build() {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    let run = init(&kb);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in [
        "hindsight.yaml",
        "content/INC-2025-001-checkout-connection-pool.md",
        GITHUB,
        GITLAB,
        ".gitignore",
    ] {
        assert!(kb.join(file).is_file(), "{file} missing");
        assert!(run.stdout.contains(file), "{}", run.stdout);
    }
    assert!(
        std::fs::read_to_string(kb.join(".gitignore"))
            .unwrap()
            .lines()
            .any(|l| l == "/public/")
    );

    let check: Run = hindsight()
        .arg("--root")
        .arg(&kb)
        .args(["check", "--strict", "--now", "2026-01-15"])
        .output()
        .unwrap()
        .into();
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("no problems found"),
        "{}",
        check.stdout
    );
    let build: Run = hindsight()
        .arg("--root")
        .arg(&kb)
        .arg("build")
        .output()
        .unwrap()
        .into();
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(
        kb.join("public/incidents/inc-2025-001/index.html")
            .is_file()
    );
}

#[test]
fn an_existing_gitignore_gets_the_line_it_lacks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitignore"), "target/").unwrap();
    assert_eq!(init(dir.path()).code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
        "target/\n# The site `hindsight build` writes\n/public/\n"
    );
}

#[test]
fn init_has_no_root_option() {
    let help: Run = hindsight()
        .args(["init", "--help"])
        .output()
        .unwrap()
        .into();
    assert_eq!(help.code, 0);
    assert!(!help.stdout.contains("--root"), "{}", help.stdout);
    let dir = tempfile::tempdir().unwrap();
    let run: Run = hindsight()
        .arg("--root")
        .arg(dir.path())
        .arg("init")
        .arg(dir.path().join("kb"))
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("init does not take --root"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("kb").exists());
}

#[test]
fn the_pipelines_install_this_version_and_run_commands_the_cli_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path();
    assert_eq!(init(kb).code, 0);
    let repository = "https://github.com/hindsight-postmortems/hindsight";
    assert!(
        std::fs::read_to_string(repo().join("Cargo.toml"))
            .unwrap()
            .contains(&format!("repository = \"{repository}\"")),
        "the pipelines' releases come from the package's repository"
    );
    for file in [GITHUB, GITLAB] {
        let text = std::fs::read_to_string(kb.join(file)).unwrap();
        for placeholder in [
            "{{VERSION",
            "{{REPOSITORY",
            "{{INSTALL",
            "{{CRATE",
            "your-org",
            "TODO",
            "<version>",
            "CHANGE",
        ] {
            assert!(!text.contains(placeholder), "{file} holds {placeholder}");
        }
        // Only GitHub expressions, `${{ … }}`, may hold double braces.
        assert_eq!(
            text.matches("{{").count(),
            text.matches("${{").count(),
            "{file}"
        );
        let pipeline = yaml(&kb.join(file));
        let variables = if file == GITHUB {
            &pipeline["env"]
        } else {
            &pipeline["variables"]
        };
        assert_eq!(
            variables["HINDSIGHT_VERSION"].as_str(),
            Some(VERSION),
            "{file}"
        );
        assert_eq!(
            variables["HINDSIGHT_RELEASES"].as_str(),
            Some(format!("{repository}/releases/download").as_str()),
            "{file}"
        );
        let install = install_script(&pipeline);
        assert!(
            install.contains(
                "cargo install --locked --root \"$HINDSIGHT_HOME\" hindsight-postmortems --version \"$HINDSIGHT_VERSION\""
            ),
            "{file}: {install}"
        );

        // Every hindsight command runs, as the pipeline writes it, on the new
        // knowledge base: flags and values our CLI accepts.
        let commands = hindsight_commands(&pipeline);
        assert!(commands.len() >= 2, "{file}: {commands:?}");
        for command in &commands {
            let run = run_pipeline_command(kb, command);
            assert_eq!(
                run.code, 0,
                "{file}: `{command}` failed:\n{}{}",
                run.stdout, run.stderr
            );
        }
    }

    let github = yaml(&kb.join(GITHUB));
    let events = github["on"].as_mapping().expect("`on` is a map of events");
    for event in ["pull_request", "push", "workflow_dispatch"] {
        assert!(events.contains_key(event), "on: {event}");
    }
    assert!(
        github["concurrency"]["group"]
            .as_str()
            .unwrap()
            .contains("github.ref")
    );
    let cache = github["jobs"]["site"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/cache@"))
        })
        .expect("a cache step");
    assert!(
        cache["with"]["key"]
            .as_str()
            .unwrap()
            .contains("env.HINDSIGHT_VERSION")
    );
    let default_branch = "github.ref_name == github.event.repository.default_branch";
    assert!(
        github["jobs"]["deploy"]["if"]
            .as_str()
            .unwrap()
            .contains(default_branch)
    );
    assert!(hindsight_commands(&github).contains(&"hindsight check --format github".to_string()));

    let gitlab = yaml(&kb.join(GITLAB));
    assert_eq!(
        gitlab["default"]["cache"]["key"].as_str(),
        Some("hindsight-$HINDSIGHT_VERSION")
    );
    assert_eq!(
        gitlab["pages"]["rules"][0]["if"].as_str(),
        Some("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH")
    );
    assert_eq!(
        gitlab["check"]["artifacts"]["reports"]["codequality"].as_str(),
        Some("gl-code-quality-report.json")
    );
    let report: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(kb.join("gl-code-quality-report.json")).unwrap())
            .unwrap();
    assert!(report.is_empty(), "{report:?}");
}

#[test]
fn the_readme_documents_the_commands_the_pipelines_run() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(init(dir.path()).code, 0);
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme
        .split("## Publishing from CI")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README has a Publishing from CI section");
    // The commands of its code blocks (every other part of a split on ``` is code).
    let code: String = section.split("```").skip(1).step_by(2).collect();
    let shape = |command: &str| -> String {
        // `hindsight check --format github > file` → `hindsight check --format github`
        let words: Vec<&str> = command.split_whitespace().collect();
        let mut kept = vec![words[0], words[1]];
        if let Some(i) = words.iter().position(|w| *w == "--format") {
            kept.extend(&words[i..=i + 1]);
        }
        kept.join(" ")
    };
    let documented: BTreeSet<String> = code
        .lines()
        .map(|l| l.split(" #").next().unwrap().trim())
        .filter(|l| l.starts_with("hindsight "))
        .map(shape)
        .collect();
    let mut run = BTreeSet::new();
    for file in [GITHUB, GITLAB] {
        run.extend(
            hindsight_commands(&yaml(&dir.path().join(file)))
                .iter()
                .map(|c| shape(c)),
        );
    }
    run.remove("hindsight check");
    assert_eq!(documented, run);
}

#[test]
fn check_annotates_pull_requests_with_paths_from_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    assert_eq!(init(&kb).code, 0);
    std::fs::write(
        kb.join("content/INC-2025-002.md"),
        "---\ntitle: Half done\nseverity: SEV9\n---\n## Summary\n\n[What happened, in one sentence]\n",
    )
    .unwrap();
    let run: Run = hindsight()
        .current_dir(dir.path())
        .args([
            "--root",
            "kb",
            "check",
            "--format",
            "github",
            "--now",
            "2026-01-15",
        ])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let annotations: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        annotations,
        [
            "::error file=kb/content/INC-2025-002.md,line=3,col=1,title=hindsight%3A unknown-severity::unknown severity `SEV9`%0Ahelp: use one of the configured levels: SEV1 (SEV-1, P0, P1, Critical); SEV2 (SEV-2, P2, High); SEV3 (SEV-3, P3, Medium); SEV4 (SEV-4, P4, Low); or add `SEV9` as an alias under `severities` in hindsight.yaml",
            "::error file=kb/content/INC-2025-002.md,line=7,col=1,title=hindsight%3A placeholder::template placeholder `[What happened, in one sentence]` was never filled in%0Ahelp: replace it with the real text, or mark the postmortem `draft: true` until it is finished (drafts are not published)",
        ],
        "{}",
        run.stdout
    );
    // The log keeps the full diagnostics, with the same paths.
    assert!(
        run.stderr.contains("--> kb/content/INC-2025-002.md:3:1"),
        "{}",
        run.stderr
    );
}

/// A release as `.github/workflows/release.yml` publishes it, served over
/// loopback (HTTP/1.0, one request per connection): files by name under
/// `v<version>/`, anything else a 404.
struct FakeRelease {
    url: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl FakeRelease {
    fn serve(files: Vec<(String, Vec<u8>)>) -> Self {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let worker = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(mut stream) = stream else { continue };
                    let mut line = String::new();
                    let _ = BufReader::new(&stream).read_line(&mut line);
                    let path = line.split_whitespace().nth(1).unwrap_or("/");
                    let found = files
                        .iter()
                        .find(|(name, _)| format!("/v{VERSION}/{name}") == path);
                    let (status, body) = match found {
                        Some((_, bytes)) => ("200 OK", bytes.as_slice()),
                        None => ("404 Not Found", &b""[..]),
                    };
                    let _ = write!(
                        stream,
                        "HTTP/1.0 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(body);
                }
            })
        };
        FakeRelease {
            url,
            stop,
            worker: Some(worker),
        }
    }
}

impl Drop for FakeRelease {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wakes the accepting thread up, so that it sees `stop`.
        let _ = std::net::TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

#[cfg(target_os = "linux")]
/// The release archive of this machine's target, holding a stand-in for the
/// binary (a script that prints the version: the real one is large).
fn release_archive(dir: &Path) -> Option<(String, Vec<u8>, String)> {
    use std::os::unix::fs::PermissionsExt;
    let target = match std::env::consts::ARCH {
        "x86_64" => "x86_64-unknown-linux-musl",
        "aarch64" => "aarch64-unknown-linux-musl",
        _ => return None,
    };
    let name = format!("hindsight-v{VERSION}-{target}");
    std::fs::create_dir_all(dir.join(&name)).unwrap();
    let binary = dir.join(&name).join("hindsight");
    std::fs::write(&binary, format!("#!/bin/sh\necho 'hindsight {VERSION}'\n")).unwrap();
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
    let tar = Command::new("tar")
        .args(["-czf", &format!("{name}.tar.gz"), &name])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(tar.success());
    let bytes = std::fs::read(dir.join(format!("{name}.tar.gz"))).unwrap();
    let sum = Command::new("sha256sum")
        .arg(format!("{name}.tar.gz"))
        .current_dir(dir)
        .output()
        .unwrap();
    Some((name, bytes, String::from_utf8(sum.stdout).unwrap()))
}

/// Runs a pipeline's install script with the release at `releases`, a
/// stand-in `cargo` that records its arguments, and no hindsight on PATH.
fn run_install(script: &str, releases: &str, home: &Path, fake_bin: &Path) -> Run {
    Command::new("bash")
        .args(["-c", script])
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", fake_bin.display()),
        )
        .env("HOME", home)
        .env("HINDSIGHT_VERSION", VERSION)
        .env("HINDSIGHT_RELEASES", releases)
        .env("HINDSIGHT_HOME", home.join(".hindsight"))
        .output()
        .unwrap()
        .into()
}

#[cfg(target_os = "linux")]
#[test]
fn the_install_step_takes_the_checked_release_binary_else_cargo_install() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    assert_eq!(init(&kb).code, 0);
    let Some((name, archive, sum)) = release_archive(dir.path()) else {
        eprintln!("note: no release target for this machine");
        return;
    };
    // A `cargo` that records how it was called and installs a script.
    let fake_bin = dir.path().join("fake-bin");
    std::fs::create_dir_all(&fake_bin).unwrap();
    let log = dir.path().join("cargo-args");
    let cargo = fake_bin.join("cargo");
    std::fs::write(
        &cargo,
        format!(
            "#!/bin/sh\necho \"$@\" > {}\nmkdir -p \"$HINDSIGHT_HOME/bin\"\nprintf '#!/bin/sh\\necho compiled\\n' > \"$HINDSIGHT_HOME/bin/hindsight\"\nchmod 755 \"$HINDSIGHT_HOME/bin/hindsight\"\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();

    let good = FakeRelease::serve(vec![
        (format!("{name}.tar.gz"), archive.clone()),
        (format!("{name}.tar.gz.sha256"), sum.clone().into_bytes()),
    ]);
    let tampered = FakeRelease::serve(vec![
        (format!("{name}.tar.gz"), archive),
        (
            format!("{name}.tar.gz.sha256"),
            format!("{}  {name}.tar.gz\n", "0".repeat(64)).into_bytes(),
        ),
    ]);
    let missing = FakeRelease::serve(Vec::new());

    for file in [GITHUB, GITLAB] {
        let script = install_script(&yaml(&kb.join(file)));
        for (release, from_release) in [(&good, true), (&tampered, false), (&missing, false)] {
            let home = tempfile::tempdir().unwrap();
            let _ = std::fs::remove_file(&log);
            let run = run_install(&script, &release.url, home.path(), &fake_bin);
            assert_eq!(run.code, 0, "{file}: {}{}", run.stdout, run.stderr);
            let installed = home.path().join(".hindsight/bin/hindsight");
            let version = Command::new(&installed).arg("--version").output().unwrap();
            let version = String::from_utf8_lossy(&version.stdout).into_owned();
            if from_release {
                assert_eq!(version.trim(), format!("hindsight {VERSION}"), "{file}");
                assert!(!log.exists(), "{file}: cargo ran");
            } else {
                assert_eq!(version.trim(), "compiled", "{file}: {}", run.stderr);
                assert_eq!(
                    std::fs::read_to_string(&log).unwrap().trim(),
                    format!(
                        "install --locked --root {} hindsight-postmortems --version {VERSION}",
                        home.path().join(".hindsight").display()
                    ),
                    "{file}"
                );
            }
        }
    }
}

/// The README's "Use it" commands, run as written in a new folder (`serve`
/// until it serves the home page), then the generated pipelines' commands.
#[test]
fn the_use_it_section_works_as_written() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme
        .split("\n## Use it")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README has a Use it section");
    let commands: Vec<String> = section
        .split("```")
        .skip(1)
        .step_by(2)
        .flat_map(|block| block.lines())
        .map(|l| l.split(" #").next().unwrap().trim().to_string())
        .filter(|l| l.starts_with("hindsight ") || l.starts_with("cd "))
        .collect();
    assert_eq!(
        commands
            .iter()
            .filter(|c| c.starts_with("hindsight "))
            .map(|c| c.split_whitespace().nth(1).unwrap())
            .collect::<Vec<_>>(),
        ["init", "new", "serve", "check", "build"]
    );
    let dir = tempfile::tempdir().unwrap();
    let mut cwd: PathBuf = dir.path().to_path_buf();
    for command in &commands {
        if let Some(folder) = command.strip_prefix("cd ") {
            cwd = cwd.join(folder);
            continue;
        }
        if command.starts_with("hindsight serve") {
            serve_until_home_page(&cwd, command);
            continue;
        }
        let run = run_pipeline_command(&cwd, command);
        assert_eq!(run.code, 0, "`{command}`:\n{}{}", run.stdout, run.stderr);
    }
    // `new` wrote a draft: checked (warnings), built, and not published.
    let draft = std::fs::read_dir(cwd.join("content"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.to_string_lossy()
                .contains("checkout-errors-after-a-deploy")
        })
        .expect("new wrote the postmortem");
    assert!(
        std::fs::read_to_string(&draft)
            .unwrap()
            .contains("\ndraft: true\n")
    );
    let incidents = std::fs::read_to_string(cwd.join("public/incidents/index.html")).unwrap();
    assert!(!incidents.contains("Checkout errors after a deploy"));
    for file in [GITHUB, GITLAB] {
        for command in hindsight_commands(&yaml(&cwd.join(file))) {
            let run = run_pipeline_command(&cwd, &command);
            assert_eq!(
                run.code, 0,
                "{file}: `{command}`:\n{}{}",
                run.stdout, run.stderr
            );
        }
    }
}

/// Starts `command` (a `hindsight serve …`) on a free port, waits until it
/// serves the home page, and stops it.
fn serve_until_home_page(cwd: &Path, command: &str) {
    let mut child = hindsight()
        .args(command.split_whitespace().skip(1))
        .args(["--port", "0"])
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            let rest = l.strip_prefix("Serving http://")?;
            Some(
                rest.split(['/', ' '])
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .expect("serve prints its address");
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

#[test]
fn init_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hindsight.yaml"), "title: Mine\n").unwrap();
    let run = init(dir.path());
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("already has hindsight.yaml; nothing was written"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("hindsight.yaml")).unwrap(),
        "title: Mine\n"
    );
    assert!(!dir.path().join("content").exists());
}

/// The repository's release workflow publishes what the pipelines of `init`
/// and `cargo binstall` download: a binary for every target `install.sh`
/// names, under the names it asks for, each with its SHA-256.
#[test]
fn the_release_workflow_publishes_what_the_pipelines_download() {
    let root = repo();
    let release = yaml(&root.join(".github/workflows/release.yml"));
    assert_eq!(
        release["on"]["push"]["tags"].as_sequence().unwrap()[0].as_str(),
        Some("v*")
    );
    let targets: BTreeSet<String> = release["jobs"]["binaries"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap().to_string())
        .collect();
    // Every target the install script can ask for is built.
    let install = std::fs::read_to_string(root.join("src/scaffold/init/install.sh")).unwrap();
    let asked = regex::Regex::new(r"target=([a-z0-9_-]+) ;;").unwrap();
    let asked: BTreeSet<String> = asked
        .captures_iter(&install)
        .map(|c| c[1].to_string())
        .filter(|t| t != "none")
        .collect();
    assert_eq!(asked.len(), 4, "{install}");
    assert!(asked.is_subset(&targets), "{asked:?} not in {targets:?}");
    assert!(targets.contains("x86_64-pc-windows-msvc"), "{targets:?}");
    // The names: `hindsight-v<version>-<target>.tar.gz` and its `.sha256`,
    // as install.sh and [package.metadata.binstall] read them.
    let steps = scripts(&release);
    let package = &steps
        .iter()
        .find(|(name, _)| name.ends_with(": Package"))
        .expect("a Package step")
        .1;
    assert!(
        package.contains(r#"name="hindsight-$TAG-$TARGET""#),
        "{package}"
    );
    assert!(package.contains(r#"tar -czf "$name.tar.gz" "$name""#));
    assert!(package.contains(r#"shasum -a 256 "$name.tar.gz" > "$name.tar.gz.sha256""#));
    assert!(install.contains(r#"name="hindsight-v$HINDSIGHT_VERSION-$target""#));
    assert!(install.contains(r#"cp "$tmp/$name/hindsight""#));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(manifest.contains(
        r#"pkg-url = "{ repo }/releases/download/v{ version }/hindsight-v{ version }-{ target }{ archive-suffix }""#
    ));
    // What the steps copy and build exists; the binary is `hindsight`.
    for file in ["README.md", "LICENSE", "Cargo.lock"] {
        assert!(root.join(file).is_file(), "{file}");
    }
    assert!(
        manifest.contains("[[bin]]\nname = \"hindsight\""),
        "{manifest}"
    );
    let build = &steps
        .iter()
        .find(|(name, _)| name.ends_with(": Build"))
        .unwrap()
        .1;
    assert!(
        build.contains("--locked") && build.contains("--bin hindsight"),
        "{build}"
    );
    // Nothing to fill in by hand.
    let text = std::fs::read_to_string(root.join(".github/workflows/release.yml")).unwrap();
    for placeholder in ["your-org", "TODO", "FIXME", "{{VERSION", "{{REPOSITORY"] {
        assert!(!text.contains(placeholder), "{placeholder}");
    }
}
