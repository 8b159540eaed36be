#!/bin/sh
# Waits until the CPUs were at least 90 % idle over 100 ms, for at most
# MAX_SECONDS (default 3), then exits 0 either way. The scale bench's prepare
# steps call it after deleting a container: the kernel finishes a deletion in
# kworkers (each memory cgroup's removal walks every memcg-aware list of every
# superblock, which grows with the containers on the host), and the next timed
# command would otherwise pay for that work. Not a test: CI never runs it.
#
#   bench/settle.sh [MAX_SECONDS]
max=${1:-3}
tries=$((max * 10))
while [ "$tries" -gt 0 ]; do
    a=$(head -1 /proc/stat)
    sleep 0.1
    b=$(head -1 /proc/stat)
    # cpu user nice system idle iowait irq softirq steal: busy % over the 100 ms.
    busy=$(echo "$a
$b" | awk 'NR == 1 { for (i = 2; i <= 9; i++) x[i] = $i }
           NR == 2 { t = 0; for (i = 2; i <= 9; i++) t += $i - x[i]
                     idle = ($5 - x[5]) + ($6 - x[6]); print (t > 0) ? int(100 * (t - idle) / t) : 0 }')
    [ "$busy" -lt 10 ] && exit 0
    tries=$((tries - 1))
done
exit 0
