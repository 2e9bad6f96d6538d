#!/bin/sh
# capture-vectors: record real daemons' replies to our builders as test vectors (run as root; manual)
#
# Usage: tests/unit/proto/capture-vectors.sh PROTO_EMIT OUTDIR
# Starts snmpd, avahi-daemon, miniupnpd, chronyd, in.tftpd, busybox telnetd,
# sshd, nginx, gdbserver and the lab's GStreamer RTSP server in a throwaway network
# namespace (198.18.250.2), sends each probe from a second namespace
# (198.18.250.1) and saves what comes back as OUTDIR/<name>.bin. Everything
# it starts is stopped by process id and both namespaces are deleted on exit.
set -eu
emit=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
work=$(mktemp -d /tmp/dutlab-capture.XXXXXX)
chmod 755 "$work"
dut=dlcap-dut.$$
tst=dlcap-tst.$$
pids=""

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	sleep 0.5
	for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
	ip netns del "$dut" 2>/dev/null || true
	ip netns del "$tst" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

ip netns add "$dut"
ip netns add "$tst"
ip link add dlc0.$$ type veth peer name dlc1.$$ 2>/dev/null ||
	ip link add dlc0 netns "$dut" type veth peer name dlc1 netns "$tst"
if ip link show dlc0.$$ >/dev/null 2>&1; then
	ip link set dlc0.$$ netns "$dut" name dlc0
	ip link set dlc1.$$ netns "$tst" name dlc1
fi
ip -n "$dut" addr add 198.18.250.2/24 dev dlc0
ip -n "$tst" addr add 198.18.250.1/24 dev dlc1
for ns in "$dut" "$tst"; do
	ip -n "$ns" link set lo up
done
ip -n "$dut" link set dlc0 up multicast on
ip -n "$tst" link set dlc1 up multicast on
ip -n "$dut" route add 224.0.0.0/4 dev dlc0

bg() { # bg NAME COMMAND...: run in the DUT namespace with private /run and /etc/avahi/services
	name=$1
	shift
	ip netns exec "$dut" unshare -m sh -c '
		mkdir -p "$0/run" "$0/services" && mount --bind "$0/run" /run &&
		mkdir -p /run/sshd /run/avahi-daemon &&
		mount --bind "$0/services" /etc/avahi/services && exec "$@"' "$work" "$@" \
		>"$work/$name.log" 2>&1 &
	pids="$pids $!"
}

mkdir -p "$work/tftp" "$work/services" "$work/nginx"
printf 'dutlab tftp vector\n' >"$work/tftp/hello.txt"

cat >"$work/snmpd.conf" <<CONF
rocommunity public default
sysLocation Lab rack 3
sysContact lab@example.test
sysName cam-bad
sysDescr Linux cam-bad 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 x86_64
CONF
bg snmpd /usr/sbin/snmpd -f -Lo -C -c "$work/snmpd.conf" -p "$work/snmpd.pid" udp:198.18.250.2:161

cat >"$work/avahi.conf" <<CONF
[server]
host-name=cam-bad
domain-name=local
use-ipv4=yes
use-ipv6=no
allow-interfaces=dlc0
enable-dbus=no
[publish]
publish-hinfo=yes
publish-workstation=no
[reflector]
[rlimits]
CONF
cat >"$work/services/http.service" <<CONF
<?xml version="1.0" standalone='no'?>
<!DOCTYPE service-group SYSTEM "avahi-service.dtd">
<service-group><name>cam-bad web</name>
<service><type>_http._tcp</type><port>80</port><txt-record>model=CAM-100</txt-record></service>
<service><type>_rtsp._tcp</type><port>554</port></service>
</service-group>
CONF
bg avahi /usr/sbin/avahi-daemon --no-drop-root --no-chroot --no-rlimits -f "$work/avahi.conf"

cat >"$work/miniupnpd.conf" <<CONF
ext_ifname=dlc0
listening_ip=dlc0
http_port=5000
enable_natpmp=no
enable_upnp=yes
secure_mode=yes
system_uptime=yes
uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b
serial=SN0001
model_number=CAM-100
friendly_name=cam-bad
allow 1024-65535 198.18.250.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
CONF
bg miniupnpd /usr/sbin/miniupnpd -d -f "$work/miniupnpd.conf" -P "$work/miniupnpd.pid"

cat >"$work/chrony.conf" <<CONF
local stratum 8
allow all
bindaddress 198.18.250.2
cmdport 0
driftfile $work/chrony.drift
pidfile $work/chronyd.pid
CONF
bg chronyd /usr/sbin/chronyd -d -x -f "$work/chrony.conf"

bg tftpd /usr/sbin/in.tftpd -L -s "$work/tftp" -a 198.18.250.2:69
bg telnetd busybox telnetd -F -p 23 -b 198.18.250.2 -l /bin/sh
ssh-keygen -q -t ed25519 -N '' -f "$work/hostkey"
bg sshd /usr/sbin/sshd -D -e -f /dev/null -h "$work/hostkey" -o ListenAddress=198.18.250.2 \
	-o PidFile=none
cat >"$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events {}
http {
	access_log off;
	server { listen 198.18.250.2:80; root $work/nginx; }
}
CONF
printf '<html><title>cam-bad</title></html>\n' >"$work/nginx/index.html"
bg nginx /usr/sbin/nginx -c "$work/nginx.conf" -g 'daemon off;'
bg gdbserver gdbserver 198.18.250.2:2345 /bin/sleep 60
bg rtsp /usr/bin/python3 "$repo/lab/bin/rtsp-camera.py" --address 198.18.250.2 --port 554
sleep 3

mkdir -p "$out"
ask() { # ask NAME PROTO PORT PAYLOAD-FILE
	ip netns exec "$tst" python3 - "$out/$1.bin" "$2" "$3" "$4" <<'PY'
import socket, sys, time
path, proto, port, payload_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
payload = open(payload_path, "rb").read() if payload_path != "-" else b""
if proto == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("198.18.250.1", 0))
    s.settimeout(3)
    s.sendto(payload, ("198.18.250.2", port))
    try:
        data, _ = s.recvfrom(65535)
    except socket.timeout:
        print(f"no reply on udp/{port}", file=sys.stderr)
        sys.exit(1)
else:
    s = socket.create_connection(("198.18.250.2", port), timeout=3)
    if payload:
        s.sendall(payload)
    data = b""
    end = time.time() + 2
    s.settimeout(0.5)
    while time.time() < end and len(data) < 4096:
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            if data:
                break
            continue
        if not chunk:
            break
        data += chunk
open(path, "wb").write(data)
print(f"{path}: {len(data)} bytes")
PY
}
for name in snmp-v2c-public snmp-v1-public ssdp-msearch mdns-services ntp-client tftp-rrq; do
	"$emit" "$name" 198.18.250.2 >"$work/$name.req"
done
"$emit" mdns-a-query >"$work/mdns-a.req"
python3 -c 'import sys; sys.stdout.buffer.write(b"\x00\x01hello.txt\x00octet\x00")' >"$work/tftp-hello.req"
"$emit" rtsp-options >"$work/rtsp-options.req"
"$emit" rtsp-describe >"$work/rtsp-describe.req"
"$emit" identify:80 >"$work/http.req"
"$emit" identify:2345 >"$work/gdb.req"
rc=0
ask snmp-v2c-reply udp 161 "$work/snmp-v2c-public.req" || rc=1
ask snmp-v1-reply udp 161 "$work/snmp-v1-public.req" || rc=1
ask ssdp-reply udp 1900 "$work/ssdp-msearch.req" || rc=1
ask mdns-services-reply udp 5353 "$work/mdns-services.req" || rc=1
ask mdns-a-reply udp 5353 "$work/mdns-a.req" || rc=1
ask ntp-reply udp 123 "$work/ntp-client.req" || rc=1
ask tftp-error-reply udp 69 "$work/tftp-rrq.req" || rc=1
ask tftp-data-reply udp 69 "$work/tftp-hello.req" || rc=1
ask telnet-banner tcp 23 - || rc=1
ask ssh-banner tcp 22 - || rc=1
ask http-reply tcp 80 "$work/http.req" || rc=1
ask gdbserver-reply tcp 2345 "$work/gdb.req" || rc=1
ask rtsp-options-reply tcp 554 "$work/rtsp-options.req" || rc=1
ask rtsp-describe-reply tcp 554 "$work/rtsp-describe.req" || rc=1
if [ "$rc" -ne 0 ]; then
	for f in "$work"/*.log; do echo "== $f"; tail -5 "$f"; done
fi
exit "$rc"
