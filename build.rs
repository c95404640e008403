// The theme is embedded with include_dir! (the search runtime by the engine crate);
// rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=theme");
}
