#!/usr/bin/python3
"""fixtures: the lab's four fragile fixtures (lab/bin/fragile-*.py and their shared fixture.py) on
the loopback of a private network namespace: each starts from the shared arguments, refuses an
unknown trigger, serves its service (and its status port), logs its start to syslog, dies of
its one trigger with exit status 70, a FIXTURE FAULT line and a critical syslog line.

Run by fixtures.sh inside `unshare -n` (root): it binds 127.0.0.1 and ::1 only. Prints one
"ok - " or "not ok - " line per check (tests/lab/lib.sh's format) and exits 1 on a failure.
usage: fixtures.py LAB_BIN_DIR SCRATCH_DIR
"""
import hashlib
import re
import socket
import ssl
import struct
import subprocess
import sys
import time

BIN, WORK = sys.argv[1], sys.argv[2]
PY = sys.executable
SYSLOG = ("127.0.0.1", 5514)
failed = 0


def ok(what, cond, detail=""):
    global failed
    if cond:
        print("ok - " + what, flush=True)
    else:
        failed += 1
        print("not ok - " + what, flush=True)
        for line in str(detail).splitlines()[-5:]:
            print("#   " + line, flush=True)


def receiver():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(SYSLOG)
    s.settimeout(3)
    return s


def syslog_line(s):
    try:
        return s.recv(2048).decode("latin-1")
    except OSError as e:
        return "(no syslog line: %s)" % e


def start(name, args, log):
    out = open(log, "w")
    p = subprocess.Popen([PY, "%s/%s" % (BIN, name)] + args, stdout=out, stderr=subprocess.STDOUT)
    return p, out


def wait_port(host, port, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def status_line(host, port):
    try:
        s = socket.create_connection((host, port), timeout=3)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.decode("latin-1")
    except OSError as e:
        return "(%s)" % e


def died(p, log, pattern):
    try:
        rc = p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = "still running"
    text = open(log).read()
    return rc == 70 and re.search(pattern, text) is not None, "exit %s; log: %s" % (rc, text[-400:])


def unknown_trigger(name, extra):
    r = subprocess.run([PY, "%s/%s" % (BIN, name), "--name", "t", "--address", "127.0.0.1",
                        "--die-on", "no-such-trigger"] + extra, capture_output=True, text=True,
                       timeout=10)
    ok("%s: an unknown --die-on trigger is a usage error (exit 2) naming the known ones" % name,
       r.returncode == 2 and "unknown trigger 'no-such-trigger'; known:" in r.stderr, r.stderr)


def rtsp():
    name = "fragile-rtsp.py"
    unknown_trigger(name, ["--user", "a", "--password", "b"])
    sl = receiver()
    log = WORK + "/rtsp.log"
    p, out = start(name, ["--name", "cam", "--address", "127.0.0.1", "--address", "::1",
                          "--port", "18554", "--user", "admin", "--password", "pw", "--realm", "R",
                          "--server", "Acme CAM-9 RTSP/9.9", "--mgmt-port", "18080",
                          "--die-on", "interleaved-overrun,cseq-digits",
                          "--syslog", "%s:%d" % SYSLOG], log)
    try:
        ok("%s: listens on 18554 and its status port 18080" % name,
           wait_port("127.0.0.1", 18554) and wait_port("::1", 18080))
        line = syslog_line(sl)
        ok("%s: syslog says it started (informational, from the DUT's address)" % name,
           re.match(r"^<30>.* cam fragile-rtsp\[[0-9]+\]: started: rtsp tcp/18554, status tcp/18080$",
                    line), line)
        s = socket.create_connection(("::1", 18554), timeout=3)
        uri = "rtsp://[::1]:18554/stream"

        def request(method, cseq, extra=""):
            s.sendall(("%s %s RTSP/1.0\r\nCSeq: %d\r\n%s\r\n" % (method, uri, cseq, extra)).encode())
            data = b""
            while b"\r\n\r\n" not in data:
                data += s.recv(4096)
            head, _, body = data.partition(b"\r\n\r\n")
            m = re.search(rb"Content-Length: ([0-9]+)", head)
            while m and len(body) < int(m.group(1)):
                body += s.recv(4096)
            return head.decode("latin-1")

        head = request("OPTIONS", 1)
        ok("%s: OPTIONS 200 to anyone, with the --server header" % name,
           head.startswith("RTSP/1.0 200") and "Server: Acme CAM-9 RTSP/9.9" in head, head)
        head = request("DESCRIBE", 2)
        nonce = re.search(r'nonce="([^"]+)"', head)
        ok("%s: DESCRIBE without credentials: 401 Digest" % name,
           head.startswith("RTSP/1.0 401") and nonce is not None, head)

        def auth(method):
            ha1 = hashlib.md5(b"admin:R:pw").hexdigest()
            ha2 = hashlib.md5(("%s:%s" % (method, uri)).encode()).hexdigest()
            response = hashlib.md5(("%s:%s:%s" % (ha1, nonce.group(1), ha2)).encode()).hexdigest()
            return ('Authorization: Digest username="admin", realm="R", nonce="%s", uri="%s", '
                    'response="%s"\r\n' % (nonce.group(1), uri, response))

        head = request("SETUP", 3, auth("SETUP") + "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n")
        session = re.search(r"Session: ([0-9A-F]+)", head)
        ok("%s: SETUP with Digest: 200 and a session" % name,
           head.startswith("RTSP/1.0 200") and session is not None, head)
        head = request("PLAY", 4, auth("PLAY") + "Session: %s\r\n" % (session.group(1) if session else ""))
        time.sleep(0.5)
        media = s.recv(65536)
        ok("%s: PLAY 200, then interleaved RTP on channel 0" % name,
           head.startswith("RTSP/1.0 200") and media[:2] == b"$\x00", head + repr(media[:8]))
        line = status_line("127.0.0.1", 18080)
        ok("%s: the status port answers one line (1 playing)" % name,
           re.search(r"cam ok: up [0-9]+ s, 1 connections, 1 playing", line), line)
        head = request("OPTIONS", 1234567890)
        ok("%s: a CSeq of 10 digits is answered 200" % name, head.startswith("RTSP/1.0 200"), head)
        k = socket.create_connection(("127.0.0.1", 18554), timeout=3)
        k.sendall(b"SETUP rtsp://x/stream RTSP/1.0\r\nCSeq: 9\r\n"
                  b"Transport: RTP/AVP/TCP;interleaved=300-301\r\n\r\n")
        good, detail = died(p, log, r"FIXTURE FAULT from 127\.0\.0\.1 \(interleaved-overrun\): "
                            r"Transport interleaved channel 300 .*\(request: 5345545550")
        ok("%s: interleaved=300-301 kills it: exit 70, FIXTURE FAULT with the request" % name,
           good, detail)
        line = syslog_line(sl)
        ok("%s: ... and a critical syslog line (watchdog: streaming service down)" % name,
           re.match(r"^<26>.*fragile-rtsp\[[0-9]+\]: FIXTURE FAULT .*streaming service down$",
                    line), line)
        ok("%s: ... its ports are gone" % name,
           not wait_port("127.0.0.1", 18554, 0.5) and not wait_port("::1", 18080, 0.5))
    finally:
        p.kill()
        p.wait()
        out.close()
        sl.close()


def bgp():
    name = "fragile-bgp.py"
    unknown_trigger(name, ["--as", "1", "--router-id", "127.0.0.1"])
    sl = receiver()
    log = WORK + "/bgp.log"
    p, out = start(name, ["--name", "rtr", "--address", "127.0.0.1", "--address", "::1",
                          "--as", "65002", "--router-id", "127.0.0.1", "--mgmt-port", "18080",
                          "--announce", "198.18.99.0/24", "--die-on", "as-path-overrun",
                          "--syslog", "%s:%d" % SYSLOG], log)
    try:
        ok("%s: listens on 179 and its status port" % name,
           wait_port("127.0.0.1", 179) and wait_port("::1", 18080))
        line = syslog_line(sl)
        ok("%s: syslog says it started" % name,
           re.match(r"^<30>.* rtr fragile-bgp\[[0-9]+\]: started: bgp tcp/179", line), line)

        def message(kind, body=b""):
            return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), kind) + body

        def messages(sock):
            """(type, body) of what sock has for us within 0.5 s."""
            data, end = b"", time.monotonic() + 0.5
            sock.settimeout(0.1)
            while time.monotonic() < end:  # bounded by the time
                try:
                    chunk = sock.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    break
                data += chunk
            sock.settimeout(3)
            out = []
            while len(data) >= 19:  # each step takes at least 19 bytes
                length = max(19, struct.unpack_from("!H", data, 16)[0])
                out.append((data[18], data[19:length]))
                data = data[length:]
            return out

        def established(caps):
            sock = socket.create_connection(("127.0.0.1", 179), timeout=3)
            sock.sendall(message(1, struct.pack("!BHH4sB", 4, 65001, 90,
                                                socket.inet_aton("127.0.0.2"), len(caps)) + caps))
            sock.sendall(message(4))
            return sock, messages(sock)

        def refresh(afi, subtype, safi):
            return message(5, struct.pack("!HBB", afi, subtype, safi))

        caps = bytes([2, 6, 1, 4, 0, 1, 0, 1]) + bytes([2, 6, 65, 4, 0, 0, 0xfd, 0xe9])
        caps += bytes([2, 4, 2, 0, 70, 0])  # route refresh, enhanced route refresh
        s, got = established(caps)
        line = status_line("::1", 18080)
        ok("%s: OPEN and KEEPALIVE: the status line says Established" % name,
           "127.0.0.1 Established" in line, line)
        ok("%s: its OPEN offers route refresh (2) and enhanced route refresh (70)" % name,
           got and got[0][0] == 1 and bytes([2, 0]) in got[0][1] and bytes([70, 0]) in got[0][1],
           got[:1])
        update = got[2] if len(got) == 4 else (2, b"?")
        ok("%s: then KEEPALIVE, its UPDATE and End-of-RIB" % name,
           got[1:] == [(4, b""), update, (2, b"\0\0\0\0")] and update[1].endswith(
               bytes([24, 198, 18, 99])), got[1:])
        s.sendall(refresh(1, 0, 1))
        got = messages(s)
        ok("%s: a ROUTE-REFRESH for IPv4 unicast: BoRR, its UPDATE, EoRR (RFC 7313)" % name,
           got == [(5, b"\0\x01\x01\x01"), update, (5, b"\0\x01\x02\x01")], got)
        s.sendall(refresh(2, 0, 1) + refresh(1, 1, 1) + refresh(1, 9, 1))
        got = messages(s)
        ok("%s: one for IPv6, a BoRR and an unknown subtype: ignored" % name, got == [], got)
        plain, _ = established(caps[:16])
        plain.sendall(refresh(1, 0, 1))
        got = messages(plain)
        ok("%s: a peer without enhanced route refresh: its UPDATE again, no BoRR" % name,
           got == [update], got)
        plain.sendall(message(5, struct.pack("!HBBB", 1, 0, 1, 0)))
        got = messages(plain)
        ok("%s: a ROUTE-REFRESH of 5 bytes: NOTIFICATION 7/1, the session closed" % name,
           got == [(3, b"\x07\x01")], got)
        line = status_line("::1", 18080)
        ok("%s: the status line counts 2 route refreshes answered" % name,
           "2 route refreshes answered" in line, line)
        attrs = bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, 6, 2, 50]) + b"\0\0\0\x01"
        s.sendall(message(2, struct.pack("!HH", 0, len(attrs)) + attrs + bytes([24, 10, 0, 0])))
        good, detail = died(p, log, r"FIXTURE FAULT from 127\.0\.0\.1 \(as-path-overrun\): "
                            r"AS_PATH segment .*\(UPDATE: f{32}[0-9a-f]+\)")
        ok("%s: an AS_PATH of 50 ASNs in 4 bytes kills it: exit 70, FIXTURE FAULT" % name,
           good, detail)
        line = syslog_line(sl)
        ok("%s: ... and a critical syslog line" % name,
           re.match(r"^<26>.*fragile-bgp\[[0-9]+\]: FIXTURE FAULT .*\(as-path-overrun\)", line), line)
    finally:
        p.kill()
        p.wait()
        out.close()
        sl.close()


def responder():
    name = "fragile-responder.py"
    unknown_trigger(name, ["--port", "18080", "--interface", "lo"])
    sl = receiver()
    log = WORK + "/responder.log"
    p, out = start(name, ["--name", "sw", "--port", "18080", "--address", "127.0.0.1",
                          "--address", "::1", "--interface", "lo",
                          "--die-on", "lldp-port-id-overrun", "--syslog", "%s:%d" % SYSLOG], log)
    try:
        ok("%s: its management port answers" % name, wait_port("::1", 18080))
        line = syslog_line(sl)
        ok("%s: syslog says it started" % name,
           re.match(r"^<30>.* sw fragile-responder\[[0-9]+\]: started: management port tcp/18080",
                    line), line)
        line = status_line("127.0.0.1", 18080)
        ok("%s: the status line counts the frames parsed" % name,
           re.search(r"sw ok: up [0-9]+ s, [0-9]+ frames parsed", line), line)
        raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        raw.bind(("lo", 0))
        chassis = struct.pack("!H", (1 << 9) | 7) + bytes([4]) + bytes(6)
        port = struct.pack("!H", (2 << 9) | 100) + bytes([5]) + b"eth0"
        raw.send(b"\x01\x80\xc2\x00\x00\x0e\x02\x00\x00\x00\x00\x01\x88\xcc" + chassis + port)
        good, detail = died(p, log, r"FIXTURE FAULT on lo \(lldp-port-id-overrun\): LLDP Port ID")
        ok("%s: a Port ID TLV longer than its frame kills it: exit 70, FIXTURE FAULT" % name,
           good, detail)
        line = syslog_line(sl)
        ok("%s: ... and a critical syslog line (management plane down)" % name,
           re.match(r"^<26>.*fragile-responder\[[0-9]+\]: FIXTURE FAULT .*management plane down$",
                    line), line)
    finally:
        p.kill()
        p.wait()
        out.close()
        sl.close()


def tls():
    name = "fragile-tls.py"
    key, cert = WORK + "/key.pem", WORK + "/cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=fixture",
                    "-keyout", key, "-out", cert], capture_output=True, check=True)
    unknown_trigger(name, ["--cert", cert, "--key", key])
    sl = receiver()
    log = WORK + "/tls.log"
    p, out = start(name, ["--name", "tls", "--address", "127.0.0.1", "--address", "::1",
                          "--port", "18443", "--cert", cert, "--key", key,
                          "--die-on", "heartbeat-overrun", "--syslog", "%s:%d" % SYSLOG], log)
    try:
        ok("%s: listens on 18443" % name, wait_port("::1", 18443))
        line = syslog_line(sl)
        ok("%s: syslog says it started" % name,
           re.match(r"^<30>.* tls fragile-tls\[[0-9]+\]: started: tls tcp/18443$", line), line)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with ctx.wrap_socket(socket.create_connection(("::1", 18443), timeout=3)) as t:
            t.sendall(b"GET / HTTP/1.0\r\n\r\n")
            answer = t.recv(100)
            version = t.version()
        ok("%s: a real handshake (%s) and a 200 answer" % (name, version),
           answer.startswith(b"HTTP/1.0 200"), answer)
        s = socket.create_connection(("127.0.0.1", 18443), timeout=3)
        s.sendall(bytes([24, 3, 3, 0, 3, 1, 0x40, 0]))
        good, detail = died(p, log, r"FIXTURE FAULT from 127\.0\.0\.1 \(heartbeat-overrun\): "
                            r"heartbeat payload_length 16384 .*\(record: 1803030003014000\)")
        ok("%s: a heartbeat_request claiming 16384 bytes kills it: exit 70, FIXTURE FAULT" % name,
           good, detail)
        line = syslog_line(sl)
        ok("%s: ... and a critical syslog line" % name,
           re.match(r"^<26>.*fragile-tls\[[0-9]+\]: FIXTURE FAULT .*TLS service down$", line), line)
    finally:
        p.kill()
        p.wait()
        out.close()
        sl.close()


for test in (rtsp, bgp, responder, tls):
    try:
        test()
    except Exception as e:  # a broken fixture fails its checks, not the whole run
        ok("%s runs to its end" % test.__name__, False, repr(e))
sys.exit(1 if failed else 0)
