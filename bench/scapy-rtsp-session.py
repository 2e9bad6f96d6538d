#!/usr/bin/python3
"""scapy-rtsp-session: the scapy side of bench/sessions-vs-scapy.sh for RTSP: requests with one header given scapy's random value, in a playing session, as fast as the script makes them.

Connects by TCP to --remote port --port, sends OPTIONS, DESCRIBE (answering a 401 with RFC
2617 Digest for --user/--password), SETUP of the SDP's first track with
RTP/AVP/TCP;unicast;interleaved=0-1, and PLAY: the session plays (the state dutlab's RTSP
plug-in fuzzes in). Then, until --seconds have passed, one test case after another: a request
(OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER, ANNOUNCE with an SDP
body, TEARDOWN) with its valid CSeq, Session and Authorization, where one part (the method,
the URI, the version, or one header's name or value) is replaced by scapy's random value for
a field of that kind: StrField.randval() (random bytes, 0 to 1200 long) for text,
IntField/LongField.randval() in decimal for a number (CSeq, Content-Length).

After each case it reads what the DUT sends until the answer comes, for up to --reaction-ms
(20: the window dutlab's campaign reads a case's reaction in; interleaved RTP/RTCP frames are
counted and dropped, each answer's status counted): RTSP answers every request, so writing
on without waiting would put cases behind one the DUT closed the connection on (a 400 and a
close), never parsed. A close is a reset and the session is set up again at once (a failed
attempt waits 250 ms, as dutlab's campaign does). A session that neither answers nor streams
for 3 s has stalled: a reset too, the session set up again, as dutlab's RTSP link does. One
that streams but has answered none of the last 50 cases (a mutated Content-Length can leave
the DUT waiting for a body that never comes) is given up the same way (deaf). A TEARDOWN
answered 200 ends the RTSP session: the next case sets up a new one (counted as spent, not a
reset).

Prints one JSON object: seconds, cases, sessions, resets, silent_closes, notifications
{status: count of 4xx/5xx answers}, answers, unanswered (cases without an answer in the
window), rtp_frames, stalls, deaf, spent, establish_failures,
cases_per_second, seconds_establishing.
"""
import argparse
import hashlib
import json
import random
import re
import select
import socket
import struct
import sys
import time

from scapy.config import conf
from scapy.fields import IntField, LongField, StrField

conf.verb = 0

METHODS = ["OPTIONS", "DESCRIBE", "SETUP", "PLAY", "PAUSE", "GET_PARAMETER", "SET_PARAMETER",
           "ANNOUNCE", "TEARDOWN"]
TEXT = StrField("text", b"")
NUMBERS = [IntField("number", 0), LongField("number", 0)]
DEAF_CASES = 50  # cases in a row without an answer (a second of 20 ms windows): given up
STALL_SECONDS = 3.0  # dutlab's RTSP_LINK_STALL_MS: a playing session silent this long has stalled
SDP = (b"v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=bench\r\nt=0 0\r\n"
       b"m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n")


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


class Rtsp:
    def __init__(self, args):
        self.args = args
        self.sock = None
        self.buf = b""
        self.cseq = 0
        self.session = None
        self.digest = None  # (realm, nonce, opaque, qop)
        self.nc = 0
        self.base = "rtsp://%s:%d%s" % (args.remote, args.port, args.path)
        self.track = self.base
        self.heard = 0.0
        self.unanswered = 0  # cases in a row without an answer
        self.teardowns, self.spent = set(), False

    def close(self):
        if self.sock is not None:
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buf = b""
        self.session = None

    def authorization(self, method, uri):
        if not self.digest or not self.args.user:
            return None
        realm, nonce, opaque, qop = self.digest
        ha1 = md5("%s:%s:%s" % (self.args.user, realm, self.args.password))
        ha2 = md5("%s:%s" % (method, uri))
        if qop:
            self.nc += 1
            cnonce = "%016x" % random.getrandbits(64)
            nc = "%08x" % self.nc
            response = md5("%s:%s:%s:%s:auth:%s" % (ha1, nonce, nc, cnonce, ha2))
            extra = ', qop=auth, nc=%s, cnonce="%s"' % (nc, cnonce)
        else:
            response = md5("%s:%s:%s" % (ha1, nonce, ha2))
            extra = ""
        value = ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s"%s' %
                 (self.args.user, realm, nonce, uri, response, extra))
        if opaque:
            value += ', opaque="%s"' % opaque
        return value

    def request(self, method, uri, extra=(), body=b""):
        """The parts of a valid request: [method, uri, version, (name, value)...], body."""
        self.cseq += 1
        headers = [("CSeq", str(self.cseq))]
        auth = self.authorization(method, uri)
        if auth:
            headers.append(("Authorization", auth))
        if self.session:
            headers.append(("Session", self.session))
        headers.extend(extra)
        if body:
            headers.append(("Content-Length", str(len(body))))
        return [method, uri, "RTSP/1.0"] + headers, body

    @staticmethod
    def encode(parts, body):
        def b(x):
            return x if isinstance(x, bytes) else str(x).encode("latin-1")
        out = b(parts[0]) + b" " + b(parts[1]) + b" " + b(parts[2]) + b"\r\n"
        for name, value in parts[3:]:
            out += b(name) + b": " + b(value) + b"\r\n"
        return out + b"\r\n" + body

    def responses(self):
        """Split self.buf into responses (status, headers, body) and count interleaved
        frames; the rest stays. Returns (responses, frames)."""
        out, frames = [], 0
        while self.buf:
            if self.buf[:1] == b"$":
                if len(self.buf) < 4:
                    break
                n = struct.unpack("!H", self.buf[2:4])[0]
                if len(self.buf) < 4 + n:
                    break
                self.buf = self.buf[4 + n:]
                frames += 1
                continue
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 65536:
                    raise ConnectionError("an unending response head from the DUT")
                break
            head = self.buf[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            if len(self.buf) < end + 4 + length:
                break
            body = self.buf[end + 4:end + 4 + length]
            self.buf = self.buf[end + 4 + length:]
            m = re.match(r"RTSP/\d\.\d (\d{3})", head[0])
            out.append((int(m.group(1)) if m else 0, headers, body))
        return out, frames

    def exchange(self, method, uri, deadline, extra=(), body=b""):
        """Send one valid request and wait for its response (establishing only)."""
        parts, body = self.request(method, uri, extra, body)
        self.sock.sendall(self.encode(parts, body))
        cseq = str(self.cseq)
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed during %s" % method)
            self.buf += data
            for status, headers, rbody in self.responses()[0]:
                if headers.get("cseq") == cseq:
                    return status, headers, rbody
        raise TimeoutError("no answer to %s in time" % method)

    def establish(self, deadline):
        self.close()
        self.cseq = 0
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock = s
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.settimeout(max(0.05, min(3.0, deadline - time.monotonic())))
        s.connect((self.args.remote, self.args.port))
        status, _, _ = self.exchange("OPTIONS", self.base, deadline)
        if status != 200:
            raise ConnectionError("OPTIONS answered %d" % status)
        accept = [("Accept", "application/sdp")]
        status, headers, body = self.exchange("DESCRIBE", self.base, deadline, accept)
        if status == 401:
            h = headers.get("www-authenticate", "")
            fields = dict(re.findall(r'(\w+)="?([^",]*)"?', h))
            self.digest = (fields.get("realm", ""), fields.get("nonce", ""),
                           fields.get("opaque"), "auth" in fields.get("qop", ""))
            status, headers, body = self.exchange("DESCRIBE", self.base, deadline, accept)
        if status != 200:
            raise ConnectionError("DESCRIBE answered %d" % status)
        base = headers.get("content-base", self.base)
        control = re.search(rb"m=.*?a=control:(\S+)", body, re.S)
        self.track = self.base
        if control:
            c = control.group(1).decode("latin-1")
            self.track = c if c.startswith("rtsp://") else base.rstrip("/") + "/" + c
        transport = [("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")]
        status, headers, _ = self.exchange("SETUP", self.track, deadline, transport)
        if status != 200 or "session" not in headers:
            raise ConnectionError("SETUP answered %d" % status)
        self.session = headers["session"].split(";")[0]
        status, _, _ = self.exchange("PLAY", base, deadline, [("Range", "npt=0-")])
        if status != 200:
            raise ConnectionError("PLAY answered %d" % status)
        s.setblocking(False)
        self.heard = time.monotonic()

    def case(self, rng):
        """(bytes, method, CSeq or None when mutated) of one case: a valid request with one part given scapy's random
        value for a field of its kind."""
        method = rng.choice(METHODS)
        uri = self.track if method == "SETUP" else self.base
        extra, body = [], b""
        if method == "SETUP":
            extra = [("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")]
        elif method == "PLAY":
            extra = [("Range", "npt=0-")]
        elif method == "DESCRIBE":
            extra = [("Accept", "application/sdp")]
        elif method in ("GET_PARAMETER", "SET_PARAMETER"):
            extra = [("Content-Type", "text/parameters")]
            body = b"position\r\n" if method == "GET_PARAMETER" else b"barparam: barstuff\r\n"
        elif method == "ANNOUNCE":
            extra = [("Content-Type", "application/sdp")]
            body = SDP
        parts, body = self.request(method, uri, extra, body)
        at = rng.randrange(len(parts))
        cseq = str(self.cseq) if at != 3 else None
        if at < 3:
            parts[at] = TEXT.randval()._fix()
        else:
            name, value = parts[at]
            if rng.random() < 0.25:
                parts[at] = (TEXT.randval()._fix(), value)
            elif name in ("CSeq", "Content-Length") and rng.random() < 0.5:
                parts[at] = (name, str(rng.choice(NUMBERS).randval()._fix()))
            else:
                parts[at] = (name, TEXT.randval()._fix())
        return self.encode(parts, body), method, cseq

    def send(self, data):
        view = memoryview(data)
        limit = time.monotonic() + 3.0
        while view:
            try:
                n = self.sock.send(view)
            except BlockingIOError:
                if time.monotonic() > limit:
                    return False
                select.select([], [self.sock], [], 0.1)
                continue
            except OSError:
                return False
            view = view[n:]
        return True

    def reaction(self, st, wait):
        """Read what the DUT sends until its next answer or for up to wait seconds: False
        when it closed the connection."""
        until = time.monotonic() + wait
        answered = False
        while True:
            left = 0 if answered else max(0.0, until - time.monotonic())
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return True
            try:
                data = self.sock.recv(262144)
            except BlockingIOError:
                return True
            except OSError:
                return False
            if not data:
                return False
            self.heard = time.monotonic()
            self.buf += data
            try:
                answers, frames = self.responses()
            except (ConnectionError, ValueError):
                return False
            st["rtp_frames"] += frames
            for status, headers, _ in answers:
                answered = True
                st["answers"] += 1
                if status >= 400 or status == 0:
                    key = str(status)
                    st["notifications"][key] = st["notifications"].get(key, 0) + 1
                if status == 200 and headers.get("cseq") in self.teardowns:
                    self.spent = True  # the DUT ended the RTSP session


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--remote", required=True)
    ap.add_argument("--port", type=int, default=554)
    ap.add_argument("--path", default="/stream")
    ap.add_argument("--user", default="")
    ap.add_argument("--password", default="")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reaction-ms", type=int, default=20,
                    help="how long a case's answer is awaited (dutlab's campaign: 20 ms)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    random.seed(args.seed)  # scapy's random values come from the random module

    st = {"cases": 0, "sessions": 0, "resets": 0, "silent_closes": 0, "establish_failures": 0,
          "answers": 0, "unanswered": 0, "rtp_frames": 0, "spent": 0, "stalls": 0,
          "deaf": 0, "notifications": {}}
    link = Rtsp(args)
    start = time.monotonic()
    end = start + args.seconds
    establishing = 0.0
    up = False
    while time.monotonic() < end:
        if not up:
            t0 = time.monotonic()
            try:
                link.establish(end)
                up = True
                link.teardowns, link.spent, link.unanswered = set(), False, 0
                st["sessions"] += 1
            except (OSError, ConnectionError, TimeoutError, ValueError) as e:
                st["establish_failures"] += 1
                st["last_failure"] = str(e)
                link.close()
                time.sleep(min(0.25, max(0.0, end - time.monotonic())))
            establishing += time.monotonic() - t0
            continue
        if not link.reaction(st, 0):
            st["resets"] += 1
            st["silent_closes"] += 1
            link.close()
            up = False
            continue
        if link.spent:
            st["spent"] += 1
            link.close()
            up = False
            continue
        if time.monotonic() - link.heard > STALL_SECONDS:
            # neither answers nor RTP: the DUT has given up on the session without closing it
            st["resets"] += 1
            st["silent_closes"] += 1
            st["stalls"] += 1
            link.close()
            up = False
            continue
        data, method, cseq = link.case(rng)
        if not link.send(data):
            st["resets"] += 1
            st["silent_closes"] += 1
            link.close()
            up = False
            continue
        if method == "TEARDOWN" and cseq:
            link.teardowns.add(cseq)
        st["cases"] += 1
        # RTSP answers every request: wait for it (a request the DUT cannot parse to its end
        # may get none), so no case is written behind one the DUT closed the connection on
        answers = st["answers"]
        if not link.reaction(st, args.reaction_ms / 1000):
            st["resets"] += 1
            st["silent_closes"] += 1
            link.close()
            up = False
        elif st["answers"] == answers:
            st["unanswered"] += 1
            link.unanswered += 1
            if link.unanswered >= DEAF_CASES:
                # streaming on, answering nothing (waiting for a body a mutated
                # Content-Length announced): give the session up, as a reset
                st["resets"] += 1
                st["silent_closes"] += 1
                st["deaf"] += 1
                link.close()
                up = False
        else:
            link.unanswered = 0
    seconds = time.monotonic() - start
    link.close()
    st["seconds"] = round(seconds, 3)
    st["seconds_establishing"] = round(establishing, 3)
    st["cases_per_second"] = round(st["cases"] / seconds, 1) if seconds > 0 else 0
    json.dump(st, sys.stdout, sort_keys=True)
    print()
    return 0 if st["sessions"] else 1


if __name__ == "__main__":
    sys.exit(main())
