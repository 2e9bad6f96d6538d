#!/usr/bin/python3
"""tcp-spawn: a tiny inetd: listen on a TCP port and run COMMAND per connection on the socket.

usage: tcp-spawn.py [--address ADDR] [--max-children N] PORT -- COMMAND...
COMMAND gets the connection as its stdin and stdout. The lab uses it to keep
`gdbserver --multi stdio` reachable for every client: gdbserver's own TCP listener
closes while one client is connected and does not come back after it leaves.
"""
import argparse
import os
import signal
import socket
import sys


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        print("usage: tcp-spawn.py [--address ADDR] [--max-children N] PORT -- COMMAND...",
              file=sys.stderr)
        return 2
    cut = argv.index("--")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--address", default="::")
    ap.add_argument("--max-children", type=int, default=8)
    ap.add_argument("port", type=int)
    args = ap.parse_args(argv[:cut])
    command = argv[cut + 1:]
    if not command:
        ap.error("no COMMAND after --")

    children = set()

    def reap(_signum, _frame):
        while children:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                children.clear()
                return
            if pid == 0:
                return
            children.discard(pid)

    def stop(_signum, _frame):
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        sys.exit(0)

    signal.signal(signal.SIGCHLD, reap)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind((args.address, args.port))
    srv.listen(16)
    print(f"tcp-spawn: [{args.address}]:{args.port} -> {' '.join(command)}", flush=True)
    while True:
        try:
            conn, peer = srv.accept()
        except InterruptedError:
            continue
        if len(children) >= args.max_children:
            print(f"tcp-spawn: refusing {peer[0]}: {len(children)} sessions open", flush=True)
            conn.close()
            continue
        print(f"tcp-spawn: connection from {peer[0]} port {peer[1]}", flush=True)
        pid = os.fork()
        if pid == 0:
            # Its own session: gdbserver signals its process group (on a Ctrl-C byte from
            # the client, for one), which must not reach this listener.
            os.setsid()
            srv.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.dup2(conn.fileno(), 0)
            os.dup2(conn.fileno(), 1)
            conn.close()
            try:
                os.execvp(command[0], command)
            finally:
                os._exit(127)
        children.add(pid)
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
