#!/bin/bash
# sessions-health.sh: the session campaign watches the DUT while it fuzzes BGP on routing-frr: its check (the DUT still advertises the routes the profile expects) passes on a healthy DUT and fails, with evidence, on one that stops advertising them; a DUT that goes dead while the session is re-established is noticed by its monitors, not at the establish bound; OSPF dropped fails the OSPF check; a killed campaign resumes at its checkpoint; every case is in sessions-sent.pcapng.
#
# Usage (as root): tests/lab/robustness/sessions-health.sh BUILD   (routing-frr up)
# SESSIONS_HEALTH_DUT=NAME runs it against another FRR DUT of the same configuration, a private
# copy of routing-frr on other addresses: they, the port and the routes are read from its
# topology (a /24 and a /64; the keys and AS numbers are routing-frr's).
# Each part runs `dutlab fuzz --sessions` with a profile of its own (bgp or ospf only, icmp
# monitor, no power cycle) inside dl-tester; the DUT is changed only in ways undone at once: a BGP
# network statement removed and put back (vtysh), its BGP and ICMP dropped for a while (an nft
# table in its namespace; OSPF and RIP go on), or its OSPF dropped the same way. Parts: good,
# withdrawn, dead, ospf, resume.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root sessions-health.sh
need_command sessions-health.sh vtysh
need_command sessions-health.sh nft
need_command sessions-health.sh tshark
need_command sessions-health.sh sqlite3
lab_build "${1:-}"
lab_work sessions-health
dut=${SESSIONS_HEALTH_DUT:-routing-frr}
ns=dl-$dut
vty() { ip netns exec "$ns" vtysh --vty_socket "/run/dutlab-lab/$dut/frr" "$@"; }
port=$(topo "$dut" tester_if)
tester4=$(addr "$dut" tester_ipv4)
tester6=$(addr "$dut" tester_ipv6)
dut4=$(addr "$dut" dut_ipv4)
dut6=$(addr "$dut" dut_ipv6)
read -r route4 route6 <<<"$(topo "$dut" announce)"

if ! "$root/lab/lab" status "$dut" >/dev/null 2>&1; then
	not_ok "$dut is up" "lab/lab up $dut first"
	summary "sessions health: "
	exit
fi

# profile NAME PROTOCOL DURATION RATE ESTABLISH CHECK [HOLD]: a one-protocol session profile
# (bgp or ospf) for the DUT; HOLD: BGP's hold time (90 s).
profile() {
	{
		cat <<EOF
dutlab_profile: 1
identity: {vendor: Acme, model: BR-700, firmware: 8.4.4, serial: BR7F000001, product_type: router}
targets:
  - {standard: ncc-ci-ict}
scope:
  networks: [${tester4%.*}.0/24, "${tester6%::*}::/64"]
  interfaces: [$port]
dut:
  addresses: [$dut4, "$dut6"]
EOF
		if [ "$2" = bgp ]; then
			printf 'services:\n  - {proto: tcp, port: 179, name: bgp}\n'
		fi
		cat <<EOF
robustness:
  interface: $port
  duration: $3
  rate: $4
  seed: 7
  mix: {$2: 1}
  monitors: [icmp]
  recovery: 40
  session_establish: $5
  session_check: $6
EOF
		if [ "$2" = bgp ]; then
			cat <<EOF
  bgp: {local_as: 65001, peer_as: 65000, password: Lab-Bgp-Md5-24, hold_time: ${7:-90},
        expect_routes: [$route4, "$route6"]}
EOF
		else
			echo '  ospf: {password: LabOspf24, key_id: 1, hello: 2, dead: 8}'
		fi
	} >"$work/$1.yaml"
}

# fuzz NAME [ARGS]: the campaign in the tester namespace, its output in $work/NAME.
fuzz() {
	local name=$1
	shift
	ip netns exec dl-tester "$dutlab" fuzz --profile "$work/$name.yaml" --output "$work/$name" \
		--sessions "$@" >"$work/$name.out" 2>"$work/$name.err"
}

# judge NAME PYTHON [PROTOCOL]: run PYTHON on NAME's robustness.json (o) and its PROTOCOL's
# counts (b; default bgp), the DUT's routes in route4 and route6; its output is the detail.
judge() {
	python3 - "$work/$1/robustness.json" "${3:-bgp}" "$route4" "$route6" >"$work/$1.check" 2>&1 <<PY
import json, sys
o = json.load(open(sys.argv[1]))
b = o["protocols"][sys.argv[2]]
route4, route6 = sys.argv[3], sys.argv[4]
$2
PY
}

# during NAME SECONDS COMMAND...: campaign NAME in the background, COMMAND run 6 s into it, the
# DUT as it was (cleanup) SECONDS later; the status is the campaign's.
during() {
	local name=$1 seconds=$2 pid
	shift 2
	fuzz "$name" &
	pid=$!
	sleep 6
	"$@"
	sleep "$seconds"
	cleanup
	wait "$pid"
}

# drop RULE...: the DUT's input filtered by RULEs (nft, in a table cleanup deletes).
drop() {
	local rule
	{
		printf 'table inet dutlab-test {\n\tchain input {\n'
		printf '\t\ttype filter hook input priority 0; policy accept;\n'
		for rule in "$@"; do printf '\t\t%s drop\n' "$rule"; done
		printf '\t}\n}\n'
	} | ip netns exec "$ns" nft -f -
}

# withdraw: the DUT's IPv4 route no longer announced (cleanup puts it back).
withdraw() {
	vty -c 'configure terminal' -c 'router bgp 65000' -c 'address-family ipv4 unicast' \
		-c "no network $route4" >"$work/withdrawn.vty" 2>&1
}

# silence: BGP and ICMP from the tester dropped, every BGP session reset.
silence() {
	drop "ip saddr $tester4 tcp dport 179" "ip saddr $tester4 icmp type echo-request"
	vty -c 'clear bgp *' >/dev/null 2>&1
}

# cleanup: the DUT as it was (lab_exit calls it)
cleanup() {
	vty -c 'configure terminal' -c 'router bgp 65000' -c 'address-family ipv4 unicast' \
		-c "network $route4" >/dev/null 2>&1
	ip netns exec "$ns" nft delete table inet dutlab-test 2>/dev/null
}

# ---- good: the check passes all along, every case in the sent log ----
profile good bgp 20 50 20 4
if fuzz good && judge good '
assert o["completed"] and not o["failures"], "stopped: %s, failures %s" % (o.get("stopped"), o["failures"])
assert b["checks"] >= 3 and b["checks_failed"] == 0, "checks %d, failed %d" % (b["checks"], b["checks_failed"])
assert "%s %s advertised" % (route4, route6) in b["last_check"], b["last_check"]
assert o["session_establish_s"] == 20 and o["session_check_s"] == 4
print("%d cases, %d checks, the last: %s" % (o["cases"], b["checks"], b["last_check"]))
'; then
	ok "good: no failure, the check passed: $(cat "$work/good.check")"
else
	not_ok "good: no failure, the check passed" "$(tail -n 3 "$work/good.check" "$work/good.err")"
fi
sent=$work/good/evidence/robustness/sessions-sent.pcapng
cases=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["cases"])' \
	"$work/good/robustness.json" 2>/dev/null)
logged=$(tshark -r "$sent" -T fields -e frame.comment 2>/dev/null | grep -c '^bgp-[a-z0-9-]* #[0-9]* (seed 7)')
prefixes=$(tshark -r "$sent" -Y 'bgp.type == 1' -T fields -e frame.comment 2>/dev/null | grep -c 'state-building prefix')
if [ -n "$cases" ] && [ "$logged" = "$cases" ] && [ "$prefixes" -gt 0 ]; then
	ok "good: sessions-sent.pcapng holds all $cases cases, commented, after $prefixes OPEN prefixes"
else
	not_ok "good: sessions-sent.pcapng holds every case" "cases $cases, commented frames $logged, OPEN prefixes $prefixes"
fi

# ---- withdrawn: the DUT stops advertising a route: bgp.check fails with that evidence ----
profile withdrawn bgp 30 50 6 2
during withdrawn 14 withdraw
status=$?
if [ "$status" -eq 0 ] && judge withdrawn '
f = o["failures"][0] if o["failures"] else {}
assert f.get("monitor") == "bgp.check", "failures: %s" % o["failures"]
assert f.get("during") == "checking the protocol", f.get("during")
assert "%s not advertised" % route4 in f["evidence"], f["evidence"]
assert f.get("recovery") == "recovered", f.get("recovery")
assert b["checks_failed"] >= 1
print("after %.0f s: %s; %s" % (f["at_s"], f["evidence"], f["recovery"]))
'; then
	ok "withdrawn: the route's withdrawal is a bgp.check failure: $(cat "$work/withdrawn.check")"
else
	not_ok "withdrawn: the route's withdrawal is a bgp.check failure" "status $status; $(tail -n 3 "$work/withdrawn.check" "$work/withdrawn.err")"
fi

# ---- dead: BGP and ICMP dropped, then the session reset: the icmp monitor says so while the
# session is awaited, long before the 60 s establish bound (a hold time of 9 s: the DUT's side
# of a session the drop stranded expires before the recovery ends) ----
profile dead bgp 30 50 60 30 9
during dead 16 silence
status=$?
if [ "$status" -eq 0 ] && judge dead '
f = o["failures"][0] if o["failures"] else {}
assert f.get("monitor") == "icmp", "failures: %s" % o["failures"]
assert f.get("during") == "re-establishing the session", f.get("during")
assert f["at_s"] < 6 + 12, "noticed after %.1f s" % f["at_s"]
assert f.get("recovery") == "recovered", f.get("recovery")
print("icmp after %.1f s (bound 60 s), %s: %s" % (f["at_s"], f["during"], f["evidence"]))
'; then
	ok "dead: noticed by its monitor while the session was re-established: $(cat "$work/dead.check")"
else
	not_ok "dead: noticed by its monitor while the session was re-established" "status $status; $(tail -n 3 "$work/dead.check" "$work/dead.err")"
fi

# ---- ospf: OSPF from the tester dropped by the DUT (ICMP and BGP go on): the OSPF check,
# which brings a fresh adjacency to Full, fails with that evidence, and the DUT recovers once
# the drop is lifted (the check proven the other way: tests/lab/routing/duts.sh and the
# routing campaigns find the DUT Full) ----
profile ospf ospf 30 20 8 3
during ospf 16 drop "ip saddr $tester4 ip protocol 89"
status=$?
if [ "$status" -eq 0 ] && judge ospf '
f = o["failures"][0] if o["failures"] else {}
assert f.get("monitor", "").startswith("ospf"), "failures: %s" % o["failures"]
assert f.get("during") in ("checking the protocol", "re-establishing the session"), f.get("during")
assert "ospf: " in f["evidence"] and "Full" in f["evidence"], f["evidence"]
assert f.get("recovery") == "recovered", f.get("recovery")
assert b["checks"] >= 2 and b["checks_failed"] >= 1, "checks %d, failed %d" % (b["checks"], b["checks_failed"])
print("%s after %.0f s, %s: %s; %s" % (f["monitor"], f["at_s"], f["during"], f["evidence"][:160], f["recovery"]))
' ospf; then
	ok "ospf: OSPF dropped is an ospf failure, then recovered: $(cat "$work/ospf.check")"
else
	not_ok "ospf: OSPF dropped is an ospf failure" "status $status; $(tail -n 3 "$work/ospf.check" "$work/ospf.err")"
fi

# ---- resume: killed midway, the same command resumes at its checkpoint ----
profile resume bgp 24 50 20 10
ip netns exec dl-tester "$dutlab" fuzz --profile "$work/resume.yaml" --output "$work/resume" \
	--sessions >"$work/resume-first.out" 2>&1 &
pid=$!
sleep 14
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
status=$?
checkpoint=$(sqlite3 "$work/resume/campaign.db" \
	"SELECT value FROM meta WHERE key='robustness.sessions.checkpoint'" 2>/dev/null)
next=$(printf '%s' "$checkpoint" | python3 -c 'import json, sys; print(json.load(sys.stdin)["next_index"])' 2>/dev/null)
if [ "$status" -eq 137 ] && [ -n "$next" ] && [ "$next" -gt 0 ]; then
	ok "resume: killed after 14 s, campaign.db holds a checkpoint at case $next"
else
	not_ok "resume: a checkpoint survives SIGKILL" "status $status, checkpoint '${checkpoint:0:200}'"
fi
if fuzz resume && judge resume "
at = o.get('resumed_at_index', 0)
assert at >= int('${next:-0}') > 0, 'resumed at %s, the checkpoint said ${next:-0}' % at
assert o['seconds_run'] >= 23.5, 'only %.1f s run in all' % o['seconds_run']
assert o['completed'] and not o['failures'], 'stopped: %s' % o.get('stopped')
counted = sum(t['cases'] for t in b['templates'].values())
assert counted == o['cases'] == b['cases'], '%d cases by template, %d in all' % (counted, o['cases'])
assert b['sessions'] > b['resets'] / 2, 'sessions %d, resets %d' % (b['sessions'], b['resets'])
print('resumed at case %d; %.1f s, %d cases, %d sessions in all' % (at, o['seconds_run'], o['cases'], b['sessions']))
"; then
	ok "resume: the same command resumed: $(cat "$work/resume.check")"
else
	not_ok "resume: the campaign resumes at its checkpoint" "$(tail -n 3 "$work/resume.check" "$work/resume.err")"
fi
summary "sessions health: "
