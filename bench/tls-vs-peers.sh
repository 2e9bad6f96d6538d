#!/bin/sh
# tls-vs-peers: dutlab's full audit of one TLS endpoint against sslscan and testssl.sh's default run (issue 4)
#
# Usage (as root, from the repository): bench/tls-vs-peers.sh [N]
#   N        runs of dutlab and of sslscan per port, interleaved (default 5)
#   TESTSSL_N  runs of testssl.sh per port among them (default 1: its default run takes
#            over a minute a port)
#   DUTLAB   the dutlab binary (default build/src/cli/dutlab)
#   PORTS    the ports of tlslab-servers to audit (default "4431 4432": the modern
#            TLS 1.2+1.3 server and the TLS 1.0-1.2 one; see lab/lib/tls-servers.sh)
#
# Brings tlslab-servers up when it is not (and down again at the end), runs the three
# tools one after the other inside the tester namespace against the same endpoint, and
# prints for each: the median wall time of the whole command, the peak RSS (GNU time's
# "Maximum resident set size": the largest single process of the tool, not a sum) and
# the TCP connections it opened, counted as the SYNs (without ACK) a tshark capture on
# the tester's interface saw; dutlab's own "connections" count is shown beside it.
# Then the ratios dutlab/testssl.sh (goal: at most 0.10) and dutlab/sslscan (goal: at
# most 1.00). It asserts nothing about time: the numbers are for reading.
set -eu

N=${1:-5}
TESTSSL_N=${TESTSSL_N:-1}
DUTLAB=${DUTLAB:-build/src/cli/dutlab}
PORTS=${PORTS:-4431 4432}
NS=dl-tester
DUT=tlslab-servers
ADDRESS=198.18.5.2
SCOPE=198.18.5.0/24
INTERFACE=ttls

die() { echo "tls-vs-peers: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, packet capture)"
[ -x "$DUTLAB" ] || die "no dutlab at '$DUTLAB'; build it or set DUTLAB"
for tool in sslscan testssl tshark /usr/bin/time; do
	command -v "$tool" >/dev/null || die "$tool is not installed (tools/install-deps.sh lab)"
done
case "$N" in '' | *[!0-9]* | 0) die "N must be a positive number" ;; esac
case "$TESTSSL_N" in '' | *[!0-9]* | 0) die "TESTSSL_N must be a positive number" ;; esac

work=$(mktemp -d /tmp/dutlab-bench-tls.XXXXXX)
brought_up=no
capture_pid=""
cleanup() {
	if [ -n "$capture_pid" ]; then kill "$capture_pid" 2>/dev/null || true; fi
	rm -rf "$work"
	if [ "$brought_up" = yes ]; then lab/lab down "$DUT" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! lab/lab status "$DUT" >/dev/null 2>&1; then
	echo "bringing $DUT up..."
	lab/lab up "$DUT" >/dev/null
	brought_up=yes
fi

now_ns() { date +%s%N; }
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }

# capture_start PORT: count the SYNs the tester sends to PORT, in $work/syn.pcapng.
capture_start() {
	rm -f "$work/syn.pcapng" "$work/capture.log"
	ip netns exec "$NS" tshark -q -n -i "$INTERFACE" -w "$work/syn.pcapng" \
		-f "dst host $ADDRESS and tcp dst port $1 and tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0" \
		>"$work/capture.log" 2>&1 &
	capture_pid=$!
	polls=0
	until grep -q "Capturing on" "$work/capture.log" 2>/dev/null; do
		polls=$((polls + 1))
		[ "$polls" -le 100 ] || die "tshark did not start capturing on $INTERFACE: $(cat "$work/capture.log")"
		sleep 0.1
	done
}

# capture_stop: the number of SYNs captured since capture_start.
capture_stop() {
	sleep 0.3 # the last SYN's way through the capture buffer
	kill -INT "$capture_pid" 2>/dev/null || true
	wait "$capture_pid" 2>/dev/null || true
	capture_pid=""
	tshark -r "$work/syn.pcapng" 2>/dev/null | wc -l
}

# run TOOL PORT: one timed, captured run; appends "ms rss_kib syns reported" to $work/TOOL-PORT.
run() {
	tool=$1 port=$2 reported=-
	capture_start "$port"
	start=$(now_ns)
	case $tool in
	dutlab)
		ip netns exec "$NS" /usr/bin/time -v -o "$work/time.out" "$DUTLAB" tls --json \
			--scope "$SCOPE" --interface "$INTERFACE" "$ADDRESS:$port" >"$work/out" 2>"$work/err" || true
		;;
	sslscan)
		ip netns exec "$NS" /usr/bin/time -v -o "$work/time.out" sslscan --no-colour \
			"$ADDRESS:$port" >"$work/out" 2>"$work/err" || true
		;;
	testssl)
		ip netns exec "$NS" /usr/bin/time -v -o "$work/time.out" testssl --warnings off \
			--color 0 "$ADDRESS:$port" >"$work/out" 2>"$work/err" || true
		;;
	esac
	end=$(now_ns)
	syns=$(capture_stop)
	if [ "$tool" = dutlab ]; then
		reported=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["connections"])' \
			"$work/out" 2>/dev/null) || {
			echo "  dutlab tls failed on $port: $(tail -2 "$work/err")" >&2
			reported=failed
		}
	fi
	rss=$(awk '/Maximum resident set size/ {print $NF}' "$work/time.out")
	echo "$(((end - start) / 1000000)) ${rss:-0} $syns $reported" >>"$work/$tool-$port"
}

# column TOOL PORT FIELD: the median of one field of a tool's runs.
column() {
	awk -v f="$3" '{print $f}' "$work/$1-$2" | median
}

for port in $PORTS; do
	round=1
	while [ "$round" -le "$N" ]; do
		run dutlab "$port"
		run sslscan "$port"
		if [ "$round" -le "$TESTSSL_N" ]; then run testssl "$port"; fi
		round=$((round + 1))
	done
	echo
	echo "$ADDRESS:$port (dutlab and sslscan $N runs, testssl.sh $(wc -l <"$work/testssl-$port"); medians of the whole command's wall time)"
	printf '  %-12s %10s %14s %6s %s\n' tool "wall ms" "peak RSS KiB" SYNs "(connections it reports)"
	for tool in dutlab sslscan testssl; do
		reported=""
		[ "$tool" = dutlab ] && reported="($(tail -1 "$work/dutlab-$port" | awk '{print $4}'))"
		printf '  %-12s %10s %14s %6s %s\n' "$tool" "$(column "$tool" "$port" 1)" \
			"$(column "$tool" "$port" 2)" "$(column "$tool" "$port" 3)" "$reported"
	done
	d=$(column dutlab "$port" 1)
	s=$(column sslscan "$port" 1)
	t=$(column testssl "$port" 1)
	if grep -q failed "$work/dutlab-$port"; then
		echo "  ratios: none (dutlab tls failed on this port)"
	else
		awk -v d="$d" -v s="$s" -v t="$t" 'BEGIN {
			printf "  ratio dutlab/testssl.sh %.3f (goal <= 0.10), dutlab/sslscan %.3f (goal <= 1.00)\n",
				t ? d / t : 0, s ? d / s : 0 }'
	fi
done
