#!/bin/bash
# reproducer.sh: the one-packet pcapng a robustness campaign saved kills the bad DUT again, alone, sent by another tool (scapy).
#
# Usage (as root): tests/lab/packet/reproducer.sh WORK DUT TRIGGER...
# WORK/DUT is a finished campaign of DUT (firewall-bad, switch-bad) whose
# robustness.packets (router-bad: robustness.sessions, its IPv4 and IPv6 frames) found the
# fragile responder. The check: the reproducer of its first failure holds one frame, its
# comment names the field, and that frame sent into the restarted DUT (scapy sendp from
# dl-tester) makes the responder die with one of its TRIGGERs; the DUT is restarted after.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root reproducer.sh
work=$1 dut=$2
shift 2
campaign=$work/$dut
observation=$(sqlite3 "$campaign/campaign.db" \
	"SELECT observation FROM collector_run WHERE collector_id='robustness.packets'")
# a router's (NCC 5.4.3.2) frames go out in its session campaign: a frames case's reproducer is
# its one frame too
[ -n "$observation" ] || observation=$(sqlite3 "$campaign/campaign.db" \
	"SELECT observation FROM collector_run WHERE collector_id='robustness.sessions'")
pcap=$(printf '%s' "$observation" | python3 -c '
import json, sys
o = json.load(sys.stdin)
f = o["failures"][0] if o.get("failures") else {}
print(f.get("reproducer", ""))')
if [ -z "$pcap" ] || [ ! -f "$campaign/$pcap" ]; then
	not_ok "$dut: the campaign saved a reproducer" "observation: ${observation:0:300}"
	summary "$dut reproducer: "
	exit
fi
frames=$(tshark -r "$campaign/$pcap" 2>/dev/null | wc -l)
comment=$(tshark -r "$campaign/$pcap" -T fields -e frame.comment 2>/dev/null | head -1)
if [ "$frames" -eq 1 ]; then
	ok "$dut: $pcap holds one frame: $comment"
else
	not_ok "$dut: the reproducer holds one frame" "$frames frames in $campaign/$pcap"
fi
interface=$(sed -n 's/^tester_if=//p' "$root/lab/duts/${dut%-*}/${dut##*-}/topology")
log=/run/dutlab-lab/$dut/log/responder.log
if ! out=$("$lab" restart "$dut" 2>&1); then
	not_ok "$dut: lab restart" "$(printf '%s\n' "$out" | tail -5)"
fi
before=$(grep -c "FIXTURE FAULT" "$log" 2>/dev/null)
sleep 2 # the responder's packet socket opens after its port
ip netns exec dl-tester /usr/bin/python3 -c '
import sys
from scapy.all import rdpcap, sendp
sendp(rdpcap(sys.argv[1]), iface=sys.argv[2], verbose=False)' "$campaign/$pcap" "$interface"
died=""
for _ in $(seq 1 50); do
	sleep 0.1
	after=$(grep -c "FIXTURE FAULT" "$log" 2>/dev/null)
	if [ "${after:-0}" -gt "${before:-0}" ]; then
		died=$(grep "FIXTURE FAULT" "$log" | tail -1)
		break
	fi
done
matched=""
for trigger in "$@"; do
	case $died in *"($trigger)"*) matched=$trigger ;; esac
done
if [ -n "$matched" ] && ! "$lab" status "$dut" >/dev/null 2>&1; then
	ok "$dut: the reproducer alone, sent by scapy, kills the responder again ($matched)"
else
	not_ok "$dut: the reproducer kills the responder again" "responder log: ${died:-nothing new}"
fi
"$lab" restart "$dut" >/dev/null 2>&1
summary "$dut reproducer: "
