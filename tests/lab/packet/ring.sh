#!/bin/bash
# ring: the packet ring end to end on a veth pair: frames sent through the TX ring (and the sendmmsg fallback) all arrive, MAC floods carry distinct MACs, the scope guard refuses out-of-scope frames.
#
# usage (as root, from anywhere): tests/lab/packet/ring.sh [BUILD]
#   BUILD   the build directory holding src/cli/dutlab and tests/lab/ring-try (default: build)
#
# Makes its own namespaces dl-ring-a (198.18.18.1 on dl-ring-a, the sender) and dl-ring-b
# (198.18.18.2 on dl-ring-b, the receiver, counting with ring-try through the TPACKET_V3
# receive ring) and removes them on exit. The profile's scope is 198.18.18.0/24 and
# fd00:198:0:18::/64 on dl-ring-a. Prints TAP lines; exits 1 on any failure.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
lab_build "${1:-}"
try=$build/tests/lab/ring-try
lab_work ring
made_namespaces=no

cleanup() {
	[ -n "${receiver:-}" ] && kill "$receiver" 2>/dev/null
	[ "$made_namespaces" = yes ] || return 0
	ip netns del dl-ring-a 2>/dev/null
	ip netns del dl-ring-b 2>/dev/null
}

need_root ring
need_dutlab ring
[ -x "$try" ] || { echo "ring: build first: $try" >&2; exit 1; }
if ip netns list | grep -qE '^dl-ring-[ab]( |$)'; then
	echo "ring: namespaces dl-ring-a/dl-ring-b exist: another run? (ip netns del them)" >&2
	exit 1
fi

made_namespaces=yes
ip netns add dl-ring-a && ip netns add dl-ring-b &&
	ip link add dl-ring-a netns dl-ring-a type veth peer name dl-ring-b netns dl-ring-b &&
	ip -n dl-ring-a addr add 198.18.18.1/24 dev dl-ring-a &&
	ip -n dl-ring-b addr add 198.18.18.2/24 dev dl-ring-b &&
	ip -n dl-ring-a link set dl-ring-a up && ip -n dl-ring-b link set dl-ring-b up || {
	not_ok "namespaces and veth pair"
	summary
	exit 1
}
ok "namespaces dl-ring-a, dl-ring-b and their veth pair"

cat >"$work/profile.yaml" <<'EOF'
dutlab_profile: 1
identity: {vendor: dutlab, model: ring-test, firmware: "1", serial: RING0001, product_type: switch}
targets:
  - {standard: ncc-ci-ict}
scope:
  networks: [198.18.18.0/24, "fd00:198:0:18::/64"]
  interfaces: [dl-ring-a]
dut:
  addresses: [198.18.18.2]
EOF

# receive NAME ARGS...: start ring-try in dl-ring-b (its output in $work/NAME.rx), wait
# until it listens.
receive() {
	local name=$1
	shift
	ip netns exec dl-ring-b "$try" --interface dl-ring-b "$@" >"$work/$name.rx" \
		2>"$work/$name.rxerr" &
	receiver=$!
	for _ in $(seq 50); do
		grep -q listening "$work/$name.rxerr" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# finish NAME: wait for ring-try; its counts in rx_frames, rx_macs, rx_dropped.
finish() {
	wait "$receiver"
	receiver=""
	read -r _ rx_frames _ rx_macs _ _ _ _ _ rx_dropped <"$work/$1.rx"
}

# send NAME ARGS...: dutlab packets in dl-ring-a; JSON in $work/NAME.json, status in sent_status.
send() {
	local name=$1
	shift
	ip netns exec dl-ring-a "$dutlab" packets --profile "$work/profile.yaml" \
		--interface dl-ring-a --dst-mac 02:00:00:00:00:02 "$@" >"$work/$name.json" \
		2>"$work/$name.err"
	sent_status=$?
}

json_field() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# case NAME FRAMES DESCRIPTION ARGS...: FRAMES frames sent must all arrive, none dropped.
count_case() {
	local name=$1 frames=$2 what=$3
	shift 3
	if ! receive "$name" --udp-port 9 --expect "$frames" --seconds 20; then
		not_ok "$what" "ring-try did not start: $(cat "$work/$name.rxerr")"
		return
	fi
	send "$name" --frames "$frames" "$@"
	finish "$name"
	local sent ring
	sent=$(json_field "$work/$name.json" sent 2>/dev/null)
	ring=$(json_field "$work/$name.json" tx_ring 2>/dev/null)
	if [ "$sent_status" -eq 0 ] && [ "$sent" = "$frames" ] && [ "$rx_frames" = "$frames" ] &&
		[ "$rx_dropped" = 0 ]; then
		ok "$what: $frames sent (tx_ring $ring), $rx_frames received, $rx_macs distinct MACs"
	else
		not_ok "$what" "dutlab exit $sent_status, sent '$sent', received '$rx_frames', ring drops '$rx_dropped'" \
			"$(cat "$work/$name.err")"
	fi
}

# The rate keeps the receiver's ring (and the veth backlog) from overflowing, so the
# count must be exact.
count_case static 20000 "static frames through the TX ring" --rate 200000
[ "$(json_field "$work/static.json" tx_ring)" = True ] && ok "the TX ring was used" ||
	not_ok "the TX ring was used" "$(cat "$work/static.json")"
count_case fallback 20000 "static frames through sendmmsg" --rate 200000 --sendmmsg
[ "$(json_field "$work/fallback.json" tx_ring)" = False ] && ok "--sendmmsg used the fallback" ||
	not_ok "--sendmmsg used the fallback" "$(cat "$work/fallback.json")"
count_case flood 20000 "mac-flood" --rate 200000 --kind mac-flood --seed 7
if [ "$rx_macs" = 20000 ]; then
	ok "mac-flood: 20000 distinct source MACs at the receiver"
else
	not_ok "mac-flood: 20000 distinct source MACs at the receiver" "got $rx_macs"
fi
count_case workers 20000 "mac-flood from two worker processes" --rate 200000 \
	--kind mac-flood --workers 2
if [ "$rx_macs" = 20000 ]; then
	ok "two workers: their shares carry 20000 distinct source MACs"
else
	not_ok "two workers: their shares carry 20000 distinct source MACs" "got $rx_macs"
fi
count_case ipv6 5000 "IPv6 frames to fd00:198:0:18::2" --rate 100000 --length 80 \
	--destination fd00:198:0:18::2
count_case unpaced 50000 "50000 unpaced frames, 128-byte slots" --frame-size 128
count_case burst 10000 "paced 50000 pps in bursts of 32" --rate 50000 --burst 32

# Out of scope: refused before anything leaves, and the reason names the address.
refused() {
	local name=$1 address=$2
	shift 2
	receive "$name" --udp-port 9 --seconds 2 --quiet-ms 500 || true
	send "$name" --frames 10 --destination "$address" "$@"
	finish "$name"
	if [ "$sent_status" -eq 2 ] && grep -q "frame on 'dl-ring-a' for $address refused" \
		"$work/$name.err" && [ "$rx_frames" = 0 ]; then
		ok "$address refused: $(cut -c1-100 "$work/$name.err")..."
	else
		not_ok "$address refused" "exit $sent_status, received $rx_frames" \
			"$(cat "$work/$name.err" "$work/$name.json")"
	fi
}
refused out4 198.18.19.2
refused multicast 224.0.1.1
refused out6 2001:db8::1 --length 80

# Link-scoped destinations pass without being in scope.
count_case linklocal 1000 "link-local 224.0.0.1 passes the guard" --rate 100000 \
	--destination 224.0.0.1 --source 198.18.18.1

# An interface the profile does not declare is refused at open.
send lo --frames 1 --interface lo
if [ "$sent_status" -eq 2 ] && grep -q "interface 'lo' is not in scope.interfaces" "$work/lo.err"; then
	ok "an undeclared interface is refused at open"
else
	not_ok "an undeclared interface is refused at open" "exit $sent_status: $(cat "$work/lo.err")"
fi

summary
