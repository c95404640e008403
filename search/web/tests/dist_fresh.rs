//! The committed runtime in search/engine/dist/ was built from the current
//! sources (scripts/check-search-runtime.sh, which needs no wasm toolchain).

#[test]
fn committed_runtime_matches_its_sources() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = std::process::Command::new("bash")
        .arg(root.join("scripts/check-search-runtime.sh"))
        .current_dir(&root)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
