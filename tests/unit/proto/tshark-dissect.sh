#!/bin/sh
# tshark-dissect: every packet our builders make must dissect cleanly in tshark
#
# Usage: tshark-dissect.sh PROTO_EMIT
# For each builder: write its output into a pcap (pcap-wrap.py), then assert
# tshark shows the right protocol layer, no "Malformed" and no expert
# warnings or errors. Exit 77 (skip) if tshark is not installed.
set -eu
emit=$1
here=$(cd "$(dirname "$0")" && pwd)
command -v tshark >/dev/null 2>&1 || { echo "tshark not installed: skipped"; exit 77; }
work=$(mktemp -d /tmp/dutlab-tshark.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
export HOME="$work" # keep tshark's profile out of the real home
failed=0
check() { # check NAME udp|tcp PORT LAYER
	name=$1 proto=$2 port=$3 layer=$4
	"$emit" "$name" 198.18.250.2 >"$work/$name.bin"
	python3 "$here/pcap-wrap.py" "$work/$name.pcap" "$proto" "$port" "$work/$name.bin"
	tshark -n -r "$work/$name.pcap" -V >"$work/$name.txt" 2>&1
	tshark -n -r "$work/$name.pcap" -q -z expert >"$work/$name.expert" 2>&1
	layers=$(tshark -n -r "$work/$name.pcap" -T fields -e frame.protocols 2>/dev/null | tail -1)
	why=""
	case ":$layers:" in *":$layer:"*) ;; *) why="no '$layer' layer (saw $layers)" ;; esac
	if grep -qi "malformed" "$work/$name.txt"; then why="$why; tshark says Malformed"; fi
	if grep -Eq "^(Errors|Warnings) \(" "$work/$name.expert"; then
		why="$why; expert info: $(grep -A3 -E '^(Errors|Warnings) \(' "$work/$name.expert" | tr '\n' ' ')"
	fi
	if [ -n "$why" ]; then
		echo "not ok - $name: $why"
		failed=1
	else
		echo "ok - $name dissects as $layer"
	fi
}
check snmp-v2c-public udp 161 snmp
check snmp-v1-public udp 161 snmp
check ssdp-msearch udp 1900 ssdp
check mdns-services udp 5353 mdns
check mdns-a-query udp 5353 mdns
check ntp-client udp 123 ntp
check tftp-rrq udp 69 tftp
check syslog-notice udp 514 syslog
check rtsp-options tcp 554 rtsp
check rtsp-describe tcp 554 rtsp
check identify:554 tcp 554 rtsp
check identify:80 tcp 80 http
exit "$failed"
