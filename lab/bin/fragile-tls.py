#!/usr/bin/python3
"""fragile-tls: LAB FIXTURE ONLY - a TLS server that dies on one malformed heartbeat, on purpose.

dutlab's TLS session campaign (TS-0014-1 5.3.2.3, robustness.sessions with tls in the mix)
must prove it notices a device whose TLS service dies on a malformed record, finds the case
that did it and saves a reproducer. A real TLS library that crashes on a known record is
hard to ship in a lab, so tlslab-fragile (lab/duts/tlslab/fragile, lab/lib/tls-servers.sh)
runs this fixture on tcp/443. It is a real TLS server for everything else: every record the
client sends is handed to OpenSSL (Python's ssl module over memory BIOs), so handshakes
complete (TLS 1.2 and 1.3, the given certificate), an HTTP request after the handshake gets
a short 200 answer, and every malformed record is refused as OpenSSL refuses it (an alert,
then the connection closes).

Before a record reaches OpenSSL the fixture reads it as a careless firmware would. With
--die-on heartbeat-overrun it exits (status 70, logging "FIXTURE FAULT ..." with the
record's bytes) on exactly this, and on nothing else:

  heartbeat-overrun  a whole record (the 5-byte header and the length it declares, at most
                     2^14 + 2048) of content type heartbeat (24) whose body holds at least
                     3 bytes, the first 1 (heartbeat_request), and whose payload_length (the
                     next 2 bytes) is larger than the body after those 3 bytes: the
                     Heartbleed shape (CVE-2014-0160; the careless firmware copies
                     payload_length bytes back). Its place in the connection does not
                     matter (before or during the handshake).

Without --die-on the same reader runs and never exits. When it dies, tcp/443 goes with it:
that is what the session campaign's re-establishing and its TLS check see. With --syslog
HOST:PORT it logs its start and its death as a device with a remote syslog server does. The
syslog lines, the listeners and the arguments every fixture has come from fixture.py
(installed beside it).

usage: fragile-tls.py --name NAME --address ADDR... --cert PEM --key PEM
                      [--port 443] [--die-on heartbeat-overrun] [--syslog HOST:PORT]
"""
import select
import ssl
import sys
import threading
import time

import fixture

TRIGGERS = ("heartbeat-overrun",)
RECORD_MAX = 16384 + 2048
CLIENT_SECONDS = 10  # a connection idle this long is closed
CONNECTIONS_MAX = 64


def log(name, text):
    print("fragile-tls[%s]: %s" % (name, text), flush=True)


class Fatal(Exception):
    def __init__(self, trigger, why, raw):
        super().__init__(why)
        self.trigger = trigger
        self.raw = raw


def inspect(record, fatal):
    """The careless firmware's look at one whole record (header included)."""
    if record[0] != 24 or len(record) < 8:
        return
    body = record[5:]
    if body[0] != 1:
        return
    payload_length = int.from_bytes(body[1:3], "big")
    if payload_length > len(body) - 3 and "heartbeat-overrun" in fatal:
        raise Fatal("heartbeat-overrun",
                    "heartbeat payload_length %d over the %d bytes the record holds after it"
                    % (payload_length, len(body) - 3), record)


def pump(tls, sock):
    """Send what OpenSSL wrote."""
    data = tls["out"].read()
    if data:
        sock.sendall(data)


def serve(args, context, sock, peer, lock, syslog):
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = context.wrap_bio(incoming, outgoing, server_side=True)
    tls = {"out": outgoing}
    buffered = b""
    handshaken = False
    deadline = time.monotonic() + CLIENT_SECONDS
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([sock], [], [], 0.5)
            if not ready:
                continue
            data = sock.recv(65536)
            if not data:
                break
            buffered += data
            # whole records only reach the careless reader and then OpenSSL
            while len(buffered) >= 5:
                length = int.from_bytes(buffered[3:5], "big")
                if buffered[0] & 0x80 or length > RECORD_MAX:
                    incoming.write(buffered)  # SSLv2 or no record: OpenSSL refuses it
                    buffered = b""
                    break
                if len(buffered) < 5 + length:
                    break
                record, buffered = buffered[:5 + length], buffered[5 + length:]
                with lock:
                    inspect(record, args.fatal)
                incoming.write(record)
            try:
                if not handshaken:
                    obj.do_handshake()
                    handshaken = True
                    log(args.name, "handshake with %s: %s %s" % (peer, obj.version(),
                                                                 obj.cipher()[0]))
                request = obj.read(65536)
                if request:
                    obj.write(b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as e:
                pump(tls, sock)  # the alert OpenSSL made
                log(args.name, "refused %s: %s" % (peer, e.reason or e))
                break
            pump(tls, sock)
    except Fatal as e:
        fixture.die("fragile-tls[%s]" % args.name, "FIXTURE FAULT from %s (%s): %s; exiting as "
                    "a fragile device would (record: %s)" % (peer, e.trigger, e, e.raw[:64].hex()),
                    syslog, "FIXTURE FAULT from %s (%s): %s; process exits, watchdog: TLS "
                    "service down" % (peer, e.trigger, e), from_thread=True)
    except OSError:
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass


def main():
    ap = fixture.arguments(__doc__, TRIGGERS, syslog=True)
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    args = fixture.parse(ap)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    listeners = fixture.listeners(args.address, args.port, backlog=64)
    log(args.name, "serving TLS on port %d of %s%s" % (
        args.port, ", ".join(args.address),
        "; dies on " + ",".join(sorted(args.fatal)) if args.fatal else ""))
    syslog = fixture.syslog_of(args, "fragile-tls")
    if syslog:
        syslog.send(fixture.Syslog.INFO, "started: tls tcp/%d" % args.port)
    lock = threading.Lock()
    while True:
        ready, _, _ = select.select(listeners, [], [], 1.0)
        for listener in ready:
            try:
                sock, peer = listener.accept()
            except OSError:
                continue
            if threading.active_count() > CONNECTIONS_MAX:
                sock.close()
                continue
            sock.setblocking(True)  # the listener is non-blocking; serve() selects itself
            threading.Thread(target=serve, args=(args, context, sock, peer[0], lock, syslog),
                             daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
