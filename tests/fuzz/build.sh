#!/bin/sh
# Builds the libFuzzer targets with clang (Debian's clang + libFuzzer) and, with "run", fuzzes
# the validator, seeded from the unit-test fixtures.
#
# usage: tests/fuzz/build.sh [OUT_DIR]            build only (default OUT_DIR: build-fuzz)
#        tests/fuzz/build.sh OUT_DIR run SECONDS   build, then fuzz validate_fuzz for SECONDS
#
# Limits of a run: inputs up to 256 KiB, 2 s per input, 1 GiB RSS; libFuzzer reports any
# input that exceeds them (a hang or a leak is a failure like a crash).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-"$root/build-fuzz"}
mkdir -p "$out/gen"
CXX=${CXX:-clang++}
flags="-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$root/include"

/usr/bin/python3 "$root/src/spec/validate/embed_schemas.py" "$out/gen/embedded_schemas_data.cpp" "$root"/schema/*.json
lib="$root/src/spec/validate/embedded.cpp $root/src/spec/validate/json_source.cpp $root/src/spec/validate/path.cpp \
     $root/src/spec/validate/regex.cpp $root/src/spec/validate/schema_compile.cpp $root/src/spec/validate/schema_validate.cpp \
     $root/src/spec/validate/semantic.cpp $root/src/spec/validate/validate.cpp $root/src/util/error.cpp \
     $out/gen/embedded_schemas_data.cpp"
# shellcheck disable=SC2086
$CXX $flags -o "$out/validate_fuzz" "$here/validate_fuzz.cpp" $lib -lfmt
# shellcheck disable=SC2086
$CXX $flags -o "$out/regex_fuzz" "$here/regex_fuzz.cpp" $root/src/spec/validate/regex.cpp
echo "built $out/validate_fuzz $out/regex_fuzz"

if [ "${2:-}" = run ]; then
    seconds=${3:-300}
    corpus="$out/corpus"
    mkdir -p "$corpus"
    find "$root/tests/unit/fixtures/validate" -name '*.json' -exec cp {} "$corpus/" \;
    "$out/validate_fuzz" "$corpus" -dict="$here/validate.dict" -max_len=262144 -timeout=2 -rss_limit_mb=1024 \
        -max_total_time="$seconds" -print_final_stats=1
fi
