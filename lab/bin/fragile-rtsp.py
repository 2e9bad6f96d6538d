#!/usr/bin/python3
"""fragile-rtsp: LAB FIXTURE ONLY - an RTSP camera service that dies on one malformed header, on purpose.

dutlab's stateful robustness campaigns (TS-0014-1 5.3.2.3: RTSP, RTP, RTCP) must prove that
they notice a camera whose streaming process dies on a malformed request, find the request
that did it and save a reproducer. A real RTSP server that crashes on a known request is hard
to ship in a lab, so stream-bad (lab/duts/stream/bad, lab/lib/stream.sh) runs this fixture on
tcp/554 instead of GStreamer's, and camera-bad runs it on tcp/8554 beside its own RTSP server. It is NOT an RTSP implementation: one stream (--path), RTP
over TCP only (interleaved, RFC 2326 10.12), no UDP transport, no RTSP over HTTP. It serves

  OPTIONS        to anyone (Public: the methods below)
  DESCRIBE       an SDP of one Motion-JPEG video stream (payload type 26)
  SETUP          Transport RTP/AVP/TCP;unicast;interleaved=A-B: a session (Session: ID;timeout=60)
  PLAY, PAUSE    RTP packets (5 a second) on channel A, an RTCP sender report every 2 s on B
  GET_PARAMETER, SET_PARAMETER (empty: a keep-alive), TEARDOWN
  ANNOUNCE, RECORD, REDIRECT: 405 Method Not Allowed; anything else 501

DESCRIBE and every later method ask for Digest authentication (RFC 2617, MD5, no qop, as
GStreamer's RTSP server) of --user/--password; OPTIONS does not. A session belongs to its
connection and ends with it.

A careless firmware parses every header of a request before it looks at the method or the
credentials. With --die-on it exits (status 70, logging "FIXTURE FAULT ..." with the request)
on exactly these, and on nothing else:

  interleaved-overrun  a request (any method, authenticated or not) with a Transport header
                       whose first transport specification has an interleaved= parameter of
                       one or two channels (N or N-M, decimal digits only, at most 10 digits
                       each) where a channel is larger than 255 (the firmware indexes its
                       256-entry channel table with it; RFC 2326 says a channel is 0-255).
  cseq-digits          a CSeq header whose value is more than 10 decimal digits (the
                       firmware copies it into an 11-byte buffer).

Every other malformation is answered the way a careful server does: 400 Bad Request (a bad
request line, no CSeq, a CSeq that is not a number, a Content-Length that is not one, a
Transport it cannot read), 401 (no or wrong credentials), 404 (another path), 454 (another
session), 455 (PLAY without SETUP), 461 (a transport other than RTP/AVP/TCP), 413 (a body or
a header section too large, then the connection closes), 505 (a version other than RTSP/1.0).
Without --die-on the same parser runs and never exits. When it dies tcp/554 and the status
port go with it: that is what a health monitor sees.

It serves a status port (--mgmt-port, one HTTP status line: uptime, connections, sessions,
requests, malformations refused) as fragile-responder.py and fragile-bgp.py do, and with
--syslog HOST:PORT logs as a device with a remote syslog server does (RFC 3164 over UDP from
its first address of that family): one line when it starts and, when it dies, a critical line
naming the trigger that says the watchdog finds the streaming service down. The status port,
the syslog lines, the listeners and the arguments every fixture has come from fixture.py
(installed beside it).

usage: fragile-rtsp.py --name NAME --address ADDR... --user USER --password PASSWORD
                       [--port 554] [--path /stream] [--realm REALM] [--server TEXT]
                       [--mgmt-port PORT]
                       [--die-on TRIGGER[,TRIGGER]] [--syslog HOST:PORT]
"""
import hashlib
import re
import secrets
import select
import struct
import time

import fixture

TRIGGERS = ("interleaved-overrun", "cseq-digits")
MAX_CONNECTIONS = 32
MAX_HEADER = 8192  # bytes of a request line and its headers
MAX_BODY = 65536
MAX_BUFFER = 2 * MAX_BODY
IDLE = 60  # seconds a connection may stay silent (the session timeout)
RTP_EVERY = 0.2
RTCP_EVERY = 2.0
SERVER = "Acme STR-200 RTSP/1.2.0"  # the Server header, unless --server names another
METHODS = ("OPTIONS", "DESCRIBE", "SETUP", "PLAY", "PAUSE", "GET_PARAMETER", "SET_PARAMETER",
           "TEARDOWN")
NOT_ALLOWED = ("ANNOUNCE", "RECORD", "REDIRECT")
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           405: "Method Not Allowed", 413: "Request Entity Too Large", 451: "Parameter Not Understood",
           454: "Session Not Found", 455: "Method Not Valid in This State",
           459: "Aggregate Operation Not Allowed", 461: "Unsupported Transport",
           501: "Not Implemented", 505: "RTSP Version Not Supported"}
DIGITS = re.compile(r"^[0-9]+$")


class Fatal(Exception):
    """The deliberate weakness: the fixture dies on this header."""

    def __init__(self, trigger, detail):
        super().__init__(detail)
        self.trigger = trigger


class Refuse(Exception):
    """A malformed request answered with an error status (and maybe a close)."""

    def __init__(self, status, detail, close=False, cseq=None):
        super().__init__(detail)
        self.status, self.close, self.cseq = status, close, cseq


def md5(text):
    return hashlib.md5(text.encode("latin-1")).hexdigest()


def digest_params(value):
    """The name=value pairs of a Digest credentials header (quoted or bare)."""
    out = {}
    for m in re.finditer(r'([A-Za-z0-9_-]+)\s*=\s*("([^"]*)"|[^,\s]*)', value):
        out[m.group(1).lower()] = m.group(3) if m.group(3) is not None else m.group(2)
    return out


class Connection:
    def __init__(self, sock, peer, now):
        self.sock, self.peer = sock, peer
        self.buf = b""
        self.out = b""
        self.last_rx = now
        self.session = None  # the session id after SETUP
        self.channels = (0, 1)
        self.playing = False
        self.seq = secrets.randbelow(65536)
        self.ssrc = secrets.randbits(32)
        self.next_rtp = self.next_rtcp = 0.0
        self.rtp_sent = 0
        self.octets = 0
        self.closing = False


class Server:
    def __init__(self, a):
        self.a = a
        self.fatal = a.fatal
        self.conns = {}
        self.requests = self.refused = self.sessions = 0
        self.started = time.time()
        self.nonce = secrets.token_hex(16)
        self.host = next((x for x in a.address if ":" not in x), a.address[0])

    def log(self, text):
        print("fragile-rtsp: " + text, flush=True)

    def close(self, c, why):
        if c.sock in self.conns:
            del self.conns[c.sock]
            self.log("connection from %s closed: %s" % (c.peer, why))
        try:
            c.sock.close()
        except OSError:
            pass

    def queue(self, c, data):
        if len(c.out) + len(data) > 4 * MAX_BODY:  # a reader that does not read: drop media
            return False
        c.out += data
        return True

    def respond(self, c, status, cseq, headers=(), body=b""):
        lines = ["RTSP/1.0 %d %s" % (status, REASONS.get(status, "Error"))]
        if cseq is not None:
            lines.append("CSeq: %s" % cseq)
        lines.append("Server: " + self.a.server)
        lines.append("Date: " + time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()))
        lines.extend(headers)
        if body:
            lines.append("Content-Length: %d" % len(body))
        self.queue(c, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    # --- the careless header parse: every header, before the method and the credentials ---
    def parse_headers(self, lines):
        headers = {}
        for line in lines:
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise Refuse(400, "header line without a name: %r" % line[:40])
            headers.setdefault(name.strip().lower(), value.strip())
        cseq = headers.get("cseq")
        if cseq is not None and DIGITS.match(cseq) and len(cseq) > 10 and "cseq-digits" in self.fatal:
            raise Fatal("cseq-digits", "CSeq of %d digits (%s...) overruns the 11-byte buffer"
                        % (len(cseq), cseq[:12]))
        transport = headers.get("transport")
        if transport is not None and "interleaved-overrun" in self.fatal:
            first = transport.split(",")[0]
            for param in first.split(";"):
                key, _, value = param.strip().partition("=")
                if key.strip().lower() != "interleaved":
                    continue
                parts = value.strip().split("-")
                if 1 <= len(parts) <= 2 and all(DIGITS.match(p) and len(p) <= 10 for p in parts):
                    over = [int(p) for p in parts if int(p) > 255]
                    if over:
                        raise Fatal("interleaved-overrun",
                                    "Transport interleaved channel %d past the 256-entry "
                                    "channel table (%s)" % (over[0], value.strip()[:40]))
        return headers

    def authorized(self, method, headers):
        value = headers.get("authorization", "")
        scheme, _, rest = value.partition(" ")
        if scheme.lower() != "digest":
            return False
        p = digest_params(rest)
        if p.get("username") != self.a.user or p.get("realm") != self.a.realm or \
                p.get("nonce") != self.nonce or "uri" not in p or "response" not in p:
            return False
        ha1 = md5("%s:%s:%s" % (self.a.user, self.a.realm, self.a.password))
        ha2 = md5("%s:%s" % (method, p["uri"]))
        if p.get("qop"):
            want = md5("%s:%s:%s:%s:%s:%s" % (ha1, self.nonce, p.get("nc", ""),
                                             p.get("cnonce", ""), p["qop"], ha2))
        else:
            want = md5("%s:%s:%s" % (ha1, self.nonce, ha2))
        return secrets.compare_digest(want, p["response"].lower())

    def path_of(self, uri):
        m = re.match(r"^rtsp://[^/]*(/[^?]*)?", uri, re.I)
        if m:
            return (m.group(1) or "/").rstrip("/") or "/"
        if uri == "*":
            return "*"
        if uri.startswith("/"):
            return uri.rstrip("/") or "/"
        raise Refuse(400, "request URI %r" % uri[:40])

    def sdp(self):
        family = "IP6" if ":" in self.host else "IP4"
        return ("v=0\r\no=- 1 1 IN %s %s\r\ns=%s\r\nc=IN %s %s\r\nt=0 0\r\n"
                "a=control:*\r\nm=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\n"
                "a=framerate:5\r\na=control:track0\r\n"
                % (family, self.host, self.a.name, family, self.host)).encode()

    def on_request(self, c, head, body):
        self.requests += 1
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[0]:
            raise Refuse(400, "request line %r" % lines[0][:60])
        method, uri, version = parts
        headers = self.parse_headers(lines[1:])
        cseq = headers.get("cseq")
        if cseq is None or not DIGITS.match(cseq) or len(cseq) > 10:
            raise Refuse(400, "CSeq %r" % cseq)
        if version != "RTSP/1.0":
            raise Refuse(505, "version %r" % version[:20], cseq=cseq)
        if method in NOT_ALLOWED:
            raise Refuse(405, "method %s" % method, cseq=cseq)
        if method not in METHODS:
            raise Refuse(501, "method %r" % method[:20], cseq=cseq)
        path = self.path_of(uri)
        if method == "OPTIONS":
            self.respond(c, 200, cseq, ["Public: " + ", ".join(METHODS)])
            return
        if not self.authorized(method, headers):
            self.respond(c, 401, cseq, ['WWW-Authenticate: Digest realm="%s", nonce="%s"'
                                        % (self.a.realm, self.nonce)])
            self.refused += 1 if "authorization" in headers else 0
            return
        base = self.a.path.rstrip("/")
        if path not in (base, base + "/track0", "*"):
            raise Refuse(404, "path %r" % path[:40], cseq=cseq)
        session = headers.get("session", "").split(";")[0].strip()
        if method not in ("DESCRIBE", "SETUP") and session and session != c.session:
            raise Refuse(454, "session %r" % session[:20], cseq=cseq)
        if method == "DESCRIBE":
            self.respond(c, 200, cseq, ["Content-Base: rtsp://%s%s/" % (self.hostport(), base),
                                        "Content-Type: application/sdp"], self.sdp())
        elif method == "SETUP":
            if session and session != c.session:
                raise Refuse(454, "session %r" % session[:20], cseq=cseq)
            transport = headers.get("transport")
            if transport is None:
                raise Refuse(400, "SETUP without Transport", cseq=cseq)
            spec = transport.split(",")[0].split(";")
            if spec[0].strip().upper() != "RTP/AVP/TCP":
                raise Refuse(461, "transport %r" % spec[0][:30], cseq=cseq)
            channels = (0, 1)
            for param in spec[1:]:
                key, _, value = param.strip().partition("=")
                if key.lower() == "interleaved":
                    ch = value.split("-")
                    if not 1 <= len(ch) <= 2 or not all(DIGITS.match(x) and len(x) <= 3 for x in ch):
                        raise Refuse(400, "interleaved=%r" % value[:20], cseq=cseq)
                    nums = [int(x) for x in ch]
                    if max(nums) > 255:
                        raise Refuse(400, "interleaved channel past 255", cseq=cseq)
                    channels = (nums[0], nums[-1] if len(nums) == 2 else min(nums[0] + 1, 255))
            if c.session is None:
                c.session = secrets.token_hex(8).upper()
                self.sessions += 1
            c.channels = channels
            self.respond(c, 200, cseq, [
                "Transport: RTP/AVP/TCP;unicast;interleaved=%d-%d;ssrc=%08X"
                % (channels[0], channels[1], c.ssrc),
                "Session: %s;timeout=%d" % (c.session, IDLE)])
        elif method == "PLAY":
            if c.session is None:
                raise Refuse(455, "PLAY before SETUP", cseq=cseq)
            c.playing = True
            c.next_rtp = c.next_rtcp = time.monotonic()
            self.respond(c, 200, cseq, ["Session: %s;timeout=%d" % (c.session, IDLE),
                                        "Range: npt=now-",
                                        "RTP-Info: url=rtsp://%s%s/track0;seq=%d;rtptime=0"
                                        % (self.hostport(), base, c.seq)])
        elif method == "PAUSE":
            if c.session is None:
                raise Refuse(455, "PAUSE before SETUP", cseq=cseq)
            c.playing = False
            self.respond(c, 200, cseq, ["Session: %s;timeout=%d" % (c.session, IDLE)])
        elif method == "TEARDOWN":
            if c.session is None:
                raise Refuse(454, "TEARDOWN without a session", cseq=cseq)
            c.session, c.playing = None, False
            self.respond(c, 200, cseq)
        elif method == "GET_PARAMETER":
            self.respond(c, 200, cseq, ["Session: %s;timeout=%d" % (c.session, IDLE)]
                         if c.session else [])
        elif method == "SET_PARAMETER":
            if body:
                raise Refuse(451, "SET_PARAMETER with %d bytes of parameters" % len(body),
                             cseq=cseq)
            self.respond(c, 200, cseq)

    def hostport(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s:%d" % (host, self.a.port)

    def on_data(self, c, data):
        c.buf += data
        c.last_rx = time.monotonic()
        if len(c.buf) > MAX_BUFFER:
            raise Refuse(413, "%d bytes buffered" % len(c.buf), close=True)
        for _ in range(256):  # bounded per read; each step consumes bytes or returns
            if c.sock not in self.conns or not c.buf:
                return
            if c.buf[:1] == b"$":  # an interleaved frame of the client (its RTCP reports)
                if len(c.buf) < 4:
                    return
                length = struct.unpack_from("!H", c.buf, 2)[0]
                if len(c.buf) < 4 + length:
                    return
                c.buf = c.buf[4 + length:]
                continue
            end = c.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(c.buf) > MAX_HEADER:
                    raise Refuse(413, "header section past %d bytes" % MAX_HEADER, close=True)
                return
            if end > MAX_HEADER:
                raise Refuse(413, "header section of %d bytes" % end, close=True)
            head = c.buf[:end]
            length = 0
            m = re.search(rb"(?im)^content-length[ \t]*:[ \t]*([^\r\n]*)", head)
            if m:
                value = m.group(1).strip()
                if not DIGITS.match(value.decode("latin-1")) or len(value) > 10:
                    c.buf = c.buf[end + 4:]
                    raise Refuse(400, "Content-Length %r" % value[:20], close=True)
                length = int(value)
                if length > MAX_BODY:
                    raise Refuse(413, "Content-Length %d" % length, close=True)
            if len(c.buf) < end + 4 + length:
                return
            body = c.buf[end + 4:end + 4 + length]
            c.buf = c.buf[end + 4 + length:]
            try:
                self.on_request(c, head, body)
            except Refuse as e:
                if e.cseq is None:
                    cs = re.search(rb"(?im)^cseq[ \t]*:[ \t]*([0-9]{1,10})[ \t]*$", head)
                    e.cseq = cs.group(1).decode() if cs else None
                raise

    def media(self, c, now):
        if not c.playing:
            return
        if now >= c.next_rtp:
            c.seq = (c.seq + 1) & 0xFFFF
            stamp = int(now * 90000) & 0xFFFFFFFF
            payload = bytes(8) + bytes([0, 1, 40, 30]) + bytes(48)  # a JPEG header, then data
            rtp = struct.pack("!BBHII", 0x80, 0x80 | 26, c.seq, stamp, c.ssrc) + payload
            if self.queue(c, b"$" + bytes([c.channels[0]]) + struct.pack("!H", len(rtp)) + rtp):
                c.rtp_sent += 1
                c.octets += len(payload)
            c.next_rtp = now + RTP_EVERY
        if now >= c.next_rtcp:
            ntp = time.time() + 2208988800
            sr = struct.pack("!BBHIIIIII", 0x80, 200, 6, c.ssrc, int(ntp),
                             int((ntp % 1) * (1 << 32)), int(now * 90000) & 0xFFFFFFFF,
                             c.rtp_sent, c.octets)
            self.queue(c, b"$" + bytes([c.channels[1]]) + struct.pack("!H", len(sr)) + sr)
            c.next_rtcp = now + RTCP_EVERY

    def status(self):
        playing = sum(1 for c in self.conns.values() if c.playing)
        return ("%s ok: up %d s, %d connections, %d playing, %d sessions set up; %d requests "
                "parsed, %d malformations refused\n"
                % (self.a.name, time.time() - self.started, len(self.conns), playing,
                   self.sessions, self.requests, self.refused))


def main():
    ap = fixture.arguments(__doc__, TRIGGERS, syslog=True, mgmt_port=0)
    ap.add_argument("--port", type=int, default=554)
    ap.add_argument("--path", default="/stream")
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--realm", default="Acme STR-200")
    ap.add_argument("--server", default=SERVER, help="the Server header of every answer")
    a = fixture.parse(ap)
    sv = Server(a)
    rtsp = fixture.listeners(a.address, a.port)
    status = fixture.StatusPort(a.address, a.mgmt_port, sv.status)
    sv.log("(lab fixture) %s: rtsp://%s%s on tcp/%d of %s%s; dies on: %s"
           % (a.name, sv.hostport(), a.path, a.port, ",".join(a.address),
              ", status tcp/%d" % a.mgmt_port if a.mgmt_port else "",
              ",".join(sorted(sv.fatal)) or "nothing"))
    syslog = fixture.syslog_of(a, "fragile-rtsp")
    if syslog:
        syslog.send(fixture.Syslog.INFO, "started: rtsp tcp/%d%s" % (
            a.port, ", status tcp/%d" % a.mgmt_port if a.mgmt_port else ""))

    def die(c, e, request):
        fixture.die("fragile-rtsp", "FIXTURE FAULT from %s (%s): %s; exiting as a fragile camera "
                    "would (request: %s)" % (c.peer, e.trigger, e, request[:512].hex()),
                    syslog, "FIXTURE FAULT from %s (%s): %s; process exits, watchdog: "
                    "streaming service down" % (c.peer, e.trigger, e), rtsp + status.socks)

    while True:
        now = time.monotonic()
        wake = [now + 1.0] + ([status.wake()] if status.clients else [])
        wake += [min(c.next_rtp, c.next_rtcp) for c in sv.conns.values() if c.playing]
        writers = [c.sock for c in sv.conns.values() if c.out]
        ready, writable, _ = select.select(rtsp + status.readable() + list(sv.conns),
                                          writers, [], max(0.0, min(wake) - now))
        for sock in writable:
            c = sv.conns.get(sock)
            if c is None:
                continue
            try:
                n = sock.send(c.out)
                c.out = c.out[n:]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError as e:
                sv.close(c, str(e))
                continue
            if c.closing and not c.out:
                sv.close(c, "closed after an error")
        for sock in ready:
            if sock in rtsp:
                try:
                    s, addr = sock.accept()
                except OSError:
                    continue
                if len(sv.conns) >= MAX_CONNECTIONS:
                    s.close()
                    continue
                s.setblocking(False)
                sv.conns[s] = Connection(s, addr[0], time.monotonic())
            elif status.handle(sock):
                continue
            elif sock in sv.conns:
                c = sv.conns[sock]
                try:
                    data = sock.recv(65536)
                except OSError as e:
                    sv.close(c, str(e))
                    continue
                if not data:
                    sv.close(c, "peer closed")
                    continue
                before = c.buf + data
                for _ in range(64):  # a refused request may have others queued behind it
                    try:
                        sv.on_data(c, data)
                        break
                    except Refuse as e:
                        sv.refused += 1
                        sv.log("refused from %s: %s (%d)" % (c.peer, e, e.status))
                        sv.respond(c, e.status, e.cseq, ["Connection: close"] if e.close else [])
                        if e.close:
                            c.closing, c.playing, c.buf = True, False, b""
                            break
                        data = b""
                    except Fatal as e:
                        die(c, e, before)
        now = time.monotonic()
        status.expire(now)
        for c in list(sv.conns.values()):
            if now - c.last_rx > IDLE and not c.playing:
                sv.close(c, "idle for %d s" % IDLE)
            else:
                sv.media(c, now)


if __name__ == "__main__":
    main()
