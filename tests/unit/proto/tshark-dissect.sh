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
# the RTSP text model's requests (src/proto/rtsp-message.c), as the session plug-in sends them
for name in options describe setup play pause get-parameter set-parameter teardown announce; do
	check "rtsp-message-$name" tcp 554 rtsp
done
rtsp_fields=$(tshark -n -r "$work/rtsp-message-setup.pcap" -T fields -e rtsp.method -e rtsp.transport 2>/dev/null | tail -1)
if [ "$rtsp_fields" = "$(printf 'SETUP\tRTP/AVP/TCP;unicast;interleaved=0-1')" ]; then
	echo "ok - rtsp-message-setup: tshark reads SETUP with the interleaved Transport"
else
	echo "not ok - rtsp-message-setup: tshark reads '$rtsp_fields'"
	failed=1
fi
check identify:554 tcp 554 rtsp
check identify:80 tcp 80 http
check ssh-kexinit tcp 22 ssh
# and tshark reads our KEXINIT as message 20 (RFC 4253 7.1), not only as a banner
codes=$(tshark -n -r "$work/ssh-kexinit.pcap" -T fields -e ssh.message_code 2>/dev/null | tr -d '\n')
if [ "$codes" = "20" ]; then echo "ok - ssh-kexinit has ssh.message_code 20"; else
	echo "not ok - ssh-kexinit: ssh.message_code is '$codes', not 20"
	failed=1
fi
# TLS ClientHellos: a ClientHello (tls.handshake.type 1) whose cipher suites (SSLv2: cipher
# specs) in tshark are exactly the ones in our bytes, read here independently of proto/tls.c
tls_offered() { # tls_offered FILE: the suite or cipher spec list of a ClientHello, as tshark prints it
	python3 - "$1" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
if b[0] & 0x80:  # SSLv2 CLIENT-HELLO: 2-byte header, type, version, 3 lengths
    n = int.from_bytes(b[5:7], "big")
    specs = [b[11 + i : 14 + i] for i in range(0, n, 3)]
    print(",".join("0x%06x" % int.from_bytes(s, "big") for s in specs))
else:
    at = 5 + 4 + 2 + 32
    at += 1 + b[at]
    n = int.from_bytes(b[at : at + 2], "big")
    print(",".join("0x%04x" % int.from_bytes(b[at + 2 + i : at + 4 + i], "big") for i in range(0, n, 2)))
PY
}
for name in tls-1.2 tls-1.3 tls-1.3-hrr tls-1.0 tls-1.1-fallback tls-ssl3 tls-ssl2; do
	check "$name" tcp 443 tls
	field=tls.handshake.ciphersuite
	[ "$name" = tls-ssl2 ] && field=tls.handshake.cipherspec
	hs=$(tshark -n -r "$work/$name.pcap" -T fields -e tls.handshake.type 2>/dev/null | tail -1)
	seen=$(tshark -n -r "$work/$name.pcap" -T fields -e "$field" 2>/dev/null | tail -1)
	offered=$(tls_offered "$work/$name.bin")
	if [ "$hs" != 1 ] || [ -z "$offered" ] || [ "$seen" != "$offered" ]; then
		echo "not ok - $name: handshake type '$hs', tshark's suites differ from ours"
		failed=1
	else
		echo "ok - $name is a ClientHello offering $(echo "$offered" | tr ',' '\n' | wc -l) suites"
	fi
done
# the Heartbleed and CCS-injection probes' records: a heartbeat request (RFC 6520 4) and a
# ChangeCipherSpec, each read by tshark as what it is
check tls-heartbeat tcp 443 tls
hb=$(tshark -n -r "$work/tls-heartbeat.pcap" -T fields -e tls.heartbeat_message.type -e tls.heartbeat_message.payload_length 2>/dev/null | tail -1)
if [ "$hb" = "$(printf '1\t6')" ]; then echo "ok - tls-heartbeat is a request with payload_length 6"; else
	echo "not ok - tls-heartbeat: tshark reads type/payload_length '$hb', not 1/6"
	failed=1
fi
check tls-ccs tcp 443 tls
ct=$(tshark -n -r "$work/tls-ccs.pcap" -T fields -e tls.record.content_type 2>/dev/null | tail -1)
if [ "$ct" = 20 ]; then echo "ok - tls-ccs is a change_cipher_spec record"; else
	echo "not ok - tls-ccs: record content type '$ct', not 20"
	failed=1
fi
# BGP messages (RFC 4271 4) as a session writes them, after a handshake to port 179; the
# session segment carries four messages, which tshark must read as OPEN, KEEPALIVE, UPDATE and
# ROUTE-REFRESH in that order
for name in bgp-open bgp-open-as4 bgp-update bgp-update-eor bgp-keepalive bgp-notification \
	bgp-route-refresh bgp-session bgp-open-enhanced bgp-refresh-barrier; do
	check "$name" tcp 179 bgp
done
subtypes=$(tshark -n -r "$work/bgp-refresh-barrier.pcap" -T fields -e bgp.route_refresh.subtype 2>/dev/null | tail -1)
if [ "$subtypes" = "0,1,2" ]; then echo "ok - bgp-refresh-barrier: tshark reads a request, BoRR and EoRR"; else
	echo "not ok - bgp-refresh-barrier: tshark reads ROUTE-REFRESH subtypes '$subtypes', not 0,1,2"
	failed=1
fi
if tshark -n -r "$work/bgp-open-enhanced.pcap" -V 2>/dev/null | grep -q "Enhanced route refresh"; then
	echo "ok - bgp-open-enhanced: tshark reads the enhanced route refresh capability"
else
	echo "not ok - bgp-open-enhanced: tshark shows no enhanced route refresh capability"
	failed=1
fi
types=$(tshark -n -r "$work/bgp-session.pcap" -T fields -e bgp.type 2>/dev/null | tail -1)
if [ "$types" = "1,4,2,5" ]; then echo "ok - bgp-session holds OPEN, KEEPALIVE, UPDATE, ROUTE-REFRESH"; else
	echo "not ok - bgp-session: tshark reads message types '$types', not 1,4,2,5"
	failed=1
fi
# OSPFv2 packets (RFC 2328 A.3) in whole frames (IPv4 protocol 89 to 224.0.0.5) from the
# Ethernet, IPv4 and OSPF models: hellos with null, simple and MD5 authentication, DD, LSR, an
# LSU of every LSA type (plain and MD5) and LSAck; tshark must read every type, auth type and
# LSA type, every OSPF checksum correct, nothing Malformed, no expert warning
"$emit" ospf-frames >"$work/ospf-frames.pcap"
tshark -n -r "$work/ospf-frames.pcap" -V >"$work/ospf-frames.txt" 2>&1
tshark -n -r "$work/ospf-frames.pcap" -q -z expert >"$work/ospf-frames.expert" 2>&1
ospf=$(tshark -n -r "$work/ospf-frames.pcap" -T fields -e ospf.msg -e ospf.auth.type -e ospf.lsa \
	2>/dev/null | tr '\t\n' '/ ')
why=""
if [ "$ospf" != "1/0/ 1/1/ 1/2/ 2/0/3,5 3/0/1 4/0/1,2,3,4,5,7 4/2/1,2,3,4,5,7 5/0/3,5 " ]; then
	why="tshark reads type/auth/LSA types '$ospf'"
fi
if grep -qi "malformed" "$work/ospf-frames.txt"; then why="$why; tshark says Malformed"; fi
if grep -Eq "^(Errors|Warnings) \(" "$work/ospf-frames.expert"; then
	why="$why; expert info: $(grep -A3 -E '^(Errors|Warnings) \(' "$work/ospf-frames.expert" | tr '\n' ' ')"
fi
if [ "$(grep -c 'Checksum: 0x[0-9a-f]* \[correct\]' "$work/ospf-frames.txt")" != 6 ]; then
	why="$why; not 6 OSPF checksums [correct] (the 2 MD5 packets carry none)"
fi
if [ -n "$why" ]; then
	echo "not ok - ospf-frames: ${why#; }"
	failed=1
else
	echo "ok - ospf-frames: 8 OSPF frames (every packet type, every LSA type, null/simple/MD5) dissect cleanly"
fi
# RIPv2 messages (RFC 2453 4) on UDP port 520, plain, with a password and with keyed MD5 (RFC
# 4822: tshark reads the authentication entry and the trailer)
for name in rip-request rip-response rip-response-simple rip-request-md5 rip-response-md5; do
	check "$name" udp 520 rip
done
auth=$(tshark -n -r "$work/rip-response-md5.pcap" -T fields -e rip.auth.type -e rip.key_id \
	-e rip.metric 2>/dev/null | tail -1)
if [ "$auth" = "3	1	1,3" ]; then echo "ok - rip-response-md5 holds keyed MD5 key 1 and two routes"; else
	echo "not ok - rip-response-md5: tshark reads '$auth' (auth type, key id, metrics)"
	failed=1
fi
# The TLS record model (proto/tls-record.c): each record tshark reads as what it is, the
# extensions it declares (ALPN, the X25519 key share) and the client's second flight
for name in tlsrec-hello-1.2 tlsrec-hello-1.3 tlsrec-flight tlsrec-alert tlsrec-heartbeat \
	tlsrec-sslv2; do
	check "$name" tcp 443 tls
done
tls_fields() { # tls_fields NAME FIELD...: the last frame's values of the fields, tab-separated
	f=$1
	shift
	tshark -n -r "$work/$f.pcap" -T fields $(printf -- '-e %s ' "$@") 2>/dev/null | tail -1
}
expect_tls() { # expect_tls NAME WHAT GOT WANT
	if [ "$3" = "$4" ]; then echo "ok - $1: $2"; else
		echo "not ok - $1: $2: tshark reads '$3', not '$4'"
		failed=1
	fi
}
expect_tls tlsrec-hello-1.2 "ClientHello with SNI, heartbeat and ALPN http/1.1" \
	"$(tls_fields tlsrec-hello-1.2 tls.handshake.type tls.handshake.extensions_server_name \
		tls.handshake.extension.heartbeat.mode tls.handshake.extensions_alpn_str)" \
	"$(printf '1\tstr-200-0001\t1\thttp/1.1')"
expect_tls tlsrec-hello-1.3 "ClientHello with an x25519 key share and ALPN h2, http/1.1" \
	"$(tls_fields tlsrec-hello-1.3 tls.handshake.extensions_key_share_group \
		tls.handshake.extensions_key_share_key_exchange_length \
		tls.handshake.extensions_alpn_str)" "$(printf '29\t32\th2,http/1.1')"
expect_tls tlsrec-flight "ClientKeyExchange (33 bytes: a 32-byte point), ChangeCipherSpec, Finished" \
	"$(tls_fields tlsrec-flight tls.record.content_type tls.handshake.type \
		tls.handshake.length)" "$(printf '22,20,22\t16,20\t33,12')"
expect_tls tlsrec-alert "fatal handshake_failure" \
	"$(tls_fields tlsrec-alert tls.alert_message.level tls.alert_message.desc)" \
	"$(printf '2\t40')"
expect_tls tlsrec-heartbeat "heartbeat request, payload_length 12" \
	"$(tls_fields tlsrec-heartbeat tls.heartbeat_message.type \
		tls.heartbeat_message.payload_length)" "$(printf '1\t12')"
expect_tls tlsrec-sslv2 "SSLv2-compatible CLIENT-HELLO offering 7 suites" \
	"$(tls_fields tlsrec-sslv2 tls.handshake.cipherspec | tr ',' '\n' | wc -l | tr -d ' ')" 7
# and whole frames from the Ethernet, IPv4, TCP and BGP models (proto-emit bgp-frames writes the
# pcap: handshake, each message type to port 179, the DUT's four messages from 179, an ACK),
# with the IPv4 and TCP checksums checked
"$emit" bgp-frames >"$work/bgp-frames.pcap"
tshark -n -r "$work/bgp-frames.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -V \
	>"$work/bgp-frames.txt" 2>&1
tshark -n -r "$work/bgp-frames.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
	-q -z expert >"$work/bgp-frames.expert" 2>&1
types=$(tshark -n -r "$work/bgp-frames.pcap" -T fields -e bgp.type 2>/dev/null | tr '\n' ' ')
why=""
if grep -qi "malformed" "$work/bgp-frames.txt"; then why="tshark says Malformed"; fi
if grep -Eq "^(Errors|Warnings) \(" "$work/bgp-frames.expert"; then
	why="$why; expert info: $(grep -A3 -E '^(Errors|Warnings) \(' "$work/bgp-frames.expert" | tr '\n' ' ')"
fi
if [ "$types" != "   1 4 2 2 1 5 3 1,4,2,5  " ]; then why="$why; message types '$types'"; fi
if [ -n "$why" ]; then
	echo "not ok - bgp-frames: ${why#; }"
	failed=1
else
	echo "ok - bgp-frames: 12 frames of the models' BGP session dissect cleanly"
fi
exit "$failed"
