#!/bin/bash
# sessions-tls-reproducer.sh: the TLS session reproducer robustness.sessions saved for tlslab-fragile is one TLS connection tshark reads, and it kills the fragile TLS server again when replayed alone.
#
# Usage (as root): tests/lab/robustness/sessions-tls-reproducer.sh CAMPAIGN
# CAMPAIGN is a finished campaign of tlslab-fragile (lab/duts/tlslab/fragile/profile.yaml)
# whose robustness.sessions found the fragile TLS server (lab/bin/fragile-tls.py). The
# checks: its first failure's reproducer holds one stream from the tester to tcp/443
# whose last frame is a heartbeat record (content type 24) commented with its case, after a
# commented ClientHello prefix when the case was sent after the server's flight; replayed
# from the tester namespace (the prefix, then the culprit) on a restarted fixture it leaves
# tcp/443 closed; the fixture is restarted after.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root sessions-tls-reproducer.sh
need_command sessions-tls-reproducer.sh tshark
campaign=$1
dut=tlslab-fragile
session_reproducer "$campaign" "$dut"
frames=$(tshark -r "$file" -T fields -e frame.number 2>/dev/null | wc -l)
types=$(tshark -r "$file" -T fields -e tls.record.content_type 2>/dev/null | tr '\n' ' ')
ports=$(tshark -r "$file" -T fields -e tcp.dstport 2>/dev/null | sort -u | tr '\n' ' ')
case "$frames:$types:$ports" in
"1:24 :443 " | "2:22 24 :443 ")
	ok "$dut: $pcap is one stream to tcp/443 ending in a heartbeat record ($types)" ;;
*) not_ok "$dut: $pcap is one stream to tcp/443 ending in a heartbeat record" \
	"frames $frames, content types '$types', ports '$ports'" ;;
esac
comments=$(tshark -r "$file" -T fields -e frame.comment 2>/dev/null)
last=$(printf '%s\n' "$comments" | tail -1)
if printf '%s' "$last" | grep -Eq '^tls-heartbeat-(first|flight) #[0-9]+ \(seed [0-9]+\): [a-z-]+ tls\.'; then
	ok "$dut: the culprit names its template and field: $last"
else
	not_ok "$dut: the culprit names its template and field" "last frame: $last"
fi
if [ "$frames" = 2 ]; then
	first=$(printf '%s\n' "$comments" | sed -n 1p)
	case $first in
	"state-building prefix:"*) ok "$dut: the ClientHello prefix is commented: $first" ;;
	*) not_ok "$dut: the ClientHello prefix is commented" "frame 1: $first" ;;
	esac
fi
# the replay: the frames' TCP payloads, in order, on one connection to a restarted fixture
"$lab" restart "$dut" >/dev/null 2>&1 || "$lab" up "$dut" >/dev/null 2>&1
payloads=$(tshark -r "$file" -T fields -e tcp.payload 2>/dev/null | tr -d ':' | tr '\n' ' ')
ip netns exec dl-tester python3 - "$payloads" <<'PY'
import socket, sys, time
s = socket.create_connection(("198.18.30.2", 443), timeout=3)
for hexed in sys.argv[1].split():
    s.sendall(bytes.fromhex(hexed))
    time.sleep(0.2)
s.close()
PY
dead=no
for _ in 1 2 3 4 5 6 7 8 9 10; do
	sleep 0.3
	if ! ip netns exec dl-tester nc -z -w 1 198.18.30.2 443 2>/dev/null; then
		dead=yes
		break
	fi
done
if [ "$dead" = yes ]; then
	ok "$dut: the reproducer replayed alone kills the fragile TLS server again"
else
	not_ok "$dut: the reproducer replayed alone kills the fragile TLS server again" \
		"tcp/443 still accepts; $(tail -3 /run/dutlab-lab/$dut/log/fragiletls.log 2>/dev/null)"
fi
"$lab" restart "$dut" >/dev/null 2>&1 || "$lab" up "$dut" >/dev/null 2>&1
summary "$dut session reproducer: "
