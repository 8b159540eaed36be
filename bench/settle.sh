#!/bin/sh
# Waits until the CPUs were at least 90 % idle over one window of WINDOW
# seconds (default 0.1), for at most MAX_SECONDS (default 3). Exits 0 once the
# host is quiet; otherwise says how busy it stayed and exits 1. The scale
# bench's prepare steps call it after deleting a container (`|| true`), and
# bench/lib.sh's wait_quiet before each timing: the kernel finishes a deletion
# in kworkers (each memory cgroup's removal walks every memcg-aware list of
# every superblock, which grows with the containers on the host), and the next
# timed command would otherwise pay for that work. A burst shorter than the
# window (one deletion's clean-up: some 30 ms) can stay under the 10 % mark, so
# the scale bench pauses before calling it. Not a test: CI never runs it.
#
#   bench/settle.sh [MAX_SECONDS] [WINDOW]
max=${1:-3}
window=${2:-0.1}
deadline=$(($(date +%s) + max))
busy=0
while [ "$(date +%s)" -lt "$deadline" ]; do
    a=$(head -1 /proc/stat)
    sleep "$window"
    b=$(head -1 /proc/stat)
    # cpu user nice system idle iowait irq softirq steal: busy % over the window.
    busy=$(echo "$a
$b" | awk 'NR == 1 { for (i = 2; i <= 9; i++) x[i] = $i }
           NR == 2 { t = 0; for (i = 2; i <= 9; i++) t += $i - x[i]
                     idle = ($5 - x[5]) + ($6 - x[6]); print (t > 0) ? int(100 * (t - idle) / t) : 0 }')
    [ "$busy" -lt 10 ] && exit 0
done
echo "bench: the host stayed busy (${busy} % of the CPUs) for ${max} s" >&2
exit 1
