#!/bin/sh
# tshark-media: every rtp and rtcp session template must dissect cleanly in tshark, bare (UDP,
# decoded as RTP or RTCP) and in its RTSP interleaved frame (TCP 554)
#
# Usage: tshark-media.sh MEDIA_EMIT
# Exit 77 (skip) if tshark is not installed.
set -eu
emit=$1
here=$(cd "$(dirname "$0")" && pwd)
command -v tshark >/dev/null 2>&1 || { echo "tshark not installed: skipped"; exit 77; }
work=$(mktemp -d /tmp/dutlab-tshark-media.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
export HOME="$work"
failed=0
count=0
# check NAME FILE LAYER [tshark options...]: the layer there, nothing Malformed, no expert
# warnings or errors
check() {
	case_name=$1 pcap=$2 layer=$3
	shift 3
	tshark -n -r "$pcap" "$@" -V >"$work/$case_name.txt" 2>&1
	tshark -n -r "$pcap" "$@" -q -z expert >"$work/$case_name.expert" 2>&1
	layers=$(tshark -n -r "$pcap" "$@" -T fields -e frame.protocols 2>/dev/null | tail -1)
	why=""
	case ":$layers:" in *":$layer:"*) ;; *) why="no '$layer' layer (saw $layers)" ;; esac
	if grep -qi "malformed" "$work/$case_name.txt"; then why="$why; tshark says Malformed"; fi
	if grep -Eq "^(Errors|Warnings) \(" "$work/$case_name.expert"; then
		why="$why; expert info: $(grep -A3 -E '^(Errors|Warnings) \(' "$work/$case_name.expert" | tr '\n' ' ')"
	fi
	count=$((count + 1))
	if [ -n "$why" ]; then
		echo "not ok - $case_name: ${why#; }"
		failed=1
	else
		echo "ok - $case_name dissects as $layer"
	fi
}
"$emit" list >"$work/list"
[ -s "$work/list" ] || { echo "not ok - media-emit lists no templates"; exit 1; }
while read -r proto name; do
	port=5004
	[ "$proto" = rtcp ] && port=5005
	"$emit" "$name" bare >"$work/$name.bin"
	python3 "$here/pcap-wrap.py" "$work/$name-udp.pcap" udp "$port" "$work/$name.bin"
	check "$name-udp" "$work/$name-udp.pcap" "$proto" -d "udp.port==$port,$proto"
	"$emit" "$name" >"$work/$name.frame"
	python3 "$here/pcap-wrap.py" "$work/$name-tcp.pcap" tcp 554 "$work/$name.frame"
	check "$name-interleaved" "$work/$name-tcp.pcap" rtsp
done <"$work/list"
# and tshark reads the fields we wrote: the SR's report block, the BYE's reason
sr=$(tshark -n -r "$work/rtcp-sr-sdes-udp.pcap" -d udp.port==5005,rtcp -T fields \
	-e rtcp.pt -e rtcp.sdes.text 2>/dev/null | tail -1)
case "$sr" in "200,202	dutlab@lab,dutlab robustness,dutlab/0.1") echo "ok - rtcp-sr-sdes: SR, SDES items" ;;
*) echo "not ok - rtcp-sr-sdes: tshark reads '$sr'"; failed=1 ;; esac
bye=$(tshark -n -r "$work/rtcp-bye-udp.pcap" -d udp.port==5005,rtcp -T fields \
	-e rtcp.sdes.text 2>/dev/null | tail -1)
if [ "$bye" = "dutlab@lab,teardown" ]; then echo "ok - rtcp-bye: CNAME and the reason 'teardown'"; else
	echo "not ok - rtcp-bye: tshark reads the reason '$bye'"
	failed=1
fi
echo "# $count dissections"
exit $failed
