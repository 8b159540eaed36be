# Helpers the bench scripts source: usage text from the script's header comment, and messages.
# shellcheck shell=bash

# Prints the calling script's leading comment block (from line 2), without the "# ".
usage() { sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; }
die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }
