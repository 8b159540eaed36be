# Helpers the bench scripts source: usage text from the script's header comment, and messages.
# shellcheck shell=bash

# Prints the calling script's leading comment block (from line 2), without the "# ".
usage() { sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; }
die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

# wait_quiet [MAX_SECONDS]: waits (default at most 60 s) until the CPUs were at least 90 % idle
# over one second (bench/settle.sh). Deleting containers leaves the kernel seconds of work in
# kworkers, which a timing started right after would pay; says so if the host never went quiet.
wait_quiet() {
    "$(dirname "${BASH_SOURCE[0]}")/settle.sh" "${1:-60}" 1 || note "timing anyway"
}
