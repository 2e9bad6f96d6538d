#!/bin/sh
# tshark-ipv6: the IPv6 and ICMPv6 models' valid frames dissect cleanly in tshark
#
# Usage: tshark-ipv6.sh IPV6_EMIT
# ipv6-emit writes the IPv6/ICMPv6 templates (untagged and tagged), fragments of
# the UDP ones, the ICMPv6 errors, a redirect and a routing header with a
# segment left. tshark must find no Malformed, no expert Warning or Error (UDP
# checksum validation on; ICMPv6 checksums are always checked), every ICMPv6
# and UDP checksum it checks good, and reassemble every fragmented datagram.
# Exit 77 (skip) if tshark is not installed.
set -eu
emit=$1
command -v tshark >/dev/null 2>&1 || { echo "tshark not installed: skipped"; exit 77; }
work=$(mktemp -d /tmp/dutlab-tshark-ipv6.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
export HOME="$work" # keep tshark's profile out of the real home
"$emit" "$work/ipv6.pcap"
failed=0
tshark -n -r "$work/ipv6.pcap" -o udp.check_checksum:TRUE -V >"$work/verbose.txt" 2>&1
tshark -n -r "$work/ipv6.pcap" -o udp.check_checksum:TRUE -q -z expert >"$work/expert.txt" 2>&1
frames=$(tshark -n -r "$work/ipv6.pcap" -T fields -e frame.number 2>/dev/null | wc -l)
if grep -qi malformed "$work/verbose.txt"; then
	echo "not ok - tshark says Malformed: $(grep -i -m3 malformed "$work/verbose.txt" | tr '\n' ' ')"
	failed=1
else
	echo "ok - $frames frames, none Malformed"
fi
if grep -Eq "^(Errors|Warnings) \(" "$work/expert.txt"; then
	echo "not ok - expert info: $(grep -A4 -E '^(Errors|Warnings) \(' "$work/expert.txt" | tr '\n' ' ')"
	failed=1
else
	echo "ok - no expert warning or error"
fi
# checksum status 1 is Good; 2 (unverified) is tshark declining an invoking packet's
bad=$(tshark -n -r "$work/ipv6.pcap" -o udp.check_checksum:TRUE -T fields \
	-e frame.number -e icmpv6.checksum.status -e udp.checksum.status 2>/dev/null |
	awk -F'\t' '{ split($2 "," $3, s, ","); for (i in s) if (s[i] == "0") print $1 }')
if [ -n "$bad" ]; then
	echo "not ok - bad checksums in frames $(echo $bad)"
	failed=1
else
	echo "ok - every checksum tshark checks is good"
fi
reassembled=$(tshark -n -r "$work/ipv6.pcap" -T fields -e ipv6.reassembled.length 2>/dev/null |
	grep -c . || true)
if [ "$reassembled" -ne 4 ]; then
	echo "not ok - $reassembled datagrams reassembled from the fragments, 4 sent"
	failed=1
else
	echo "ok - the 4 fragmented datagrams reassemble"
fi
exit "$failed"
