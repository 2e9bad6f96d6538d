#!/bin/bash
# l2-vs-trafgen: static 64-byte frames vs trafgen, MAC flooding vs macof and trafgen, per-packet mutated test cases vs trafgen and a scapy fuzz loop, on one veth pair (issue 6)
#
# Usage (as root, from the repository): bench/l2-vs-trafgen.sh [ROUNDS]
#   ROUNDS   interleaved repetitions of every sender (default 3); medians are reported
#   DUTLAB   the dutlab binary (default build/src/cli/dutlab)
#   RING_TRY the receiver (default: tests/lab/ring-try beside DUTLAB's build)
#   FRAMES   static frames per run (default 2000000)
#   FLOOD    frames per MAC-flood run (default 500000)
#   MUTATED  mutated test cases per dutlab run (default 1000000)
#   SCAPY    fuzzed frames per scapy run (default 5000: scapy makes a few thousand a second)
#
# Makes namespaces dl-bench-a (sender, 198.18.19.1 on dl-bench-a) and dl-bench-b
# (receiver, 198.18.19.2 on dl-bench-b) joined by one veth pair, and removes them on
# exit. Every tool sends the same frames: trafgen's configuration is written from the
# bytes `dutlab packets` prints, to a unicast MAC the receiver does not own (it drops
# them at once, as a switch port would forward them).
#
# Static frames: packets/s measured by the sender (dutlab's own clock; trafgen's "usec
# on CPU" lines) and by the receiving veth's rx_packets counter over the sender's time.
# Like against like: dutlab in one process (pinned to CPU 0) against trafgen -P 1, and
# dutlab --workers N (one process per CPU, pinned) against trafgen's default -P N.
# MAC flooding: distinct source MACs per second seen by the receiver (ring-try counts
# them exactly through the TPACKET_V3 receive ring, over the span of kernel timestamps),
# for dutlab mac-flood, macof and trafgen with 5 random bytes of source MAC.
# trafgen pins its process to CPU 0 (-P 1); dutlab and macof are pinned there too, so a
# busy machine weighs on every sender alike.
# Mutated test cases: `dutlab packets --kind mutated` (the campaign's engine: case i of the
# ipv4-udp template, one anomaly, every frame through the scope guard) against trafgen's
# static rate, and a scapy loop sending fuzz(IP()/UDP()) (new random fields per frame) on
# a layer-2 socket, both pinned to CPU 0 (boofuzz cannot be installed here).
# Goals (issue 6): static >= 1.2 x trafgen; MAC flooding >= trafgen's distinct MACs/s;
# mutated >= 0.75 x trafgen's static rate and > 100 x scapy.
set -eu

ROUNDS=${1:-3}
DUTLAB=${DUTLAB:-build/src/cli/dutlab}
RING_TRY=${RING_TRY:-$(dirname "$DUTLAB")/../../tests/lab/ring-try}
FRAMES=${FRAMES:-2000000}
FLOOD=${FLOOD:-500000}
MUTATED=${MUTATED:-1000000}
SCAPY=${SCAPY:-5000}
A=dl-bench-a
B=dl-bench-b

die() { echo "l2-vs-trafgen: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (AF_PACKET and network namespaces)"
[ -x "$DUTLAB" ] || die "no dutlab at '$DUTLAB'; build it or set DUTLAB"
[ -x "$RING_TRY" ] || die "no ring-try at '$RING_TRY'; build it or set RING_TRY"
command -v trafgen >/dev/null || die "trafgen is not installed (apt-get install netsniff-ng)"
command -v macof >/dev/null || die "macof is not installed (apt-get install dsniff)"
/usr/bin/python3 -c 'import scapy.all' 2>/dev/null || die "scapy is not installed (apt-get install python3-scapy)"
[ -x /usr/bin/time ] || die "GNU time is not installed (apt-get install time)"
case "$ROUNDS" in '' | *[!0-9]* | 0) die "ROUNDS must be a positive number" ;; esac
ip netns list | grep -qE "^($A|$B)( |$)" && die "namespaces $A/$B exist: another run?"

work=$(mktemp -d /tmp/dutlab-l2bench.XXXXXX)
made=no
receiver=""
cleanup() {
	[ -n "$receiver" ] && kill "$receiver" 2>/dev/null
	if [ "$made" = yes ]; then
		ip netns del $A 2>/dev/null || true
		ip netns del $B 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

made=yes
ip netns add $A
ip netns add $B
ip link add $A netns $A type veth peer name $B netns $B
ip -n $A addr add 198.18.19.1/24 dev $A
ip -n $B addr add 198.18.19.2/24 dev $B
ip -n $A link set $A up
ip -n $B link set $B up
# No IPv6 on the pair: router solicitations and MLD reports would pollute the counts.
ip netns exec $A sysctl -qw net.ipv6.conf.$A.disable_ipv6=1
ip netns exec $B sysctl -qw net.ipv6.conf.$B.disable_ipv6=1

cat >"$work/profile.yaml" <<'EOF'
dutlab_profile: 1
identity: {vendor: dutlab, model: l2-bench, firmware: "1", serial: BENCH001, product_type: switch}
targets:
  - {standard: ncc-ci-ict}
scope:
  networks: [198.18.19.0/24]
  interfaces: [dl-bench-a]
dut:
  addresses: [198.18.19.2]
EOF

DST_MAC=02:00:00:00:00:02
rx_packets() { ip netns exec $B cat /sys/class/net/$B/statistics/rx_packets; }
json() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b ? a / b : 0}'; }

# trafgen's transmit time: the slowest of its "S sec, U usec on CPUn" lines, in seconds.
trafgen_seconds() {
	tr '\r' '\n' <"$1" |
		awk '/usec on CPU/ {t = $1 + $3 / 1e6; if (t > m) m = t} END {printf "%.6f", m}'
}

# The frame, as dutlab builds it, for trafgen's configuration.
ip netns exec $A "$DUTLAB" packets --profile "$work/profile.yaml" --frames 1 \
	--dst-mac $DST_MAC >"$work/probe.json"
hex=$(json "$work/probe.json" frame_hex)
bytes=$(echo "$hex" | sed 's/../0x&, /g; s/, $//')
echo "{ $bytes }" >"$work/static.cfg"
# Flooding: the same frame with the source MAC's last 5 bytes random per packet.
flood=$(echo "$hex" | cut -c25- | sed 's/../0x&, /g; s/, $//')
echo "{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, drnd(5), $flood }" >"$work/flood.cfg"

: >"$work/results"
# record TOOL KIND SENDER_PPS RX_PPS [PER_CPU_SECOND]
record() { echo "$1 $2 $3 $4 ${5:-}" >>"$work/results"; }

# Frames per CPU-second (user + system, children included) from GNU time's "%U %S %M"
# in $work/cpu.out: the cost of a frame, which a busy machine does not change the way it
# changes the wall-clock rate.
per_cpu_second() {
	awk -v n="$1" '{c = $1 + $2} END {printf "%d", (c > 0) ? n / c : 0}' "$work/cpu.out"
}

# static_dutlab NAME WORKERS: one process pinned to CPU 0, or WORKERS pinned to 0..N-1.
static_dutlab() {
	local name=$1 workers=$2 before after seconds pin=""
	[ "$workers" = 1 ] && pin="taskset -c 0"
	before=$(rx_packets)
	# shellcheck disable=SC2086 # $pin is a command prefix or nothing
	ip netns exec $A /usr/bin/time -f '%U %S %M' -o "$work/cpu.out" $pin "$DUTLAB" packets \
		--profile "$work/profile.yaml" --frames "$FRAMES" --dst-mac $DST_MAC \
		--workers "$workers" >"$work/d.json"
	after=$(rx_packets)
	awk '{print $3}' "$work/cpu.out" >>"$work/rss"
	seconds=$(json "$work/d.json" seconds)
	record "$name" static "$(json "$work/d.json" pps)" \
		"$(awk -v n=$((after - before)) -v s="$seconds" 'BEGIN {printf "%d", n / s}')" \
		"$(per_cpu_second "$FRAMES")"
}

static_trafgen() {
	local cpus=$1 name=$2 before after seconds
	before=$(rx_packets)
	ip netns exec $A /usr/bin/time -f '%U %S %M' -o "$work/cpu.out" trafgen \
		-i "$work/static.cfg" -o $A -n "$FRAMES" -P "$cpus" >"$work/t.out" 2>&1
	after=$(rx_packets)
	seconds=$(trafgen_seconds "$work/t.out")
	record "$name" static "$(awk -v n="$FRAMES" -v s="$seconds" 'BEGIN {printf "%d", n / s}')" \
		"$(awk -v n=$((after - before)) -v s="$seconds" 'BEGIN {printf "%d", n / s}')" \
		"$(per_cpu_second "$FRAMES")"
}

# flood_run NAME COMMAND...: the receiver counts distinct source MACs while COMMAND sends.
flood_run() {
	local name=$1
	shift
	ip netns exec $B "$RING_TRY" --interface $B --seconds 120 --quiet-ms 3000 \
		--max-macs $((FLOOD * 2)) >"$work/rx.out" 2>"$work/rx.err" &
	receiver=$!
	for _ in $(seq 50); do
		grep -q listening "$work/rx.err" 2>/dev/null && break
		sleep 0.1
	done
	ip netns exec $A "$@" >"$work/flood.out" 2>&1
	wait "$receiver" || true
	receiver=""
	# frames N distinct_macs M seconds T pps R dropped D
	read -r _ frames _ macs _ span _ _ _ dropped <"$work/rx.out"
	macs=${macs%+}
	record "$name" flood "$(awk -v m="$macs" -v s="$span" 'BEGIN {printf "%d", (s > 0) ? m / s : 0}')" \
		"$frames/$macs/$dropped"
}

# mutated_dutlab: MUTATED test cases of ipv4-udp, one process pinned to CPU 0.
mutated_dutlab() {
	local before after seconds
	before=$(rx_packets)
	ip netns exec $A taskset -c 0 "$DUTLAB" packets --profile "$work/profile.yaml" \
		--frames "$MUTATED" --kind mutated --template ipv4-udp --dst-mac $DST_MAC \
		--destination 198.18.19.2 --source 198.18.19.1 --seed "$round" >"$work/m.json"
	after=$(rx_packets)
	seconds=$(json "$work/m.json" seconds)
	record dutlab-mutated mutated "$(json "$work/m.json" pps)" \
		"$(awk -v n=$((after - before)) -v s="$seconds" 'BEGIN {printf "%d", n / s}')"
}

# mutated_scapy: SCAPY frames of fuzz(IP()/UDP()) through one layer-2 socket, pinned to CPU 0.
mutated_scapy() {
	ip netns exec $A taskset -c 0 /usr/bin/python3 - $A "$SCAPY" "$DST_MAC" >"$work/s.out" <<'PY'
import sys, time
from scapy.all import Ether, IP, UDP, conf, fuzz
iface, n, mac = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = conf.L2socket(iface=iface)
frame = Ether(dst=mac) / fuzz(IP(dst="198.18.19.2") / UDP(dport=9))
start = time.perf_counter()
for _ in range(n):
    s.send(frame)  # fuzz(): every send builds new random field values
print("%d" % (n / (time.perf_counter() - start)))
PY
	record scapy-fuzz mutated "$(cat "$work/s.out")" -
}

round=1
: >"$work/rss"
while [ "$round" -le "$ROUNDS" ]; do
	static_dutlab dutlab 1
	static_trafgen 1 trafgen-P1
	static_dutlab dutlab-workers "$(nproc)"
	static_trafgen "$(nproc)" trafgen-default
	flood_run dutlab-flood taskset -c 0 "$DUTLAB" packets --profile "$work/profile.yaml" --frames "$FLOOD" \
		--kind mac-flood --dst-mac $DST_MAC --seed "$round"
	flood_run macof taskset -c 0 macof -i $A -n "$FLOOD"
	flood_run trafgen-flood trafgen -i "$work/flood.cfg" -o $A -n "$FLOOD" -P 1
	mutated_dutlab
	mutated_scapy
	echo "round $round:"
	tail -9 "$work/results" | awk '{printf "  %-16s %-6s sender %10s   receiver %-18s %s\n", $1, $2, $3, $4, $5 ? "per CPU-second " $5 : ""}'
	round=$((round + 1))
done

med() { awk -v t="$1" -v c="$2" '$1 == t {print $c}' "$work/results" | median; }
d_tx=$(med dutlab 3) d_rx=$(med dutlab 4)
t1_tx=$(med trafgen-P1 3) t1_rx=$(med trafgen-P1 4)
tn_tx=$(med trafgen-default 3) tn_rx=$(med trafgen-default 4)
dw_tx=$(med dutlab-workers 3) dw_rx=$(med dutlab-workers 4)
d_cpu=$(med dutlab 5) t1_cpu=$(med trafgen-P1 5) dw_cpu=$(med dutlab-workers 5) tn_cpu=$(med trafgen-default 5)
df=$(med dutlab-flood 3) mf=$(med macof 3) tf=$(med trafgen-flood 3)
rss=$(sort -n "$work/rss" | tail -1)
dm_tx=$(med dutlab-mutated 3) dm_rx=$(med dutlab-mutated 4) sc=$(med scapy-fuzz 3)

echo
echo "static 64-byte frames, $FRAMES per run, median of $ROUNDS (packets/s: sender / receiving veth)"
printf '  dutlab packets (1 process)     %9s / %9s\n' "$d_tx" "$d_rx"
printf '  trafgen -P 1                   %9s / %9s\n' "$t1_tx" "$t1_rx"
printf '  dutlab packets --workers %s     %9s / %9s\n' "$(nproc)" "$dw_tx" "$dw_rx"
printf '  trafgen (default, -P %s)        %9s / %9s\n' "$(nproc)" "$tn_tx" "$tn_rx"
echo "  ratio dutlab/trafgen -P 1:     $(ratio "$d_tx" "$t1_tx") sender, $(ratio "$d_rx" "$t1_rx") receiver (goal >= 1.20)"
echo "  ratio dutlab --workers $(nproc) / trafgen -P $(nproc): $(ratio "$dw_tx" "$tn_tx") sender, $(ratio "$dw_rx" "$tn_rx") receiver (goal >= 1.20)"
echo "  ratio dutlab (1 process) / trafgen default: $(ratio "$d_tx" "$tn_tx") sender"
echo "  frames per CPU-second: dutlab $d_cpu, trafgen -P 1 $t1_cpu (ratio $(ratio "$d_cpu" "$t1_cpu")); dutlab --workers $(nproc) $dw_cpu, trafgen -P $(nproc) $tn_cpu (ratio $(ratio "$dw_cpu" "$tn_cpu"))"
echo "MAC flooding, $FLOOD frames per run, distinct source MACs per second at the receiver"
printf '  dutlab packets --kind mac-flood %9s\n' "$df"
printf '  macof                           %9s\n' "$mf"
printf '  trafgen -P 1, drnd(5) source    %9s\n' "$tf"
echo "  ratio dutlab/trafgen: $(ratio "$df" "$tf") (goal >= 1.00), dutlab/macof: $(ratio "$df" "$mf")"
echo "per-packet mutated test cases (one process on CPU 0), cases/s: sender / receiving veth"
printf '  dutlab packets --kind mutated   %9s / %9s\n' "$dm_tx" "$dm_rx"
printf '  scapy fuzz(IP()/UDP()) loop     %9s\n' "$sc"
echo "  ratio mutated/trafgen -P 1 static: $(ratio "$dm_tx" "$t1_tx") (goal >= 0.75); dutlab/scapy: $(ratio "$dm_tx" "$sc") (goal > 100)"
echo "dutlab peak RSS: $rss KiB"
status=0
awk -v a="$d_tx" -v b="$t1_tx" 'BEGIN {exit !(a >= 1.2 * b)}' || status=1
awk -v a="$dw_tx" -v b="$tn_tx" 'BEGIN {exit !(a >= 1.2 * b)}' || status=1
awk -v a="$df" -v b="$tf" 'BEGIN {exit !(a >= b)}' || status=1
awk -v a="$dm_tx" -v b="$t1_tx" 'BEGIN {exit !(a >= 0.75 * b)}' || status=1
awk -v a="$dm_tx" -v b="$sc" 'BEGIN {exit !(a > 100 * b)}' || status=1
exit $status
