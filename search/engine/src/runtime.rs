//! The compiled browser runtime (committed under `search/engine/dist/`, rebuilt
//! by `scripts/build-search-runtime.sh`), embedded so that building hindsight
//! never needs a WebAssembly toolchain.

use crate::IndexFiles;

macro_rules! dist {
    ($name:literal) => {
        ($name, include_bytes!(concat!("../dist/", $name)) as &[u8])
    };
}

const FILES: [(&str, &[u8]); 3] = [
    dist!("search-runtime.js"),
    dist!("search-runtime.wasm"),
    dist!("search-worker.js"),
];

/// The runtime's files: `(path relative to public/search/, bytes)`. Write
/// them next to the index files.
pub fn runtime_files() -> &'static [(&'static str, &'static [u8])] {
    &FILES
}

fn file(name: &str) -> &'static [u8] {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
        .unwrap_or_default()
}

/// For `--offline` sites (opened from `file://`, where browsers allow
/// neither `fetch` nor workers): the runtime and the whole index as two
/// classic scripts, `offline/search-runtime.js` (the JS glue, then the WASM
/// as base64 in `self.hindsightOfflineWasm`) and `offline/search-index.js`
/// (`self.hindsightOfflineIndex = {boot, pack}`, base64). `search.js` loads
/// them when the page is opened from disk. Paths are relative to
/// `public/search/`.
pub fn offline_bundle(index: &IndexFiles) -> Vec<(String, Vec<u8>)> {
    let mut runtime = file("search-runtime.js").to_vec();
    runtime.extend_from_slice(b"\nself.hindsightOfflineWasm = \"");
    runtime.extend_from_slice(base64(file("search-runtime.wasm")).as_bytes());
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
