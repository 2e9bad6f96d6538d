#!/bin/bash
# duts.sh: the layer-2/3 lab DUTs (router, firewall, Linux bridge, userspace OVS; good and bad) forward, filter, tag, advertise LLDP, and the fragile responder dies on exactly its field.
#
# Runnable alone, as root: tests/lab/packet/duts.sh. Brings all eight DUTs up at once (their
# addresses must not clash in dl-tester), checks each, power-cycles the bad ones after their
# responder died, brings everything down and checks nothing is left: no namespace, no tester
# interface, no state dir, no process. Frames are made and watched with scapy
# (tests/lab/packet/duts.py, Debian's /usr/bin/python3).
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root duts.sh
lab_work packet-duts
PY=/usr/bin/python3
HELPER=$root/tests/lab/packet/duts.py
FLOW=$root/lab/bin/flow.py
DUTS="router-good router-bad firewall-good firewall-bad switch-good switch-bad ovs-good ovs-bad"
MGMT_PORT=8080
brought=""

cleanup() {
	local d
	for d in $brought; do
		"$lab" down "$d" >/dev/null 2>&1
	done
}

mgmt_answers() {
	in_tester nc -z -w 2 "$1" "$MGMT_PORT"
}

# mac NAME DEV: the MAC of DEV in DUT NAME's namespace.
mac() {
	ip -n "dl-$1" -br link show "$2" | awk '{print $3}'
}

# mgmt_dev NAME: the DUT's own interface (eth0 on routers, the bridge on switches).
mgmt_dev() {
	case $1 in
	switch-*) echo br0 ;;
	ovs-*) echo br-ovs ;;
	*) echo eth0 ;;
	esac
}

# responder_alive NAME: the fixture's process runs and its port answers.
responder_alive() {
	local pid
	pid=$(cat "/run/dutlab-lab/$1/pids/responder.pid" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null && mgmt_answers "$(addr "$1" dut_ipv4)"
}

# responder_dead NAME TRIGGER: within 3 s the port refuses, and its log names TRIGGER.
responder_dead() {
	local i
	for ((i = 0; i < 30; i++)); do
		if ! mgmt_answers "$(addr "$1" dut_ipv4)"; then
			grep -q "FIXTURE FAULT .*($2)" "/run/dutlab-lab/$1/log/responder.log" && return 0
			echo "port closed but the log does not name $2:"
			tail -3 "/run/dutlab-lab/$1/log/responder.log"
			return 1
		fi
		sleep 0.1
	done
	echo "tcp/$MGMT_PORT still answers 3 s after the frame"
	return 1
}

# kill_and_cycle NAME KIND TRIGGER: 1000 other frames leave the responder alive; its one frame
# KIND kills it; lab status (the profiles' health) says degraded; `lab restart` run inside
# dl-tester as dutlab runs it (the profiles' power_cycle) restores it on the same interfaces.
kill_and_cycle() {
	local n=$1 kind=$2 trig=$3 tif m ip rc index
	tif=$(topo "$n" tester_if) m=$(mac "$n" "$(mgmt_dev "$n")") ip=$(addr "$n" dut_ipv4)
	check "$n: 1000 valid and other-malformed frames sent" in_tester $PY "$HELPER" others "$tif" "$m" "$ip" 1000
	sleep 0.5
	check "$n: the fragile responder survives them" responder_alive "$n"
	check "$n: the $kind frame sent" in_tester $PY "$HELPER" kill "$tif" "$m" "$ip" "$kind"
	check "$n: the fragile responder died on it, naming $trig, tcp/$MGMT_PORT refused" responder_dead "$n" "$trig"
	"$lab" status "$n" >/dev/null 2>&1
	rc=$?
	if [ "$rc" = 1 ]; then ok "$n: lab status says degraded (exit 1)"; else not_ok "$n: lab status exit $rc, want 1"; fi
	index=$(ip -n dl-tester -o link show "$tif" | cut -d: -f1)
	check "$n: power cycle (lab restart, from dl-tester) brings it back" in_tester "$lab" restart "$n"
	check "$n: the responder answers again" responder_alive "$n"
	check "$n: the tester's port A kept its index ($index) through the power cycle" \
		test "$(ip -n dl-tester -o link show "$tif" | cut -d: -f1)" = "$index"
}

# 1. All eight up together.
for d in $DUTS; do
	brought="$brought $d"
	lab_up "$d" "$work/up-$d.log"
done
check "lab list shows the eight up" bash -c "'$lab' list | awk '\$2 == \"up\" {print \$1}' | grep -c -E '^(router|firewall|switch|ovs)-(good|bad)$' | grep -qx 8"

# Another lab run (a checkout whose lab/lab does not know these DUTs) may delete and remake
# dl-tester under them; every later failure would follow from that, so say it once.
tester_inode=$(stat -L -c %i /run/netns/dl-tester)
tester_same() {
	[ "$(stat -L -c %i /run/netns/dl-tester 2>/dev/null)" = "$tester_inode" ] && return 0
	echo "dl-tester was deleted and made again by something else during the test"
	return 1
}

# 2. Forwarding, filtering, the flow, LLDP, the management port.
for d in $DUTS; do
	far4=$(addr "$d" far_ipv4) far6=$(addr "$d" far_ipv6)
	check "$d: tcp/$MGMT_PORT answers on $(addr "$d" dut_ipv4) and $(addr "$d" dut_ipv6)" \
		bash -c "ip netns exec dl-tester nc -z -w2 $(addr "$d" dut_ipv4) $MGMT_PORT && ip netns exec dl-tester nc -z -w2 $(addr "$d" dut_ipv6) $MGMT_PORT"
	check "$d: ping across to the far host $far4" in_tester ping -c 2 -i 0.2 -W 2 "$far4"
	check "$d: ping6 across to the far host $far6" in_tester ping -6 -c 2 -i 0.2 -W 2 "$far6"
	check "$d: background flow (UDP 7) IPv4, no loss" in_tester $PY "$FLOW" "$far4" --rate 500 --duration 1
	check "$d: background flow (UDP 7) IPv6, no loss" in_tester $PY "$FLOW" "$far6" --rate 500 --duration 1
	case $d in
	firewall-*)
		refuse "$d: drops UDP to the far host's port 5000" in_tester $PY "$FLOW" "$far4" --port 5000 --rate 50 --duration 0.5 --max-loss 99
		refuse "$d: drops UDP to [$far6]:5000" in_tester $PY "$FLOW" "$far6" --port 5000 --rate 50 --duration 0.5 --max-loss 99
		refuse "$d: drops (input) tcp/22 to the firewall itself" in_tester nc -z -w 1 "$(addr "$d" dut_ipv4)" 22
		check "$d: nft counted the dropped packets" bash -c \
			"ip netns exec dl-$d nft list counter inet dutlab forward_dropped | grep -Eq 'packets ([1-9][0-9]+)'"
		;;
	router-*)
		check "$d: forwards UDP to any port (5000)" in_tester $PY "$FLOW" "$far4" --port 5000 --rate 50 --duration 0.5
		check "$d: forwarding on (IPv4 and IPv6)" bash -c \
			"[ \$(ip netns exec dl-$d sysctl -n net.ipv4.ip_forward)\$(ip netns exec dl-$d sysctl -n net.ipv6.conf.all.forwarding) = 11 ]"
		;;
	switch-*)
		check "$d: the bridge floods a broadcast from port A to B and C" in_tester $PY "$HELPER" flood \
			"$(topo "$d" tester_if)" "$(topo "$d" port_b | cut -d: -f1)" "$(topo "$d" port_c | cut -d: -f1)"
		;;
	ovs-*)
		check "$d: VLANs: access A (10) -> trunk B tagged 10, not C (20); B tagged 20 -> C untagged; B tagged 10 -> A" \
			in_tester $PY "$HELPER" vlan "$(topo "$d" tester_if)" "$(topo "$d" port_b | cut -d: -f1)" \
			"$(topo "$d" port_c | cut -d: -f1)"
		check "$d: datapath is userspace (netdev), own ovsdb under the state dir" bash -c \
			"pgrep -f 'ovs-vswitchd unix:/run/dutlab-lab/$d/ovs/db.sock --disable-system' >/dev/null && grep -q 'datapath_type: netdev' <(ip netns exec dl-$d unshare --mount sh -c 'mount -t tmpfs tmpfs /etc/openvswitch && ovs-vsctl --db=unix:/run/dutlab-lab/$d/ovs/db.sock show')"
		;;
	esac
	check "$d: lldpd advertises on port A (System Name $d)" in_tester $PY "$HELPER" lldp "$(topo "$d" tester_if)" "$d" 12
	check "$d: lldpcli in the DUT shows every port" bash -c \
		"[ \$(ip netns exec dl-$d lldpcli -u /run/dutlab-lab/$d/lldpd.socket show interfaces | grep -c '^Interface:') -ge 2 ]"
done

check "dl-tester is the namespace the DUTs were built in (no other lab run replaced it)" tester_same

# 3. The fragile responder: the good variants never die, the bad ones die on exactly their field.
for d in router-good firewall-good switch-good ovs-good; do
	tif=$(topo "$d" tester_if) m=$(mac "$d" "$(mgmt_dev "$d")") ip=$(addr "$d" dut_ipv4)
	check "$d: 1000 valid and other-malformed frames sent" in_tester $PY "$HELPER" others "$tif" "$m" "$ip" 1000
	for kind in lldp-port-id-overrun ipv4-option-length ipv4-option-length-1; do
		in_tester $PY "$HELPER" kill "$tif" "$m" "$ip" "$kind" >/dev/null 2>&1
	done
	sleep 0.5
	check "$d: the responder (no fatal branch) survives them and the three trigger frames" responder_alive "$d"
done
kill_and_cycle router-bad lldp-port-id-overrun lldp-port-id-overrun
kill_and_cycle router-bad ipv4-option-length ipv4-option-length
kill_and_cycle firewall-bad ipv4-option-length-1 ipv4-option-length
kill_and_cycle switch-bad lldp-port-id-overrun lldp-port-id-overrun
kill_and_cycle ovs-bad lldp-port-id-overrun lldp-port-id-overrun
check "router-bad: lab up again while up (down first, then up)" "$lab" up router-bad
check "dl-tester still the same namespace (power cycles keep it)" tester_same
check "router-bad: after the power cycle it forwards again" in_tester ping -c 1 -W 2 "$(addr router-bad far_ipv4)"

# 4. Down, and nothing left.
for d in $DUTS; do
	check "lab down $d" "$lab" down "$d"
done
brought=""
for d in $DUTS; do
	left=""
	[ -e "/run/netns/dl-$d" ] && left="$left namespace dl-$d;"
	[ -e "/run/dutlab-lab/$d" ] && left="$left state /run/dutlab-lab/$d;"
	for i in $(topo "$d" tester_if) $(topo "$d" port_b | cut -d: -f1) $(topo "$d" port_c | cut -d: -f1); do
		if [ -e /run/netns/dl-tester ] && ip -n dl-tester link show "$i" >/dev/null 2>&1; then
			left="$left tester interface $i;"
		fi
	done
	p=$(pgrep -f "/run/dutlab-lab/$d/" | tr '\n' ' ')
	[ -z "$p" ] || left="$left processes $p;"
	if [ -z "$left" ]; then ok "$d: nothing left after down"; else not_ok "$d: left after down:$left"; fi
done
summary
