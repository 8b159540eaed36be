# Helpers the bench scripts source: usage text from the script's header comment, and messages.
# shellcheck shell=bash

# Prints the calling script's leading comment block (from line 2), without the "# ".
usage() { sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; }
die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

# wait_quiet [MAX_SECONDS]: waits (default at most 60 s) until the CPUs were at least 90 % idle
# over one second. Deleting containers leaves the kernel seconds of work in kworkers (each memory
# cgroup's removal walks every memcg-aware list of every superblock), which a timing started
# right after would pay; says so if the host never went quiet.
wait_quiet() {
    local max=${1:-60} waited=0 a b busy
    while ((waited < max)); do
        read -r -a a < <(head -1 /proc/stat)
        sleep 1
        read -r -a b < <(head -1 /proc/stat)
        # user nice system idle iowait irq softirq steal: idle is field 4, iowait 5.
        busy=$(awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN {
            n = split(a, x, " "); split(b, y, " "); total = 0
            for (i = 2; i <= 9 && i <= n; i++) total += y[i] - x[i]
            idle = (y[5] - x[5]) + (y[6] - x[6])
            print (total > 0) ? int(100 * (total - idle) / total) : 0 }')
        ((busy < 10)) && return 0
        waited=$((waited + 1))
    done
    note "the host stayed busy (${busy} % of the CPUs) for ${max} s; timing anyway"
}
