#!/bin/bash
# duts.sh: the routing lab DUTs (routing-frr, routing-bird, routing-bad) speak BGP, OSPFv2 and RIPv2 with a peer of ours, authenticated where they say, and the fragile BGP speaker dies on exactly its attribute.
#
# Runnable alone, as root: tests/lab/routing/duts.sh [BUILD] (dutlab from BUILD, default
# build). Brings the three DUTs up, and from the
# tester namespace proves each protocol with peers of our own (tests/lab/routing/bgp-peer.py:
# a BGP session with TCP-MD5 where the DUT asks for it; igp-peer.py: OSPF hellos and RIP
# packets, keyed MD5 where the DUT asks for it; dutlab's own OSPF session plug-in, which must
# reach Full, and stop, naming both masks, on a broadcast link whose mask is not the DUT's), asserting each from the DUT's own view
# (vtysh on its vty sockets, birdc on its control socket, the fixture's status port) and from
# ours, and the authentication on the link with tshark. Then kills routing-bad's speaker with
# its one malformed UPDATE, power-cycles it (lab restart), brings everything down and checks
# nothing is left: no namespace, no tester interface, no state dir, no process.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root duts.sh
need_command duts.sh vtysh
need_command duts.sh birdc
need_command duts.sh tshark
lab_build "${1:-}"
lab_work routing-duts
PY=/usr/bin/python3
BGP=$root/tests/lab/routing/bgp-peer.py
IGP=$root/tests/lab/routing/igp-peer.py
DUTS="routing-frr routing-bird routing-bad"
brought=""
pids=""

cleanup() {
	local d p
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for d in $brought; do
		"$lab" down "$d" >/dev/null 2>&1
	done
}

# vty NAME COMMAND: vtysh on DUT NAME's FRR daemons (their vty sockets under its state dir).
vty() {
	ip netns exec "dl-$1" vtysh --vty_socket "/run/dutlab-lab/$1/frr" -c "$2"
}

# bird NAME COMMAND...: birdc on DUT NAME's control socket.
bird() {
	local n=$1
	shift
	ip netns exec "dl-$n" birdc -s "/run/dutlab-lab/$n/bird.ctl" "$@"
}

# frr_bgp_state NAME PEER STATE: vtysh's JSON summary says PEER is in STATE (IPv4 and IPv6 unicast).
frr_bgp_state() {
	vty "$1" 'show bgp summary json' | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
states = [d.get(af, {}).get("peers", {}).get(sys.argv[1], {}).get("state") for af in ("ipv4Unicast", "ipv6Unicast")]
print(states)
sys.exit(0 if states == [sys.argv[2]] * 2 else 1)' "$2" "$3"
}

bird_bgp_established() {
	bird "$1" show protocols all tester | grep -Eq 'BGP state: +Established'
}

# fixture_says NAME REGEX: the fragile speaker's status line (tcp/8080) matches REGEX.
fixture_says() {
	local line
	line=$(in_tester curl -s -m 2 "http://$(addr "$1" dut_ipv4):8080/") || {
		echo "tcp/8080 does not answer"
		return 1
	}
	echo "$line" | grep -Eq "$2" && return 0
	echo "status line: $line"
	return 1
}

# bgp_session NAME EXPECTED_STATE_CHECK ARGS...: a session from the tester to DUT NAME with
# bgp-peer.py ARGS (kept 4 s after the DUT's prefixes arrived), asserting the DUT's own view
# with CHECK (a function NAME PEER) while it lasts, then the peer's output.
bgp_session() {
	local n=$1 view=$2 out="$work/bgp-$1.out" pid rc
	shift 2
	in_tester "$PY" "$BGP" --local "$(addr "$n" tester_ipv4)" --remote "$(addr "$n" dut_ipv4)" \
		--stay 4 "$@" >"$out" 2>&1 &
	pid=$!
	pids="$pids $pid"
	check "$n: the DUT's own view says our session is Established" within 10 "$view" "$n" "$(addr "$n" tester_ipv4)"
	wait "$pid"
	rc=$?
	if [ "$rc" = 0 ]; then
		ok "$n: our BGP peer reached Established and got every prefix ($(grep -c '^prefix' "$out") announced)"
	else
		not_ok "$n: our BGP peer (exit $rc)" "$(tail -5 "$out")"
	fi
}

frr_view() { frr_bgp_state "$1" "$2" Established; }
bird_view() { bird_bgp_established "$1"; }
fixture_view() { fixture_says "$1" "sessions: $2 Established"; }

# 1. The three up together.
for d in $DUTS; do
	brought="$brought $d"
	t0=$(date +%s%N)
	lab_up "$d" "$work/up-$d.log"
	echo "#   lab up $d: $((($(date +%s%N) - t0) / 1000000)) ms"
done
for d in $DUTS; do
	check "$d: lab status says up (exit 0)" "$lab" status "$d"
	for svc in $(topo "$d" services); do
		check "$d: lab status reports $svc running" has <("$lab" status "$d") "^  $svc: running"
	done
done

# The link, for a few seconds: OSPF hellos and RIP updates with (FRR) and without (BIRD,
# routing-bad) MD5, as a third party decodes them. In the background while the peers run.
for d in $DUTS; do
	in_tester timeout 14 tshark -i "$(topo "$d" tester_if)" -a duration:10 -f 'ip proto 89 or udp port 520' \
		-T fields -e ip.src -e ip.proto -e ospf.auth.type -e rip.auth.type >"$work/link-$d.txt" 2>/dev/null &
	pids="$pids $!"
	tshark_pids="${tshark_pids:-} $!"
done
sleep 1 # tshark needs a moment before it captures

# 2. BGP.
F4=$(addr routing-frr tester_ipv4) F=$(addr routing-frr dut_ipv4) PW=$(topo routing-frr bgp_password)
check "routing-frr: bgpd listens on tcp/179 (DUT view: ss)" has <(ip netns exec dl-routing-frr ss -Hltn 'sport = :179') "$F:179"
check "routing-frr: a peer without the TCP-MD5 password gets no session (SYN dropped, no OPEN in 4 s)" \
	in_tester "$PY" "$BGP" --local "$F4" --remote "$F" --timeout 4 --refused
check "routing-frr: a peer with a wrong password gets no session either" \
	in_tester "$PY" "$BGP" --local "$F4" --remote "$F" --timeout 4 --refused --password "not-$PW"
check "routing-frr: the DUT's view: the session never got past Active/Connect" bash -c \
	"! ip netns exec dl-routing-frr vtysh --vty_socket /run/dutlab-lab/routing-frr/frr -c 'show bgp summary json' | grep -q '\"state\":\"Established\"'"
# shellcheck disable=SC2046 # one --expect PREFIX pair a word
bgp_session routing-frr frr_view --password "$PW" $(for p in $(topo routing-frr announce); do echo "--expect $p"; done)
check "routing-frr: the DUT announced 198.18.24.128/25 and fd00:198:0:24:1::/80 to us" \
	has "$work/bgp-routing-frr.out" '^prefix 198\.18\.24\.128/25' 
check "routing-frr: ... the IPv6 prefix over the IPv4 session (MP_REACH_NLRI)" \
	has "$work/bgp-routing-frr.out" '^prefix fd00:198:0:24:1::/80'
# bgpd on IPv6 (no TCP-MD5 there) resets the discovery scan's TLS probe: OpenSSL's alert to
# the reset socket raised SIGPIPE and the scan died (exit 141, the demo's routing-frr 5.3.3.1
# inconclusive); the scan finishes and names the port
in_tester "$dutlab" scan --profile "$root/lab/duts/routing/frr/profile.yaml" >"$work/scan-frr.out" 2>&1
echo "exit $?" >>"$work/scan-frr.out"
check "routing-frr: dutlab scan outlives the TLS probe bgpd resets (exit 0)" has "$work/scan-frr.out" '^exit 0$'
check "routing-frr: ... and finds bgpd's tcp/179" has "$work/scan-frr.out" '^  tcp/179 '
# shellcheck disable=SC2046
bgp_session routing-bird bird_view $(for p in $(topo routing-bird announce); do echo "--expect $p"; done)
check "routing-bird: the DUT announced 198.18.25.128/25 and fd00:198:0:25:1::/80 to us" \
	bash -c "grep -q '^prefix 198.18.25.128/25' $work/bgp-routing-bird.out && grep -q '^prefix fd00:198:0:25:1::/80' $work/bgp-routing-bird.out"
bgp_session routing-bad fixture_view --expect "$(topo routing-bad announce)"

# 3. OSPFv2: our hellos reach two-way with the DUT (its hellos list our router id) and the
# DUT's own view has us as a neighbour in ExStart (we send no database description). FRR's
# needs the message-digest key: without it, our hellos are dropped.
O=$(topo routing-frr ospf_md5_key)
refuse "routing-frr: OSPF hellos without MD5 authentication are ignored (no two-way in 5 s)" \
	in_tester "$PY" "$IGP" ospf --interface trt-frr --local "$F4" --seconds 5
ospf_check() {
	local n=$1 view=$2 out="$work/ospf-$1.out" pid rc
	shift 2
	in_tester "$PY" "$IGP" ospf --interface "$(topo "$n" tester_if)" --local "$(addr "$n" tester_ipv4)" \
		--seconds 10 --stay 4 "$@" >"$out" 2>&1 &
	pid=$!
	pids="$pids $pid"
	check "$n: the DUT's own view has our router id as an OSPF neighbour past Init" within 10 "$view" "$n"
	wait "$pid"
	rc=$?
	if [ "$rc" = 0 ]; then ok "$n: our OSPF hellos reached two-way"; else not_ok "$n: OSPF peer (exit $rc)" "$(tail -3 "$out")"; fi
}
frr_ospf_view() {
	vty "$1" 'show ip ospf neighbor' | grep -Eq "^$(addr "$1" tester_ipv4 | sed 's/\./\\./g') +[0-9]+ +(2-Way|ExStart|Exchange|Loading|Full)"
}
bird_ospf_view() {
	bird "$1" show ospf neighbors | grep -Eq "^$(addr "$1" tester_ipv4 | sed 's/\./\\./g')[[:space:]].*(2-Way|ExStart|Exchange|Loading|Full)"
}
ospf_check routing-frr frr_ospf_view --key "$O"
check "routing-frr: its hellos carry cryptographic authentication (autype 2)" has "$work/ospf-routing-frr.out" '^hello from .* autype 2 '
ospf_check routing-bird bird_ospf_view
check "routing-bird: its hellos carry no authentication (autype 0)" has "$work/ospf-routing-bird.out" '^hello from .* autype 0 '
ospf_check routing-bad frr_ospf_view
check "routing-bad: its hellos carry no authentication (autype 0)" has "$work/ospf-routing-bad.out" '^hello from .* autype 0 '

# 3b. OSPFv2 with our own C peer: a session campaign of OSPF alone (src/fuzz/session-ospf.c,
# rate 1, 12 s) brings the adjacency to Full (hellos, DD exchange, LSR and LSAcks) and keeps
# it there between its cases. The DUT's own view (vtysh, birdc) says Full; ours: the
# campaign's OSPF check (every 4 s, on a fresh adjacency) found the DUT Full with us.
frr_ospf_full() {
	vty "$1" 'show ip ospf neighbor' | grep -Eq "^$(addr "$1" tester_ipv4 | sed 's/\./\\./g') +[0-9]+ +Full/"
}
# routing-bird's link is broadcast (topology ospf_network): BIRD holds us Full as the BDR it
# elected, itself the DR (our hellos declare it so)
bird_ospf_full() {
	bird "$1" show ospf neighbors | grep -Eq "^$(addr "$1" tester_ipv4 | sed 's/\./\\./g')[[:space:]].*Full/BDR"
}
ospf_c_peer() { # ospf_c_peer NAME VIEW OSPF-MAP [EVIDENCE]: EVIDENCE also in the last check
	local n=$1 view=$2 map=$3 evidence=${4:-" Full with us "} out="$work/ospf-c-$1" pid rc i
	i=$(topo "$n" tester_if)
	cat >"$out.yaml" <<EOF
dutlab_profile: 1
identity: {vendor: Acme, model: BR, firmware: "1", serial: OSPF1, product_type: router}
targets:
  - {standard: ncc-ci-ict}
scope:
  networks: [$(addr "$n" dut_ipv4)]
  interfaces: [$i]
dut:
  addresses: [$(addr "$n" dut_ipv4)]
robustness:
  interface: $i
  duration: 12
  rate: 1
  seed: 1
  mix: {ospf: 1}
  monitors: [icmp]
  recovery: 10
  session_check: 4
  ospf: $map
EOF
	in_tester "$dutlab" fuzz --profile "$out.yaml" --output "$out" --sessions >"$out.json" 2>"$out.err" &
	pid=$!
	pids="$pids $pid"
	check "$n: the DUT's own view has our C peer (dutlab's OSPF plug-in) Full" within 10 "$view" "$n"
	wait "$pid"
	rc=$?
	check "$n: our C peer's OSPF campaign (exit $rc): its checks found the DUT Full with us ($evidence)" \
		"$PY" -c '
import json, sys
o = json.load(open(sys.argv[1]))["protocols"]["ospf"]
print(o.get("cases"), o.get("sessions"), o.get("checks"), o.get("checks_failed"), o.get("last_check"))
sys.exit(0 if o["cases"] > 0 and o["sessions"] >= 1 and o["checks"] >= 1 and o["checks_failed"] == 0
         and " Full with us " in o["last_check"] and sys.argv[2] in o["last_check"] else 1)' "$out.json" "$evidence"
}
if [ -x "$dutlab" ]; then
	ospf_c_peer routing-frr frr_ospf_full "{password: $O, key_id: 1, hello: 2, dead: 8}"
	ospf_c_peer routing-bird bird_ospf_full "{hello: 2, dead: 8, network: broadcast}" \
		"broadcast, DR $(addr routing-bird dut_ipv4);"
	ospf_c_peer routing-bad frr_ospf_full "{hello: 2, dead: 8}"
else
	not_ok "dutlab's OSPF peer" "no dutlab at $dutlab: build first, or pass the build directory"
fi

# 3c. A network mask that is not the DUT's, on a broadcast link: the DUT ignores such hellos
# (RFC 2328 10.5), so our peer must not wait for an adjacency that cannot come. routing-bird's
# tester port is made /25 for one OSPF campaign (session_establish 5 s; our hellos carry the
# port's own mask): it stops before any case, naming both masks and what to change, and blames
# no failure on the DUT. The port is /24 again afterwards.
ospf_mask_mismatch() {
	local i t4 port out="$work/ospf-mask" rc
	i=$(topo routing-bird tester_if)
	t4=$(addr routing-bird tester_ipv4)
	port=$(topo routing-bird tester_ipv4) # with its length: /24
	sed -e 's/^  duration: 12$/  duration: 6/' -e 's/^  recovery: 10$/  recovery: 10\n  session_establish: 5/' \
		"$work/ospf-c-routing-bird.yaml" >"$out.yaml"
	if ! { ip -n dl-tester addr del "$port" dev "$i" && ip -n dl-tester addr add "$t4/25" dev "$i"; }; then
		not_ok "routing-bird: the tester port made /25 for the mask test" "ip addr failed"
		return
	fi
	in_tester "$dutlab" fuzz --profile "$out.yaml" --output "$out" --sessions >"$out.json" 2>"$out.err"
	rc=$?
	ip -n dl-tester addr del "$t4/25" dev "$i"
	ip -n dl-tester addr add "$port" dev "$i"
	check "routing-bird: with the tester port /25, our OSPF peer stops (exit $rc, not 0) naming the DUT's mask and ours" \
		bash -c "[ $rc -ne 0 ] && grep -q \"ospf: the DUT's hello network mask is 255.255.255.0, ours 255.255.255.128 (the tester port's prefix): on a broadcast link it ignores our hellos (RFC 2328 10.5); give $i the DUT's prefix length\" '$out.err'"
	refuse "routing-bird: ... and records no DUT failure for it" \
		bash -c "ls '$out'/evidence/robustness/failure-*.pcapng 2>/dev/null | grep -q ."
	check "routing-bird: the tester port is $port again" has <(ip -n dl-tester -4 addr show dev "$i") " $port "
}
[ -x "$dutlab" ] && [ -f "$work/ospf-c-routing-bird.yaml" ] && ospf_mask_mismatch

# 4. RIPv2: our response announcing a prefix is learned by the DUT (its own RIB says so)
# only when authenticated as it asks; its own responses carry its prefix (and MD5 on FRR).
R=$(topo routing-frr rip_md5_key)
rip() {
	local n=$1
	shift
	in_tester "$PY" "$IGP" rip --interface "$(topo "$n" tester_if)" --local "$(addr "$n" tester_ipv4)" \
		--remote "$(addr "$n" dut_ipv4)" "$@"
}
check "routing-frr: ripd listens on udp/520" has <(ip netns exec dl-routing-frr ss -Hlun 'sport = :520') ':520'
rip routing-frr --announce 198.18.98.0/24 >"$work/rip-frr-noauth.out" 2>&1
rip routing-frr --announce 198.18.99.0/24 --key "$R" >"$work/rip-frr.out" 2>&1
check "routing-frr: its RIP responses carry keyed MD5 and its prefix" bash -c \
	"grep -q '^response auth md5' $work/rip-frr.out && grep -q '^route 198.18.24.128/25 metric 1' $work/rip-frr.out"
check "routing-frr: the DUT learned our MD5-authenticated RIP route 198.18.99.0/24" within 3 bash -c \
	"ip netns exec dl-routing-frr vtysh --vty_socket /run/dutlab-lab/routing-frr/frr -c 'show ip rip' | grep -Eq '^R\(n\) +198\.18\.99\.0/24 +198\.18\.24\.1 '"
refuse "routing-frr: ... and not our unauthenticated one, 198.18.98.0/24" bash -c \
	"ip netns exec dl-routing-frr vtysh --vty_socket /run/dutlab-lab/routing-frr/frr -c 'show ip rip' | grep -q '198\.18\.98\.0/24'"
check "routing-frr: the DUT counted our unauthenticated packet as bad (show ip rip status)" bash -c \
	"ip netns exec dl-routing-frr vtysh --vty_socket /run/dutlab-lab/routing-frr/frr -c 'show ip rip status' | grep -Eq '^ +198\.18\.24\.1 +[1-9]'"
for d in routing-bird routing-bad; do
	rip "$d" --announce 198.18.99.0/24 >"$work/rip-$d.out" 2>&1
	p4=$(topo "$d" announce)
	p4=${p4%% *}
	check "$d: its RIP responses carry no authentication and its prefix $p4" bash -c \
		"grep -q '^response auth none' $work/rip-$d.out && grep -q '^route $p4 metric 1' $work/rip-$d.out"
done
check "routing-bird: the DUT learned our RIP route 198.18.99.0/24 (birdc)" within 3 bash -c \
	"ip netns exec dl-routing-bird birdc -s /run/dutlab-lab/routing-bird/bird.ctl show route protocol rip4 | grep -q '^198\.18\.99\.0/24 '"
check "routing-bad: the DUT learned our RIP route 198.18.99.0/24 (vtysh)" within 3 bash -c \
	"ip netns exec dl-routing-bad vtysh --vty_socket /run/dutlab-lab/routing-bad/frr -c 'show ip rip' | grep -Eq '^R\(n\) +198\.18\.99\.0/24 '"

# 5. The link as tshark saw it (captured since section 1).
# shellcheck disable=SC2086
wait ${tshark_pids:-}
link() { # link NAME AWK-CONDITION WHAT: some captured packet of the DUT matches
	local n=$1 src
	src=$(addr "$n" dut_ipv4)
	awk -F'\t' -v s="$src" "\$1 == s && $2 {f = 1} END {exit !f}" "$work/link-$n.txt" && return 0
	echo "no $3 from $src in:"
	sort "$work/link-$n.txt" | uniq -c
	return 1
}
# shellcheck disable=SC2016 # awk conditions
check "routing-frr: on the link, OSPF with cryptographic authentication (tshark ospf.auth.type 2)" link routing-frr '$2 == 89 && $3 == 2' "OSPF autype 2"
# shellcheck disable=SC2016 # awk conditions
refuse "routing-frr: ... and no OSPF packet without it" link routing-frr '$2 == 89 && $3 != 2' "OSPF without autype 2"
# shellcheck disable=SC2016 # awk conditions
check "routing-frr: on the link, RIP with keyed MD5 (tshark rip.auth.type 3)" link routing-frr '$2 == 17 && $4 == 3' "RIP auth type 3"
# shellcheck disable=SC2016 # awk conditions
for d in routing-bird routing-bad; do
	check "$d: on the link, OSPF without authentication (ospf.auth.type 0)" link "$d" '$2 == 89 && $3 == 0' "OSPF autype 0"
	check "$d: on the link, RIP without authentication (no rip.auth.type)" link "$d" '$2 == 17 && $4 == ""' "RIP without authentication"
	refuse "$d: ... and nothing authenticated" link "$d" '($2 == 89 && $3 != 0) || ($2 == 17 && $4 != "")' "authenticated packet"
done

# 6. routing-bad's fragile BGP speaker: other malformed attributes are refused (NOTIFICATION)
# and it lives on; its one malformed AS_PATH kills it; lab restart (from dl-tester, as
# dutlab runs the profile's power_cycle) brings it back on the same link.
B4=$(addr routing-bad tester_ipv4) B=$(addr routing-bad dut_ipv4)
for kind in origin-invalid:3/6 nexthop-length:3/5; do
	in_tester "$PY" "$BGP" --local "$B4" --remote "$B" --stay 2 --send "${kind%%:*}" >"$work/bad-${kind%%:*}.out" 2>&1
	check "routing-bad: a malformed ${kind%%:*} UPDATE is refused with NOTIFICATION ${kind#*:}" \
		has "$work/bad-${kind%%:*}.out" "^notification ${kind#*:}"
	check "routing-bad: ... and the speaker lives on (lab status exit 0, tcp/8080 answers)" \
		bash -c "'$lab' status routing-bad >/dev/null && ip netns exec dl-tester nc -z -w 2 $B 8080"
done
check "routing-bad: the speaker counted the refusals" fixture_says routing-bad '2 malformations refused'
in_tester "$PY" "$BGP" --local "$B4" --remote "$B" --stay 2 --send as-path-overrun >"$work/bad-kill.out" 2>&1
check "routing-bad: the as-path-overrun UPDATE was sent in an Established session" has "$work/bad-kill.out" '^sent as-path-overrun'
check "routing-bad: the speaker died on it: tcp/179 refused" within 3 bash -c "! ip netns exec dl-tester nc -z -w 1 $B 179"
check "routing-bad: its log says FIXTURE FAULT (as-path-overrun) with the UPDATE's bytes" \
	has /run/dutlab-lab/routing-bad/log/fragilebgp.log 'FIXTURE FAULT from .* \(as-path-overrun\): AS_PATH segment .*\(UPDATE: ffffffffffffffffffffffffffffffff[0-9a-f]+\)'
"$lab" status routing-bad >"$work/status-bad.txt" 2>&1
rc=$?
if [ "$rc" = 1 ]; then ok "routing-bad: lab status says degraded (exit 1)"; else not_ok "routing-bad: lab status exit $rc, want 1" "$(cat "$work/status-bad.txt")"; fi
check "routing-bad: ... naming fragilebgp NOT running" has "$work/status-bad.txt" '^  fragilebgp: NOT running'
index=$(ip -n dl-tester -o link show trt-bad | cut -d: -f1)
t0=$(date +%s%N)
check "routing-bad: power cycle (lab restart, from dl-tester) brings it back" in_tester "$lab" restart routing-bad
echo "#   lab restart routing-bad: $((($(date +%s%N) - t0) / 1000000)) ms"
check "routing-bad: lab status exit 0 after the power cycle" "$lab" status routing-bad
check "routing-bad: the tester's interface kept its index ($index)" \
	test "$(ip -n dl-tester -o link show trt-bad | cut -d: -f1)" = "$index"
bgp_session routing-bad fixture_view --expect "$(topo routing-bad announce)"

# 7. The other two power-cycle too: every daemon again, the BGP session again.
for d in routing-frr routing-bird; do
	check "$d: lab restart" "$lab" restart "$d"
	check "$d: lab status exit 0 after restart" "$lab" status "$d"
done
bgp_session routing-frr frr_view --password "$PW" --expect 198.18.24.128/25
bgp_session routing-bird bird_view --expect 198.18.25.128/25

# 8. Down, and nothing left.
for d in $DUTS; do
	check "lab down $d" "$lab" down "$d"
done
brought=""
for d in $DUTS; do
	left=""
	[ -e "/run/netns/dl-$d" ] && left="$left namespace dl-$d;"
	[ -e "/run/dutlab-lab/$d" ] && left="$left state /run/dutlab-lab/$d;"
	i=$(topo "$d" tester_if)
	if [ -e /run/netns/dl-tester ] && ip -n dl-tester link show "$i" >/dev/null 2>&1; then
		left="$left tester interface $i;"
	fi
	p=$(pgrep -f "/run/dutlab-lab/$d/" | tr '\n' ' ')
	[ -z "$p" ] || left="$left processes $p;"
	if [ -z "$left" ]; then ok "$d: nothing left after down"; else not_ok "$d: left after down:$left"; fi
done
# Zombies do not count: they run nothing, and this machine's init may reap them late.
no_live_daemons() {
	ps -eo pid=,stat=,comm= | awk '$2 !~ /^Z/ && $3 ~ /^(zebra|bgpd|ospfd|ripd|bird|watchfrr)$/ {print; f = 1} END {exit f}'
}
check "no routing daemon left anywhere (zebra, bgpd, ospfd, ripd, bird; zombies aside)" no_live_daemons
summary
