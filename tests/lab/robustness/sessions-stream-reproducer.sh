#!/bin/bash
# sessions-stream-reproducer.sh: the session reproducer robustness.sessions saved for stream-bad is one RTSP session tshark reads (OPTIONS, DESCRIBE, SETUP, PLAY, then the culprit SETUP with its interleaved channel past 255) as it went on the wire (the session's CSeq and Session, no placeholder), and its culprit alone kills the fragile RTSP responder again.
#
# Usage (as root): tests/lab/robustness/sessions-stream-reproducer.sh CAMPAIGN
# CAMPAIGN is a finished campaign of stream-bad (lab/duts/stream/bad/profile.yaml) whose
# robustness.sessions found the fragile RTSP responder. The checks: its first failure's
# reproducer holds frames from the tester to tcp/554 that tshark dissects as RTSP, the
# state-building prefix first (commented so), the culprit last, naming its
# rtsp.transport.interleaved field; every request as the replay sent it: none holds a
# template placeholder (CSeq 314159, Session DUTLAB0SESSION0ID, Authorization "Digest
# dutlab-placeholder"), the CSeqs count up through the session and the culprit carries the
# Session the prefix's PLAY did; the culprit's request sent alone on a fresh connection kills
# stream-bad's responder (tcp/554 refused, its log says interleaved-overrun); lab restart
# brings it back.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root sessions-stream-reproducer.sh
need_command sessions-stream-reproducer.sh tshark
campaign=$1
session_reproducer "$campaign" stream-bad
frames=$(tshark -r "$file" -T fields -e frame.number 2>/dev/null | wc -l)
methods=$(tshark -r "$file" -Y rtsp.request -T fields -e rtsp.method 2>/dev/null | tr '\n' ' ')
case $methods in
"OPTIONS DESCRIBE "*"SETUP PLAY SETUP ")
	ok "stream-bad: $pcap is RTSP: $methods" ;;
*) not_ok "stream-bad: $pcap is the RTSP prefix and a SETUP" "methods per frame: $methods" ;;
esac
ports=$(tshark -r "$file" -T fields -e tcp.dstport 2>/dev/null | sort -u | tr '\n' ' ')
if [ "$ports" = "554 " ]; then
	ok "stream-bad: one TCP stream to port 554"
else
	not_ok "stream-bad: one TCP stream to port 554" "ports: $ports"
fi
malformed=$(tshark -r "$file" -Y "_ws.malformed && frame.number < $frames" 2>/dev/null | wc -l)
if [ "$malformed" -eq 0 ]; then
	ok "stream-bad: no Malformed in the prefix"
else
	not_ok "stream-bad: no Malformed in the prefix" "$(tshark -r "$file" -Y _ws.malformed 2>/dev/null)"
fi
comments=$(tshark -r "$file" -T fields -e frame.comment 2>/dev/null)
first=$(printf '%s\n' "$comments" | sed -n 1p)
last=$(printf '%s\n' "$comments" | sed -n "${frames}p")
case $first in
"state-building prefix:"*) ok "stream-bad: the prefix is commented: $first" ;;
*) not_ok "stream-bad: the prefix is commented" "frame 1: $first" ;;
esac
if printf '%s' "$last" | grep -Eq '^rtsp-setup(-new)? #[0-9]+ \(seed [0-9]+\): [a-z-]+ rtsp\.transport\.interleaved_rt(c)?p [0-9]+ -> [0-9]+'; then
	ok "stream-bad: the culprit names its interleaved channel: $last"
else
	not_ok "stream-bad: the culprit names its interleaved channel" "frame $frames: $last"
fi
transport=$(tshark -r "$file" -Y "frame.number == $frames" -T fields -e rtsp.transport 2>/dev/null)
if printf '%s' "$transport" | python3 -c '
import re, sys
m = re.search(r"interleaved=([0-9]+)(-([0-9]+))?", sys.stdin.read())
sys.exit(0 if m and max(int(m.group(1)), int(m.group(3) or 0)) > 255 else 1)'; then
	ok "stream-bad: the culprit's Transport has a channel past 255: $transport"
else
	not_ok "stream-bad: the culprit's Transport has a channel past 255" "Transport: $transport"
fi

# The requests as they went on the wire: the replay's session values, not the templates'
# placeholders the send hook replaces. CSeq is no field of tshark's: its header lines are read.
headers=$(tshark -r "$file" -Y rtsp.request -O rtsp 2>/dev/null)
sessions=$(tshark -r "$file" -Y rtsp.request -T fields -e rtsp.session 2>/dev/null)
placeholders=$(printf '%s\n%s\n' "$headers" "$sessions" |
	grep -E '314159|DUTLAB0SESSION0ID|dutlab-placeholder')
if [ -z "$placeholders" ]; then
	ok "stream-bad: no placeholder in the reproducer (CSeq 314159, Session DUTLAB0SESSION0ID, Digest dutlab-placeholder)"
else
	not_ok "stream-bad: no placeholder in the reproducer" "$(printf '%s' "$placeholders" | head -3)"
fi
cseqs=$(printf '%s\n' "$headers" | sed -n 's/^ *CSeq: *\([0-9][0-9]*\).*/\1/p' | tr '\n' ' ')
requests=$(tshark -r "$file" -Y rtsp.request -T fields -e frame.number 2>/dev/null | wc -l)
if python3 -c '
import sys
c = [int(x) for x in sys.argv[1].split()]
sys.exit(0 if len(c) == int(sys.argv[2]) and c[0] < 100 and
         all(a < b for a, b in zip(c, c[1:])) else 1)' "$cseqs" "$requests"; then
	ok "stream-bad: the CSeqs count up through the session: $cseqs"
else
	not_ok "stream-bad: the CSeqs count up through the session" "CSeq per request: $cseqs($requests requests)"
fi
play=$(tshark -r "$file" -Y 'rtsp.method == "PLAY"' -T fields -e rtsp.session 2>/dev/null | tail -1)
culprit_session=$(tshark -r "$file" -Y "frame.number == $frames" -T fields -e rtsp.session 2>/dev/null)
if [ -n "$play" ] && [ "${culprit_session%%;*}" = "${play%%;*}" ]; then
	ok "stream-bad: the culprit carries the session's id: $culprit_session"
else
	not_ok "stream-bad: the culprit carries the session's id" "PLAY: '$play', culprit: '$culprit_session'"
fi

# The culprit alone, on a fresh connection, kills the responder again.
B=198.18.28.2
if ! "$lab" status stream-bad >/dev/null 2>&1; then
	in_tester "$lab" restart stream-bad >/dev/null 2>&1 || "$lab" up stream-bad >/dev/null 2>&1
fi
log=/run/dutlab-lab/stream-bad/log/fragilertsp.log
faults=$(grep -c 'FIXTURE FAULT' "$log" 2>/dev/null)
tshark -r "$file" -Y "frame.number == $frames" -T fields -e tcp.payload 2>/dev/null | tr -d ':\n' >"$campaign/culprit.hex"
if in_tester python3 - "$B" "$campaign/culprit.hex" <<'PY'; then
import socket, sys
data = bytes.fromhex(open(sys.argv[2]).read().strip())
s = socket.create_connection((sys.argv[1], 554), timeout=3)
s.sendall(data)
try:
    s.recv(4096)
except OSError:
    pass
PY
	ok "stream-bad: the culprit's $(wc -c <"$campaign/culprit.hex" | awk '{print $1 / 2}') bytes sent alone"
else
	not_ok "stream-bad: the culprit sent alone" "no connection to $B:554"
fi
dead=1
for _ in $(seq 1 15); do
	if ! in_tester nc -z -w 1 "$B" 554 2>/dev/null; then
		dead=0
		break
	fi
	sleep 0.2
done
if [ "$dead" -eq 0 ] && [ "$(grep -c 'FIXTURE FAULT' "$log")" -gt "${faults:-0}" ] &&
	tail -n 5 "$log" | grep -q 'FIXTURE FAULT from .* (interleaved-overrun)'; then
	ok "stream-bad: the culprit alone killed the responder (tcp/554 refused, interleaved-overrun logged)"
else
	not_ok "stream-bad: the culprit alone kills the responder" "$(tail -3 "$log")"
fi
if in_tester "$lab" restart stream-bad >/dev/null 2>&1; then
	ok "stream-bad: lab restart brings it back"
else
	not_ok "stream-bad: lab restart brings it back"
fi
summary "stream-bad session reproducer: "
