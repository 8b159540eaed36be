#!/bin/sh
# Fuzzes every libFuzzer target for SECONDS each (default 600: the long run the hostile-input
# issue asks for), from its seed corpus, and prints one line per target: executions, corpus
# size, crashes. Needs clang + libFuzzer (scripts/install-deps.sh --fuzz).
#
# usage: bench/fuzz.sh [SECONDS] [OUT_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
seconds=${1:-600}
out=${2:-"$root/build-fuzz"}
"$root/tests/fuzz/build.sh" "$out" >/dev/null
seeds_of() {
    case "$1" in
        validate_fuzz|config_fuzz) echo "$root/tests/unit/fixtures" ;;
        state_fuzz) echo "$root/tests/fuzz/corpus/state" ;;
        sync_fuzz) echo "$root/tests/fuzz/corpus/sync" ;;
    esac
}
status=0
for target in validate_fuzz config_fuzz state_fuzz sync_fuzz; do
    corpus="$out/corpus/$target"
    mkdir -p "$corpus" "$out/crashes/$target"
    find "$(seeds_of "$target")" -type f -exec cp {} "$corpus/" \;
    log="$out/$target.log"
    if "$out/$target" "$corpus" -dict="$root/tests/fuzz/validate.dict" -max_len=262144 -timeout=2 \
        -rss_limit_mb=1024 -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$out/crashes/$target/" >"$log" 2>&1; then
        result="0 crashes"
    else
        result="FAILED (see $log and $out/crashes/$target/)"
        status=1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    printf '%-14s %6ss %12s executions  corpus %5s  %s\n' "$target" "$seconds" "${execs:-?}" \
        "$(find "$corpus" -type f | wc -l)" "$result"
done
exit $status
