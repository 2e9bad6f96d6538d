#!/bin/bash
# health: every DUT health monitor reports healthy, sees each failure it is made for, and sees the recovery.
#
# A namespace pair of its own (198.18.19.0/24, fd00:198:0:19::/64): dl-hlth-a is the tester
# (port A ha0, port B ha1), dl-hlth-b a tiny router DUT (hb0, hb1, forwarding) with a TCP
# listener on 2222, a syslog sender (logger), an LLDP sender (TTL 3 s) and an exec health
# operation (a file that must exist). `dutlab health` runs all seven monitors in dl-hlth-a
# and prints JSON events; each fault is made and undone in turn and the script waits for its
# 'failed' event (asserting the evidence) and the 'recovered' one.
# Usage (root): tests/lab/packet/health.sh [BUILD]   (default build dir: build)
# shellcheck disable=SC2016 # fault's MAKE and UNDO arguments are eval'd there, quoted here
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$root" || exit 1
lab_build "${1:-}"
need_root health.sh
need_dutlab health.sh
need_command health.sh nft
need_command health.sh logger
lab_work health
pids=""

cleanup() {
	local pid
	for pid in $pids; do kill "$pid" 2>/dev/null; done
	ip netns del dl-hlth-a 2>/dev/null
	ip netns del dl-hlth-b 2>/dev/null
}

A="ip netns exec dl-hlth-a"
B="ip netns exec dl-hlth-b"

# ---- the topology ----
ip netns del dl-hlth-a 2>/dev/null
ip netns del dl-hlth-b 2>/dev/null
if ! ip netns add dl-hlth-a || ! ip netns add dl-hlth-b; then
	not_ok "namespaces dl-hlth-a/b" "ip netns add failed"
	summary
	exit 1
fi
# no DAD: the interfaces are made after this, so it holds for their link-local addresses too
for ns in a b; do
	ip netns exec "dl-hlth-$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
	ip -n "dl-hlth-$ns" link set lo up
done
if ! ip link add ha0 netns dl-hlth-a type veth peer name hb0 netns dl-hlth-b ||
	! ip link add ha1 netns dl-hlth-a type veth peer name hb1 netns dl-hlth-b; then
	not_ok "veth pairs ha0-hb0, ha1-hb1" "ip link add failed"
	summary
	exit 1
fi
$A ip addr add 198.18.19.1/26 dev ha0
$A ip addr add fd00:198:0:19::1/64 dev ha0 nodad
$A ip addr add 198.18.19.65/26 dev ha1
# port B's IPv6 network, inside the scope's /64 but more specific: the DUT routes it to hb1
$A ip addr add fd00:198:0:19:1::65/80 dev ha1 nodad
$B ip addr add 198.18.19.2/26 dev hb0
$B ip addr add fd00:198:0:19::2/64 dev hb0 nodad
$B ip addr add 198.18.19.66/26 dev hb1
$B ip addr add fd00:198:0:19:1::66/80 dev hb1 nodad
for i in ha0 ha1; do $A ip link set "$i" up; done
for i in hb0 hb1; do $B ip link set "$i" up; done
$B sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
$B nft add table inet hlth
$B nft add chain inet hlth input '{ type filter hook input priority 0; }'
$B nft add chain inet hlth forward '{ type filter hook forward priority 0; }'

# ---- the DUT's processes ----
listener() {
	$B python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.19.2", 2222))
s.listen(16)
while True:
    c, _ = s.accept()
    c.close()' &
	listener_pid=$!
	pids="$pids $listener_pid"
	local i
	for ((i = 0; i < 50; i++)); do
		$B ss -Hltn 'sport = 2222' | grep -q . && return 0
		sleep 0.1
	done
}

# LLDPDUs on hb0 every second with a TTL of 3 s: chassis 02:00:00:00:19:02, port "hb0"
lldp_sender() {
	$B python3 -c '
import socket, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("hb0", 0))
frame = bytes.fromhex("0180c200000e" "020000001902" "88cc"
    "0207" "04020000001902" "0404" "05686230" "0602" "0003" "0000")
while True:
    s.send(frame)
    time.sleep(1)' &
	lldp_pid=$!
	pids="$pids $lldp_pid"
}

# the DUT answers on both families before the monitors start
for address in 198.18.19.2 fd00:198:0:19::2; do
	for ((i = 0; i < 20; i++)); do
		$A ping -c1 -W1 "$address" >/dev/null 2>&1 && break
		sleep 0.2
	done
done
listener
lldp_sender
touch "$work/dut-ok"
hb0_mac=$($B cat /sys/class/net/hb0/address)

cat >"$work/profile.yaml" <<EOF
dutlab_profile: 1
identity: {vendor: Lab, model: hlth, firmware: "1", serial: H1, product_type: router}
targets:
  - {standard: ncc-ci-ict}
scope:
  networks: [198.18.19.0/24, "fd00:198:0:19::/64"]
  interfaces: [ha0, ha1]
dut:
  addresses: [198.18.19.2, "fd00:198:0:19::2"]
services:
  - {proto: tcp, port: 2222, name: ssh}
adapters:
  - name: lab
    driver: exec
    operations:
      health: {command: "test -e $work/dut-ok", timeout: 5}
EOF

# ---- the monitors ----
events=$work/events.jsonl
$A "$dutlab" health --profile "$work/profile.yaml" --seconds 120 \
	--monitor icmp --monitor tcp --monitor neighbour --monitor exec --monitor syslog \
	--monitor lldp --monitor flow --syslog-port 5514 --lldp-wait 5 \
	--flow ha0,ha1 --flow-mac "$hb0_mac" --flow-rate 200 --flow-window 500 \
	--flow-destination 198.18.19.65 --flow-destination6 fd00:198:0:19:1::65 \
	--interval 200 --timeout 400 --threshold 2 >"$events" 2>"$work/health.err" &
health_pid=$!
pids="$pids $health_pid"

# wait_for PATTERN SECONDS [BEFORE]: more than BEFORE (default 0) events lines match the ERE
wait_for() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(grep -Ec "$1" "$events")" -gt "${3:-0}" ] && return 0
		sleep 0.1
	done
	return 1
}

# fault NAME FAIL_PATTERN MAKE UNDO: the monitor fails with evidence matching FAIL_PATTERN
# after MAKE, and recovers after UNDO.
fault() {
	local name=$1 pattern=$2 make=$3 undo=$4 before failed
	before=$(grep -c "\"event\":\"recovered\",\"monitor\":\"$name\"" "$events")
	failed=$(grep -Ec "\"event\":\"failed\",\"monitor\":\"$name\".*$pattern" "$events")
	eval "$make"
	if wait_for "\"event\":\"failed\",\"monitor\":\"$name\".*$pattern" 15 "$failed"; then
		ok "$name fails: $(grep -E "\"failed\",\"monitor\":\"$name\"" "$events" | tail -1 |
			sed 's/.*"evidence":"\([^"]*\)".*/\1/')"
	else
		not_ok "$name fails with /$pattern/" "$(tail -5 "$events")" "$(tail -3 "$work/health.err")"
	fi
	eval "$undo"
	local i
	for ((i = 0; i < 150; i++)); do
		[ "$(grep -c "\"event\":\"recovered\",\"monitor\":\"$name\"" "$events")" -gt "$before" ] && break
		sleep 0.1
	done
	if [ "$i" -lt 150 ]; then
		ok "$name recovers"
	else
		not_ok "$name recovers" "$(tail -5 "$events")"
	fi
}

if wait_for '"event":"started"' 10; then
	ok "dutlab health started: $(head -1 "$events")"
else
	not_ok "dutlab health started" "$(cat "$work/health.err")"
	summary
	exit 1
fi
sleep 4
if grep -q '"event":"failed"' "$events"; then
	not_ok "all monitors healthy on a healthy DUT" "$(grep '"failed"' "$events" | head -5)"
else
	ok "all monitors healthy on a healthy DUT for 4 s"
fi

fault tcp "TCP connect to 198.18.19.2:2222 refused at [0-9:.]+ \\(2 consecutive\\)" \
	'kill $listener_pid; wait $listener_pid 2>/dev/null' 'listener'
fault icmp "ICMP echo to 198.18.19.2 unanswered in 400 ms; ICMP echo to fd00:198:0:19::2 unanswered" \
	'$B nft add rule inet hlth input icmp type echo-request drop; $B nft add rule inet hlth input icmpv6 type echo-request drop' \
	'$B nft flush chain inet hlth input'
fault icmp "ICMP echo to 198.18.19.2: destination unreachable \\(code 13, administratively prohibited\\) from 198.18.19.2" \
	'$B nft add rule inet hlth input icmp type echo-request reject with icmp type admin-prohibited' \
	'$B nft flush chain inet hlth input'
fault syslog "syslog from 198.18.19.2 \\(RFC 3164\\): 'kernel: Kernel panic - not syncing'" \
	'$B logger --rfc3164 -d -n 198.18.19.1 -P 5514 -t kernel "Kernel panic - not syncing"' ':'
fault flow "flow 198.18.19.1 -> 198.18.19.65:9: [0-9]+ of [0-9]+ lost \\(100.0 %\\)" \
	'$B nft add rule inet hlth forward udp dport 9 drop' '$B nft flush chain inet hlth forward'
# the IPv6 flow alone: the IPv4 one goes on untouched, and the evidence says which failed
fault flow "flow 198.18.19.1 -> 198.18.19.65:9: 0 of [0-9]+ lost \\(0.0 %\\).*; flow fd00:198:0:19::1 -> \\[fd00:198:0:19:1::65\\]:9: [0-9]+ of [0-9]+ lost \\(100.0 %\\), none came back" \
	'$B nft add rule inet hlth forward meta nfproto ipv6 udp dport 9 drop' '$B nft flush chain inet hlth forward'
fault flow "lost \\((4[0-9]|5[0-9]|6[0-9])\\.[0-9] %\\), [0-9]+ reordered, 0 duplicated, latency avg" \
	'$B nft add rule inet hlth forward udp dport 9 numgen random mod 2 == 0 drop' \
	'$B nft flush chain inet hlth forward'
if $B tc qdisc add dev hb1 root netem delay 150ms 2>/dev/null; then
	$B tc qdisc del dev hb1 root
	fault flow "0 of [0-9]+ lost \\(0.0 %\\), 0 reordered, 0 duplicated, latency avg 1[5-9][0-9]\\.[0-9]+ ms max 1[5-9][0-9]\\.[0-9]+ ms" \
		'$B tc qdisc add dev hb1 root netem delay 150ms' '$B tc qdisc del dev hb1 root'
else
	echo "# no netem here: the flow's latency limit is not tried"
fi
fault lldp "no LLDPDU from chassis 02:00:00:00:19:02 on ha0 within its TTL of 3 s" \
	'kill $lldp_pid; wait $lldp_pid 2>/dev/null' 'lldp_sender'
fault exec "health operation exited 1" 'rm -f "$work/dut-ok"' 'touch "$work/dut-ok"'
fault neighbour "ARP request for 198.18.19.2 on ha0 unanswered" \
	'$B ip link set hb0 arp off' '$B ip link set hb0 arp on'

kill -TERM "$health_pid"
wait "$health_pid"
status=$?
if [ "$status" -eq 130 ] && tail -1 "$events" | grep -q '"event":"summary","failures":[1-9]'; then
	ok "dutlab health stops on SIGTERM with a summary: $(tail -1 "$events")"
else
	not_ok "dutlab health stops on SIGTERM with a summary (status $status)" "$(tail -2 "$events")"
fi

# ---- a campaign whose DUT never answers ARP ----
# The robustness campaign learns the DUT's MAC by ARP when the profile does not give it; a DUT
# that does not answer (here: its ARP switched off) stops the campaign before a frame is sent,
# saying so, instead of fuzzing nobody.
$B ip link set hb0 arp off
sed 's/^dut:$/robustness:\n  interface: ha0\n  duration: 5\n  mix: {ipv4: 1}\ndut:/' \
	"$work/profile.yaml" >"$work/profile-fuzz.yaml"
$A "$dutlab" fuzz --profile "$work/profile-fuzz.yaml" --output "$work/fuzz-no-arp" \
	>"$work/fuzz-no-arp.log" 2>&1
status=$?
$B ip link set hb0 arp on
if [ "$status" -ne 0 ] &&
	grep -q "198.18.19.2 did not answer 5 ARP requests on ha0; check the DUT is up, or give robustness.dut_mac" \
		"$work/fuzz-no-arp.log" && [ ! -s "$work/fuzz-no-arp/evidence/robustness/sent.pcapng" ]; then
	ok "a campaign against a DUT that answers no ARP stops before sending: $(tail -1 "$work/fuzz-no-arp.log")"
else
	not_ok "a campaign against a DUT that answers no ARP stops, saying why (exit $status)" \
		"$(tail -3 "$work/fuzz-no-arp.log")"
fi
summary
