//! The compiled browser runtime (committed under `search/engine/dist/`, rebuilt
//! by `scripts/build-search-runtime.sh`), embedded so that building hindsight
//! never needs a WebAssembly toolchain.

use std::sync::OnceLock;

use crate::IndexFiles;
use crate::hash::Hasher;

const WASM: &[u8] = include_bytes!("../dist/search-runtime.wasm");
/// wasm-bindgen's glue (`--target no-modules`).
const GLUE: &[u8] = include_bytes!("../dist/search-runtime.js");
/// What runs a query against the runtime, for the worker and offline pages.
const DRIVER: &[u8] = include_bytes!("../js/search-driver.js");
const WORKER: &[u8] = include_bytes!("../js/search-worker.js");

/// The runtime's files: `(path relative to public/search/, bytes)`. Write
/// them next to the index files. Every one is named by its content
/// (`search-runtime.<hash>.wasm`, `search-worker.<hash>.js`), so a host may
/// let browsers cache them for good and a second visit fetches none of
/// them: the worker is written with the runtime's names in front of the
/// driver and itself, and pages start the worker by its name
/// ([`worker_file`]).
pub fn runtime_files() -> Vec<(String, Vec<u8>)> {
    let runtime = runtime();
    vec![
        (runtime.glue.clone(), GLUE.to_vec()),
        (runtime.wasm.clone(), WASM.to_vec()),
        (runtime.worker_file.clone(), runtime.worker.clone()),
    ]
}

/// The file name of the search worker (`search-worker.<hash>.js`, under
/// `public/search/`): what pages start. The same for every site a given
/// hindsight builds.
pub fn worker_file() -> &'static str {
    &runtime().worker_file
}

/// The runtime's names and the worker's text, computed once.
struct Runtime {
    glue: String,
    wasm: String,
    worker_file: String,
    worker: Vec<u8>,
}

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let glue = content_name("search-runtime", "js", GLUE);
        let wasm = content_name("search-runtime", "wasm", WASM);
        let mut worker = format!(
            "self.hindsightRuntimeFiles = {{\"glue\": \"{glue}\", \"wasm\": \"{wasm}\"}};\n"
        )
        .into_bytes();
        worker.extend_from_slice(DRIVER);
        worker.extend_from_slice(WORKER);
        Runtime {
            worker_file: content_name("search-worker", "js", &worker),
            glue,
            wasm,
            worker,
        }
    })
}

/// `<stem>.<16 hex digits of the content hash>.<extension>`.
fn content_name(stem: &str, extension: &str, bytes: &[u8]) -> String {
    let mut h = Hasher::new();
    h.write(bytes);
    format!("{stem}.{:016x}.{extension}", h.finish128() as u64)
}

/// For `--offline` sites (opened from `file://`, where browsers allow
/// neither `fetch` nor workers): the runtime and the whole index as two
/// classic scripts, `offline/search-runtime.js` (the JS glue and the driver,
/// then the WASM as base64 in `self.hindsightOfflineWasm`) and
/// `offline/search-index.js`
/// (`self.hindsightOfflineIndex = {boot, pack}`, base64). `search.js` loads
/// them when the page is opened from disk. Paths are relative to
/// `public/search/`.
pub fn offline_bundle(index: &IndexFiles) -> Vec<(String, Vec<u8>)> {
    let mut runtime = GLUE.to_vec();
    runtime.push(b'\n');
    runtime.extend_from_slice(DRIVER);
    runtime.extend_from_slice(b"\nself.hindsightOfflineWasm = \"");
    runtime.extend_from_slice(base64(WASM).as_bytes());
    runtime.extend_from_slice(b"\";\n");

    let boot = index.get(crate::pack::BOOT_FILE).unwrap_or_default();
    let pack = index
        .files
        .iter()
        .find(|(p, _)| p.ends_with(".pack"))
        .map(|(_, b)| b.as_slice())
        .unwrap_or_default();
    let mut idx = Vec::new();
    idx.extend_from_slice(b"self.hindsightOfflineIndex = {\"boot\": \"");
    idx.extend_from_slice(base64(boot).as_bytes());
    idx.extend_from_slice(b"\", \"pack\": \"");
    idx.extend_from_slice(base64(pack).as_bytes());
    idx.extend_from_slice(b"\"};\n");
    vec![
        ("offline/search-index.js".to_string(), idx),
        ("offline/search-runtime.js".to_string(), runtime),
    ]
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worker_names_the_runtime_by_content() {
        let files = runtime_files();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.len(), 3);
        assert!(names[0].starts_with("search-runtime.") && names[0].ends_with(".js"));
        assert!(names[1].starts_with("search-runtime.") && names[1].ends_with(".wasm"));
        assert!(names[2].starts_with("search-worker.") && names[2].ends_with(".js"));
        assert_eq!(names[2], worker_file());
        assert_eq!(names[2], content_name("search-worker", "js", &files[2].1));
        let worker = String::from_utf8(files[2].1.clone()).unwrap();
        assert!(worker.starts_with(&format!(
            "self.hindsightRuntimeFiles = {{\"glue\": \"{}\", \"wasm\": \"{}\"}};",
            names[0], names[1]
        )));
        assert!(worker.contains("self.hindsightSearchDriver = {"));
    }

    #[test]
    fn base64_matches_rfc4648() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(raw.as_bytes()), enc);
        }
    }
}
