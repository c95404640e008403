#!/usr/bin/env bash
# Runs every fuzz target for the given number of seconds (default 60), two at a
# time, under `nice`, from seeds made at run time. Crashes land in
# fuzz/artifacts/<target>/; a summary per target is printed at the end.
#
#   fuzz/run.sh 900                  # 15 minutes per target
#   fuzz/run.sh 60 import_infer      # one target
#   JOBS=1 fuzz/run.sh 60            # one at a time
set -euo pipefail
seconds="${1:-60}"
shift || true
jobs="${JOBS:-2}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
targets=(parse_content import_infer check_scan search_query build_one_file serve_request)
if [ "$#" -gt 0 ]; then targets=("$@"); fi

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
# cargo-fuzz needs nightly flags: a nightly toolchain when there is one, else
# the stable compiler with RUSTC_BOOTSTRAP.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
fi
# No sanitizer: the code is safe Rust; coverage instrumentation and debug
# assertions (overflow checks) are what find bugs here, at twice the speed.
flags=(--sanitizer none --debug-assertions)

./seed.sh
export CARGO_TARGET_DIR="$here/target"
nice -n 15 "${fuzz[@]}" build "${flags[@]}"

mkdir -p logs
# -timeout is wall-clock time: generous, since the machine may be shared.
# The binaries are run directly: `cargo fuzz run` rebuilds the target in
# another configuration after a crash just to print the input.
bin="$CARGO_TARGET_DIR/$(rustc -vV | sed -n 's/^host: //p')/release"
run_one() {
    local target="$1"
    mkdir -p "artifacts/$target"
    nice -n 15 "$bin/$target" "corpus/$target" -artifact_prefix="artifacts/$target/" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=60 -max_len=65536 \
        -print_final_stats=1 >"logs/$target.log" 2>&1 || echo "$target: crashed, see fuzz/logs/$target.log"
}
running=0
for target in "${targets[@]}"; do
    run_one "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

printf '%-15s %14s %10s %8s\n' target executions exec/s crashes
for target in "${targets[@]}"; do
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$target.log" | grep -o '[0-9]*$' || echo 0)
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "logs/$target.log" | grep -o '[0-9]*$' || echo 0)
    # slow-unit-… files are inputs that took over 10 s, kept for a look, not failures.
    crashes=$(find "artifacts/$target" -type f ! -name 'slow-unit-*' | wc -l)
    printf '%-15s %14s %10s %8s\n' "$target" "$runs" "$speed" "$crashes"
done
