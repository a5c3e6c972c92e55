#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan+UBSan) in build-fuzz/ and runs them.
#
#   tests/fuzz/run.sh [SECONDS]      fuzz each target for SECONDS (default 30), starting from a
#                                    temporary copy of its seed corpus (the repo is not changed)
#   tests/fuzz/run.sh --replay       run every committed corpus input once (regression)
#   --junit FILE                     also write a JUnit report, one testcase per target
#
# Exit code: non-zero when the build failed or a target crashed, leaked, hung (-timeout), or
# went over its memory limits; the input that did it is kept and its path printed.
# NT_FUZZ_BUILD overrides the build folder.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/fuzz"
BUILD="${NT_FUZZ_BUILD:-$ROOT/build-fuzz}"

# target name and -max_len (RELIABILITY.md §6: 64 KB for request bodies, 1 MB for images).
TARGETS=(multipart_fuzz image_probe_fuzz)
declare -A MAX_LEN=([multipart_fuzz]=65536 [image_probe_fuzz]=1048576)
LIMITS=(-timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=256)

seconds=30 replay=0 junit=""
while [ $# -gt 0 ]; do
  case "$1" in
    --replay) replay=1 ;;
    --junit) junit="$2"; shift ;;
    [0-9]*) seconds="$1" ;;
    *) echo "usage: $0 [SECONDS] [--replay] [--junit FILE]" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '\033[1m[fuzz]\033[0m %s\n' "$*" >&2; }
declare -A FAILURE=() ELAPSED=()

write_junit() {
  [ -n "$junit" ] || return 0
  local failures=0 t
  for t in "${TARGETS[@]}"; do [ -z "${FAILURE[$t]:-}" ] || failures=$((failures + 1)); done
  {
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo "<testsuite name=\"fuzz\" tests=\"${#TARGETS[@]}\" failures=\"$failures\">"
    for t in "${TARGETS[@]}"; do
      printf '  <testcase classname="fuzz" name="%s" time="%s"' "$t" "${ELAPSED[$t]:-0}"
      if [ -n "${FAILURE[$t]:-}" ]; then
        printf '>\n    <failure message="crash or limit">'
        printf '%s' "${FAILURE[$t]}" | tr -cd '\11\12\15\40-\176' |
          sed -e 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g'
        printf '</failure>\n  </testcase>\n'
      else
        printf '/>\n'
      fi
    done
    echo '</testsuite>'
  } >"$junit"
}

log "building ${TARGETS[*]} in $BUILD"
mkdir -p "$BUILD"
if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
         -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNERUTALK_FUZZ=ON -DNERUTALK_TESTS=OFF \
         -DNERUTALK_BENCH=OFF && cmake --build "$BUILD" -j2 --target "${TARGETS[@]}"; } \
       >"$BUILD/fuzz-build.log" 2>&1; then
  tail -40 "$BUILD/fuzz-build.log" >&2
  for t in "${TARGETS[@]}"; do FAILURE[$t]="build failed: $(tail -20 "$BUILD/fuzz-build.log")"; done
  write_junit
  exit 1
fi

WORK=$(mktemp -d /tmp/nerutalk-fuzz.XXXXXX)
# The fuzzer's own reports go to its log; a leftover log_path from the caller would hide them.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
rc=0
for t in "${TARGETS[@]}"; do
  bin="$BUILD/tests/fuzz/$t"
  seeds="$HERE/corpus/${t%_fuzz}"
  out="$WORK/$t.log"
  start=$SECONDS
  if [ "$replay" = 1 ]; then
    "$bin" "${LIMITS[@]}" "$seeds"/* >"$out" 2>&1
    status=$?
    summary="replayed $(find "$seeds" -type f | wc -l) inputs"
  else
    mkdir -p "$WORK/corpus-$t"
    cp "$seeds"/* "$WORK/corpus-$t/"
    "$bin" "${LIMITS[@]}" -max_len="${MAX_LEN[$t]}" -max_total_time="$seconds" \
      -dict="$HERE/${t%_fuzz}.dict" -artifact_prefix="$WORK/$t-" -print_final_stats=1 \
      "$WORK/corpus-$t" >"$out" 2>&1
    status=$?
    final_stat() { sed -n "s/^stat::$1: *//p" "$out" | tail -1; }
    summary="$((SECONDS - start)) s, $(final_stat number_of_executed_units) runs, $(final_stat average_exec_per_sec) exec/s, corpus $(find "$seeds" -type f | wc -l) -> $(find "$WORK/corpus-$t" -type f | wc -l) inputs"
  fi
  ELAPSED[$t]=$((SECONDS - start))
  if [ "$status" = 0 ]; then
    log "$t: ok ($summary)"
  else
    rc=1
    log "$t: FAILED (exit $status; $summary); log and crashing input kept in $WORK"
    tail -60 "$out" >&2
    ls "$WORK/$t-"* 2>/dev/null >&2
    FAILURE[$t]="exit $status; $(tail -60 "$out")"
  fi
done
write_junit
[ "$rc" = 0 ] && rm -rf "$WORK"
exit "$rc"
