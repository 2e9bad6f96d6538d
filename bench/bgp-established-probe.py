#!/usr/bin/python3
"""bgp-established-probe: when a BGP speaker says its first word in Established, and whether it takes an UPDATE sent right behind our KEEPALIVE.

Each of --sessions sessions: TCP from --local to --remote port 179 (TCP_NODELAY with
--nodelay), our OPEN (AS --as, hold 90, multiprotocol IPv4 unicast and 4-octet AS), the
DUT's OPEN, our KEEPALIVE, the DUT's KEEPALIVE (Established); with --update a valid UPDATE
(ORIGIN, AS_PATH, NEXT_HOP, 198.19.254.0/24) at once; then the DUT's next two messages
(2 s bound each), timed from the connect; then a Cease NOTIFICATION and a pause of 0.3 s.
Prints one line per session (the events: message type, code/subcode of a NOTIFICATION,
milliseconds) and a JSON summary: sessions, notifications, first_message_ms (min, max).
The session bench (docs/robustness.md) used it to tell a timing fault from the cases' own
resets when TCP_NODELAY went on.
"""
import argparse
import json
import socket
import struct
import time


def message(kind, body=b""):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), kind) + body


class Reader:
    def __init__(self, s):
        self.s, self.buf = s, b""

    def next(self, timeout):
        self.s.settimeout(timeout)
        while True:
            if len(self.buf) >= 19:
                n = struct.unpack("!H", self.buf[16:18])[0]
                if n < 19:
                    raise ValueError("a message of length %d" % n)
                if len(self.buf) >= n:
                    kind, body, self.buf = self.buf[18], self.buf[19:n], self.buf[n:]
                    return kind, body
            data = self.s.recv(65536)
            if not data:
                raise EOFError("closed")
            self.buf += data


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--remote", required=True)
    ap.add_argument("--local", required=True)
    ap.add_argument("--as", dest="asn", type=int, default=65001)
    ap.add_argument("--sessions", type=int, default=3)
    ap.add_argument("--nodelay", action="store_true")
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    if not 1 <= args.sessions <= 1000:
        ap.error("--sessions 1 to 1000")
    caps = bytes([2, 6, 1, 4, 0, 1, 0, 1]) + bytes([2, 6, 65, 4]) + struct.pack("!I", args.asn)
    open_ = message(1, struct.pack("!BHH4sB", 4, args.asn & 0xffff if args.asn < 65536 else 23456,
                                   90, socket.inet_aton(args.local), len(caps)) + caps)
    attributes = (bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, 6, 2, 1]) + struct.pack("!I", args.asn) +
                  bytes([0x40, 3, 4]) + socket.inet_aton(args.local))
    update = message(2, struct.pack("!HH", 0, len(attributes)) + attributes + bytes([24, 198, 19, 254]))
    notifications = 0
    first = []
    for _ in range(args.sessions):
        t0 = time.monotonic()
        ms = lambda: round((time.monotonic() - t0) * 1000, 2)
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        if args.nodelay:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        events = []
        try:
            s.bind((args.local, 0))
            s.connect((args.remote, 179))
            s.sendall(open_)
            r = Reader(s)
            kind, _ = r.next(2)
            events.append(("open" if kind == 1 else kind, ms()))
            s.sendall(message(4))
            kind, _ = r.next(2)
            events.append(("keepalive" if kind == 4 else kind, ms()))
            if args.update:
                s.sendall(update)
                events.append(("sent update", ms()))
            for i in range(2):
                kind, body = r.next(2)
                if kind == 3:
                    notifications += 1
                    events.append(("notification %d/%d" % (body[0], body[1]), ms()))
                    break
                events.append(({2: "update", 4: "keepalive"}.get(kind, kind), ms()))
                if i == 0:
                    first.append(events[-1][1])
            s.sendall(message(3, bytes([6, 4])))
            time.sleep(0.05)
        except (OSError, EOFError, ValueError) as e:
            events.append(repr(e)[:60])
        s.close()
        print(events)
        time.sleep(0.3)
    print(json.dumps({"sessions": args.sessions, "notifications": notifications,
                      "first_message_ms": [min(first), max(first)] if first else None}))


if __name__ == "__main__":
    main()
