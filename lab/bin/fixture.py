"""fixture: LAB FIXTURE ONLY - what the lab's fragile services (fragile-*.py) share.

The lab's fragile fixtures (fragile-responder.py, fragile-bgp.py, fragile-rtsp.py,
fragile-tls.py) each play a device service that dies on one malformed field, on purpose, so
dutlab's robustness campaigns can prove they notice it. They share this module, installed
beside them (lab/lib/*.sh copy it into the DUT's state dir with the fixture; Python finds it
in the script's own folder):

  arguments(doc, triggers, ...)  the argument parser every fixture starts from: --name,
                                 --address (repeated), --die-on TRIGGER[,TRIGGER] and, where
                                 the fixture has them, --syslog HOST:PORT and --mgmt-port
  parse(ap)                      the parsed arguments, with a.fatal the set of --die-on
                                 triggers (an unknown one is a usage error)
  listeners(addresses, port)     non-blocking TCP listeners, one an address (IPv6 only on
                                 IPv6 addresses)
  Syslog                         RFC 3164 lines over UDP to the tester, from the DUT's address
  StatusPort                     the management port: one HTTP status line per connection
  die(...)                       the deliberate death: the fault logged (stdout and syslog),
                                 the listeners closed, exit status FIXTURE_EXIT
"""
import argparse
import os
import socket
import sys
import time

FIXTURE_EXIT = 70  # a fixture that dies of its trigger exits with this status
MAX_CLIENTS = 64  # status clients at once
CLIENT_WAIT = 1.0  # seconds a status client has to send its request
SYSLOG_LINE_MAX = 1024  # RFC 3164 4.1


def arguments(doc, triggers, syslog=True, mgmt_port=None):
    """The shared part of a fixture's command line; the caller adds its own options.

    mgmt_port: None (no status port option), or the option's default (0: off, or a port
    number the fixture must have: then it is required when the default is 0)."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--name", required=True)
    ap.add_argument("--address", action="append", required=True)
    ap.add_argument("--die-on", default="", help="comma-separated: " + ", ".join(triggers))
    if syslog:
        ap.add_argument("--syslog", help="HOST:PORT of the remote syslog receiver")
    if mgmt_port is not None:
        ap.add_argument("--mgmt-port", type=int, default=mgmt_port,
                        help="the status port (0: none)")
    ap.set_defaults(fixture_triggers=tuple(triggers))
    return ap


def parse(ap, argv=None):
    """Parse argv; a.fatal is the set of --die-on triggers, every one of them known."""
    a = ap.parse_args(argv)
    a.fatal = set(t.strip() for t in (a.die_on or "").split(",") if t.strip())
    for t in sorted(a.fatal):
        if t not in a.fixture_triggers:
            ap.error("unknown trigger %r; known: %s" % (t, ", ".join(a.fixture_triggers)))
    return a


def listeners(addresses, port, backlog=16):
    """One non-blocking TCP listener on port of each address."""
    socks = []
    for a in addresses:
        family = socket.AF_INET6 if ":" in a else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((a, port))
        s.listen(backlog)
        s.setblocking(False)
        socks.append(s)
    return socks


class Syslog:
    """RFC 3164 lines over UDP to a remote receiver, sent from the DUT's own address of the
    receiver's family (a device with a remote syslog server configured)."""

    FACILITY_DAEMON = 3
    CRIT, INFO = 2, 6

    def __init__(self, target, addresses, hostname, program):
        host, _, port = target.rpartition(":")
        self.target = (host.strip("[]"), int(port))
        v6 = ":" in self.target[0]
        source = next(a for a in addresses if (":" in a) == v6)
        self.sock = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((source, 0))
        self.hostname, self.program = hostname, program

    def send(self, severity, text):
        stamp = time.strftime("%b %e %H:%M:%S")
        line = "<%d>%s %s %s[%d]: %s" % (self.FACILITY_DAEMON * 8 + severity, stamp,
                                         self.hostname, self.program, os.getpid(), text)
        try:
            self.sock.sendto(line.encode()[:SYSLOG_LINE_MAX], self.target)
        except OSError as e:
            print("%s: syslog to %s:%d failed: %s" % (self.program, *self.target, e), flush=True)


def syslog_of(a, program):
    """The fixture's Syslog when --syslog was given, else None."""
    return Syslog(a.syslog, a.address, a.name, program) if getattr(a, "syslog", None) else None


class StatusPort:
    """The management port: each client gets one HTTP/1.0 status line (body()) and the
    connection closes, after its request or CLIENT_WAIT seconds, whichever comes first."""

    def __init__(self, addresses, port, body):
        self.socks = listeners(addresses, port) if port else []
        self.clients = {}  # socket -> deadline
        self.body = body

    def readable(self):
        """What select() watches for the status port."""
        return self.socks + list(self.clients)

    def wake(self):
        """The earliest client deadline, or None."""
        return min(self.clients.values()) if self.clients else None

    def handle(self, sock):
        """Serve sock if it is the status port's; True if it was."""
        if sock in self.socks:
            try:
                c, _ = sock.accept()
            except OSError:
                return True
            if len(self.clients) >= MAX_CLIENTS:
                c.close()
                return True
            c.setblocking(False)
            self.clients[c] = time.monotonic() + CLIENT_WAIT
            return True
        if sock in self.clients:
            try:
                sock.recv(4096)
            except OSError:
                pass
            del self.clients[sock]
            self.answer(sock)
            return True
        return False

    def expire(self, now):
        """Answer the clients whose time to send a request is up."""
        for c in [c for c, d in self.clients.items() if d <= now]:
            del self.clients[c]
            self.answer(c)

    def answer(self, c):
        body = self.body()
        try:
            c.sendall(("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                       "Connection: close\r\n\r\n%s" % (len(body), body)).encode())
            c.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        c.close()


def die(program, text, syslog=None, syslog_text=None, socks=(), from_thread=False):
    """The deliberate death: text to stdout (the service's log), syslog_text (or text) as a
    critical syslog line, the listeners closed, exit FIXTURE_EXIT (os._exit from a thread,
    where sys.exit would end the thread alone)."""
    print("%s: %s" % (program, text), flush=True)
    if syslog:
        syslog.send(Syslog.CRIT, syslog_text or text)
    for s in socks:
        try:
            s.close()
        except OSError:
            pass
    if from_thread:
        os._exit(FIXTURE_EXIT)
    sys.exit(FIXTURE_EXIT)
