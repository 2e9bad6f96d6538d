#!/usr/bin/python3
"""bgp-peer: the tester's side of a BGP session with a lab routing DUT (tests/lab/routing/duts.sh).

A small BGP-4 speaker of our own (standard library only): it connects from --local to
--remote port 179 (with a TCP-MD5 key, Linux TCP_MD5SIG, when --password is given), sends
OPEN (AS --as, hold 90, capabilities multiprotocol IPv4 and IPv6 unicast, 4-octet AS),
answers the DUT's OPEN with KEEPALIVE, reaches Established, prints every prefix the DUT's
UPDATEs announce (IPv4 NLRI and MP_REACH_NLRI), keeps the session with KEEPALIVEs for --stay
seconds, and then closes it. Its lines, for the test to grep:

  established AS <as> id <router id> hold <s>
  prefix <prefix>
  notification <code>/<subcode>
  closed by peer | no open (<why>) | sent <kind>

--send KIND sends, once Established and the DUT's announcements are in, one malformed UPDATE:
  as-path-overrun   AS_PATH whose first AS_SEQUENCE segment counts 5 ASNs but holds 1
                    (the fault of lab/bin/fragile-bgp.py)
  origin-invalid    ORIGIN value 7 (RFC 4271 6.3: Invalid ORIGIN Attribute, 3/6)
  nexthop-length    NEXT_HOP of 3 bytes (Attribute Length Error, 3/5)

Exit status: 0 when the session reached Established and every --expect prefix arrived (and
with --refused: when no OPEN came within --timeout, the connection refused, reset or
silently dropped, as a peer without the right TCP-MD5 key is); 1 otherwise.
"""
import argparse
import ipaddress
import select
import socket
import struct
import sys
import time

MARKER = b"\xff" * 16
TCP_MD5SIG = 14
OPEN, UPDATE, NOTIFICATION, KEEPALIVE = 1, 2, 3, 4


def md5sig(sock, peer, key):
    """struct tcp_md5sig: sockaddr_storage, flags, prefixlen, keylen, ifindex, key[80]."""
    if ":" in peer:
        addr = struct.pack("=H", socket.AF_INET6) + struct.pack("!HI", 0, 0)
        addr += socket.inet_pton(socket.AF_INET6, peer) + struct.pack("=I", 0)
    else:
        addr = struct.pack("=H", socket.AF_INET) + struct.pack("!H", 0)
        addr += socket.inet_aton(peer)
    opt = addr.ljust(128, b"\0") + struct.pack("=BBHI", 0, 0, len(key), 0) + key.ljust(80, b"\0")
    sock.setsockopt(socket.IPPROTO_TCP, TCP_MD5SIG, opt)


def message(mtype, body=b""):
    return MARKER + struct.pack("!HB", 19 + len(body), mtype) + body


def our_open(asn, router_id):
    caps = b""
    for afi in (1, 2):
        caps += bytes([1, 4]) + struct.pack("!HBB", afi, 0, 1)
    caps += bytes([65, 4]) + struct.pack("!I", asn)
    params = bytes([2, len(caps)]) + caps
    return message(OPEN, struct.pack("!BHH4sB", 4, asn if asn < 65536 else 23456, 90,
                                     socket.inet_aton(router_id), len(params)) + params)


def prefixes(data, afi):
    """Decode a run of (length, prefix) NLRI entries."""
    out, i, size = [], 0, 4 if afi == 1 else 16
    while i < len(data):
        plen = data[i]
        n = (plen + 7) // 8
        if plen > size * 8 or i + 1 + n > len(data):
            out.append("malformed-nlri")
            break
        raw = data[i + 1:i + 1 + n].ljust(size, b"\0")
        net = ipaddress.ip_address(raw)
        out.append("%s/%d" % (net, plen))
        i += 1 + n
    return out


def parse_update(body):
    """The prefixes an UPDATE announces (IPv4 NLRI and MP_REACH_NLRI)."""
    out = []
    wlen = struct.unpack_from("!H", body)[0]
    alen = struct.unpack_from("!H", body, 2 + wlen)[0]
    i, end = 4 + wlen, 4 + wlen + alen
    while i + 3 <= end:
        flags, code = body[i], body[i + 1]
        if flags & 0x10:
            length, hdr = struct.unpack_from("!H", body, i + 2)[0], 4
        else:
            length, hdr = body[i + 2], 3
        value = body[i + hdr:i + hdr + length]
        if code == 14 and len(value) >= 5:  # MP_REACH_NLRI
            afi, nhlen = struct.unpack_from("!H", value)[0], value[3]
            out += prefixes(value[4 + nhlen + 1:], afi)
        i += hdr + length
    out += prefixes(body[end:], 1)
    return out


def malformed(kind, local):
    origin = bytes([0x40, 1, 1, 0])
    as_path = bytes([0x40, 2, 6, 2, 1]) + struct.pack("!I", 65001)
    next_hop = bytes([0x40, 3, 4]) + socket.inet_aton(local)
    if kind == "as-path-overrun":
        as_path = bytes([0x40, 2, 6, 2, 5]) + struct.pack("!I", 65001)
    elif kind == "origin-invalid":
        origin = bytes([0x40, 1, 1, 7])
    elif kind == "nexthop-length":
        next_hop = bytes([0x40, 3, 3]) + socket.inet_aton(local)[:3]
    attrs = origin + as_path + next_hop
    nlri = bytes([24, 198, 18, 99])  # 198.18.99.0/24, inside the lab's range
    return message(UPDATE, struct.pack("!HH", 0, len(attrs)) + attrs + nlri)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--local", required=True)
    ap.add_argument("--remote", required=True)
    ap.add_argument("--as", dest="asn", type=int, default=65001)
    ap.add_argument("--router-id")
    ap.add_argument("--password")
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--stay", type=float, default=0)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--send", choices=("as-path-overrun", "origin-invalid", "nexthop-length"))
    ap.add_argument("--refused", action="store_true")
    a = ap.parse_args()
    family = socket.AF_INET6 if ":" in a.remote else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((a.local, 0))
    if a.password:
        md5sig(s, a.remote, a.password.encode())
    s.settimeout(min(a.timeout, 5))
    deadline = time.monotonic() + a.timeout
    try:
        s.connect((a.remote, 179))
    except OSError as e:
        print("no open (connect: %s)" % e, flush=True)
        return 0 if a.refused else 1
    s.sendall(our_open(a.asn, a.router_id or a.local))
    buf, state, seen, sent, stay_until = b"", "OpenSent", [], False, None
    while True:
        now = time.monotonic()
        if stay_until is not None and now >= stay_until:
            break
        if stay_until is None and now >= deadline:
            print("timeout in state %s" % state, flush=True)
            break
        ready, _, _ = select.select([s], [], [], 1.0)
        if not ready:
            if state == "Established":
                s.sendall(message(KEEPALIVE))
            continue
        try:
            data = s.recv(65536)
        except OSError as e:
            print("closed by peer (%s)" % e, flush=True)
            break
        if not data:
            print("closed by peer", flush=True)
            break
        buf += data
        while len(buf) >= 19:
            length, mtype = struct.unpack_from("!HB", buf, 16)
            if length < 19 or len(buf) < length:
                break
            body, buf = buf[19:length], buf[length:]
            if mtype == OPEN and len(body) >= 9:
                version, pas, hold, rid = struct.unpack_from("!BHH4s", body)
                s.sendall(message(KEEPALIVE))
                print("open AS %d id %s hold %d" % (pas, socket.inet_ntoa(rid), hold), flush=True)
                state = "OpenConfirm"
            elif mtype == KEEPALIVE and state == "OpenConfirm":
                state = "Established"
                print("established", flush=True)
            elif mtype == UPDATE:
                for p in parse_update(body):
                    print("prefix %s" % p, flush=True)
                    seen.append(p)
            elif mtype == NOTIFICATION:
                print("notification %d/%d" % (body[0], body[1]) if len(body) >= 2
                      else "notification", flush=True)
        if state == "Established" and stay_until is None and all(p in seen for p in a.expect):
            if a.send and not sent:
                s.sendall(malformed(a.send, a.local))
                print("sent %s" % a.send, flush=True)
                sent = True
            stay_until = time.monotonic() + a.stay
    s.close()
    if a.refused:
        return 1 if state != "OpenSent" else 0
    missing = [p for p in a.expect if p not in seen]
    if missing:
        print("missing %s" % " ".join(missing), flush=True)
    return 0 if state == "Established" and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
