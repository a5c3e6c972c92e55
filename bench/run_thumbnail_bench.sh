#!/usr/bin/env bash
# Times JPEG thumbnails of a 12 MP photo-like JPEG (bench/thumbnail_bench): through the
# nerutalk-thumbnailer child, as the API makes them, and in-process for comparison, plus the
# child's start alone (a 16 x 16 image). Needs no stack: a release build of the two programs in
# $BENCH_BUILD. Prints the tool's raw lines. Bounded by `timeout`.
#
#   bench/run_thumbnail_bench.sh [RUNS=20] [WIDTH=4000] [HEIGHT=3000]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
source "$NT_ROOT/bench/bench_stack.sh"
cd "$NT_ROOT"
RUNS="${1:-20}"
WIDTH="${2:-4000}"
HEIGHT="${3:-3000}"

bench_build_tools nerutalk-thumbnailer thumbnail_bench
echo "bench: $RUNS runs of ${WIDTH}x${HEIGHT} -> 300 px, $(nproc) cores" >&2
timeout 300 "$BENCH_BUILD/bench/thumbnail_bench" --runs "$RUNS" --width "$WIDTH" \
  --height "$HEIGHT" --quality 90 --max-side 300 --helper "$BENCH_BUILD/fcgi/nerutalk-thumbnailer"
