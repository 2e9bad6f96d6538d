#!/bin/bash
# udp-sessions.sh: the session campaign's RTP and RTCP on the negotiated UDP ports (rtp-udp, rtcp-udp): against stream-good's GStreamer they go by UDP to the server_port its SETUP answer named, RTP comes back to our client port and no failure is found; stream-bad's responder, which streams over TCP only, refuses the UDP SETUP and dutlab says it found no session.
#
# Usage (as root): tests/lab/stream/udp-sessions.sh BUILD
# Brings stream-good and stream-bad up when they are down (and down again after); a DUT
# found up is used and left up. Each part runs `dutlab fuzz --sessions` inside dl-tester
# with the DUT's lab profile, its mix {rtp-udp: 1, rtcp-udp: 1} and a short duration, while
# tshark counts the UDP datagrams on the tester port both ways (independent of dutlab's
# counts).
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root udp-sessions.sh
need_command udp-sessions.sh tshark
lab_build "${1:-}"
need_dutlab udp-sessions.sh
lab_work udp-sessions
PY=/usr/bin/python3
SECONDS_RUN=20
brought=""

cleanup() {
	local d
	for d in $brought; do
		"$lab" down "$d" >/dev/null 2>&1
	done
}

# profile DUT OUT: DUT's lab profile with only the UDP media plug-ins in its mix.
profile() {
	"$PY" - "$root/lab/duts/${1%-*}/${1##*-}/profile.yaml" "$2" <<'PY'
import sys, yaml
p = yaml.safe_load(open(sys.argv[1]))
r = p["robustness"]
r["mix"] = {"rtp-udp": 1, "rtcp-udp": 1}
r["max_failures"] = 1
yaml.safe_dump(p, open(sys.argv[2], "w"), sort_keys=False)
PY
}

# json FILE EXPRESSION: a value of the observation (o), printed by Python.
json() {
	"$PY" -c 'import json, sys; o = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

for d in stream-good stream-bad; do
	if ! "$lab" status "$d" >/dev/null 2>&1; then
		brought="$brought $d"
		lab_up "$d" "$work/up-$d.log"
	fi
done

# 1. stream-good: cases by UDP, RTP back to our port, no failure.
d=stream-good
dut=$(topo "$d" dut_ipv4)
dut=${dut%/*}
profile "$d" "$work/$d.yaml"
captured_sessions "$d" "$work/$d.yaml" "$SECONDS_RUN" 'udp and not port 5514'
status=$?
o=$work/$d/robustness.json
if [ "$status" -ne 0 ] || [ ! -f "$o" ]; then
	not_ok "$d: the UDP session campaign ran" "exit $status: $(tail -3 "$work/$d.out")"
else
	rtp=$(json "$o" 'o["protocols"]["rtp-udp"]["cases"]')
	rtcp=$(json "$o" 'o["protocols"]["rtcp-udp"]["cases"]')
	failures=$(json "$o" 'len(o["failures"])')
	check=$(json "$o" 'o["protocols"]["rtp-udp"].get("last_check", "")')
	if [ "$rtp" -ge 50 ] && [ "$rtcp" -ge 50 ] && [ "$failures" -eq 0 ]; then
		ok "$d: $rtp rtp-udp and $rtcp rtcp-udp cases in ${SECONDS_RUN} s, no failure"
	else
		not_ok "$d: UDP cases sent, no failure" "rtp-udp $rtp, rtcp-udp $rtcp, failures $failures"
	fi
	if printf '%s' "$check" | grep -Eq '^rtsp: OPTIONS 200, DESCRIBE, SETUP and PLAY 200 in [0-9.]+ s, RTP on UDP port [0-9]+ after'; then
		ok "$d: the check sees RTP on our UDP port ($check)"
	else
		not_ok "$d: the check sees RTP on our UDP port" "last check: $check"
	fi
	# tshark's count, not dutlab's: datagrams to the DUT (our cases) and from it (its RTP and
	# RTCP to our client ports)
	sent=$(tshark -r "$work/$d.pcapng" -Y "ip.dst == $dut && udp" 2>/dev/null | wc -l)
	came=$(tshark -r "$work/$d.pcapng" -Y "ip.src == $dut && udp" 2>/dev/null | wc -l)
	if [ "$sent" -ge $((rtp + rtcp)) ] && [ "$came" -ge 10 ]; then
		ok "$d: tshark saw $sent UDP datagrams to the DUT and $came from it"
	else
		not_ok "$d: tshark saw the UDP media both ways" \
			"$sent to the DUT (dutlab sent $((rtp + rtcp)) cases), $came from it"
	fi
fi

# 2. stream-bad: its responder streams over TCP only: no UDP session, said so.
d=stream-bad
profile "$d" "$work/$d.yaml"
"$PY" - "$work/$d.yaml" <<'PY'
import sys, yaml
p = yaml.safe_load(open(sys.argv[1]))
p["robustness"]["session_establish"] = 5
yaml.safe_dump(p, open(sys.argv[1], "w"), sort_keys=False)
PY
in_tester "$dutlab" fuzz --profile "$work/$d.yaml" --output "$work/$d" --duration 5 \
	--sessions >"$work/$d.out" 2>&1
status=$?
if [ "$status" -ne 0 ] && grep -q 'no rtp-udp session with the DUT' "$work/$d.out"; then
	ok "$d: a DUT that refuses RTP over UDP gives no rtp-udp session, said so"
else
	not_ok "$d: no rtp-udp session with a TCP-only responder" "exit $status: $(tail -3 "$work/$d.out")"
fi
if "$lab" status "$d" >/dev/null 2>&1; then
	ok "$d: the refused UDP SETUPs left its responder running"
else
	not_ok "$d: its responder still runs after the UDP SETUPs" "$("$lab" status "$d" 2>&1 | tail -5)"
fi

summary "udp sessions: "
