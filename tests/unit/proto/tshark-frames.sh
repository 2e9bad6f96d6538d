#!/bin/sh
# tshark-frames: every fuzz template's valid frame must dissect cleanly in tshark
#
# Usage: tshark-frames.sh DUTLAB
# `dutlab fuzz --write-templates` writes one frame per template, its comment
# naming the template and the models' layers ("... [layers ethernet ipv6
# icmpv6]"). For EACH frame: tshark must find the innermost model's protocol,
# no Malformed, and no expert Warning or Error, with IPv4, TCP and UDP
# checksum validation on (ICMP and ICMPv6 checksums are always checked).
# Exit 77 (skip) if tshark is not installed.
set -eu
dutlab=$1
command -v tshark >/dev/null 2>&1 || { echo "tshark not installed: skipped"; exit 77; }
work=$(mktemp -d /tmp/dutlab-tshark-frames.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
export HOME="$work" # keep tshark's profile out of the real home

"$dutlab" fuzz --write-templates "$work/templates.pcapng" >/dev/null
expected=$("$dutlab" fuzz --list | awk 'f && NF { n++ } /^template / { f = 1 } END { print n + 0 }')
if [ "$expected" -eq 0 ]; then
	echo "not ok - dutlab fuzz --list names no template"
	exit 1
fi

# one line per frame: number, protocols, expert severities, malformed, expert messages, comment
# (expert severities: PI_WARN is 0x00600000, PI_ERROR 0x00800000)
tshark -n -r "$work/templates.pcapng" \
	-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
	-T fields -E separator='|' -E occurrence=a -E aggregator=';' \
	-e frame.number -e frame.protocols -e _ws.expert.severity -e _ws.malformed \
	-e _ws.expert.message -e frame.comment >"$work/frames.txt" 2>"$work/tshark.err" || {
	echo "not ok - tshark could not read the templates' file: $(cat "$work/tshark.err")"
	exit 1
}

tshark_name() { # the tshark protocol of one of our models
	case $1 in
	ethernet) echo eth ;;
	ipv4) echo ip ;;
	icmpv4) echo icmp ;;
	mac_control) echo macc ;;
	ipv6-hop-by-hop) echo ipv6.hopopts ;;
	ipv6-routing) echo ipv6.routing ;;
	ipv6-fragment) echo ipv6.fraghdr ;;
	ipv6-destination-options) echo ipv6.dstopts ;;
	*) echo "$1" ;;
	esac
}

failed=0
frames=0
while IFS='|' read -r number protocols severities malformed messages comment; do
	frames=$((frames + 1))
	name=$(echo "$comment" | sed -n 's/^template \([^ ]*\) .*/\1/p')
	layer=$(echo "$comment" | sed -n 's/.*\[layers \(.*\)\]$/\1/p' | awk '{ print $NF }')
	want=$(tshark_name "$layer")
	messages=${messages#"$comment"} # the packet comment is an expert item too (a Comment)
	messages=${messages#;}
	why=""
	case ":$protocols:" in *":$want:"*) ;; *) why="no '$want' layer (saw $protocols)" ;; esac
	if [ -n "$malformed" ]; then why="$why; tshark says Malformed"; fi
	for s in $(echo "$severities" | tr ';' ' '); do
		s=$((s))
		if [ "$s" -ge $((0x00600000)) ]; then
			why="$why; expert warning or error: $messages"
			break
		fi
	done
	if [ -z "$name" ]; then why="$why; frame $number has no template comment"; fi
	if [ -n "$why" ]; then
		echo "not ok - frame $number ${name:-?}: ${why#; }"
		failed=1
	else
		echo "ok - frame $number $name dissects as $want"
	fi
done <"$work/frames.txt"

if [ "$frames" -ne "$expected" ]; then
	echo "not ok - $frames frames in the file, $expected templates"
	failed=1
fi
exit "$failed"
