// The theme and the compiled search runtime are embedded with include_dir!/include_bytes!;
// rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=theme");
    println!("cargo:rerun-if-changed=search/web/dist");
}
