#!/bin/bash
# sessions-reproducer.sh: the session reproducer robustness.sessions saved for routing-bad is one BGP session tshark reads: the OPEN/KEEPALIVE prefix, then the culprit UPDATE with its AS_PATH overrun.
#
# Usage (as root): tests/lab/robustness/sessions-reproducer.sh CAMPAIGN
# CAMPAIGN is a finished campaign of routing-bad (lab/duts/routing/bad/profile.yaml)
# whose robustness.sessions found the fragile BGP speaker. The check: its first
# failure's reproducer holds three frames from the tester to tcp/179; tshark
# dissects them as BGP OPEN, KEEPALIVE and UPDATE, no Malformed before the last;
# the first two are commented as the state-building prefix, the last names an
# bgp.as_path field.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root sessions-reproducer.sh
need_command sessions-reproducer.sh tshark
campaign=$1
session_reproducer "$campaign" routing-bad
types=$(tshark -r "$file" -Y bgp -T fields -e bgp.type 2>/dev/null | tr '\n' ' ')
if [ "$types" = "1 4 2 " ]; then
	ok "routing-bad: $pcap is BGP OPEN, KEEPALIVE, UPDATE"
else
	not_ok "routing-bad: $pcap is BGP OPEN, KEEPALIVE, UPDATE" "bgp.type per frame: $types"
fi
ports=$(tshark -r "$file" -T fields -e tcp.dstport 2>/dev/null | sort -u | tr '\n' ' ')
seqs=$(tshark -r "$file" -o tcp.relative_sequence_numbers:FALSE -T fields -e tcp.seq -e tcp.nxtseq 2>/dev/null | tr '\n\t' '  ')
if [ "$ports" = "179 " ] && python3 -c '
import sys
v = [int(x) for x in sys.argv[1].split()]
sys.exit(0 if len(v) == 6 and v[1] == v[2] and v[3] == v[4] else 1)' "$seqs"; then
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
summary "routing-bad session reproducer: "
