#!/usr/bin/python3
"""fragile-responder: LAB FIXTURE ONLY - a DUT service that dies on one malformed field, on purpose.

dutlab's robustness campaigns must prove that they notice a DUT that stops working, find the
test case that did it, bisect and save a reproducer. Real software that crashes on a known
frame is hard to ship in a lab, so the bad layer-2/3 DUTs (router-bad, firewall-bad,
switch-bad, ovs-bad; see lab/lib/netdut.sh) run this fixture instead. It stands for a
device's management plane: it serves the DUT's management port (tcp/8080, one HTTP status
line, on the DUT's addresses) and reads every frame the DUT's ports receive through an
AF_PACKET socket, parsing LLDP and IPv4 options as a careless firmware would.

With --die-on it exits (status 70) on exactly these malformed fields, and on nothing else:

  lldp-port-id-overrun   an LLDP frame (EtherType 0x88CC) whose first TLV is a well-formed
                         Chassis ID (type 1, length 2 to 256, subtype 1 to 7) and whose
                         second TLV, the Port ID (type 2) with a subtype 1 to 7, declares a
                         length (the low 9 bits of its header: the field lldp.port_id.length
                         of dutlab's LLDP model, src/proto/lldp.c) larger than the number of
                         bytes that follow that 2-byte header in the received frame (Ethernet
                         padding counts). Only that TLV in that place: a header read from
                         inside another TLV (after some other length was mutated) never kills.
  ipv4-option-length     an IPv4 packet (EtherType 0x0800, version 4, IHL > 5) whose FIRST
                         option (at header byte 20) is neither End of Option List (0) nor No
                         Operation (1) and has a length byte of 0 or 1 (the field
                         ipv4.option.length of src/proto/ipv4.c; RFC 791: the length counts
                         the type and length bytes, so it is at least 2). The template
                         ipv4-options starts with Router Alert (type 148, length 4): its
                         length mutated to 0 (length-zero) or 1 kills. A later option with
                         such a length is malformed but not fatal.

Every other malformed frame (any other TLV too long, a truncated option, an option longer
than the header, a bad IHL...) is counted and ignored, as is all valid traffic. Without
--die-on (the good variants) the same parser runs and never exits. When it dies the
management port goes with it: that is what a health monitor sees. Frames the DUT sends
(PACKET_OUTGOING) are not parsed.

With --syslog HOST:PORT it logs as a device configured with a remote syslog server does
(RFC 3164 over UDP, from its first address): one informational line when it starts, and, when
it dies, a critical line naming the trigger and saying the watchdog finds the management
plane down (what dutlab's syslog monitor matches by default). The management port, the
syslog lines and the arguments every fixture has come from fixture.py (installed beside it).

usage: fragile-responder.py --name NAME --port PORT --address ADDR... --interface IF...
                            [--die-on TRIGGER[,TRIGGER]] [--syslog HOST:PORT]
"""
import select
import socket
import struct
import time

import fixture

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
TRIGGERS = ("lldp-port-id-overrun", "ipv4-option-length")


class Fatal(Exception):
    """The deliberate weakness: the fixture dies on this field."""

    def __init__(self, trigger, detail):
        super().__init__(detail)
        self.trigger = trigger


def skip_tags(frame):
    """(EtherType, offset of the payload), past up to two inline 802.1Q/802.1ad tags; the
    kernel strips the outer tag into metadata, inner ones stay in the bytes."""
    if len(frame) < 14:
        return None, 0
    off = 12
    for _ in range(3):
        ethertype = struct.unpack_from("!H", frame, off)[0]
        if ethertype in (0x8100, 0x88A8) and len(frame) >= off + 6:
            off += 4
            continue
        return ethertype, off + 2
    return None, 0


def parse_lldp(frame, off, fatal):
    """Walk the LLDPDU's TLVs. Returns 'ok' or the name of the first malformation."""
    end = len(frame)
    chassis_ok = False
    for index in range(512):  # at most this many TLVs (a 1500-byte frame holds at most 750)
        if off + 2 > end:
            return "lldp: truncated TLV header"
        header = struct.unpack_from("!H", frame, off)[0]
        tlv_type, length = header >> 9, header & 0x1FF
        remaining = end - (off + 2)
        if tlv_type == 0:
            return "ok"
        if index == 0:
            chassis_ok = (tlv_type == 1 and 2 <= length <= 256 and length <= remaining
                          and 1 <= frame[off + 2] <= 7)
        if length > remaining:
            if (index == 1 and chassis_ok and tlv_type == 2 and remaining >= 1
                    and 1 <= frame[off + 2] <= 7 and "lldp-port-id-overrun" in fatal):
                raise Fatal("lldp-port-id-overrun",
                            "LLDP Port ID TLV (type 2, subtype %d) at offset %d declares length "
                            "%d, but only %d bytes follow its header"
                            % (frame[off + 2], off, length, remaining))
            return "lldp: TLV type %d length %d > %d remaining" % (tlv_type, length, remaining)
        off += 2 + length
    return "lldp: too many TLVs"


def parse_ipv4(frame, off, fatal):
    """Walk the IPv4 header's options. Returns 'ok' or the name of the first malformation."""
    if len(frame) < off + 20:
        return "ipv4: truncated header"
    ver_ihl = frame[off]
    if ver_ihl >> 4 != 4:
        return "ipv4: version %d" % (ver_ihl >> 4)
    ihl = (ver_ihl & 0x0F) * 4
    if ihl < 20:
        return "ipv4: IHL %d" % ihl
    end = off + ihl
    if end > len(frame):
        return "ipv4: IHL %d beyond the frame" % ihl
    i = off + 20
    while i < end:  # every step advances by at least 1 (bounded by the 40 option bytes)
        kind = frame[i]
        if kind == 0:
            return "ok"
        if kind == 1:
            i += 1
            continue
        if i + 1 >= end:
            return "ipv4: option %d truncated" % kind
        length = frame[i + 1]
        if length < 2:
            if i == off + 20 and "ipv4-option-length" in fatal:
                raise Fatal("ipv4-option-length",
                            "IPv4 option type %d at header offset %d has length byte %d"
                            % (kind, i - off, length))
            return "ipv4: option %d length %d" % (kind, length)
        if i + length > end:
            return "ipv4: option %d length %d beyond the header" % (kind, length)
        i += length
    return "ok"


def parse(frame, fatal):
    ethertype, off = skip_tags(frame)
    if ethertype == 0x88CC:
        return parse_lldp(frame, off, fatal)
    if ethertype == 0x0800:
        return parse_ipv4(frame, off, fatal)
    return "ok"


def main():
    ap = fixture.arguments(__doc__, TRIGGERS, syslog=True)
    ap.add_argument("--port", type=int, required=True, help="the management (status) port")
    ap.add_argument("--interface", action="append", required=True)
    a = fixture.parse(ap)
    fatal = a.fatal

    raws = {}
    for ifname in a.interface:
        r = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        r.bind((ifname, ETH_P_ALL))
        r.setblocking(False)
        raws[r] = ifname
    seen = malformed = 0
    started = time.time()

    def status():
        return "%s ok: up %d s, %d frames parsed, %d malformed ignored\n" % (
            a.name, time.time() - started, seen, malformed)

    mgmt = fixture.StatusPort(a.address, a.port, status)
    print("fragile-responder (lab fixture): %s on %s, tcp/%d; dies on: %s"
          % (a.name, ",".join(a.interface), a.port, ",".join(sorted(fatal)) or "nothing"),
          flush=True)
    syslog = fixture.syslog_of(a, "fragile-responder")
    if syslog:
        syslog.send(fixture.Syslog.INFO, "started: management port tcp/%d, parsing frames on %s"
                    % (a.port, ",".join(a.interface)))

    while True:
        now = time.monotonic()
        timeout = 1.0
        if mgmt.clients:
            timeout = max(0.0, mgmt.wake() - now)
        ready, _, _ = select.select(list(raws) + mgmt.readable(), [], [], timeout)
        for s in ready:
            if s in raws:
                for _ in range(256):  # drain a burst, bounded
                    try:
                        frame, addr = s.recvfrom(65536)
                    except BlockingIOError:
                        break
                    if addr[2] == PACKET_OUTGOING:
                        continue
                    seen += 1
                    try:
                        verdict = parse(frame, fatal)
                    except Fatal as e:
                        fixture.die("fragile-responder", "FIXTURE FAULT on %s (%s): %s; exiting "
                                    "as a fragile device would (frame: %s)"
                                    % (raws[s], e.trigger, e, frame[:64].hex()), syslog,
                                    "FIXTURE FAULT on %s (%s): %s; process exits, watchdog: "
                                    "management plane down" % (raws[s], e.trigger, e),
                                    mgmt.socks)
                    if verdict != "ok":
                        malformed += 1
            else:
                mgmt.handle(s)
        mgmt.expire(time.monotonic())


if __name__ == "__main__":
    main()
