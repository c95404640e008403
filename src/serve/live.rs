//! Live reload. HTML answered by `hindsight serve` gets a small script
//! (added at serve time only: `hindsight build` output never has it) that
//! listens to server-sent events: `reload` after a good rebuild, and
//! `build-error` with the diagnostics of a failed one, which the script shows
//! over the page until a rebuild succeeds.
//!
//! The state of the last build is published on a `watch` channel: each
//! stream sends what its client has not seen yet when the client reads, so
//! publishing never waits for a client, a client that never reads holds
//! nothing but its own connection, and a slow one gets the latest state
//! rather than a backlog.

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use tokio::sync::watch;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::WatchStream;

use super::server::Body;

pub const EVENTS_PATH: &str = "/__hindsight/live-reload";
pub const SCRIPT_PATH: &str = "/__hindsight/live-reload.js";
pub const SCRIPT: &str = include_str!("live-reload.js");

const SCRIPT_TAG: &str = "<script src=\"/__hindsight/live-reload.js\" defer></script>";
/// The script's tag while the search index is behind the pages: the
/// script says so next to the search boxes.
const SCRIPT_TAG_SEARCH_BEHIND: &str =
    "<script src=\"/__hindsight/live-reload.js\" data-search-behind defer></script>";

/// `page` with the live-reload script before its last `</body>` (at the
/// end when there is none).
pub fn inject(page: &[u8], search_behind: bool) -> Vec<u8> {
    let tag = if search_behind {
        SCRIPT_TAG_SEARCH_BEHIND
    } else {
        SCRIPT_TAG
    };
    let at = page
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(page.len());
    let mut out = Vec::with_capacity(page.len() + tag.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&page[at..]);
    out
}

/// How the last build went, as open pages should learn it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Build {
    /// Good (or none yet): a page that learns of it reloads.
    #[default]
    Good,
    /// Failed, with the diagnostics pages show.
    Failed(String),
}

/// The last build's state, published to every open event stream.
pub struct LiveReload {
    state: watch::Sender<Build>,
}

impl Default for LiveReload {
    fn default() -> Self {
        LiveReload {
            state: watch::Sender::new(Build::Good),
        }
    }
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
    /// The event stream for a request of [`EVENTS_PATH`]: open until the
    /// page or the server goes away. A page opened while the site does not
    /// build is told at once.
    pub fn stream(&self) -> Body {
        let mut updates = self.state.subscribe();
        let mut head = String::from("retry: 1000\n\n");
        if let Build::Failed(diagnostics) = &*updates.borrow_and_update() {
            head.push_str(&event("build-error", diagnostics));
        }
        let events = WatchStream::from_changes(updates).map(|build| match build {
            Build::Good => event("reload", "rebuilt"),
            Build::Failed(diagnostics) => event("build-error", &diagnostics),
        });
        let frames = tokio_stream::once(head)
            .chain(events)
            .map(|text| Ok(Frame::data(Bytes::from(text))));
        StreamBody::new(frames).boxed_unsync()
    }

    /// A rebuild succeeded: every open page reloads.
    pub fn reload(&self) {
        self.state.send_replace(Build::Good);
    }

    /// A rebuild failed: every open page shows `diagnostics`.
    pub fn fail(&self, diagnostics: &str) {
        self.state
            .send_replace(Build::Failed(diagnostics.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_goes_before_the_last_body_end_tag() {
        let page = inject(b"<html><body><p>a</body></p></BODY></html>", false);
        assert_eq!(
            String::from_utf8(page).unwrap(),
            format!("<html><body><p>a</body></p>{SCRIPT_TAG}</BODY></html>")
        );
        assert_eq!(
            inject(b"plain", false),
            format!("plain{SCRIPT_TAG}").into_bytes()
        );
        let behind = String::from_utf8(inject(b"<body></body>", true)).unwrap();
        assert_eq!(behind, format!("<body>{SCRIPT_TAG_SEARCH_BEHIND}</body>"));
    }

    #[test]
    fn events_carry_every_line_of_their_data() {
        assert_eq!(
            event("build-error", "error: x\n --> a.md:1:1\n\nhelp: y"),
            "event: build-error\ndata: error: x\ndata:  --> a.md:1:1\ndata: \ndata: help: y\n\n"
        );
        assert_eq!(event("reload", ""), "event: reload\ndata: -\n\n");
    }

    /// The next event-stream text, if one comes within a moment.
    async fn next(body: &mut Body) -> Option<String> {
        let frame = tokio::time::timeout(std::time::Duration::from_millis(50), body.frame())
            .await
            .ok()??
            .ok()?;
        Some(String::from_utf8(frame.into_data().ok()?.to_vec()).unwrap())
    }

    #[test]
    fn pages_opened_during_an_error_see_it_until_a_rebuild_succeeds() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let live = LiveReload::default();
            let mut early = live.stream();
            assert_eq!(next(&mut early).await.as_deref(), Some("retry: 1000\n\n"));
            assert_eq!(next(&mut early).await, None, "nothing to tell yet");

            live.fail("error: broken");
            assert_eq!(
                next(&mut early).await.as_deref(),
                Some("event: build-error\ndata: error: broken\n\n")
            );
            let mut late = live.stream();
            assert_eq!(
                next(&mut late).await.as_deref(),
                Some("retry: 1000\n\nevent: build-error\ndata: error: broken\n\n")
            );

            // Two changes before a stream is read: it sends the latest.
            live.fail("error: other");
            live.reload();
            assert_eq!(
                next(&mut early).await.as_deref(),
                Some("event: reload\ndata: rebuilt\n\n")
            );
            assert_eq!(next(&mut early).await, None);
            let mut after = live.stream();
            assert_eq!(next(&mut after).await.as_deref(), Some("retry: 1000\n\n"));
        });
    }
}
