#!/usr/bin/python3
"""rtsp-answer-rate: how many RTSP answers per second a server gives on N connections at once.

Opens --connections TCP connections to --remote --port, and on each sends a valid OPTIONS
(no session, no credentials: RFC 2326 10.1 needs neither), waits for its answer, sends the next,
for --seconds. Prints one JSON object: connections, answers, per_second. What the session bench
(bench/sessions-vs-scapy.sh) cannot tell apart: whether the server's answering bounds a session
campaign, or the sessions it has to set up (docs/robustness.md, the session bench).

Run inside the tester namespace: ip netns exec dl-tester bench/rtsp-answer-rate.py --remote
198.18.27.2 --connections 4
"""
import argparse
import json
import selectors
import socket
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--remote", required=True)
    ap.add_argument("--port", type=int, default=554)
    ap.add_argument("--path", default="/stream")
    ap.add_argument("--connections", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=5)
    args = ap.parse_args()
    if not 1 <= args.connections <= 64 or not 0 < args.seconds <= 3600:
        ap.error("--connections 1 to 64, --seconds up to 3600")
    url = "rtsp://%s:%d%s" % (args.remote, args.port, args.path)
    sel = selectors.DefaultSelector()

    def ask(c):
        c["cseq"] += 1
        c["s"].sendall(("OPTIONS %s RTSP/1.0\r\nCSeq: %d\r\n\r\n" % (url, c["cseq"])).encode())

    for _ in range(args.connections):
        s = socket.create_connection((args.remote, args.port), timeout=3)
        c = {"s": s, "cseq": 0, "buf": b""}
        sel.register(s, selectors.EVENT_READ, c)
        ask(c)
    answers = 0
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        for key, _ in sel.select(0.5):
            c = key.data
            data = c["s"].recv(65536)
            if not data:
                raise SystemExit("rtsp-answer-rate: the server closed a connection")
            c["buf"] += data
            # OPTIONS answers carry no body: each header block is one answer
            while b"\r\n\r\n" in c["buf"]:
                _, c["buf"] = c["buf"].split(b"\r\n\r\n", 1)
                answers += 1
                ask(c)
    print(json.dumps({"connections": args.connections, "answers": answers,
                      "per_second": round(answers / args.seconds, 1)}))


if __name__ == "__main__":
    main()
