#!/bin/sh
# scan-vs-nmap: dutlab's full TCP scan of one lab host against nmap -sS -p- -T4 (issue 3, 8)
#
# Usage (as root, from the repository): bench/scan-vs-nmap.sh [N]
#   N        repetitions of each scanner, interleaved (default 5)
#   DUTLAB   the dutlab binary (default build/src/cli/dutlab)
#   TARGET   the address to scan (default 198.18.2.2, camera-bad)
#   PROFILE, INTERFACE, NS   another DUT's profile, tester interface and tester
#            namespace (the lab is then left alone)
#
# Brings camera-bad up when it is not, runs both scanners inside the tester
# namespace dl-tester, prints both open-port sets (they must be equal: exit 1
# otherwise), the median wall time of each, the ratio (goal: at most 0.5) and
# dutlab's peak RSS. Leaves camera-bad as it found it.
set -eu

N=${1:-5}
DUTLAB=${DUTLAB:-build/src/cli/dutlab}
TARGET=${TARGET:-198.18.2.2}
PROFILE=${PROFILE:-lab/duts/camera/bad/profile.yaml}
INTERFACE=${INTERFACE:-tcam-bad}
NS=${NS:-dl-tester}

die() { echo "scan-vs-nmap: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (raw sockets and network namespaces)"
[ -x "$DUTLAB" ] || die "no dutlab at '$DUTLAB'; build it or set DUTLAB"
command -v nmap >/dev/null || die "nmap is not installed (apt-get install nmap)"
case "$N" in ''|*[!0-9]*|0) die "N must be a positive number" ;; esac

work=$(mktemp -d /tmp/dutlab-bench.XXXXXX)
brought_up=no
cleanup() {
	rm -rf "$work"
	if [ "$brought_up" = yes ]; then lab/lab down camera-bad >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT INT TERM

if [ "$NS" = dl-tester ] && ! lab/lab status camera-bad >/dev/null 2>&1; then
	echo "bringing camera-bad up..."
	lab/lab up camera-bad >/dev/null
	brought_up=yes
fi

now_ns() { date +%s%N; }
family=""
case "$TARGET" in *:*) family=-6 ;; esac

# One nmap run: prints the sorted open ports, comma-separated; time in $work/t.
run_nmap() {
	start=$(now_ns)
	ip netns exec "$NS" nmap $family -sS -p- -T4 -n -Pn -e "$INTERFACE" -oG - "$TARGET" >"$work/nmap.out"
	end=$(now_ns)
	echo $(( (end - start) / 1000000 )) >"$work/t"
	grep -o '[0-9]*/open/tcp' "$work/nmap.out" | cut -d/ -f1 | sort -n | paste -sd, -
}

# One dutlab run (the TCP scan alone, like nmap's), under /usr/bin/time -v.
run_dutlab() {
	start=$(now_ns)
	ip netns exec "$NS" /usr/bin/time -v "$DUTLAB" scan --ports-only --profile "$PROFILE" \
		"$TARGET" >"$work/dutlab.out" 2>"$work/time.out"
	end=$(now_ns)
	echo $(( (end - start) / 1000000 )) >"$work/t"
	awk '/Maximum resident set size/ {print $NF}' "$work/time.out" >>"$work/rss"
	awk '{print $3}' "$work/dutlab.out"
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }

: >"$work/nmap.times"
: >"$work/dutlab.times"
: >"$work/rss"
nmap_ports="" dutlab_ports="" status=0
i=1
while [ "$i" -le "$N" ]; do
	p=$(run_nmap)
	cat "$work/t" >>"$work/nmap.times"
	[ -z "$nmap_ports" ] && nmap_ports=$p
	[ "$p" = "$nmap_ports" ] || { echo "nmap run $i found $p, earlier $nmap_ports"; status=1; }
	p=$(run_dutlab)
	cat "$work/t" >>"$work/dutlab.times"
	[ -z "$dutlab_ports" ] && dutlab_ports=$p
	[ "$p" = "$dutlab_ports" ] || { echo "dutlab run $i found $p, earlier $dutlab_ports"; status=1; }
	printf 'run %d: nmap %s ms, dutlab %s ms (%s)\n' "$i" "$(tail -1 "$work/nmap.times")" \
		"$(tail -1 "$work/dutlab.times")" "$(sed 's/^[^(]*(//; s/)$//' "$work/dutlab.out")"
	i=$((i + 1))
done

nmap_ms=$(median <"$work/nmap.times")
dutlab_ms=$(median <"$work/dutlab.times")
rss_kib=$(sort -n "$work/rss" | tail -1)
echo "target $TARGET ($N runs each, wall time of the whole command)"
echo "nmap -sS -p- -T4 open: $nmap_ports"
echo "dutlab scan      open: $dutlab_ports"
if [ "$nmap_ports" = "$dutlab_ports" ]; then
	echo "open ports: equal"
else
	echo "open ports: DIFFERENT"
	status=1
fi
ratio=$(awk -v a="$dutlab_ms" -v b="$nmap_ms" 'BEGIN {printf "%.2f", b ? a / b : 0}')
echo "median: nmap $nmap_ms ms, dutlab $dutlab_ms ms, ratio $ratio (goal <= 0.50)"
echo "dutlab peak RSS: $rss_kib KiB"
exit $status
