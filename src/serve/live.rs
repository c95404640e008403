//! Live reload. HTML answered by `hindsight serve` gets a small script
//! (added at serve time only: `hindsight build` output never has it) that
//! listens to server-sent events: `reload` after a good rebuild, and
//! `build-error` with the diagnostics of a failed one, which the script shows
//! over the page until a rebuild succeeds.

use std::io::Write;
use std::sync::Mutex;

pub const EVENTS_PATH: &str = "/__hindsight/live-reload";
pub const SCRIPT_PATH: &str = "/__hindsight/live-reload.js";
pub const SCRIPT: &str = include_str!("live-reload.js");

const SCRIPT_TAG: &str = "<script src=\"/__hindsight/live-reload.js\" defer></script>";

/// `page` with the live-reload script before its last `</body>` (at the
/// end when there is none).
pub fn inject(page: &[u8]) -> Vec<u8> {
    let at = page
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(page.len());
    let mut out = Vec::with_capacity(page.len() + SCRIPT_TAG.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(SCRIPT_TAG.as_bytes());
    out.extend_from_slice(&page[at..]);
    out
}

/// The open event streams, and the error pages opened now should show.
#[derive(Default)]
pub struct LiveReload {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    clients: Vec<Box<dyn Write + Send>>,
    /// The diagnostics of the last rebuild, when it failed.
    error: Option<String>,
}

/// One server-sent event; every line of `data` becomes a `data:` field.
pub fn event(name: &str, data: &str) -> String {
    let mut text = format!("event: {name}\n");
    for line in data.lines() {
        text.push_str("data: ");
        text.push_str(line);
        text.push('\n');
    }
    if data.is_empty() {
        // An event without data is never dispatched.
        text.push_str("data: -\n");
    }
    text.push('\n');
    text
}

impl LiveReload {
    /// Takes over the connection of a request for [`EVENTS_PATH`]: the
    /// stream stays open until the page or the server goes away. A page
    /// opened while the site does not build is told at once.
    pub fn connect(&self, mut connection: Box<dyn Write + Send>) {
        let mut state = self.lock();
        let mut head = String::from(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nretry: 1000\n\n",
        );
        if let Some(error) = &state.error {
            head.push_str(&event("build-error", error));
        }
        if connection
            .write_all(head.as_bytes())
            .and_then(|()| connection.flush())
            .is_ok()
        {
            state.clients.push(connection);
        }
    }

    /// A rebuild succeeded: every open page reloads.
    pub fn reload(&self) {
        let mut state = self.lock();
        state.error = None;
        broadcast(&mut state, &event("reload", "rebuilt"));
    }

    /// A rebuild failed: every open page shows `diagnostics`.
    pub fn fail(&self, diagnostics: &str) {
        let mut state = self.lock();
        state.error = Some(diagnostics.to_string());
        broadcast(&mut state, &event("build-error", diagnostics));
    }

    /// Closes every stream (the server is stopping).
    pub fn close(&self) {
        self.lock().clients.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Sends to every stream; streams whose page went away are dropped.
fn broadcast(state: &mut State, text: &str) {
    state.clients.retain_mut(|c| {
        c.write_all(text.as_bytes())
            .and_then(|()| c.flush())
            .is_ok()
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn script_goes_before_the_last_body_end_tag() {
        let page = inject(b"<html><body><p>a</body></p></BODY></html>");
        assert_eq!(
            String::from_utf8(page).unwrap(),
            format!("<html><body><p>a</body></p>{SCRIPT_TAG}</BODY></html>")
        );
        assert_eq!(inject(b"plain"), format!("plain{SCRIPT_TAG}").into_bytes());
    }

    #[test]
    fn events_carry_every_line_of_their_data() {
        assert_eq!(
            event("build-error", "error: x\n --> a.md:1:1\n\nhelp: y"),
            "event: build-error\ndata: error: x\ndata:  --> a.md:1:1\ndata: \ndata: help: y\n\n"
        );
        assert_eq!(event("reload", ""), "event: reload\ndata: -\n\n");
    }

    /// A connection whose output the test can read.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Sink {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn pages_opened_during_an_error_see_it_until_a_rebuild_succeeds() {
        let live = LiveReload::default();
        let early = Sink::default();
        live.connect(Box::new(early.clone()));
        assert!(
            early
                .text()
                .starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream")
        );
        live.fail("error: broken");
        assert!(
            early
                .text()
                .ends_with("event: build-error\ndata: error: broken\n\n")
        );

        let late = Sink::default();
        live.connect(Box::new(late.clone()));
        assert!(
            late.text()
                .contains("event: build-error\ndata: error: broken\n\n")
        );

        live.reload();
        assert!(early.text().ends_with("event: reload\ndata: rebuilt\n\n"));
        let after = Sink::default();
        live.connect(Box::new(after.clone()));
        assert!(!after.text().contains("build-error"));
    }
}
