//! How a built index is laid out for the web, and the read-only tantivy
//! [`Directory`] that reads it by byte range.
//!
//! A built index is two files under `public/search/`:
//!
//! * `index-<hash>.pack`: every tantivy segment file, concatenated, then
//!   the bundles of dictionary blocks with their postings ([`crate::bundle`]).
//!   The browser never fetches it whole; it reads the byte ranges a query
//!   needs (HTTP `Range`). The content hash in the name makes it immutable.
//! * `index.boot`: a small file read once when search starts: the file
//!   table of the pack, tantivy's `meta.json`, facet labels, and a copy of
//!   every byte range that opening a searcher and the query-independent work
//!   read (footers, skip indexes, term-dictionary block indexes, field norms,
//!   facet columns), recorded at build time by running that same code.
//!
//! [`PackDirectory`] serves tantivy's reads from a cache of fetched ranges.
//! A miss either goes to a [`RangeSource`] synchronously (mode
//! [`Mode::Fetch`]) or is recorded and fails (mode [`Mode::Discover`]), which
//! is how [`crate::Engine::search_step`] learns, without blocking, which
//! ranges the next stage of a query needs, so a caller can fetch them all in
//! parallel.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tantivy::HasLen;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, OwnedBytes, WatchCallback, WatchHandle, WritePtr,
};

const BOOT_MAGIC: &[u8; 4] = b"HSIX";
/// Bumped whenever the layout of the index or the boot file changes.
pub const FORMAT_VERSION: u32 = 3;
/// File name of the boot file under `public/search/`.
pub const BOOT_FILE: &str = "index.boot";
/// Ranges closer than this are fetched as one request.
pub const COALESCE_GAP: u64 = 1024;

/// Where missing bytes of the pack come from.
pub trait RangeSource: Send + Sync {
    /// Reads `range` of the pack (blocking).
    fn read_range(&self, range: Range<u64>) -> io::Result<Vec<u8>>;
}

/// A pack held in memory.
pub struct MemorySource(pub Arc<Vec<u8>>);

impl RangeSource for MemorySource {
    fn read_range(&self, range: Range<u64>) -> io::Result<Vec<u8>> {
        self.0
            .get(range.start as usize..range.end as usize)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "range past end of pack"))
    }
}

/// A source that has nothing: every miss is an error.
pub struct NoSource;

impl RangeSource for NoSource {
    fn read_range(&self, range: Range<u64>) -> io::Result<Vec<u8>> {
        Err(io::Error::other(format!(
            "bytes {}..{} of the index were not loaded",
            range.start, range.end
        )))
    }
}

/// A pack file on disk.
#[cfg(not(target_arch = "wasm32"))]
pub struct FileSource(Mutex<std::fs::File>);

#[cfg(not(target_arch = "wasm32"))]
impl FileSource {
    pub fn open(path: &Path) -> io::Result<FileSource> {
        Ok(FileSource(Mutex::new(std::fs::File::open(path)?)))
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl RangeSource for FileSource {
    fn read_range(&self, range: Range<u64>) -> io::Result<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = self.0.lock().unwrap_or_else(|e| e.into_inner());
        file.seek(SeekFrom::Start(range.start))?;
        let mut buf = vec![0; (range.end - range.start) as usize];
        file.read_exact(&mut buf)?;
        Ok(buf)
    }
}

/// The boot file's header (JSON), followed in the file by the preloaded bytes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BootHeader {
    pub format: u32,
    /// File name of the pack, relative to the boot file.
    pub pack: String,
    pub pack_len: u64,
    /// Number of documents (incidents + lessons).
    pub docs: u64,
    /// Number of incidents (what a word's share of documents is measured
    /// against).
    pub incidents: u64,
    /// `(name, offset, len)` of every tantivy file inside the pack.
    pub files: Vec<(String, u64, u64)>,
    /// tantivy's `meta.json`.
    pub meta: String,
    /// Facet key → display label, per facet field name.
    pub labels: BTreeMap<String, BTreeMap<String, String>>,
    /// Groups of equivalent words (see [`crate::IndexOptions`]).
    pub synonyms: Vec<Vec<String>>,
    /// `(offset, len)` of the preloaded pack ranges that follow the header.
    pub preload: Vec<(u64, u64)>,
    /// `(offset, len)` of the pack ranges facet counting reads (fetched with
    /// the first query that wants facets).
    #[serde(default)]
    pub facet_ranges: Vec<(u64, u64)>,
    /// Dictionary blocks bundled with their postings, appended to the pack
    /// after the tantivy files (see [`crate::bundle`]).
    #[serde(default)]
    pub bundles: Vec<crate::bundle::FieldBundles>,
}

/// A decoded boot file.
#[derive(Clone, Debug)]
pub struct Boot {
    pub header: BootHeader,
    pub preload: Vec<(u64, Vec<u8>)>,
}

impl Boot {
    pub fn encode(&self) -> Vec<u8> {
        let header = serde_json::to_vec(&self.header).expect("boot header serializes");
        let mut out = Vec::with_capacity(12 + header.len());
        out.extend_from_slice(BOOT_MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        for (_, bytes) in &self.preload {
            out.extend_from_slice(bytes);
        }
        out
    }

    /// Encodes and gzips (what `index.boot` holds).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn encode_gzip(&self) -> Vec<u8> {
        use std::io::Write;
        let mut gz = flate2::GzBuilder::new()
            .mtime(0)
            .write(Vec::new(), flate2::Compression::best());
        gz.write_all(&self.encode()).expect("in-memory write");
        gz.finish().expect("in-memory write")
    }

    /// Decodes a boot file; natively also a gzipped one (in the browser,
    /// the worker inflates it first).
    pub fn decode(bytes: &[u8]) -> io::Result<Boot> {
        let bad =
            |msg: &str| io::Error::new(io::ErrorKind::InvalidData, format!("index.boot: {msg}"));
        if bytes.starts_with(&[0x1f, 0x8b]) {
            #[cfg(not(target_arch = "wasm32"))]
            {
                use std::io::Read;
                let mut raw = Vec::new();
                flate2::read::GzDecoder::new(bytes).read_to_end(&mut raw)?;
                return Boot::decode(&raw);
            }
            #[cfg(target_arch = "wasm32")]
            return Err(bad("still gzipped"));
        }
        if bytes.len() < 12 || &bytes[..4] != BOOT_MAGIC {
            return Err(bad("not a hindsight search index"));
        }
        let version = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
        if version != FORMAT_VERSION {
            return Err(bad(&format!(
                "index format {version}, this runtime reads format {FORMAT_VERSION}; rebuild the site"
            )));
        }
        let header_len = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
        let header_bytes = bytes
            .get(12..12 + header_len)
            .ok_or_else(|| bad("truncated"))?;
        let header: BootHeader =
            serde_json::from_slice(header_bytes).map_err(|e| bad(&e.to_string()))?;
        let mut pos = 12 + header_len;
        let mut preload = Vec::with_capacity(header.preload.len());
        for &(offset, len) in &header.preload {
            let chunk = bytes
                .get(pos..pos + len as usize)
                .ok_or_else(|| bad("truncated"))?;
            preload.push((offset, chunk.to_vec()));
            pos += len as usize;
        }
        Ok(Boot { header, preload })
    }
}

/// Whether a cache miss fetches (blocking) or is recorded and fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Fetch,
    Discover,
}

/// Bytes and requests that went to the [`RangeSource`] or were supplied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FetchStats {
    /// Ranges supplied from outside after a [`Mode::Discover`] miss.
    pub supplied_requests: u64,
    pub supplied_bytes: u64,
    /// Ranges read synchronously from the [`RangeSource`] (a fallback).
    pub sync_requests: u64,
    pub sync_bytes: u64,
}

/// Non-overlapping, non-adjacent cached ranges of the pack.
#[derive(Default)]
struct RangeCache {
    ranges: BTreeMap<u64, OwnedBytes>,
}

impl RangeCache {
    fn get(&self, range: &Range<u64>) -> Option<OwnedBytes> {
        let (&start, bytes) = self.ranges.range(..=range.start).next_back()?;
        let end = start + bytes.len() as u64;
        (range.end <= end)
            .then(|| bytes.slice((range.start - start) as usize..(range.end - start) as usize))
    }

    fn insert(&mut self, offset: u64, bytes: &[u8]) {
        let end = offset + bytes.len() as u64;
        if bytes.is_empty() || self.get(&(offset..end)).is_some() {
            return;
        }
        // Every cached range that overlaps or touches [offset, end).
        let touching: Vec<u64> = self
            .ranges
            .range(..=end)
            .rev()
            .take_while(|(s, b)| *s + b.len() as u64 >= offset)
            .map(|(s, _)| *s)
            .collect();
        let mut start = offset;
        let mut stop = end;
        for s in &touching {
            start = start.min(*s);
            stop = stop.max(s + self.ranges[s].len() as u64);
        }
        let mut merged = vec![0u8; (stop - start) as usize];
        for s in &touching {
            let b = self.ranges.remove(s).unwrap();
            merged[(s - start) as usize..(s - start) as usize + b.len()].copy_from_slice(&b);
        }
        merged[(offset - start) as usize..(end - start) as usize].copy_from_slice(bytes);
        self.ranges.insert(start, OwnedBytes::new(merged));
    }

    fn cached_bytes(&self) -> u64 {
        self.ranges.values().map(|b| b.len() as u64).sum()
    }
}

struct State {
    mode: Mode,
    cache: RangeCache,
    misses: Vec<Range<u64>>,
    stats: FetchStats,
    /// When set, every range read (hit or miss) is logged (build-time
    /// recording of what opening a searcher reads).
    record: Option<Vec<Range<u64>>>,
}

/// Shared state of a [`PackDirectory`] and its file handles.
pub struct PackStore {
    state: Mutex<State>,
    source: Box<dyn RangeSource>,
    len: u64,
}

impl PackStore {
    pub fn new(len: u64, source: Box<dyn RangeSource>) -> Arc<PackStore> {
        Arc::new(PackStore {
            state: Mutex::new(State {
                mode: Mode::Fetch,
                cache: RangeCache::default(),
                misses: Vec::new(),
                stats: FetchStats::default(),
                record: None,
            }),
            source,
            len,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds fetched bytes of the pack at `offset` to the cache.
    pub fn supply(&self, offset: u64, bytes: &[u8]) {
        let mut st = self.lock();
        st.stats.supplied_requests += 1;
        st.stats.supplied_bytes += bytes.len() as u64;
        st.cache.insert(offset, bytes);
    }

    /// Adds bytes to the cache without counting them as fetched.
    pub(crate) fn preload(&self, offset: u64, bytes: &[u8]) {
        self.lock().cache.insert(offset, bytes);
    }

    pub fn set_mode(&self, mode: Mode) {
        self.lock().mode = mode;
    }

    /// The ranges that missed in [`Mode::Discover`] since the last call,
    /// sorted, with ranges closer than [`COALESCE_GAP`] merged.
    pub fn take_misses(&self) -> Vec<Range<u64>> {
        let mut misses = std::mem::take(&mut self.lock().misses);
        coalesce(&mut misses, COALESCE_GAP);
        misses
    }

    /// Whether `range` is held in memory.
    pub(crate) fn has(&self, range: &Range<u64>) -> bool {
        self.lock().cache.get(range).is_some()
    }

    /// Reads a range, for its side effect (a recorded miss in discovery).
    pub(crate) fn touch(&self, range: Range<u64>) {
        let _ = self.read(range);
    }

    pub fn stats(&self) -> FetchStats {
        self.lock().stats
    }

    pub fn cached_bytes(&self) -> u64 {
        self.lock().cache.cached_bytes()
    }

    pub(crate) fn source_read(&self, range: Range<u64>) -> io::Result<Vec<u8>> {
        self.source.read_range(range)
    }

    pub fn pack_len(&self) -> u64 {
        self.len
    }

    pub(crate) fn start_recording(&self) {
        self.lock().record = Some(Vec::new());
    }

    pub(crate) fn stop_recording(&self) -> Vec<Range<u64>> {
        let mut ranges = self.lock().record.take().unwrap_or_default();
        coalesce(&mut ranges, 0);
        ranges
    }

    fn read(&self, range: Range<u64>) -> io::Result<OwnedBytes> {
        let mut st = self.lock();
        if let Some(rec) = st.record.as_mut() {
            rec.push(range.clone());
        }
        if range.start == range.end {
            return Ok(OwnedBytes::empty());
        }
        if let Some(bytes) = st.cache.get(&range) {
            return Ok(bytes);
        }
        match st.mode {
            Mode::Discover => {
                st.misses.push(range.clone());
                Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!(
                        "bytes {}..{} of the index are not loaded yet",
                        range.start, range.end
                    ),
                ))
            }
            Mode::Fetch => {
                drop(st);
                let bytes = self.source.read_range(range.clone())?;
                if bytes.len() as u64 != range.end - range.start {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "short read from the index",
                    ));
                }
                let mut st = self.lock();
                st.stats.sync_requests += 1;
                st.stats.sync_bytes += bytes.len() as u64;
                st.cache.insert(range.start, &bytes);
                Ok(st.cache.get(&range).expect("just inserted"))
            }
        }
    }
}

/// Sorts ranges and merges those that overlap or are less than `gap` apart.
pub fn coalesce(ranges: &mut Vec<Range<u64>>, gap: u64) {
    crate::sort::sort_by_key(ranges, |r| (r.start, r.end));
    let mut out: Vec<Range<u64>> = Vec::with_capacity(ranges.len());
    for r in ranges.drain(..) {
        match out.last_mut() {
            Some(last) if r.start <= last.end + gap => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    *ranges = out;
}

/// A read-only tantivy directory over a pack.
#[derive(Clone)]
pub struct PackDirectory {
    store: Arc<PackStore>,
    files: Arc<BTreeMap<PathBuf, (u64, u64)>>,
    meta: Arc<Vec<u8>>,
}

impl fmt::Debug for PackDirectory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PackDirectory({} files)", self.files.len())
    }
}

impl PackDirectory {
    pub fn new(header: &BootHeader, store: Arc<PackStore>) -> PackDirectory {
        PackDirectory {
            store,
            files: Arc::new(
                header
                    .files
                    .iter()
                    .map(|(name, off, len)| (PathBuf::from(name), (*off, *len)))
                    .collect(),
            ),
            meta: Arc::new(header.meta.clone().into_bytes()),
        }
    }
}

#[derive(Debug)]
struct PackFile {
    offset: u64,
    len: u64,
    store: Arc<PackStore>,
}

impl fmt::Debug for PackStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PackStore({} bytes)", self.len)
    }
}

impl HasLen for PackFile {
    fn len(&self) -> usize {
        self.len as usize
    }
}

impl FileHandle for PackFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.end as u64 > self.len || range.start > range.end {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "read past end of file",
            ));
        }
        self.store
            .read(self.offset + range.start as u64..self.offset + range.end as u64)
    }
}

fn read_only<T>(path: &Path) -> io::Result<T> {
    Err(io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("the search index is read-only ({})", path.display()),
    ))
}

impl Directory for PackDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let &(offset, len) = self
            .files
            .get(path)
            .ok_or_else(|| OpenReadError::FileDoesNotExist(path.to_path_buf()))?;
        Ok(Arc::new(PackFile {
            offset,
            len,
            store: self.store.clone(),
        }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(read_only::<()>(path).unwrap_err()),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        Ok(self.files.contains_key(path) || path == Path::new("meta.json"))
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: Arc::new(read_only::<()>(path).unwrap_err()),
            filepath: path.to_path_buf(),
        })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        if path == Path::new("meta.json") {
            return Ok(self.meta.to_vec());
        }
        if self.files.contains_key(path) {
            let slice = self.open_read(path)?;
            return slice
                .read_bytes()
                .map(|b| b.to_vec())
                .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()));
        }
        Err(OpenReadError::FileDoesNotExist(path.to_path_buf()))
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> io::Result<()> {
        read_only(path)
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        // Nothing ever writes: readers need no lock.
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _cb: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_merges_and_slices() {
        let mut c = RangeCache::default();
        c.insert(10, &[1, 2, 3]);
        c.insert(20, &[7, 8]);
        assert!(c.get(&(10..13)).is_some());
        assert!(c.get(&(12..14)).is_none());
        c.insert(13, &[4, 5, 6, 0, 0, 0, 0, 0, 0, 0]); // 13..23, overlaps 20..22
        assert_eq!(c.ranges.len(), 1);
        assert_eq!(
            c.get(&(10..23)).unwrap().as_slice(),
            &[1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0]
        );
        c.insert(5, &[9; 5]); // touches 10
        assert_eq!(c.ranges.len(), 1);
        assert_eq!(c.get(&(5..11)).unwrap().as_slice(), &[9, 9, 9, 9, 9, 1]);
    }

    #[test]
    fn coalesce_merges_close_ranges() {
        let mut r = vec![100..200, 0..10, 5..20, 250..300, 2000..2001];
        coalesce(&mut r, 64);
        assert_eq!(r, vec![0..20, 100..300, 2000..2001]);
    }

    #[test]
    fn boot_round_trips() {
        let boot = Boot {
            header: BootHeader {
                format: FORMAT_VERSION,
                pack: "index-x.pack".into(),
                pack_len: 9,
                docs: 1,
                incidents: 1,
                files: vec![("a.idx".into(), 0, 9)],
                meta: "{}".into(),
                labels: BTreeMap::new(),
                synonyms: vec![vec!["db".into(), "database".into()]],
                preload: vec![(0, 2), (5, 3)],
                facet_ranges: vec![],
                bundles: vec![],
            },
            preload: vec![(0, vec![1, 2]), (5, vec![3, 4, 5])],
        };
        let decoded = Boot::decode(&boot.encode()).unwrap();
        assert_eq!(decoded.header, boot.header);
        assert_eq!(decoded.preload, boot.preload);
        assert!(Boot::decode(b"nope").is_err());
    }
}
