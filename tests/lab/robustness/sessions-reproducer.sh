#!/bin/bash
# sessions-reproducer.sh: the session reproducer robustness.sessions saved for routing-bad is one BGP session tshark reads: the OPEN/KEEPALIVE prefix, the culprit UPDATE with its AS_PATH overrun and the barrier behind it; the campaign's barriers were answered.
#
# Usage (as root): tests/lab/robustness/sessions-reproducer.sh CAMPAIGN
# CAMPAIGN is a finished campaign of routing-bad (lab/duts/routing/bad/profile.yaml)
# whose robustness.sessions found the fragile BGP speaker. The check: its first
# failure's reproducer holds four frames from the tester to tcp/179; tshark
# dissects them as BGP OPEN, KEEPALIVE, UPDATE and ROUTE-REFRESH, no Malformed in
# the prefix; the first two are commented as the state-building prefix, the third
# names a bgp.as_path field, the fourth is the session's barrier (a request, RFC
# 7313). The speaker offers enhanced route refresh, so the campaign sent barriers
# and the speaker's BoRRs acknowledged some (the observation's bgp counts) before
# it died: the barrier path ran against a dying DUT.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root sessions-reproducer.sh
need_command sessions-reproducer.sh tshark
campaign=$1
session_reproducer "$campaign" routing-bad
types=$(tshark -r "$file" -Y bgp -T fields -e bgp.type 2>/dev/null | tr '\n' ' ')
if [ "$types" = "1 4 2 5 " ]; then
	ok "routing-bad: $pcap is BGP OPEN, KEEPALIVE, UPDATE, ROUTE-REFRESH"
else
	not_ok "routing-bad: $pcap is BGP OPEN, KEEPALIVE, UPDATE, ROUTE-REFRESH" "bgp.type per frame: $types"
fi
ports=$(tshark -r "$file" -T fields -e tcp.dstport 2>/dev/null | sort -u | tr '\n' ' ')
seqs=$(tshark -r "$file" -o tcp.relative_sequence_numbers:FALSE -T fields -e tcp.seq -e tcp.nxtseq 2>/dev/null | tr '\n\t' '  ')
if [ "$ports" = "179 " ] && python3 -c '
import sys
v = [int(x) for x in sys.argv[1].split()]
sys.exit(0 if len(v) == 8 and v[1] == v[2] and v[3] == v[4] and v[5] == v[6] else 1)' "$seqs"; then
	ok "routing-bad: one TCP stream to port 179, each segment's sequence following the last"
else
	not_ok "routing-bad: one TCP stream to port 179" "ports: $ports; seq/nextseq: $seqs"
fi
malformed=$(tshark -r "$file" -Y '_ws.malformed && frame.number < 3' 2>/dev/null | wc -l)
if [ "$malformed" -eq 0 ]; then
	ok "routing-bad: no Malformed in the prefix"
else
	not_ok "routing-bad: no Malformed in the prefix" "$(tshark -r "$file" -Y _ws.malformed 2>/dev/null)"
fi
comments=$(tshark -r "$file" -T fields -e frame.comment 2>/dev/null)
first=$(printf '%s\n' "$comments" | sed -n 1p)
last=$(printf '%s\n' "$comments" | sed -n 3p)
case $first in
"state-building prefix:"*) ok "routing-bad: the prefix is commented: $first" ;;
*) not_ok "routing-bad: the prefix is commented" "frame 1: $first" ;;
esac
if printf '%s' "$last" | grep -Eq '^bgp-update-ipv[46] #[0-9]+ \(seed [0-9]+\): [a-z-]+ bgp\.as_path\.'; then
	ok "routing-bad: the culprit names its AS_PATH field: $last"
else
	not_ok "routing-bad: the culprit names its AS_PATH field" "frame 3: $last"
fi
barrier=$(tshark -r "$file" -Y 'frame.number == 4' -T fields -e bgp.route_refresh.afi \
	-e bgp.route_refresh.subtype -e bgp.route_refresh.safi 2>/dev/null | tr '\t' ' ')
if [ "$barrier" = "1 0 1" ] && printf '%s\n' "$comments" | sed -n 4p | grep -q '^written behind the case by the session: the barrier'; then
	ok "routing-bad: the culprit's barrier follows it (ROUTE-REFRESH request, IPv4 unicast)"
else
	not_ok "routing-bad: the culprit's barrier follows it" "frame 4: afi subtype safi '$barrier'; $(printf '%s\n' "$comments" | sed -n 4p)"
fi
barriers=$(printf '%s' "$observation" | python3 -c '
import json, sys
b = json.load(sys.stdin)["protocols"]["bgp"]
print(b.get("refresh_barriers", 0), b.get("refresh_barriers_answered", 0))')
read -r sent answered <<<"$barriers"
if [ "${answered:-0}" -gt 0 ] && [ "$sent" -ge "$answered" ]; then
	ok "routing-bad: the campaign's barriers were acknowledged ($answered of $sent answered by a BoRR)"
else
	not_ok "routing-bad: the campaign's barriers were acknowledged" "refresh_barriers, refresh_barriers_answered: $barriers"
fi
summary "routing-bad session reproducer: "
