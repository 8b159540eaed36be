#!/bin/sh
# Builds the libFuzzer targets with clang (Debian's clang + libFuzzer: scripts/install-deps.sh
# --fuzz) and, with "run", fuzzes the validator, seeded from the unit-test fixtures.
# bench/fuzz.sh runs every target; the unit suite runs them briefly without clang
# (tests/fuzz/meson.build).
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
mkdir -p "$out/gen" "$out/obj"
CXX=${CXX:-clang++}
flags="-std=c++20 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -I$root/include"

/usr/bin/python3 "$root/src/spec/validate/embed_schemas.py" "$out/gen/embedded_schemas_data.cpp" "$root"/schema/*.json
# What the targets reach: util, the spec layer (model, validator), and from sys and runtime only
# the pieces the decoders use. Each object is compiled once and shared by the targets.
sources="$root/src/util/error.cpp $root/src/util/strings.cpp $root/src/util/log.cpp $root/src/util/time.cpp \
     $root/src/util/trace_record.cpp $root/src/sys/trace.cpp \
     $root/src/sys/fd.cpp $root/src/sys/files.cpp $root/src/sys/unix_socket.cpp \
     $root/src/spec/config.cpp $root/src/spec/config_parse.cpp $root/src/spec/config_serialize.cpp \
     $root/src/spec/namespace_type.cpp $root/src/spec/state.cpp $root/src/spec/device_mode.cpp \
     $root/src/spec/validate/embedded.cpp $root/src/spec/validate/json_source.cpp $root/src/spec/validate/nul_bytes.cpp \
     $root/src/spec/validate/path.cpp $root/src/spec/validate/regex.cpp $root/src/spec/validate/schema_compile.cpp \
     $root/src/spec/validate/schema_validate.cpp $root/src/spec/validate/semantic.cpp $root/src/spec/validate/validate.cpp \
     $root/src/runtime/sync.cpp $root/src/runtime/bootstrap.cpp $root/src/runtime/state_record.cpp \
     $out/gen/embedded_schemas_data.cpp"
objs=""
for src in $sources; do
    obj="$out/obj/$(echo "$src" | sed "s|^$root/||; s|^$out/||; s|/|_|g").o"
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then
        # shellcheck disable=SC2086
        $CXX $flags -c -o "$obj" "$src"
    fi
    objs="$objs $obj"
done
for target in validate_fuzz config_fuzz state_fuzz sync_fuzz; do
    # shellcheck disable=SC2086
    $CXX $flags -fsanitize=fuzzer -o "$out/$target" "$here/$target.cpp" $objs -lfmt
done
# shellcheck disable=SC2086
$CXX $flags -fsanitize=fuzzer -o "$out/regex_fuzz" "$here/regex_fuzz.cpp" "$root/src/spec/validate/regex.cpp"
echo "built $out/{validate,config,state,sync,regex}_fuzz"

if [ "${2:-}" = run ]; then
    seconds=${3:-300}
    corpus="$out/corpus/validate_fuzz"
    mkdir -p "$corpus"
    find "$root/tests/unit/fixtures" -name '*.json' -exec cp {} "$corpus/" \;
    "$out/validate_fuzz" "$corpus" -dict="$here/validate.dict" -max_len=262144 -timeout=2 -rss_limit_mb=1024 \
        -max_total_time="$seconds" -print_final_stats=1
fi
