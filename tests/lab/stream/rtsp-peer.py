#!/usr/bin/python3
"""rtsp-peer: a small RTSP client of the lab tests: OPTIONS, DESCRIBE with Digest, SETUP over
TCP (interleaved), PLAY, then counts the RTP and RTCP frames that arrive.

It prints one line per step ("OPTIONS 200", "DESCRIBE 401 digest", "DESCRIBE 200 sdp",
"SETUP 200 session=...", "PLAY 200", "RTP 14 RTCP 2") and exits 0 when every step it was
asked for succeeded. --transport sends that Transport header in SETUP instead (a malformed
one, to kill the fragile responder). Independent of dutlab's code on purpose.

usage: rtsp-peer.py HOST [--port 554] [--path /stream] [--user U --password P]
                    [--seconds 3] [--min-rtp 1] [--transport T] [--options-only]
"""
import argparse
import hashlib
import re
import socket
import struct
import sys
import time


def md5(text):
    return hashlib.md5(text.encode("latin-1")).hexdigest()


class Peer:
    def __init__(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.cseq = 0
        self.rtp = self.rtcp = 0

    def read_more(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the server closed the connection")
        self.buf += data

    def read_response(self):
        while True:
            while self.buf[:1] == b"$":
                if len(self.buf) < 4:
                    self.read_more()
                    continue
                ch, length = self.buf[1], struct.unpack_from("!H", self.buf, 2)[0]
                if len(self.buf) < 4 + length:
                    self.read_more()
                    continue
                self.count(ch)
                self.buf = self.buf[4 + length:]
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0 and self.buf[:1] != b"$":
                head = self.buf[:end].decode("latin-1")
                m = re.search(r"(?im)^content-length:\s*(\d+)", head)
                length = int(m.group(1)) if m else 0
                while len(self.buf) < end + 4 + length:
                    self.read_more()
                body = self.buf[end + 4:end + 4 + length]
                self.buf = self.buf[end + 4 + length:]
                lines = head.split("\r\n")
                status = int(lines[0].split(" ")[1])
                headers = {}
                for line in lines[1:]:
                    k, _, v = line.partition(":")
                    headers[k.strip().lower()] = v.strip()
                return status, headers, body
            self.read_more()

    def count(self, ch):
        if ch % 2 == 0:
            self.rtp += 1
        else:
            self.rtcp += 1

    def request(self, method, uri, headers=()):
        self.cseq += 1
        text = "%s %s RTSP/1.0\r\nCSeq: %d\r\nUser-Agent: dutlab-lab-peer\r\n" % (
            method, uri, self.cseq)
        for h in headers:
            text += h + "\r\n"
        self.sock.sendall((text + "\r\n").encode("latin-1"))
        return self.read_response()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("--port", type=int, default=554)
    ap.add_argument("--path", default="/stream")
    ap.add_argument("--user", default="")
    ap.add_argument("--password", default="")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--min-rtp", type=int, default=1)
    ap.add_argument("--transport", default="RTP/AVP/TCP;unicast;interleaved=0-1")
    ap.add_argument("--options-only", action="store_true")
    a = ap.parse_args()
    host = "[%s]" % a.host if ":" in a.host else a.host
    uri = "rtsp://%s:%d%s" % (host, a.port, a.path)
    p = Peer(a.host, a.port, 5)
    status, h, _ = p.request("OPTIONS", uri)
    print("OPTIONS %d %s" % (status, h.get("public", "")))
    if status != 200:
        return 1
    if a.options_only:
        return 0
    status, h, _ = p.request("DESCRIBE", uri, ["Accept: application/sdp"])
    auth = h.get("www-authenticate", "")
    print("DESCRIBE %d %s" % (status, "digest" if auth.lower().startswith("digest") else auth))
    if status != 401 or not auth.lower().startswith("digest"):
        return 1
    realm = re.search(r'realm="([^"]*)"', auth).group(1)
    nonce = re.search(r'nonce="([^"]*)"', auth).group(1)

    def authz(method, u):
        ha1 = md5("%s:%s:%s" % (a.user, realm, a.password))
        resp = md5("%s:%s:%s" % (ha1, nonce, md5("%s:%s" % (method, u))))
        return ('Authorization: Digest username="%s", realm="%s", nonce="%s", uri="%s", '
                'response="%s"' % (a.user, realm, nonce, u, resp))

    status, h, body = p.request("DESCRIBE", uri, ["Accept: application/sdp",
                                                  authz("DESCRIBE", uri)])
    print("DESCRIBE %d %s" % (status, "sdp" if b"m=video" in body else body[:40]))
    if status != 200:
        return 1
    base = h.get("content-base", uri + "/")
    control = re.findall(rb"a=control:(\S+)", body)
    track = control[-1].decode() if control else ""
    turi = track if track.startswith("rtsp://") else base.rstrip("/") + "/" + track
    status, h, _ = p.request("SETUP", turi, ["Transport: " + a.transport, authz("SETUP", turi)])
    session = h.get("session", "").split(";")[0]
    print("SETUP %d session=%s transport=%s" % (status, session, h.get("transport", "")))
    if status != 200 or not session:
        return 1
    status, h, _ = p.request("PLAY", uri, ["Session: " + session, "Range: npt=0.000-",
                                           authz("PLAY", uri)])
    print("PLAY %d" % status)
    if status != 200:
        return 1
    end = time.monotonic() + a.seconds
    p.sock.settimeout(0.5)
    while time.monotonic() < end:
        try:
            p.read_more()
        except socket.timeout:
            continue
        while len(p.buf) >= 4 and p.buf[:1] == b"$":
            length = struct.unpack_from("!H", p.buf, 2)[0]
            if len(p.buf) < 4 + length:
                break
            p.count(p.buf[1])
            p.buf = p.buf[4 + length:]
    print("RTP %d RTCP %d" % (p.rtp, p.rtcp))
    p.sock.settimeout(5)
    try:
        status, h, _ = p.request("TEARDOWN", uri, ["Session: " + session, authz("TEARDOWN", uri)])
        print("TEARDOWN %d" % status)
    except (OSError, EOFError) as e:
        print("TEARDOWN failed: %s" % e)
    return 0 if p.rtp >= a.min_rtp else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, EOFError, ValueError, AttributeError) as e:
        print("rtsp-peer: %s" % e)
        sys.exit(1)
