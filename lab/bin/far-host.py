#!/usr/bin/python3
"""far-host: a host behind a layer-2/3 lab DUT, on the tester's port B: ARP, ND, ping, UDP echo.

The background flow of a robustness campaign must cross the DUT, but both tester ports live in
one namespace (dl-tester), where a destination address of its own never leaves the host. So
port B carries no tester address; this helper plays a host there instead. On --interface (in
namespace --netns) it answers ARP requests for --ipv4, neighbour solicitations for --ipv6,
ICMP and ICMPv6 echo requests to them, and echoes every UDP datagram sent to them (ports
swapped, payload unchanged) except those to port 9 (discard, RFC 863: a sink for a flow read
back raw on port B), in VLAN --vlan (0: untagged frames only). A UDP socket in
dl-tester then measures loss and round-trip time through the DUT (lab/bin/flow.py).
Everything else is ignored; malformed frames are dropped, never fatal.

The process lives in the DUT's namespace (lab/lab starts and stops it with the DUT) and
opens its packet socket in --netns by setns(2). --ready FILE is written once it listens.
"""
import argparse
import ctypes
import os
import socket
import struct
import sys

ETH_P_ALL = 0x0003
CLONE_NEWNET = 0x40000000
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 1 << 4
DISCARD = 9
AUXDATA = struct.Struct("=IIIHHHH")  # struct tpacket_auxdata


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def pseudo6(src, dst, length, nh):
    return src + dst + struct.pack("!IxxxB", length, nh)


def setns(path):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns(%s): %s" % (path, os.strerror(e)))
    finally:
        os.close(fd)


class FarHost:
    def __init__(self, mac, ip4, ip6, vlan):
        self.mac, self.ip4, self.ip6, self.vlan = mac, ip4, ip6, vlan
        self.answered = 0

    def frame(self, dst, ethertype, payload):
        if self.vlan:
            return dst + self.mac + struct.pack("!HHH", 0x8100, self.vlan, ethertype) + payload
        return dst + self.mac + struct.pack("!H", ethertype) + payload

    def handle(self, f, vlan):
        """The reply to frame f (its outer tag already removed, vlan from metadata), or None."""
        if vlan != self.vlan or len(f) < 14:
            return None
        src = f[6:12]
        ethertype = struct.unpack_from("!H", f, 12)[0]
        p = f[14:]
        if ethertype == 0x0806 and self.ip4:
            return self.arp(src, p)
        if ethertype == 0x0800 and self.ip4:
            return self.ipv4(src, p)
        if ethertype == 0x86DD and self.ip6:
            return self.ipv6(src, p)
        return None

    def arp(self, src, p):
        if len(p) < 28:
            return None
        htype, ptype, hlen, plen, op = struct.unpack_from("!HHBBH", p)
        if (htype, ptype, hlen, plen, op) != (1, 0x0800, 6, 4, 1) or p[24:28] != self.ip4:
            return None
        sha, spa = p[8:14], p[14:18]
        reply = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + self.mac + self.ip4 + sha + spa
        return self.frame(src, 0x0806, reply)

    def ipv4(self, src, p):
        if len(p) < 20 or p[0] >> 4 != 4:
            return None
        ihl = (p[0] & 0x0F) * 4
        total = struct.unpack_from("!H", p, 2)[0]
        if ihl < 20 or total < ihl or total > len(p) or p[16:20] != self.ip4:
            return None
        if struct.unpack_from("!H", p, 6)[0] & 0x3FFF:  # fragments: not reassembled here
            return None
        proto, peer, body = p[9], p[12:16], p[ihl:total]
        if proto == 1 and len(body) >= 8 and body[0] == 8:
            icmp = b"\0\0\0\0" + body[4:]
            icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
            out = icmp
        elif proto == 17 and len(body) >= 8:
            sport, dport, ulen = struct.unpack_from("!HHH", body)
            if ulen < 8 or ulen > len(body) or dport == DISCARD:
                return None
            data = body[8:ulen]
            udp = struct.pack("!HHHH", dport, sport, ulen, 0) + data
            c = csum(self.ip4 + peer + struct.pack("!xBH", 17, ulen) + udp) or 0xFFFF
            out = udp[:6] + struct.pack("!H", c) + udp[8:]
        else:
            return None
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(out), 0, 0x4000, 64, proto, 0,
                          self.ip4, peer)
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        return self.frame(src, 0x0800, hdr + out)

    def ipv6(self, src, p):
        if len(p) < 40 or p[0] >> 4 != 6:
            return None
        plen, nh = struct.unpack_from("!HB", p, 4)
        if 40 + plen > len(p):
            return None
        peer, dst, body = p[8:24], p[24:40], p[40:40 + plen]
        if nh == 58 and len(body) >= 24 and body[0] == 135 and body[8:24] == self.ip6:
            if p[7] != 255:
                return None
            # neighbour solicitation for our address: a solicited, override advertisement
            to = peer if peer != b"\0" * 16 else bytes.fromhex("ff020000000000000000000000000001")
            flags = 0x60000000 if peer != b"\0" * 16 else 0x20000000
            na = struct.pack("!BBHI", 136, 0, 0, flags) + self.ip6 + b"\x02\x01" + self.mac
            c = csum(pseudo6(self.ip6, to, len(na), 58) + na)
            na = na[:2] + struct.pack("!H", c) + na[4:]
            dmac = src
            return self.frame(dmac, 0x86DD, self.ip6hdr(to, 58, na, 255))
        if dst != self.ip6:
            return None
        if nh == 58 and len(body) >= 8 and body[0] == 128:
            out = b"\x81\0\0\0" + body[4:]
            c = csum(pseudo6(self.ip6, peer, len(out), 58) + out)
            out = out[:2] + struct.pack("!H", c) + out[4:]
            return self.frame(src, 0x86DD, self.ip6hdr(peer, 58, out, 64))
        if nh == 17 and len(body) >= 8:
            sport, dport, ulen = struct.unpack_from("!HHH", body)
            if ulen < 8 or ulen > len(body) or dport == DISCARD:
                return None
            udp = struct.pack("!HHHH", dport, sport, ulen, 0) + body[8:ulen]
            c = csum(pseudo6(self.ip6, peer, ulen, 17) + udp) or 0xFFFF
            udp = udp[:6] + struct.pack("!H", c) + udp[8:]
            return self.frame(src, 0x86DD, self.ip6hdr(peer, 17, udp, 64))
        return None

    def ip6hdr(self, dst, nh, payload, hops):
        return struct.pack("!IHBB", 0x60000000, len(payload), nh, hops) + self.ip6 + dst + payload


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--netns", help="the namespace --interface lives in (/run/netns/NAME)")
    ap.add_argument("--interface", required=True)
    ap.add_argument("--ipv4")
    ap.add_argument("--ipv6")
    ap.add_argument("--vlan", type=int, default=0)
    ap.add_argument("--mac", help="default: 02:fa:<last 4 bytes of the IPv4 address or 0>")
    ap.add_argument("--ready")
    a = ap.parse_args()
    if not 0 <= a.vlan <= 4094:
        ap.error("--vlan must be 0..4094")
    ip4 = socket.inet_pton(socket.AF_INET, a.ipv4) if a.ipv4 else b""
    ip6 = socket.inet_pton(socket.AF_INET6, a.ipv6) if a.ipv6 else b""
    mac = bytes.fromhex(a.mac.replace(":", "")) if a.mac else b"\x02\xfa" + (ip4 or b"\0\0\0\0")

    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    if a.netns:
        setns(os.path.join("/run/netns", a.netns))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((a.interface, ETH_P_ALL))
    if a.netns:
        if ctypes.CDLL(None, use_errno=True).setns(home, CLONE_NEWNET) != 0:
            sys.exit("far-host: cannot return to its own namespace")
    os.close(home)

    host = FarHost(mac, ip4, ip6, a.vlan)
    print("far-host: %s %s mac %s on %s%s vlan %d" % (a.ipv4, a.ipv6, mac.hex(":"), a.interface,
          " in " + a.netns if a.netns else "", a.vlan), flush=True)
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("%d\n" % os.getpid())
    space = socket.CMSG_SPACE(AUXDATA.size)
    while True:
        f, anc, _, addr = s.recvmsg(65536, space)
        if addr[2] == PACKET_OUTGOING:
            continue
        vlan = 0
        for level, kind, data in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA and len(data) >= AUXDATA.size:
                status, _, _, _, _, tci, _ = AUXDATA.unpack_from(data)
                if status & TP_STATUS_VLAN_VALID:
                    vlan = tci & 0x0FFF
        if not vlan and len(f) >= 18 and f[12:14] == b"\x81\x00":  # a tag left in the bytes
            vlan = struct.unpack_from("!H", f, 14)[0] & 0x0FFF
            f = f[:12] + f[16:]
        try:
            reply = host.handle(f, vlan)
        except (struct.error, IndexError):
            reply = None
        if reply:
            s.send(reply)


if __name__ == "__main__":
    main()
