#!/bin/bash
# camera-bad-fixture.sh: camera-bad's second RTSP service (the fragile RTSP responder on 8554) streams beside its own RTSP on 554, dies on exactly its header, and `lab restart` power-cycles the camera with its keys kept.
#
# Runnable alone, as root: tests/lab/robustness/camera-bad-fixture.sh. Brings camera-bad up
# unless it is up (and leaves it as it found it), then from the tester namespace, with the
# lab tests' own RTSP client (tests/lab/stream/rtsp-peer.py, independent of dutlab): the
# camera's own RTSP on 554 answers and the fixture's on 8554 plays (Digest), `lab
# status` names the fixture; a Transport interleaved=256-257 on 8554 kills the fixture (log,
# syslog to the tester, 8554 refused, `lab status` degraded) while 554 answers on; `lab
# restart camera-bad` brings it back with the same web certificate, SSH host key and
# update CA (a power cycle is not a factory reset).
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root camera-bad-fixture.sh
lab_work camera-bad-fixture
PY=/usr/bin/python3
PEER=$root/tests/lab/stream/rtsp-peer.py
DUT=camera-bad
STATE=/run/dutlab-lab/$DUT
brought=""
pids=""

cleanup() {
	local p
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	[ -z "$brought" ] || "$lab" down "$DUT" >/dev/null 2>&1
}

topo() {
	sed -n "s/^$1=//p" "$root/lab/duts/camera/bad/topology"
}

# keys: the material a power cycle must keep, one checksum a line.
keys() {
	md5sum "$STATE/nginx/cert.pem" "$STATE/ssh/ssh_host_ecdsa_key.pub" "$STATE/update-ca/ca.pem"
}

A=$(topo dut_ipv4)
A=${A%/*}
A6=$(topo dut_ipv6)
A6=${A6%/*}
PW=$(topo admin_password)
SYSLOG=$(topo syslog)

# 1. Up (unless it is), a syslog receiver of ours on the tester's syslog= address.
if [ -e "/run/netns/dl-$DUT" ] && "$lab" status "$DUT" >/dev/null 2>&1; then
	ok "$DUT is up already (left up afterwards)"
else
	brought=$DUT
	lab_up "$DUT" "$work/up.log"
fi
# (ip netns exec itself: $! is the receiver's own pid, which cleanup kills)
ip netns exec dl-tester "$PY" -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    print(s.recv(2048).decode("latin-1", "replace"), flush=True)' "${SYSLOG%:*}" "${SYSLOG##*:}" \
	>"$work/syslog.txt" 2>&1 &
pids="$pids $!"
keys >"$work/keys.before"

# 2. Both RTSP services answer, the fixture streams; lab status names the fixture.
check "$DUT: lab status exit 0 and names fragilertsp running" \
	bash -c "'$lab' status $DUT | grep -Eq 'fragilertsp: running'"
# (rtsp-peer.py speaks Digest; 554 asks for Basic, so its open preview /live is what we read)
in_tester "$PY" "$PEER" "$A" --port 554 --path /live >"$work/own.out" 2>&1
check "$DUT: its own RTSP on 554 (GStreamer) answers DESCRIBE /live with the SDP" \
	has "$work/own.out" '^DESCRIBE 200'
for a in "$A" "$A6"; do
	in_tester "$PY" "$PEER" "$a" --port 8554 --user admin --password "$PW" --seconds 2 \
		--min-rtp 3 >"$work/fixture.out" 2>&1
	check "$DUT: the fixture on [$a]:8554 asks for Digest" has "$work/fixture.out" '^DESCRIBE 401 digest'
	check "$DUT: ... and with admin's credentials plays RTP and RTCP" has "$work/fixture.out" \
		'^RTP ([3-9]|[1-9][0-9]+) RTCP'
done
check "$DUT: the fixture's Server header names the camera, not the streaming DUT" bash -c \
	"printf 'OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n' | ip netns exec dl-tester nc -w 2 $A 8554 | grep -q '^Server: Acme CAM-100 RTSP/1.0.4'"

# 3. Its one header kills the fixture; the camera's own stream lives on.
in_tester "$PY" "$PEER" "$A" --port 8554 --user admin --password "$PW" --seconds 1 \
	--transport 'RTP/AVP/TCP;unicast;interleaved=256-257' >"$work/kill.out" 2>&1
check "$DUT: Transport interleaved=256-257 kills the fixture: tcp/8554 refused" \
	within 3 bash -c "! ip netns exec dl-tester nc -z -w 1 $A 8554"
check "$DUT: its log says FIXTURE FAULT (interleaved-overrun) with the request" \
	has "$STATE/log/fragilertsp.log" 'FIXTURE FAULT from .* \(interleaved-overrun\): Transport interleaved channel 256 .*\(request: 5345545550[0-9a-f]+\)'
check "$DUT: syslog says so (critical, watchdog)" within 3 has "$work/syslog.txt" \
	'^<26>.*fragile-rtsp\[[0-9]+\]: FIXTURE FAULT from .* \(interleaved-overrun\): .*watchdog: streaming service down'
"$lab" status "$DUT" >"$work/status-dead.txt" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -q 'fragilertsp: NOT running' "$work/status-dead.txt"; then
	ok "$DUT: lab status says degraded (exit 1, fragilertsp NOT running)"
else
	not_ok "$DUT: lab status exit $rc, want 1 naming fragilertsp" "$(cat "$work/status-dead.txt")"
fi
in_tester "$PY" "$PEER" "$A" --port 554 --path /live >"$work/own-after.out" 2>&1
check "$DUT: ... while its own RTSP on 554 still answers" has "$work/own-after.out" '^DESCRIBE 200'

# 4. The power cycle (what the profile's power_cycle runs, from dl-tester).
check "$DUT: lab restart (from dl-tester) brings it back" in_tester "$lab" restart "$DUT"
check "$DUT: lab status exit 0 after the power cycle" "$lab" status "$DUT"
check "$DUT: syslog says the fixture started again" within 3 has "$work/syslog.txt" \
	'fragile-rtsp\[[0-9]+\]: started: rtsp tcp/8554'
in_tester "$PY" "$PEER" "$A" --port 8554 --user admin --password "$PW" --seconds 2 --min-rtp 3 \
	>"$work/after.out" 2>&1
check "$DUT: the fixture streams again after the power cycle" has "$work/after.out" \
	'^RTP ([3-9]|[1-9][0-9]+) RTCP'
keys >"$work/keys.after"
check "$DUT: the web certificate, the SSH host key and the update CA survived the power cycle" \
	diff "$work/keys.before" "$work/keys.after"
summary
