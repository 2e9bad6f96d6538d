#!/bin/bash
# refused-teardown.sh: a TEARDOWN case stream-good's GStreamer refuses (a 4xx on a connection it keeps: the case's Session or URL mutated) has not spent its session: the campaign sends its next cases on that connection, not on a new one; tshark, not dutlab, is the witness.
#
# Usage (as root): tests/lab/stream/refused-teardown.sh BUILD
# Brings stream-good up when it is down (and down again after); found up, it is used and left
# up. Runs `dutlab fuzz --sessions` inside dl-tester with the DUT's lab profile, its mix
# {rtsp: 1}, 400 cases a second on 4 links and a short duration, while tshark captures the RTSP connections; then, per TCP
# connection, finds each TEARDOWN answered 4xx and whether a request other than TEARDOWN
# followed it there. Before the engine took a refusal as the session kept, none did: each
# such connection got the engine's closing TEARDOWN and a reset (830 refused, 0 went on, in
# a 12 s run at full rate on 16 links; 302 of 850 went on after). Not all go on: the DUT
# closes some connections after its 400, and a link whose next case wants another state
# gets a new session.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root refused-teardown.sh
need_command refused-teardown.sh tshark
lab_build "${1:-}"
need_dutlab refused-teardown.sh
lab_work refused-teardown
PY=/usr/bin/python3
SECONDS_RUN=8
d=stream-good
brought=""

cleanup() {
	[ -n "$brought" ] && "$lab" down "$d" >/dev/null 2>&1
}

if ! "$lab" status "$d" >/dev/null 2>&1; then
	brought=$d
	lab_up "$d" "$work/up-$d.log"
fi

"$PY" - "$root/lab/duts/stream/good/profile.yaml" "$work/$d.yaml" <<'PY'
import sys, yaml
p = yaml.safe_load(open(sys.argv[1]))
r = p["robustness"]
r["mix"] = {"rtsp": 1}
r["rate"] = 400  # a few hundred TEARDOWN cases in the run
r["session_links"] = 4
r["max_failures"] = 1
yaml.safe_dump(p, open(sys.argv[2], "w"), sort_keys=False)
PY

captured_sessions "$d" "$work/$d.yaml" "$SECONDS_RUN" 'tcp port 554' -s 512
status=$?
o=$work/$d/robustness.json
if [ "$status" -ne 0 ] || [ ! -f "$o" ]; then
	not_ok "$d: the RTSP session campaign ran" "exit $status: $(tail -3 "$work/$d.out")"
	summary "refused teardown: "
	exit
fi
failures=$("$PY" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["failures"]))' "$o")
if [ "$failures" -eq 0 ]; then
	ok "$d: ${SECONDS_RUN} s of RTSP cases, no failure"
else
	not_ok "$d: RTSP cases without a failure" "$failures failures in $o"
fi

# per connection: TEARDOWNs answered 4xx, and those a request other than TEARDOWN followed
read -r refused went_on < <(tshark -r "$work/$d.pcapng" -Y 'rtsp.request or rtsp.response' \
	-T fields -e tcp.stream -e rtsp.method -e rtsp.status 2>/dev/null | "$PY" -c '
import collections, sys
by = collections.defaultdict(list)
for line in sys.stdin:
    stream, method, status = (line.rstrip("\n").split("\t") + ["", ""])[:3]
    by[stream].append((method, status))
refused = went_on = 0
for events in by.values():
    for i, (method, _) in enumerate(events[:-1]):
        if method != "TEARDOWN" or not events[i + 1][1].startswith("4"):
            continue
        refused += 1
        went_on += any(m and m != "TEARDOWN" for m, _ in events[i + 2:])
print(refused, went_on)')
if [ "${refused:-0}" -ge 20 ] && [ "${went_on:-0}" -ge $((refused / 10 + 1)) ]; then
	ok "$d: of $refused TEARDOWNs answered 4xx, $went_on had more cases after them on their connection"
else
	not_ok "$d: a refused TEARDOWN keeps its session for the next cases" \
		"${refused:-?} TEARDOWNs answered 4xx, ${went_on:-?} followed by another request on their connection"
fi

summary "refused teardown: "
