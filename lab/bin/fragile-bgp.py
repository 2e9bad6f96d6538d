#!/usr/bin/python3
"""fragile-bgp: LAB FIXTURE ONLY - a BGP speaker that dies on one malformed path attribute, on purpose.

dutlab's stateful robustness campaigns (NCC 5.4.3.2: BGP) must prove that they notice a
router whose BGP process dies on a malformed UPDATE, find the message that did it, bisect
and save a reproducer. Real routing software that crashes on a known UPDATE is hard to ship
in a lab, so routing-bad (lab/duts/routing/bad, lab/lib/routing.sh) runs this fixture on
tcp/179 instead of FRR's bgpd. It is NOT a BGP implementation: no RIB, no best path, no
policy, no collision detection, any peer is accepted. It answers an OPEN with OPEN +
KEEPALIVE (BGP-4, its AS, hold time min(peer's, 90), its router id, capabilities
multiprotocol IPv4 unicast, route refresh (2), enhanced route refresh (70) and 4-octet AS),
keeps the session with KEEPALIVEs every third of the hold time, announces its --announce
prefixes (IPv4 NLRI: ORIGIN IGP, AS_PATH its AS, NEXT_HOP its address) and an End-of-RIB once
Established, and parses every UPDATE it receives as a careless firmware would.

A ROUTE-REFRESH (RFC 2918, RFC 7313) whose body is not 4 bytes (AFI, subtype, SAFI) is refused
with NOTIFICATION 7/1 (RFC 7313 5), in any state. A request (subtype 0) for IPv4 unicast
(AFI 1, SAFI 1, the one family it serves) in an Established session is answered with its
announcements again (no End-of-RIB); when the peer's OPEN offered enhanced route refresh too,
they come between a BoRR (subtype 1) and an EoRR (subtype 2) of IPv4 unicast. A request for
another family and one before Established are ignored, and so is every other subtype: the
peer's BoRR and EoRR (it keeps none of the peer's routes to mark stale) and unknown ones
(RFC 7313 5).

With --die-on as-path-overrun it exits (status 70, logging "FIXTURE FAULT ..." with the
message's bytes) on exactly this, and on nothing else:

  as-path-overrun   an UPDATE received in an Established session whose withdrawn routes
                    length and total path attribute length fit the message, and whose path
                    attributes, walked in order, are each well delimited (flags, type code,
                    a 1-byte length or a 2-byte one with the Extended Length flag 0x10, the
                    value inside the total path attribute length) up to the AS_PATH
                    attribute (type code 2); whose AS_PATH holds at least the 2-byte header
                    of its FIRST segment, of type AS_SET (1) or AS_SEQUENCE (2); and whose
                    segment length (the count of ASNs) times the ASN size is larger than the
                    bytes of the attribute after that header. The ASN size is 4 when both
                    OPENs carried the 4-octet AS capability (code 65), else 2. (The careless
                    firmware copies count x size bytes into a fixed buffer.) Attributes after
                    the AS_PATH are not looked at before it dies.

Every other malformation is refused the way a correct speaker does (RFC 4271 section 6): a
NOTIFICATION (bad marker 1/1, bad message length 1/2, bad type 1/3, OPEN errors 2/x,
malformed attribute list 3/1, attribute length 3/5, invalid ORIGIN 3/6, malformed AS_PATH
3/11 - a later segment overrunning, a bad segment type -, FSM error 5/0, ROUTE-REFRESH
length 7/1), then the session closes and the speaker goes on serving. Without --die-on the
same parser runs and never exits. When it dies, tcp/179 and the status port go with it:
that is what a health monitor sees.

It also serves a status port (--mgmt-port, one HTTP status line: uptime, sessions and their
states, UPDATEs parsed, malformations refused, route refreshes answered), as
fragile-responder.py does for the layer-2/3 DUTs, and with --syslog HOST:PORT logs its start
and its death as a device with a remote syslog server does. The status port, the syslog
lines, the listeners and the arguments every fixture has come from fixture.py (installed
beside it).

usage: fragile-bgp.py --name NAME --address ADDR... --as AS --router-id A.B.C.D
                      [--port 179] [--mgmt-port PORT] [--announce PREFIX]...
                      [--die-on as-path-overrun] [--syslog HOST:PORT]
"""
import ipaddress
import select
import socket
import struct
import time

import fixture

TRIGGERS = ("as-path-overrun",)
MARKER = b"\xff" * 16
HEADER = 19
MAX_MESSAGE = 4096
MY_HOLD = 90
MAX_SESSIONS = 16
OPEN_WAIT = 30  # seconds a connection may stay without an OPEN
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
CAP_MP, CAP_REFRESH, CAP_ENHANCED_REFRESH, CAP_AS4 = 1, 2, 70, 65
REFRESH_REQUEST, REFRESH_BORR, REFRESH_EORR = 0, 1, 2  # ROUTE-REFRESH subtypes (RFC 7313 3.2)
IPV4_UNICAST = (1, 1)  # AFI, SAFI: the one family it serves


class Fatal(Exception):
    """The deliberate weakness: the fixture dies on this attribute."""

    def __init__(self, trigger, detail):
        super().__init__(detail)
        self.trigger = trigger
        self.raw = b""  # the whole UPDATE, filled in by on_message


class Refuse(Exception):
    """A malformation refused with a NOTIFICATION (code, subcode)."""

    def __init__(self, code, subcode, detail):
        super().__init__(detail)
        self.code, self.subcode = code, subcode


def message(mtype, body=b""):
    return MARKER + struct.pack("!HB", HEADER + len(body), mtype) + body


def prefix_bytes(prefix):
    net = ipaddress.ip_network(prefix)
    return bytes([net.prefixlen]) + net.network_address.packed[:(net.prefixlen + 7) // 8]


class Session:
    def __init__(self, sock, peer, now):
        self.sock, self.peer = sock, peer
        self.buf = b""
        self.state = "Connect"  # passive side: our OPEN goes out once theirs arrives
        self.hold = MY_HOLD
        self.as4 = False
        self.refresh = self.enhanced = False  # the peer's OPEN offered route refresh, enhanced
        self.peer_as = 0
        self.last_rx = now
        self.next_keepalive = None
        self.deadline = now + OPEN_WAIT


class Speaker:
    def __init__(self, a):
        self.a = a
        self.fatal = a.fatal
        self.sessions = {}
        self.updates = 0
        self.refused = 0
        self.refreshes = 0
        self.started = time.time()
        self.local4 = next((x for x in a.address if ":" not in x), "0.0.0.0")

    def log(self, text):
        print("fragile-bgp: " + text, flush=True)

    def send(self, s, data):
        try:
            s.sock.sendall(data)
        except OSError:
            self.close(s, "send failed")

    def close(self, s, why):
        if s.sock in self.sessions:
            del self.sessions[s.sock]
            self.log("session with %s closed: %s" % (s.peer, why))
        try:
            s.sock.close()
        except OSError:
            pass

    def notify(self, s, code, subcode, why):
        self.refused += 1
        self.log("refused from %s: %s (NOTIFICATION %d/%d)" % (s.peer, why, code, subcode))
        self.send(s, message(NOTIFICATION, bytes([code, subcode])))
        self.close(s, "NOTIFICATION %d/%d sent" % (code, subcode))

    def our_open(self):
        caps = bytes([CAP_MP, 4]) + struct.pack("!HBB", 1, 0, 1)
        caps += bytes([CAP_REFRESH, 0, CAP_ENHANCED_REFRESH, 0])
        caps += bytes([CAP_AS4, 4]) + struct.pack("!I", self.a.asn)
        params = bytes([2, len(caps)]) + caps
        my_as = self.a.asn if self.a.asn < 65536 else 23456
        body = struct.pack("!BHH4sB", 4, my_as, MY_HOLD,
                           socket.inet_aton(self.a.router_id), len(params)) + params
        return message(OPEN, body)

    def announcements(self, s):
        """Its IPv4 UPDATE (none without --announce), no End-of-RIB."""
        out = []
        if self.a.announce:
            size = 4 if s.as4 else 2
            asn = struct.pack("!I" if size == 4 else "!H", self.a.asn)
            attrs = bytes([0x40, 1, 1, 0])  # ORIGIN IGP
            attrs += bytes([0x40, 2, 2 + size, 2, 1]) + asn  # AS_PATH: AS_SEQUENCE [our AS]
            attrs += bytes([0x40, 3, 4]) + socket.inet_aton(self.local4)  # NEXT_HOP
            nlri = b"".join(prefix_bytes(p) for p in self.a.announce)
            out.append(message(UPDATE, struct.pack("!H", 0) + struct.pack("!H", len(attrs))
                               + attrs + nlri))
        return out

    def on_open(self, s, body):
        if s.state != "Connect":
            raise Refuse(5, 0, "OPEN in state %s" % s.state)
        if len(body) < 10:
            raise Refuse(1, 2, "OPEN of %d bytes" % len(body))
        version, peer_as, hold, _, plen = struct.unpack_from("!BHH4sB", body)
        if version != 4:
            raise Refuse(2, 1, "version %d" % version)
        if hold in (1, 2):
            raise Refuse(2, 6, "hold time %d" % hold)
        if 10 + plen != len(body):
            raise Refuse(2, 0, "optional parameters length %d, %d bytes" % (plen, len(body) - 10))
        i, end, as4, refresh, enhanced = 10, len(body), False, False, False
        while i < end:  # each step advances by at least 2
            if i + 2 > end:
                raise Refuse(2, 0, "truncated optional parameter")
            ptype, pl = body[i], body[i + 1]
            if i + 2 + pl > end:
                raise Refuse(2, 0, "optional parameter length %d overruns" % pl)
            if ptype == 2:
                j, cend = i + 2, i + 2 + pl
                while j < cend:
                    if j + 2 > cend or j + 2 + body[j + 1] > cend:
                        raise Refuse(2, 0, "capability overruns its parameter")
                    if body[j] == CAP_AS4 and body[j + 1] == 4:
                        as4 = True
                    refresh = refresh or body[j] == CAP_REFRESH
                    enhanced = enhanced or body[j] == CAP_ENHANCED_REFRESH
                    j += 2 + body[j + 1]
            i += 2 + pl
        s.as4, s.peer_as, s.refresh, s.enhanced = as4, peer_as, refresh, enhanced
        s.hold = min(hold, MY_HOLD)
        self.send(s, self.our_open())
        self.send(s, message(KEEPALIVE))
        s.state = "OpenConfirm"
        if s.hold:
            s.next_keepalive = time.monotonic() + s.hold / 3
        self.log("OPEN from %s: AS %d, hold %d, 4-octet AS %s, route refresh %s, enhanced %s"
                 % (s.peer, peer_as, hold, as4, refresh, enhanced))

    def on_keepalive(self, s, body):
        if body:
            raise Refuse(1, 2, "KEEPALIVE with %d bytes of body" % len(body))
        if s.state == "OpenConfirm":
            s.state = "Established"
            self.log("session with %s Established" % s.peer)
            for m in self.announcements(s):
                self.send(s, m)
            self.send(s, message(UPDATE, struct.pack("!HH", 0, 0)))  # End-of-RIB, IPv4 unicast
        elif s.state != "Established":
            raise Refuse(5, 0, "KEEPALIVE in state %s" % s.state)

    def on_route_refresh(self, s, body):
        if len(body) != 4:
            raise Refuse(7, 1, "ROUTE-REFRESH of %d bytes" % len(body))
        afi, subtype, safi = struct.unpack("!HBB", body)
        if subtype != REFRESH_REQUEST or (afi, safi) != IPV4_UNICAST or s.state != "Established":
            return
        self.refreshes += 1  # not logged: dutlab asks after every case (its barrier)
        out = self.announcements(s)
        if s.enhanced:
            out = ([message(ROUTE_REFRESH, struct.pack("!HBB", afi, REFRESH_BORR, safi))] + out
                   + [message(ROUTE_REFRESH, struct.pack("!HBB", afi, REFRESH_EORR, safi))])
        if out:
            self.send(s, b"".join(out))

    def on_update(self, s, body):
        if s.state != "Established":
            raise Refuse(5, 0, "UPDATE in state %s" % s.state)
        self.updates += 1
        end = len(body)
        if end < 4:
            raise Refuse(3, 1, "UPDATE of %d bytes" % end)
        wlen = struct.unpack_from("!H", body)[0]
        if 2 + wlen + 2 > end:
            raise Refuse(3, 1, "withdrawn routes length %d overruns" % wlen)
        alen = struct.unpack_from("!H", body, 2 + wlen)[0]
        i = 4 + wlen
        aend = i + alen
        if aend > end:
            raise Refuse(3, 1, "total path attribute length %d overruns" % alen)
        seen = set()
        while i < aend:  # each step advances by at least 3
            if i + 3 > aend:
                raise Refuse(3, 1, "truncated attribute header")
            flags, code = body[i], body[i + 1]
            if flags & 0x10:
                if i + 4 > aend:
                    raise Refuse(3, 1, "truncated extended attribute length")
                length, hdr = struct.unpack_from("!H", body, i + 2)[0], 4
            else:
                length, hdr = body[i + 2], 3
            vstart = i + hdr
            if vstart + length > aend:
                raise Refuse(3, 1, "attribute %d length %d overruns" % (code, length))
            if code in seen:
                raise Refuse(3, 1, "attribute %d twice" % code)
            seen.add(code)
            value = body[vstart:vstart + length]
            if code == 1:
                if length != 1:
                    raise Refuse(3, 5, "ORIGIN length %d" % length)
                if value[0] > 2:
                    raise Refuse(3, 6, "ORIGIN %d" % value[0])
            elif code == 2:
                self.as_path(s, value)
            elif code == 3 and length != 4:
                raise Refuse(3, 5, "NEXT_HOP length %d" % length)
            i = vstart + length

    def as_path(self, s, value):
        size = 4 if s.as4 else 2
        j, first = 0, True
        while j < len(value):  # each step advances by at least 2
            if j + 2 > len(value):
                raise Refuse(3, 11, "truncated AS_PATH segment header")
            stype, count = value[j], value[j + 1]
            left = len(value) - (j + 2)
            if stype not in (1, 2, 3, 4):
                raise Refuse(3, 11, "AS_PATH segment type %d" % stype)
            if count * size > left:
                if first and stype in (1, 2) and "as-path-overrun" in self.fatal:
                    raise Fatal("as-path-overrun",
                                "AS_PATH segment (type %d) counts %d ASNs of %d bytes, "
                                "but only %d bytes follow its header"
                                % (stype, count, size, left))
                raise Refuse(3, 11, "AS_PATH segment counts %d ASNs, %d bytes left" % (count, left))
            j += 2 + count * size
            first = False

    def on_message(self, s, mtype, body, raw):
        s.last_rx = time.monotonic()
        if mtype == OPEN:
            self.on_open(s, body)
        elif mtype == KEEPALIVE:
            self.on_keepalive(s, body)
        elif mtype == UPDATE:
            try:
                self.on_update(s, body)
            except Fatal as e:
                e.raw = raw
                raise
        elif mtype == NOTIFICATION:
            self.close(s, "NOTIFICATION %s received" % body[:2].hex())
        elif mtype == ROUTE_REFRESH:
            self.on_route_refresh(s, body)
        else:
            raise Refuse(1, 3, "message type %d" % mtype)

    def on_data(self, s, data):
        s.buf += data
        for _ in range(1000):  # bounded per read
            if s.sock not in self.sessions or len(s.buf) < HEADER:
                return
            if s.buf[:16] != MARKER:
                raise Refuse(1, 1, "marker not all ones")
            length, mtype = struct.unpack_from("!HB", s.buf, 16)
            if length < HEADER or length > MAX_MESSAGE:
                raise Refuse(1, 2, "message length %d" % length)
            if len(s.buf) < length:
                return
            raw, s.buf = s.buf[:length], s.buf[length:]
            self.on_message(s, mtype, raw[HEADER:], raw)

    def status(self):
        sess = ", ".join("%s %s" % (s.peer, s.state) for s in self.sessions.values()) or "none"
        return ("%s ok: up %d s, sessions: %s; %d UPDATEs parsed, %d malformations refused, "
                "%d route refreshes answered\n" % (self.a.name, time.time() - self.started, sess,
                                                     self.updates, self.refused, self.refreshes))


def main():
    ap = fixture.arguments(__doc__, TRIGGERS, syslog=True, mgmt_port=0)
    ap.add_argument("--as", dest="asn", type=int, required=True)
    ap.add_argument("--router-id", required=True)
    ap.add_argument("--port", type=int, default=179)
    ap.add_argument("--announce", action="append", default=[])
    a = fixture.parse(ap)
    for p in a.announce:
        if ipaddress.ip_network(p).version != 4:
            ap.error("--announce takes IPv4 prefixes (classic NLRI), got %s" % p)
    sp = Speaker(a)
    bgp = fixture.listeners(a.address, a.port)
    status = fixture.StatusPort(a.address, a.mgmt_port, sp.status)
    sp.log("(lab fixture) %s: AS %d, router id %s, tcp/%d on %s%s; dies on: %s"
           % (a.name, a.asn, a.router_id, a.port, ",".join(a.address),
              ", status tcp/%d" % a.mgmt_port if a.mgmt_port else "",
              ",".join(sorted(sp.fatal)) or "nothing"))
    syslog = fixture.syslog_of(a, "fragile-bgp")
    if syslog:
        syslog.send(fixture.Syslog.INFO, "started: bgp tcp/%d%s" % (
            a.port, ", status tcp/%d" % a.mgmt_port if a.mgmt_port else ""))

    while True:
        now = time.monotonic()
        wake = [now + 1.0] + ([status.wake()] if status.clients else [])
        wake += [s.next_keepalive for s in sp.sessions.values() if s.next_keepalive]
        ready, _, _ = select.select(bgp + status.readable() + list(sp.sessions), [], [],
                                    max(0.0, min(wake) - now))
        for sock in ready:
            if sock in bgp:
                try:
                    c, addr = sock.accept()
                except OSError:
                    continue
                if len(sp.sessions) >= MAX_SESSIONS:
                    c.close()
                    continue
                c.setblocking(False)
                sp.sessions[c] = Session(c, addr[0], time.monotonic())
                sp.log("connection from %s" % addr[0])
            elif status.handle(sock):
                continue
            elif sock in sp.sessions:
                s = sp.sessions[sock]
                try:
                    data = sock.recv(65536)
                except OSError as e:
                    sp.close(s, str(e))
                    continue
                if not data:
                    sp.close(s, "peer closed")
                    continue
                try:
                    sp.on_data(s, data)
                except Refuse as e:
                    sp.notify(s, e.code, e.subcode, str(e))
                except Fatal as e:
                    fixture.die("fragile-bgp", "FIXTURE FAULT from %s (%s): %s; exiting as a "
                                "fragile router would (UPDATE: %s)"
                                % (s.peer, e.trigger, e, e.raw.hex()), syslog,
                                "FIXTURE FAULT from %s (%s): %s; process exits, watchdog: bgpd "
                                "down" % (s.peer, e.trigger, e), bgp + status.socks)
        now = time.monotonic()
        status.expire(now)
        for s in list(sp.sessions.values()):
            if s.state == "Connect" and now > s.deadline:
                sp.close(s, "no OPEN within %d s" % OPEN_WAIT)
            elif s.state != "Connect" and s.hold and now - s.last_rx > s.hold:
                sp.notify(s, 4, 0, "hold timer expired")
            elif s.next_keepalive and now >= s.next_keepalive and s.sock in sp.sessions:
                sp.send(s, message(KEEPALIVE))
                s.next_keepalive = now + s.hold / 3


if __name__ == "__main__":
    main()
