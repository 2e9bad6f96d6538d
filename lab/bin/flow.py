#!/usr/bin/python3
"""flow: a steady UDP flow through a layer-2/3 lab DUT to its far host, with loss and latency.

Run in dl-tester: sends --rate datagrams a second for --duration seconds to ADDRESS:--port
(the far host behind the DUT, lab/bin/far-host.py, echoes every one of them back through the
DUT), each carrying a sequence number and its send time, and prints one line:

  flow ADDRESS: sent N received M lost L (P%) rtt min/avg/max A/B/C ms

Exit status 0 if the loss is at most --max-loss percent, 1 otherwise, 2 on a usage error.
The campaign's own background flow does the same from dutlab; this is the lab's reference.
"""
import argparse
import socket
import struct
import sys
import time

MAGIC = b"DLFLOW01"
HEADER = struct.Struct("!8sQd")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("address")
    ap.add_argument("--port", type=int, default=7)
    ap.add_argument("--rate", type=float, default=100.0, help="datagrams a second (max 20000)")
    ap.add_argument("--duration", type=float, default=2.0, help="seconds (max 3600)")
    ap.add_argument("--size", type=int, default=64, help="UDP payload bytes (32..1400)")
    ap.add_argument("--max-loss", type=float, default=0.0, help="percent")
    a = ap.parse_args()
    if not (0 < a.rate <= 20000 and 0 < a.duration <= 3600 and 32 <= a.size <= 1400):
        ap.error("rate 0..20000, duration 0..3600, size 32..1400")
    family = socket.AF_INET6 if ":" in a.address else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.connect((a.address, a.port))
    s.setblocking(False)
    total = int(a.rate * a.duration)
    interval = 1.0 / a.rate
    pad = b"\0" * (a.size - HEADER.size)
    rtts, got = [], set()
    start = time.monotonic()
    sent = 0
    end = start + a.duration + 1.0  # one second for the last echoes
    while True:
        now = time.monotonic()
        if sent < total and now >= start + sent * interval:
            try:
                s.send(HEADER.pack(MAGIC, sent, now) + pad)
            except OSError:
                pass  # counted as lost (e.g. no neighbour yet)
            sent += 1
            continue
        if now >= end or (sent == total and len(got) == total):
            break
        try:
            data = s.recv(2048)
        except BlockingIOError:
            time.sleep(min(interval, 0.001))
            continue
        except OSError:
            continue  # ICMP unreachable reported on the connected socket
        if len(data) < HEADER.size:
            continue
        magic, seq, t0 = HEADER.unpack_from(data)
        if magic != MAGIC or seq in got or seq >= total:
            continue
        got.add(seq)
        rtts.append((time.monotonic() - t0) * 1000.0)
    lost = sent - len(got)
    loss = 100.0 * lost / sent if sent else 100.0
    if rtts:
        rtt = "%.3f/%.3f/%.3f" % (min(rtts), sum(rtts) / len(rtts), max(rtts))
    else:
        rtt = "-/-/-"
    print("flow %s: sent %d received %d lost %d (%.2f%%) rtt min/avg/max %s ms"
          % (a.address, sent, len(got), lost, loss, rtt))
    return 0 if loss <= a.max_loss else 1


if __name__ == "__main__":
    sys.exit(main())
