//! Real headless Chromium, driven over the DevTools protocol (CDP).
//!
//! Why a small client of our own instead of a crate: `headless_chrome` 1.0.22
//! (the sync, maintained choice) works with Debian's Chromium and was tried
//! first, but every command it sends waits up to 100 ms (its websocket reader
//! holds the connection lock through 100 ms read timeouts), which made the
//! accessibility test alone take 70 s; and it brings 59 crates (a TLS stack
//! and an HTTP client among its build dependencies) and 1 MB of generated
//! bindings that take minutes to compile on two cores. `chromiumoxide` needs
//! an async runtime, `fantoccini` a chromedriver. Chromium's
//! `--remote-debugging-pipe` speaks CDP as NUL-terminated JSON over file
//! descriptors 3 and 4: no websocket, no port, and the few commands the tests
//! use (targets, `Runtime.evaluate`, emulation, key events, screenshots) fit
//! in the code below.
//!
//! Chromium is `/usr/bin/chromium` (Debian's) unless `HINDSIGHT_CHROMIUM`
//! names another. When it is missing the browser tests print a note and pass
//! on a developer machine, and fail under `CI=true`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::Child;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak, mpsc};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// How long Chromium may take to answer, or a page to do what a test waits for.
const PATIENCE: Duration = Duration::from_secs(20);

/// A running Chromium, shared by the tests that run at the same time and
/// closed when the last of them lets go.
pub struct Chrome {
    connection: Arc<Connection>,
    child: Mutex<Child>,
    reader: Option<std::thread::JoinHandle<()>>,
    _profile: tempfile::TempDir,
}

/// The Chromium of the tests running now, launched on first use; `None`
/// (after printing why) when there is none on a developer machine.
pub fn chrome(test: &str) -> Option<Arc<Chrome>> {
    static SHARED: Mutex<Weak<Chrome>> = Mutex::new(Weak::new());
    let path = chromium_path();
    if !path.is_file() || !cfg!(target_os = "linux") {
        let note = format!(
            "Chromium not found at {} (set HINDSIGHT_CHROMIUM, or apt-get install chromium; Linux only)",
            path.display()
        );
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: {note}"
        );
        eprintln!("note: skipping the browser test {test}: {note}");
        return None;
    }
    let mut shared = SHARED.lock().unwrap();
    if let Some(chrome) = shared.upgrade() {
        return Some(chrome);
    }
    let chrome = Arc::new(Chrome::launch(path));
    *shared = Arc::downgrade(&chrome);
    Some(chrome)
}

fn chromium_path() -> PathBuf {
    std::env::var_os("HINDSIGHT_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

impl Chrome {
    #[cfg(target_os = "linux")]
    fn launch(path: PathBuf) -> Chrome {
        use std::os::fd::AsRawFd;
        use std::os::unix::process::CommandExt;
        use std::process::{Command, Stdio};

        let profile = tempfile::tempdir().expect("profile folder");
        let (from_us, chrome_reads) = std::io::pipe().map(|(r, w)| (w, r)).expect("pipe");
        let (from_chrome, chrome_writes) = std::io::pipe().expect("pipe");
        let (read_fd, write_fd) = (chrome_reads.as_raw_fd(), chrome_writes.as_raw_fd());
        let mut command = Command::new(&path);
        command
            .args([
                // Debian's flags for a container: no sandbox (root, no user namespaces), no GPU.
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--mute-audio",
                "--window-size=1280,800",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: between fork and exec only async-signal-safe calls: the pipe
        // ends move to descriptors 3 (commands in) and 4 (replies out), first
        // above 10 so that one cannot overwrite the other.
        unsafe {
            command.pre_exec(move || {
                let read = libc::fcntl(read_fd, libc::F_DUPFD_CLOEXEC, 10);
                let write = libc::fcntl(write_fd, libc::F_DUPFD_CLOEXEC, 10);
                if read < 0 || write < 0 || libc::dup2(read, 3) < 0 || libc::dup2(write, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("launch {}: {e}", path.display()));
        drop((chrome_reads, chrome_writes));
        let connection = Arc::new(Connection {
            to_chrome: Mutex::new(from_us),
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
        });
        let reader = {
            let connection = connection.clone();
            std::thread::spawn(move || connection.read_replies(from_chrome))
        };
        let chrome = Chrome {
            connection,
            child: Mutex::new(child),
            reader: Some(reader),
            _profile: profile,
        };
        chrome
            .connection
            .call(None, "Browser.getVersion", json!({}))
            .unwrap_or_else(|e| panic!("Chromium at {} does not answer: {e}", path.display()));
        chrome
    }

    #[cfg(not(target_os = "linux"))]
    fn launch(_: PathBuf) -> Chrome {
        unreachable!("chrome() skips browser tests outside Linux")
    }

    /// A new tab in its own browser context: no cache, storage or cookies
    /// shared with other tabs.
    pub fn tab(self: &Arc<Self>) -> Tab {
        let call = |method, params| {
            self.connection
                .call(None, method, params)
                .unwrap_or_else(|e| panic!("{method}: {e}"))
        };
        let context = call("Target.createBrowserContext", json!({}))["browserContextId"].clone();
        let target = call(
            "Target.createTarget",
            json!({"url": "about:blank", "browserContextId": context}),
        )["targetId"]
            .clone();
        let session = call(
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        )["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        Tab {
            chrome: self.clone(),
            session,
            target,
            context,
        }
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.connection.call(None, "Browser.close", json!({}));
        let child = self.child.get_mut().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while child.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// Requests out, replies matched back by id; events are not used.
struct Connection {
    to_chrome: Mutex<std::io::PipeWriter>,
    pending: Mutex<HashMap<u64, mpsc::Sender<Result<Value, String>>>>,
    next_id: AtomicU64,
}

impl Connection {
    /// Sends one command (to the browser, or to a tab's session) and waits
    /// for its result.
    fn call(&self, session: Option<&str>, method: &str, params: Value) -> Result<Value, String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (reply, replied) = mpsc::channel();
        self.pending.lock().unwrap().insert(id, reply);
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = session.into();
        }
        let mut bytes = serde_json::to_vec(&message).expect("JSON");
        bytes.push(0);
        self.to_chrome
            .lock()
            .unwrap()
            .write_all(&bytes)
            .map_err(|e| format!("Chromium is gone: {e}"))?;
        match replied.recv_timeout(PATIENCE) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("no answer in {PATIENCE:?}")),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err("Chromium exited".into()),
        }
    }

    fn read_replies(&self, from_chrome: std::io::PipeReader) {
        let mut from_chrome = BufReader::new(from_chrome);
        let mut buffer = Vec::new();
        while from_chrome.read_until(0, &mut buffer).is_ok_and(|n| n > 0) {
            buffer.pop_if(|b| *b == 0);
            let message: Value = serde_json::from_slice(&buffer).unwrap_or_default();
            buffer.clear();
            let Some(id) = message["id"].as_u64() else {
                continue; // an event
            };
            if let Some(reply) = self.pending.lock().unwrap().remove(&id) {
                let result = match message.get("error") {
                    Some(error) => Err(error.to_string()),
                    None => Ok(message["result"].clone()),
                };
                let _ = reply.send(result);
            }
        }
        // Chromium exited: waiting callers see their channel close.
        self.pending.lock().unwrap().clear();
    }
}

/// Viewport sizes.
#[derive(Clone, Copy, Debug)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
    pub mobile: bool,
}

pub const DESKTOP: Viewport = Viewport {
    width: 1280,
    height: 800,
    mobile: false,
};

/// An iPhone 12–15 class phone.
pub const PHONE: Viewport = Viewport {
    width: 390,
    height: 844,
    mobile: true,
};

/// How a page is rendered: colour scheme, screen or print, viewport.
#[derive(Clone, Copy, Debug)]
pub struct Look {
    pub name: &'static str,
    pub dark: bool,
    pub print: bool,
    pub viewport: Viewport,
}

pub const LIGHT: Look = Look {
    name: "light",
    dark: false,
    print: false,
    viewport: DESKTOP,
};
pub const DARK: Look = Look {
    name: "dark",
    dark: true,
    print: false,
    viewport: DESKTOP,
};
pub const PHONE_LIGHT: Look = Look {
    name: "phone",
    dark: false,
    print: false,
    viewport: PHONE,
};
pub const PRINT: Look = Look {
    name: "print",
    dark: false,
    print: true,
    viewport: DESKTOP,
};

/// One tab; closed (with its browser context) when dropped.
pub struct Tab {
    chrome: Arc<Chrome>,
    session: String,
    target: Value,
    context: Value,
}

impl Drop for Tab {
    fn drop(&mut self) {
        let connection = &self.chrome.connection;
        let _ = connection.call(None, "Target.closeTarget", json!({"targetId": self.target}));
        let _ = connection.call(
            None,
            "Target.disposeBrowserContext",
            json!({"browserContextId": self.context}),
        );
    }
}

impl Tab {
    /// Sends a CDP command to this tab.
    pub fn call(&self, method: &str, params: Value) -> Value {
        self.try_call(method, params)
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    fn try_call(&self, method: &str, params: Value) -> Result<Value, String> {
        self.chrome
            .connection
            .call(Some(&self.session), method, params)
    }

    /// Opens `url` and waits until it has loaded.
    pub fn open(&self, url: &str) -> &Self {
        // Marks the current document, so the wait below sees the new one.
        let _ = self.try_call(
            "Runtime.evaluate",
            json!({"expression": "window.__hindsightLeaving = true"}),
        );
        let navigated = self.call("Page.navigate", json!({"url": url}));
        if let Some(error) = navigated["errorText"].as_str() {
            panic!("open {url}: {error}");
        }
        let start = Instant::now();
        loop {
            // Fails while the new document replaces the old one: not loaded yet.
            let loaded = self.try_call(
                "Runtime.evaluate",
                json!({"expression": "document.readyState === 'complete' && !window.__hindsightLeaving", "returnByValue": true}),
            );
            if loaded.is_ok_and(|r| r["result"]["value"] == true) {
                return self;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "open {url}: not loaded in {PATIENCE:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Evaluates a JavaScript expression (awaiting a promise) and returns its
    /// value, passed as JSON.
    pub fn eval<T: DeserializeOwned>(&self, expression: &str) -> T {
        self.try_eval(expression)
            .unwrap_or_else(|e| panic!("evaluate {expression}: {e}"))
    }

    /// [`Tab::eval`], or why it failed: an exception, or no document to
    /// evaluate in (while a navigation replaces it).
    pub fn try_eval<T: DeserializeOwned>(&self, expression: &str) -> Result<T, String> {
        let wrapped = format!("(async () => JSON.stringify(await ({expression}) ?? null))()");
        let reply = self.try_call(
            "Runtime.evaluate",
            json!({"expression": wrapped, "awaitPromise": true, "returnByValue": true}),
        )?;
        if let Some(exception) = reply.get("exceptionDetails") {
            return Err(exception_text(exception));
        }
        let json = reply["result"]["value"].as_str().unwrap_or("null");
        serde_json::from_str(json).map_err(|e| format!("{e}: {json}"))
    }

    /// Runs a script (for example a library) in the page.
    pub fn run_script(&self, source: &str) {
        let reply = self.call("Runtime.evaluate", json!({"expression": source}));
        if let Some(exception) = reply.get("exceptionDetails") {
            panic!("script failed: {}", exception_text(exception));
        }
    }

    /// Waits until a JavaScript condition holds; fails naming `what`.
    pub fn wait_until(&self, condition: &str, what: &str) {
        self.wait_for(&format!("!!({condition})"), &true, what);
    }

    /// Waits until a JavaScript expression has the value `want` (evaluation
    /// errors, as while a new page loads, count as not yet); fails naming
    /// `what` and showing the last value.
    pub fn wait_for<T>(&self, expression: &str, want: &T, what: &str)
    where
        T: DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let start = Instant::now();
        loop {
            let got = self.try_eval::<T>(expression);
            if got.as_ref() == Ok(want) {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "timed out after {PATIENCE:?} waiting for {what}: {expression}\n  want {want:?}\n  last {got:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Renders the page with the given colour scheme, media and viewport.
    pub fn look(&self, look: Look) -> &Self {
        self.call(
            "Emulation.setEmulatedMedia",
            json!({
                "media": if look.print { "print" } else { "screen" },
                "features": [{"name": "prefers-color-scheme", "value": if look.dark { "dark" } else { "light" }}],
            }),
        );
        let Viewport {
            width,
            height,
            mobile,
        } = look.viewport;
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
        self
    }

    /// Types text into the focused element, key by key (each with its
    /// keydown, keypress, input and keyup events).
    pub fn type_text(&self, text: &str) -> &Self {
        for c in text.chars() {
            let text = c.to_string();
            self.key_event("keyDown", &text, &text, 0);
            self.key_event("keyUp", &text, "", 0);
        }
        self
    }

    /// Presses one named key: `Enter`, `Escape`, `ArrowDown`, `ArrowUp`,
    /// `Backspace`, or a printable character such as `/`.
    pub fn press(&self, key: &str) -> &Self {
        let (code, text) = match key {
            "Enter" => (13, "\r"),
            "Escape" => (27, ""),
            "ArrowUp" => (38, ""),
            "ArrowDown" => (40, ""),
            "Backspace" => (8, ""),
            "/" => (191, "/"),
            other => panic!("press: unknown key {other}"),
        };
        self.key_event("keyDown", key, text, code);
        self.key_event("keyUp", key, "", code);
        self
    }

    fn key_event(&self, kind: &str, key: &str, text: &str, code: u32) {
        let mut event = json!({"type": kind, "key": key, "windowsVirtualKeyCode": code});
        if !text.is_empty() {
            event["text"] = text.into();
        }
        self.call("Input.dispatchKeyEvent", event);
    }

    /// A PNG of the whole page in `look`: the viewport is stretched to the
    /// page's height for the shot, then restored.
    pub fn screenshot(&self, look: Look) -> Vec<u8> {
        self.look(look);
        let height: u32 = self.eval("Math.ceil(document.documentElement.scrollHeight)");
        let tall = Viewport {
            height: height.max(look.viewport.height),
            ..look.viewport
        };
        self.look(Look {
            viewport: tall,
            ..look
        });
        let shot = self.call("Page.captureScreenshot", json!({"format": "png"}));
        self.look(look);
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("image data"))
            .expect("base64 PNG")
    }
}

fn exception_text(exception: &Value) -> String {
    exception["exception"]["description"]
        .as_str()
        .or(exception["text"].as_str())
        .unwrap_or("an exception")
        .to_owned()
}
