#!/usr/bin/env bash
# Growth of hindsight on hostile inputs (issue 18, see BENCHMARKS.md): every
# kind of `hindsight-bench hostile --list` (references, services, tags,
# lessons, headings, nested collections, token lines…) at n, 2n and 4n,
# with the release binary.
#
#   bench/hostile.sh                 # every kind, from its own n
#   bench/hostile.sh tokens lessons  # some kinds
#   RUNS=5 bench/hostile.sh          # runs per measurement (the median is reported)
#   SCALE=8 bench/hostile.sh tokens  # start from 8 × the kind's n (longer runs, clearer ratios)
#
# Each run is `hindsight build` (or `check`, for the kinds a check meets)
# timed with /usr/bin/time: wall clock, CPU (user + system) and peak RSS.
# "×2n" and "×4n" are the CPU time at 2n and 4n over the time at n: about 2
# and 4 when the growth is linear, 4 and 16 when it is quadratic. Runs under
# 50 ms are mostly process start-up, so their ratios say little. The table
# is printed and written to bench/out/hostile.md.
set -euo pipefail
RUNS=${RUNS:-3}
SCALE=${SCALE:-1}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
out=$here/out
mkdir -p "$out"

(cd "$repo" && cargo build --release --quiet --bin hindsight && cargo build --release --quiet -p hindsight-bench)
target=${CARGO_TARGET_DIR:-$repo/target}
hindsight=$target/release/hindsight
gen=$target/release/hindsight-bench

kinds=("$@")
if [ ${#kinds[@]} -eq 0 ]; then
    mapfile -t kinds < <("$gen" hostile --list | cut -d' ' -f1)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run KIND N: prints "cpu_seconds wall_seconds peak_mib exit", the median of $RUNS runs by CPU time.
run() {
    local kind=$1 n=$2 command=$3
    rm -rf "$work/kb" "$work/out"
    "$gen" hostile "$kind" --n "$n" --out "$work/kb" >/dev/null
    local args=(--root "$work/kb" "$command" --now 2026-01-01)
    [ "$command" = build ] && args+=(--out "$work/out")
    for _ in $(seq "$RUNS"); do
        rm -rf "$work/out"
        local code=0
        /usr/bin/time -f "%U %S %e %M" -o "$work/time" "$hindsight" "${args[@]}" \
            >/dev/null 2>&1 || code=$?
        # The last line: a failing run is preceded by "Command exited with …".
        read -r user sys wall rss < <(tail -n 1 "$work/time")
        echo "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $wall $((rss / 1024)) $code"
    done | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

# The ratio of two CPU times; times under 10 ms (printed as 0) count as 10 ms.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a < 0.01) a = 0.01; if (b < 0.01) b = 0.01; printf "%.1f", a / b }'; }

table=$out/hostile.md
{
    echo "| kind | command | n | CPU n | CPU 2n | CPU 4n | ×2n | ×4n | wall 4n | peak RSS 4n | exit |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$table"
for kind in "${kinds[@]}"; do
    read -r _ n command _ < <("$gen" hostile --list | grep "^$kind ")
    n=$((n * SCALE))
    read -r c1 _ _ _ < <(run "$kind" "$n" "$command")
    read -r c2 _ _ _ < <(run "$kind" $((2 * n)) "$command")
    read -r c4 w4 m4 code < <(run "$kind" $((4 * n)) "$command")
    printf '| %s | %s | %s | %.2f s | %.2f s | %.2f s | %s | %s | %.2f s | %s MiB | %s |\n' \
        "$kind" "$command" "$n" "$c1" "$c2" "$c4" \
        "$(ratio "$c2" "$c1")" "$(ratio "$c4" "$c1")" \
        "$w4" "$m4" "$code" | tee -a "$table"
done
echo
cat "$table"
