#!/usr/bin/env python3
# tls-hostile: a TLS server that misbehaves, one misbehaviour per port, to prove a TLS client never crashes or hangs.
"""Listen on several ports of one address; each port answers every connection
with one kind of hostile reply (issue 4, "Proof"):

  oversized          a record header claiming 0xFFFF bytes (RFC 8446 5.1 allows
                     2^14 + 256), then those bytes
  truncated-silent   half a ServerHello record, then silence with the socket open
  truncated-close    half a ServerHello record, then close
  endless-alerts     warning alerts forever (about 1000/s)
  silent             reads the ClientHello and never writes
  garbage-extensions a well-framed ServerHello whose extension block is garbage
  tiny-fragments     a 64 KiB ServerHello announced, then sent one byte per record
                     (about 1000 records/s) until the connection's time is up
  random             random bytes (about 64 KiB/s)

Every connection ends after --duration seconds (default 60) at the latest, and
at most --max-connections run at once (more are closed at once), so the server
itself is bounded. Ports are --base-port + 0..7 in the order above (--list
prints them). Python 3 standard library only.
"""
import argparse
import os
import signal
import socket
import struct
import sys
import threading
import time

MODES = [
    "oversized",
    "truncated-silent",
    "truncated-close",
    "endless-alerts",
    "silent",
    "garbage-extensions",
    "tiny-fragments",
    "random",
]

HANDSHAKE = 22
ALERT = 21
TLS12 = b"\x03\x03"


def record(content_type, body, version=TLS12):
    return bytes([content_type]) + version + struct.pack(">H", len(body)) + body


def server_hello(extensions_block):
    """A TLS 1.2 ServerHello (RFC 5246 7.4.1.3) with the given raw extension block."""
    body = (
        TLS12
        + os.urandom(32)  # random
        + b"\x00"  # empty session id
        + b"\xc0\x2f"  # TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        + b"\x00"  # no compression
        + extensions_block
    )
    return b"\x02" + struct.pack(">I", len(body))[1:] + body


class Connection:
    def __init__(self, sock, deadline, peer):
        self.sock = sock
        self.deadline = deadline
        self.peer = peer

    def left(self):
        return self.deadline - time.monotonic()

    def read_hello(self, wait=5.0):
        """Read what the client sends first (its ClientHello), up to wait seconds."""
        self.sock.settimeout(min(wait, max(self.left(), 0.01)))
        try:
            return self.sock.recv(65536)
        except (socket.timeout, OSError):
            return b""

    def send(self, data):
        self.sock.settimeout(max(self.left(), 0.01))
        self.sock.sendall(data)

    def hold(self):
        """Keep the connection open and silent until the peer closes or the deadline."""
        while self.left() > 0:
            self.sock.settimeout(min(self.left(), 1.0))
            try:
                if not self.sock.recv(65536):
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    def paced(self, chunks_per_second, make_chunk):
        """Send make_chunk() about chunks_per_second times a second until the deadline."""
        batch = max(1, chunks_per_second // 100)
        while self.left() > 0:
            self.send(b"".join(make_chunk() for _ in range(batch)))
            time.sleep(0.01)


def mode_oversized(c):
    c.read_hello()
    c.send(bytes([HANDSHAKE]) + TLS12 + b"\xff\xff")
    c.send(b"\x02" + os.urandom(0xFFFE))
    c.hold()


def mode_truncated_silent(c):
    c.read_hello()
    hello = record(HANDSHAKE, server_hello(b""))
    c.send(hello[: len(hello) // 2])
    c.hold()


def mode_truncated_close(c):
    c.read_hello()
    hello = record(HANDSHAKE, server_hello(b""))
    c.send(hello[: len(hello) // 2])


def mode_endless_alerts(c):
    c.read_hello()
    # warning (1), user_canceled (90): a warning a client may ignore, so it waits for more
    alert = record(ALERT, b"\x01\x5a")
    c.paced(1000, lambda: alert)


def mode_silent(c):
    c.read_hello()
    c.hold()


def mode_garbage_extensions(c):
    c.read_hello()
    # the block's own length is right; inside, extension lengths run past it,
    # a duplicate extension, and a key_share on TLS 1.2
    inner = (
        b"\xff\x01\x00\x01\x00"  # renegotiation_info, empty
        + b"\xff\x01\x00\x01\x00"  # the same again (RFC 5246 7.4.1.4: at most once)
        + b"\x00\x33\x00\x02\x00\x1d"  # key_share on TLS 1.2, cut short
        + b"\x00\x2b\xff\xf0"  # supported_versions claiming 65520 bytes
        + os.urandom(7)
    )
    block = struct.pack(">H", len(inner)) + inner
    c.send(record(HANDSHAKE, server_hello(block)))
    c.send(record(HANDSHAKE, b"\x0e\x00\x00\x00"))  # ServerHelloDone
    c.hold()


def mode_tiny_fragments(c):
    c.read_hello()
    # a ServerHello of 65535 bytes announced: plausible enough to keep a parser
    # collecting, and at 1000 one-byte records a second it takes longer than --duration
    header = b"\x02\x00\xff\xff"
    for b in header:
        c.send(record(HANDSHAKE, bytes([b])))
    c.paced(1000, lambda: record(HANDSHAKE, os.urandom(1)))


def mode_random(c):
    c.read_hello(wait=1.0)
    c.paced(100, lambda: os.urandom(640))


HANDLERS = {
    "oversized": mode_oversized,
    "truncated-silent": mode_truncated_silent,
    "truncated-close": mode_truncated_close,
    "endless-alerts": mode_endless_alerts,
    "silent": mode_silent,
    "garbage-extensions": mode_garbage_extensions,
    "tiny-fragments": mode_tiny_fragments,
    "random": mode_random,
}


class Server:
    def __init__(self, address, base_port, duration, max_connections, verbose):
        self.address = address
        self.base_port = base_port
        self.duration = duration
        self.slots = threading.BoundedSemaphore(max_connections)
        self.verbose = verbose
        self.stats_lock = threading.Lock()
        self.stats = {m: 0 for m in MODES}

    def log(self, text):
        if self.verbose:
            print("tls-hostile: " + text, file=sys.stderr, flush=True)

    def serve_connection(self, mode, sock, peer):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = Connection(sock, time.monotonic() + self.duration, peer)
            HANDLERS[mode](conn)
        except (OSError, ValueError):
            pass  # the client left: that is the point
        finally:
            try:
                sock.close()
            except OSError:
                pass
            self.slots.release()

    def accept_loop(self, mode, listener):
        while True:
            try:
                sock, peer = listener.accept()
            except OSError:
                return
            with self.stats_lock:
                self.stats[mode] += 1
            if not self.slots.acquire(blocking=False):
                self.log("%s: too many connections, closing one from %s" % (mode, peer[0]))
                sock.close()
                continue
            self.log("%s: connection from %s port %d" % (mode, peer[0], peer[1]))
            threading.Thread(
                target=self.serve_connection, args=(mode, sock, peer), daemon=True
            ).start()

    def run(self):
        family = socket.AF_INET6 if ":" in self.address else socket.AF_INET
        threads = []
        for i, mode in enumerate(MODES):
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((self.address, self.base_port + i))
            s.listen(64)
            t = threading.Thread(target=self.accept_loop, args=(mode, s), daemon=True)
            t.start()
            threads.append(t)
        print(
            "tls-hostile: listening on %s ports %d-%d"
            % (self.address, self.base_port, self.base_port + len(MODES) - 1),
            flush=True,
        )
        # the handler only raises: taking a lock in it (Event.set) can deadlock the main thread
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while True:
                time.sleep(3600)
        except (SystemExit, KeyboardInterrupt):
            self.log("connections per mode: %s" % self.stats)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--address", default="127.0.0.1", help="address to listen on")
    ap.add_argument("--base-port", type=int, default=4430, help="first port (oversized)")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds a connection may last")
    ap.add_argument("--max-connections", type=int, default=256, help="connections at once")
    ap.add_argument("--list", action="store_true", help="print 'PORT MODE' lines and exit")
    ap.add_argument("-v", "--verbose", action="store_true", help="log connections to stderr")
    a = ap.parse_args()
    if not 1 <= a.base_port <= 65535 - len(MODES):
        ap.error("--base-port must leave room for %d ports" % len(MODES))
    if a.list:
        for i, mode in enumerate(MODES):
            print(a.base_port + i, mode)
        return 0
    Server(a.address, a.base_port, a.duration, a.max_connections, a.verbose).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
