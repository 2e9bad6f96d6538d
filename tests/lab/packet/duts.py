#!/usr/bin/python3
"""duts.py: the frames tests/lab/packet/duts.sh sends and watches on the layer-2/3 lab DUTs (scapy).

Run in dl-tester with Debian's python3 (it has scapy). Subcommands print one line each and
exit 0 when what they watched for happened, 1 when not:

  flood A B [C]        a broadcast frame sent on A reaches B (and C): a bridge forwards
  vlan A B C           OVS: an untagged frame on access port A (VLAN 10) leaves trunk B tagged
                       10 and never reaches access port C (VLAN 20); a frame tagged 20 on B
                       reaches C untagged and not A; one tagged 10 on B reaches A untagged
  lldp IF NAME [SECS]  an LLDPDU from the DUT arrives on IF with System Name NAME
  others IF MAC IP N   N valid and malformed frames that are NOT the fragile responder's
                       triggers (LLDP and IPv4-option variants, IPv6, ARP) to MAC/IP on IF
  kill IF MAC IP KIND  the one frame of trigger KIND: lldp-port-id-overrun (Port ID TLV
                       length 300 in a 40-byte LLDPDU), ipv4-option-length (a first option,
                       Record Route, with length byte 0) or ipv4-option-length-1 (a first
                       option, Router Alert, with length byte 1)
"""
import os
import select
import socket
import struct
import sys
import time

from scapy.all import ARP, IP, Dot1Q, Ether, ICMP, IPv6, Raw, UDP, raw  # noqa: E402

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 1 << 4
AUX = struct.Struct("=IIIHHHH")
LLDP_MAC = "01:80:c2:00:00:0e"
SRC = "02:d1:7e:57:00:01"
PROBE_TYPE = 0x88B5  # IEEE local experimental EtherType


def sock(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((ifname, ETH_P_ALL))
    return s


def frames(s, seconds):
    """(vlan, bytes with the tag re-inserted) of every frame s receives within seconds."""
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            return
        f, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(AUX.size))
        if addr[2] == PACKET_OUTGOING:
            continue
        vlan = None
        for level, kind, data in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA and len(data) >= AUX.size:
                st, _, _, _, _, tci, _ = AUX.unpack_from(data)
                if st & TP_STATUS_VLAN_VALID:
                    vlan = tci & 0xFFF
        if vlan is None and f[12:14] == b"\x81\x00":
            vlan = struct.unpack_from("!H", f, 14)[0] & 0xFFF
            f = f[:12] + f[16:]
        yield vlan, f


def probe(marker, vlan=None):
    e = Ether(dst="ff:ff:ff:ff:ff:ff", src=SRC)
    if vlan is not None:
        return raw(e / Dot1Q(vlan=vlan, type=PROBE_TYPE) / Raw(marker))
    return raw(Ether(dst="ff:ff:ff:ff:ff:ff", src=SRC, type=PROBE_TYPE) / Raw(marker))


def seen(s, marker, seconds=1.0):
    """The VLANs (None: untagged) the marked probe arrived with on s."""
    return [v for v, f in frames(s, seconds) if marker in f]


def cmd_flood(ifs):
    socks = [sock(i) for i in ifs]
    marker = b"dutlab-flood-" + os.urandom(6).hex().encode()
    socks[0].send(probe(marker))
    ok = True
    for i, s in zip(ifs[1:], socks[1:]):
        got = seen(s, marker)
        print("flood: %s -> %s: %s" % (ifs[0], i, "seen" if got else "NOT seen"))
        ok = ok and bool(got)
    return ok


def cmd_vlan(a, b, c):
    sa, sb, sc = sock(a), sock(b), sock(c)
    ok = True

    def expect(what, got, want):
        nonlocal ok
        good = got == want
        ok = ok and good
        print("vlan: %s: got %s, want %s%s" % (what, got, want, "" if good else "  <-- WRONG"))

    m = b"dutlab-vlan-a-" + os.urandom(6).hex().encode()
    sa.send(probe(m))
    got_b, got_c = seen(sb, m), seen(sc, m, 0.3)
    expect("untagged on access %s, on trunk %s" % (a, b), got_b, [10])
    expect("untagged on access %s, on access %s (VLAN 20)" % (a, c), got_c, [])
    m = b"dutlab-vlan-b20-" + os.urandom(6).hex().encode()
    sb.send(probe(m, 20))
    expect("tagged 20 on trunk %s, on access %s" % (b, c), seen(sc, m), [None])
    expect("tagged 20 on trunk %s, on access %s (VLAN 10)" % (b, a), seen(sa, m, 0.3), [])
    m = b"dutlab-vlan-b10-" + os.urandom(6).hex().encode()
    sb.send(probe(m, 10))
    expect("tagged 10 on trunk %s, on access %s" % (b, a), seen(sa, m), [None])
    return ok


def tlv(kind, value, length=None):
    n = len(value) if length is None else length
    return struct.pack("!H", (kind << 9) | n) + value


def lldp_valid(name=b"tester"):
    return (tlv(1, b"\x04" + bytes.fromhex("02d17e570001")) + tlv(2, b"\x05port-a")
            + tlv(3, b"\x00\x78") + tlv(5, name) + tlv(0, b""))


def lldp_frame(body):
    return raw(Ether(dst=LLDP_MAC, src=SRC, type=0x88CC) / Raw(body))


def cmd_lldp(ifname, name, seconds):
    s = sock(ifname)
    for _, f in frames(s, seconds):
        if f[12:14] != b"\x88\xcc":
            continue
        off, end = 14, len(f)
        while off + 2 <= end:
            h = struct.unpack_from("!H", f, off)[0]
            kind, n = h >> 9, h & 0x1FF
            if kind == 0 or off + 2 + n > end:
                break
            if kind == 5:
                got = f[off + 2:off + 2 + n].decode(errors="replace")
                print("lldp: %s: System Name %r from %s" % (ifname, got, f[6:12].hex(":")))
                return got == name
            off += 2 + n
    print("lldp: %s: no LLDPDU naming %r within %s s" % (ifname, name, seconds))
    return False


def ipv4(mac, ip, options, **kw):
    p = IP(src="198.18.0.1", dst=ip, **kw) / ICMP() / Raw(b"dutlab")
    if options is not None:
        p = IP(src="198.18.0.1", dst=ip, options=[], **kw) / ICMP() / Raw(b"dutlab")
        b = bytearray(raw(p))
        hdr = bytes(b[:20]) + options
        ihl = len(hdr) // 4
        hdr = bytearray(hdr)
        hdr[0] = 0x40 | ihl
        struct.pack_into("!H", hdr, 2, len(hdr) + len(b) - 20)
        struct.pack_into("!H", hdr, 10, 0)
        s = sum(struct.unpack("!%dH" % (len(hdr) // 2), bytes(hdr)))
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        struct.pack_into("!H", hdr, 10, ~s & 0xFFFF)
        return raw(Ether(dst=mac, src=SRC, type=0x0800)) + bytes(hdr) + bytes(b[20:])
    return raw(Ether(dst=mac, src=SRC) / p)


def others(mac, ip):
    """Frames the fragile responder must survive: valid, and malformed in other fields."""
    chassis = tlv(1, b"\x04" + bytes.fromhex("02d17e570001"))
    rr = b"\x07\x07\x04" + b"\0" * 4  # Record Route, room for one address
    out = [
        lldp_frame(lldp_valid()),
        lldp_frame(chassis + tlv(2, b"\x05port-a") + tlv(3, b"\x00\x78")
                   + tlv(5, b"x", length=200)),                         # System Name overrun
        lldp_frame(tlv(1, b"\x04\x02", length=300) + b"\0" * 40),       # Chassis ID overrun
        lldp_frame(chassis + tlv(2, b"\x05" + b"p" * 29)),               # Port ID ends the frame exactly
        lldp_frame(chassis + b"\x04"),                                   # truncated TLV header
        lldp_frame(chassis + tlv(2, b"") + tlv(0, b"")),                # empty Port ID
        ipv4(mac, ip, b"\x01" + rr),                                     # NOP + Record Route
        ipv4(mac, ip, b"\x94\x04\x00\x00"),                              # Router Alert
        ipv4(mac, ip, b"\x01\x01\x01\x01"),                              # NOPs only
        ipv4(mac, ip, b"\x44\x28\x05\x00"),                              # Timestamp longer than the header
        ipv4(mac, ip, b"\x01\x01\x01\x07"),                              # option with no length byte
        ipv4(mac, ip, b"\x00\x07\x00\x00"),                              # EOL, then a zero length (not parsed)
        ipv4(mac, ip, b"\x01\x07\x00\x00"),                              # NOP, then length 0: not the first option
        ipv4(mac, ip, b"\x94\x04\x00\x00\x07\x01\x00\x00"),              # Router Alert, then length 1
        lldp_frame(chassis + tlv(2, b"\x05dutlab0", length=0)),           # Port ID length 0: its value reads as a TLV 2
        lldp_frame(tlv(1, b"", length=0) + b"\x04\xde\xd0\x9e"),          # Chassis ID length 0: next reads as a TLV 2
        ipv4(mac, ip, None, ihl=15),                                     # IHL beyond the packet
        ipv4(mac, ip, None),                                             # plain ICMP echo
        raw(Ether(dst=mac, src=SRC) / IPv6(src="fd00:198::1", dst="fd00:198::2") / UDP() / Raw(b"x")),
        raw(Ether(dst="ff:ff:ff:ff:ff:ff", src=SRC) / ARP(pdst=ip, psrc="198.18.0.1")),
        raw(Ether(dst=mac, src=SRC, type=0x88CC)),                       # LLDP with nothing in it
    ]
    return out


def kill_frame(mac, ip, kind):
    if kind == "lldp-port-id-overrun":
        chassis = tlv(1, b"\x04" + bytes.fromhex("02d17e570001"))
        return lldp_frame(chassis + tlv(2, b"\x05port-a", length=300) + tlv(3, b"\x00\x78")
                          + tlv(0, b""))
    if kind == "ipv4-option-length":
        return ipv4(mac, ip, b"\x07\x00\x04\x00")
    if kind == "ipv4-option-length-1":
        return ipv4(mac, ip, b"\x94\x01\x00\x00")
    raise SystemExit("unknown kind " + kind)


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    cmd = argv[1]
    if cmd == "flood":
        return cmd_flood(argv[2:])
    if cmd == "vlan":
        return cmd_vlan(*argv[2:5])
    if cmd == "lldp":
        return cmd_lldp(argv[2], argv[3], float(argv[4]) if len(argv) > 4 else 12.0)
    if cmd == "others":
        s = sock(argv[2])
        fs = others(argv[3], argv[4])
        n = int(argv[5])
        for i in range(n):
            s.send(fs[i % len(fs)])
            if i % 100 == 99:
                time.sleep(0.01)  # no burst beyond the responder's socket buffer
        print("others: sent %d frames of %d kinds on %s" % (n, len(fs), argv[2]))
        return True
    if cmd == "kill":
        sock(argv[2]).send(kill_frame(argv[3], argv[4], argv[5]))
        print("kill: sent the %s frame on %s" % (argv[5], argv[2]))
        return True
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv) else 1)
