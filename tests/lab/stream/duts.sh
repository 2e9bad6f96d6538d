#!/bin/bash
# duts.sh: the streaming lab DUTs (stream-good, stream-bad) answer RTSP with Digest and stream RTP over TCP, serve TLS on 443, and the fragile RTSP responder dies on exactly its header.
#
# Runnable alone, as root: tests/lab/stream/duts.sh. Brings both DUTs up (a syslog receiver
# of ours on stream-bad's syslog= address first), and from the tester namespace proves with
# a client of our own (tests/lab/stream/rtsp-peer.py, independent of dutlab) that each
# answers OPTIONS to anyone, DESCRIBE with a Digest challenge and, with the admin's
# credentials, the SDP, then SETUP (RTP/AVP/TCP interleaved), PLAY and RTP frames, over IPv4
# and IPv6; that nginx completes a TLS 1.2+ handshake on 443; that tshark reads the RTSP
# cleanly. Then refuses stream-bad's other malformations (it lives on), kills it with its one
# header (syslog says so), power-cycles it (lab restart), and brings both down: nothing left.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root duts.sh
need_command duts.sh tshark
need_command duts.sh openssl
lab_work stream-duts
PY=/usr/bin/python3
PEER=$root/tests/lab/stream/rtsp-peer.py
DUTS="stream-good stream-bad"
brought=""
pids=""

cleanup() {
	local d p
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for d in $brought; do
		"$lab" down "$d" >/dev/null 2>&1
	done
}

# peer NAME ADDRESS OUT ARGS...: rtsp-peer.py against DUT NAME's ADDRESS with its admin account.
peer() {
	local n=$1 a=$2 out=$3
	shift 3
	in_tester "$PY" "$PEER" "$a" --user admin --password "$(topo "$n" admin_password)" "$@" >"$out" 2>&1
}

# raw NAME REQUEST: REQUEST (printf escapes) sent to NAME's tcp/554 alone; the reply's first line.
raw() {
	in_tester "$PY" - "$(addr "$1" dut_ipv4)" "$2" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], 554), timeout=3)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
data = b""
try:
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
except OSError:
    pass
print(data.split(b"\r\n")[0].decode("latin-1") if data else "(no answer)")
PY
}

# 1. A syslog receiver for stream-bad, then both up.
SYSLOG=$(topo stream-bad syslog)
mkdir -p "$work"
# (ip netns exec itself, exec'd, not in_tester's subshell: $! is then the receiver's own pid,
# which cleanup kills.) Run alone, the tester's namespace and its address on stream-bad's
# link come with the lab up below: the receiver waits for the one and binds as soon as the
# other is there (30 s each), before stream-bad's responder starts.
(
	for _ in $(seq 1500); do
		[ -e /run/netns/dl-tester ] && break
		sleep 0.02
	done
	exec ip netns exec dl-tester "$PY" -u -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for attempt in range(1500):
    try:
        s.bind((sys.argv[1], int(sys.argv[2])))
        break
    except OSError:
        if attempt == 1499:
            raise
        time.sleep(0.02)
while True:
    print(s.recv(2048).decode("latin-1", "replace"), flush=True)' "${SYSLOG%:*}" "${SYSLOG##*:}"
) >"$work/syslog.txt" 2>&1 &
pids="$pids $!"
for d in $DUTS; do
	brought="$brought $d"
	t0=$(date +%s%N)
	lab_up "$d" "$work/up-$d.log"
	echo "#   lab up $d: $((($(date +%s%N) - t0) / 1000000)) ms"
done
check "stream-bad: syslog says the responder started" within 5 has "$work/syslog.txt" 'fragile-rtsp\[[0-9]+\]: started: rtsp tcp/554'

# 2. RTSP with Digest, RTP over TCP, both address families; a capture of the IPv4 session.
for d in $DUTS; do
	for fam in ipv4 ipv6; do
		a=$(addr "$d" "dut_$fam")
		if [ "$fam" = ipv4 ]; then
			ip netns exec dl-tester timeout 15 tshark -q -i "$(topo "$d" tester_if)" -w "$work/$d.pcapng" -f 'tcp port 554' >/dev/null 2>&1 &
			cap=$!
			sleep 1.5
		fi
		peer "$d" "$a" "$work/$d-$fam.out" --seconds 3 --min-rtp 5
		check "$d ($fam): OPTIONS answers 200 without credentials" has "$work/$d-$fam.out" '^OPTIONS 200 .*DESCRIBE'
		check "$d ($fam): DESCRIBE without credentials gets a Digest challenge (401)" has "$work/$d-$fam.out" '^DESCRIBE 401 digest$'
		check "$d ($fam): DESCRIBE with Digest credentials gets the SDP" has "$work/$d-$fam.out" '^DESCRIBE 200 sdp$'
		check "$d ($fam): SETUP RTP/AVP/TCP interleaved=0-1 makes a session" has "$work/$d-$fam.out" '^SETUP 200 session=[^ ]+ transport=RTP/AVP/TCP;unicast;interleaved=0-1'
		check "$d ($fam): PLAY 200, then RTP frames within 3 s" has "$work/$d-$fam.out" '^RTP ([5-9]|[1-9][0-9]+) RTCP'
		if [ "$fam" = ipv4 ]; then
			sleep 1
			kill "$cap" 2>/dev/null
			wait "$cap" 2>/dev/null
		fi
	done
	in_tester "$PY" "$PEER" "$(addr "$d" dut_ipv4)" --user admin --password wrong-password >"$work/$d-wrong.out" 2>&1
	check "$d: a wrong password is refused (DESCRIBE stays 401)" has "$work/$d-wrong.out" '^DESCRIBE 401 digest$'
	check "$d: ... and no SDP is served to it" bash -c "! grep -q '^DESCRIBE 200' '$work/$d-wrong.out'"
	# tshark reads every RTSP message of the session (decodes tcp/554 as RTSP by default)
	n=$(tshark -r "$work/$d.pcapng" -Y 'rtsp.request' 2>/dev/null | wc -l)
	bad=$(tshark -r "$work/$d.pcapng" -Y 'rtsp && (_ws.malformed || _ws.expert.severity >= 8388608)' 2>/dev/null | wc -l)
	if [ "$n" -ge 6 ] && [ "$bad" -eq 0 ]; then
		ok "$d: tshark dissects the $n RTSP requests of the session, none malformed"
	else
		not_ok "$d: tshark dissects the RTSP session" "$n requests, $bad malformed or with an error"
	fi
	check "$d: nginx completes a TLS 1.2+ handshake on 443" bash -c \
		"ip netns exec dl-tester openssl s_client -connect $(addr "$d" dut_ipv4):443 -brief </dev/null 2>&1 | grep -Eq 'Protocol version: TLSv1\.[23]'"
done

# 3. stream-bad: other malformations are refused and it lives on; its one header kills it.
B=$(addr stream-bad dut_ipv4)
for kind in 'BOGUS rtsp://x/stream RTSP/1.0\r\nCSeq: 1\r\n\r\n:^RTSP/1.0 501' \
	'OPTIONS * RTSP/1.0\r\nCSeq: abc\r\n\r\n:^RTSP/1.0 400' \
	'OPTIONS * RTSP/2.0\r\nCSeq: 2\r\n\r\n:^RTSP/1.0 505' \
	'SETUP rtsp://x/stream RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP/TCP;interleaved=0-255\r\n\r\n:^RTSP/1.0 401' \
	'SETUP rtsp://x/stream RTSP/1.0\r\nCSeq: 4\r\nTransport: RTP/AVP/TCP;interleaved=a-b\r\n\r\n:^RTSP/1.0 401' \
	'OPTIONS * RTSP/1.0\r\nCSeq: 5\r\nContent-Length: x\r\n\r\n:^RTSP/1.0 400'; do
	raw stream-bad "${kind%:*}" >"$work/refuse.out"
	check "stream-bad: '$(printf '%s' "${kind%%\\r*}")' ... is answered ${kind##*:^RTSP/1.0 }" has "$work/refuse.out" "${kind##*:}"
done
check "stream-bad: ... and it lives on (lab status exit 0, tcp/8080 answers)" \
	bash -c "'$lab' status stream-bad >/dev/null && ip netns exec dl-tester nc -z -w 2 $B 8080"
check "stream-bad: the status line counts the refusals" bash -c \
	"ip netns exec dl-tester curl -s -m 2 http://$B:8080/ | grep -Eq '[4-9] malformations refused'"
# its other trigger, on a second instance in the DUT's namespace (tcp/1554): a CSeq of 11 digits
ip netns exec dl-stream-bad "$PY" /run/dutlab-lab/stream-bad/bin/fragile-rtsp.py --name cseq-probe \
	--address "$B" --port 1554 --user admin --password x --die-on cseq-digits \
	>"$work/cseq.log" 2>&1 &
probe=$!
pids="$pids $probe"
check "stream-bad: a second responder (--die-on cseq-digits) listens on tcp/1554" within 5 \
	ip netns exec dl-tester nc -z -w 1 "$B" 1554
raw_port() {
	in_tester "$PY" - "$B" "$1" "$2" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
s.sendall(sys.argv[3].encode().decode("unicode_escape").encode("latin-1"))
try:
    print(s.recv(4096).split(b"\r\n")[0].decode("latin-1") or "(closed)")
except OSError as e:
    print("(%s)" % e)
PY
}
raw_port 1554 'OPTIONS * RTSP/1.0\r\nCSeq: 1234567890\r\n\r\n' >"$work/cseq10.out"
check "stream-bad: ... a CSeq of 10 digits is answered 200" has "$work/cseq10.out" '^RTSP/1.0 200'
raw_port 1554 'OPTIONS * RTSP/1.0\r\nCSeq: 12345678901\r\n\r\n' >/dev/null 2>&1
wait "$probe"
rc=$?
if [ "$rc" = 70 ] && grep -q 'FIXTURE FAULT from .* (cseq-digits): CSeq of 11 digits' "$work/cseq.log"; then
	ok "stream-bad: ... a CSeq of 11 digits kills it (exit 70, cseq-digits logged)"
else
	not_ok "stream-bad: a CSeq of 11 digits kills the cseq-digits responder" "exit $rc" "$(tail -2 "$work/cseq.log")"
fi
peer stream-bad "$B" "$work/kill.out" --transport 'RTP/AVP/TCP;unicast;interleaved=256-257' --seconds 1
check "stream-bad: a Transport interleaved=256-257 kills it: tcp/554 refused" within 3 bash -c "! ip netns exec dl-tester nc -z -w 1 $B 554"
check "stream-bad: its log says FIXTURE FAULT (interleaved-overrun) with the request" \
	has /run/dutlab-lab/stream-bad/log/fragilertsp.log 'FIXTURE FAULT from .* \(interleaved-overrun\): Transport interleaved channel 256 .*\(request: 5345545550[0-9a-f]+\)'
check "stream-bad: syslog says so (critical, watchdog)" within 3 has "$work/syslog.txt" '^<26>.*fragile-rtsp\[[0-9]+\]: FIXTURE FAULT from .* \(interleaved-overrun\): .*watchdog: streaming service down'
"$lab" status stream-bad >"$work/status-bad.txt" 2>&1
rc=$?
if [ "$rc" = 1 ]; then ok "stream-bad: lab status says degraded (exit 1)"; else not_ok "stream-bad: lab status exit $rc, want 1" "$(cat "$work/status-bad.txt")"; fi
index=$(ip -n dl-tester -o link show "$(topo stream-bad tester_if)" | cut -d: -f1)
check "stream-bad: power cycle (lab restart, from dl-tester) brings it back" in_tester "$lab" restart stream-bad
check "stream-bad: lab status exit 0 after the power cycle" "$lab" status stream-bad
check "stream-bad: the tester's interface kept its index ($index)" \
	test "$(ip -n dl-tester -o link show "$(topo stream-bad tester_if)" | cut -d: -f1)" = "$index"
peer stream-bad "$B" "$work/after.out" --seconds 2 --min-rtp 3
check "stream-bad: it streams again after the power cycle" has "$work/after.out" '^RTP ([3-9]|[1-9][0-9]+) RTCP'
check "stream-good: lab restart" "$lab" restart stream-good
peer stream-good "$(addr stream-good dut_ipv4)" "$work/good-after.out" --seconds 2 --min-rtp 3
check "stream-good: it streams again after the power cycle" has "$work/good-after.out" '^RTP ([3-9]|[1-9][0-9]+) RTCP'

# 4. Down, and nothing left.
for d in $DUTS; do
	check "lab down $d" "$lab" down "$d"
done
brought=""
for d in $DUTS; do
	left=""
	[ -e "/run/netns/dl-$d" ] && left="$left namespace dl-$d;"
	[ -e "/run/dutlab-lab/$d" ] && left="$left state /run/dutlab-lab/$d;"
	i=$(topo "$d" tester_if)
	if [ -e /run/netns/dl-tester ] && ip -n dl-tester link show "$i" >/dev/null 2>&1; then
		left="$left tester interface $i;"
	fi
	p=$(pgrep -f "/run/dutlab-lab/$d/" | tr '\n' ' ')
	[ -z "$p" ] || left="$left processes $p;"
	if [ -z "$left" ]; then ok "$d: nothing left after down"; else not_ok "$d: left after down:$left"; fi
done
summary
