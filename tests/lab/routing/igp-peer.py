#!/usr/bin/python3
"""igp-peer: the tester's side of OSPFv2 and RIPv2 with a lab routing DUT (tests/lab/routing/duts.sh).

Standard library only. Two peers of our own, each with the DUT's MD5 key or without one:

  ospf --interface IF --local ADDR [--key K] [--seconds N]
      OSPFv2 hellos (area 0, hello 2 s, dead 8 s: the lab DUTs' timers) from ADDR (our
      router id) to 224.0.0.5 on IF, listing every router id heard; prints each hello of the
      DUT's: "hello from RID autype N neighbors [...]". With --key they carry
      cryptographic authentication (RFC 2328 D.3: key id 1, keyed MD5 over the packet and
      the 16-byte key). Once a hello of the DUT lists our router id (two-way: "two-way with
      RID") it goes on with hellos for --stay seconds, then exits 0; 1 if none did within N
      seconds. It sends no database description: the DUT's side stays in ExStart.

  rip --interface IF --local ADDR --remote ADDR [--key K] [--announce PREFIX] [--seconds N]
      from port 520 (BIRD drops RIP from any other), unicast to REMOTE port 520: a RIPv2
      response announcing PREFIX (metric 1), or without --announce a request for the whole
      table (RFC 2453 3.9.1), with keyed-MD5 authentication when --key (RFC 2082/4822: the
      authentication entry first, the digest trailer last). Then it waits for the DUT's next
      response (the answer to the request, or its periodic update to 224.0.0.9 on IF) and
      prints it: "route PREFIX metric M" and "response auth md5|none|simple|other". Exit 0
      on a response, 1 when none came within N seconds.
"""
import argparse
import hashlib
import ipaddress
import select
import socket
import struct
import sys
import time

ALL_SPF = "224.0.0.5"
ALL_RIP = "224.0.0.9"
HELLO, DEAD = 2, 8


def ip_checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ospf_hello(router_id, neighbors, key, seq):
    body = socket.inet_aton("255.255.255.0") + struct.pack("!HBBI", HELLO, 0x02, 1, DEAD)
    body += socket.inet_aton("0.0.0.0") * 2 + b"".join(socket.inet_aton(n) for n in neighbors)
    length = 24 + len(body)
    head = struct.pack("!BBH4s4s", 2, 1, length, socket.inet_aton(router_id),
                       socket.inet_aton("0.0.0.0"))
    if key is None:
        packet = head + struct.pack("!HH8s", 0, 0, b"\0" * 8) + body
        csum = ip_checksum(packet[:16] + packet[24:])
        return packet[:12] + struct.pack("!H", csum) + packet[14:]
    # RFC 2328 D.3: checksum 0, autype 2, then 0, key id, digest length, sequence number;
    # the digest follows the packet (not counted in its length): MD5 over the packet and
    # the key padded to 16 bytes.
    packet = head + struct.pack("!HHHBBI", 0, 2, 0, 1, 16, seq) + body
    return packet + hashlib.md5(packet + key.ljust(16, b"\0")).digest()


def cmd_ospf(a):
    key = a.key.encode() if a.key else None
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 89)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.interface.encode())
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(a.local))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton(ALL_SPF) + socket.inet_aton(a.local))
    heard, two_way, next_hello = [], False, 0.0
    deadline = time.monotonic() + a.seconds
    seq = int(time.time())
    while time.monotonic() < deadline:
        now = time.monotonic()
        if now >= next_hello:
            seq += 1
            s.sendto(ospf_hello(a.local, heard, key, seq), (ALL_SPF, 0))
            next_hello = now + 1.0
        ready, _, _ = select.select([s], [], [], max(0.0, min(next_hello, deadline) - now))
        if not ready:
            continue
        data, _ = s.recvfrom(65536)
        ihl = (data[0] & 0x0F) * 4
        o = data[ihl:]
        if len(o) < 24 or o[0] != 2 or o[1] != 1:
            continue
        rid = socket.inet_ntoa(o[4:8])
        if rid == a.local:
            continue
        autype = struct.unpack_from("!H", o, 14)[0]
        length = struct.unpack_from("!H", o, 2)[0]
        neigh = [socket.inet_ntoa(o[i:i + 4]) for i in range(44, min(length, len(o)) - 3, 4)]
        print("hello from %s autype %d neighbors [%s]" % (rid, autype, " ".join(neigh)), flush=True)
        if rid not in heard:
            heard.append(rid)
            next_hello = 0.0  # answer at once, listing it
        if a.local in neigh and not two_way:
            print("two-way with %s" % rid, flush=True)
            two_way = True
            deadline = time.monotonic() + a.stay  # hellos go on: the DUT's view can be read
    return 0 if two_way else 1


def rip_packet(command, entry, key, seq):
    """A RIPv2 packet of one entry; with a key: the authentication entry first and the MD5
    trailer last (RFC 4822: the digest over the packet up to the trailer's 4-byte header
    and the key padded to 16 bytes)."""
    head = struct.pack("!BBH", command, 2, 0)
    if key is None:
        return head + entry
    length = 4 + 20 + len(entry)  # where the trailer starts
    auth = struct.pack("!HHHBBI8s", 0xFFFF, 3, length, 1, 16, seq, b"\0" * 8)
    packet = head + auth + entry + struct.pack("!HH", 0xFFFF, 1)
    return packet + hashlib.md5(packet + key.ljust(16, b"\0")).digest()


def rip_entry(prefix, metric):
    net = ipaddress.ip_network(prefix)
    return struct.pack("!HH4s4s4sI", 2, 0, net.network_address.packed, net.netmask.packed,
                       b"\0" * 4, metric)


def cmd_rip(a):
    key = a.key.encode() if a.key else None
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.interface.encode())
    s.bind(("0.0.0.0", 520))  # BIRD refuses packets from any other port
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton(ALL_RIP) + socket.inet_aton(a.local))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    seq = int(time.time())
    if a.announce:
        s.sendto(rip_packet(2, rip_entry(a.announce, 1), key, seq), (a.remote, 520))
        print("sent response %s" % a.announce, flush=True)
    else:  # the whole table (RFC 2453 3.9.1); FRR answers only with its next update
        whole = struct.pack("!HHI4s4sI", 0, 0, 0, b"\0" * 4, b"\0" * 4, 16)
        s.sendto(rip_packet(1, whole, key, seq), (a.remote, 520))
    deadline = time.monotonic() + a.seconds
    data = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([s], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        data, src = s.recvfrom(65536)
        if src[0] == a.remote and len(data) >= 4 and data[0] == 2:
            break
        data = b""
    if not data:
        print("no response", flush=True)
        return 1
    auth = "none"
    for i in range(4, len(data) - 19, 20):
        afi, tag = struct.unpack_from("!HH", data, i)
        if afi == 0xFFFF:
            if i == 4:
                auth = {3: "md5", 2: "simple"}.get(tag, "other")
            continue
        if afi != 2:
            continue
        net, mask, _, metric = struct.unpack_from("!4s4s4sI", data, i + 4)
        prefix = ipaddress.ip_network("%s/%s" % (socket.inet_ntoa(net), socket.inet_ntoa(mask)),
                                      strict=False)
        print("route %s metric %d" % (prefix, metric), flush=True)
    print("response auth %s" % auth, flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    o = sub.add_parser("ospf")
    o.add_argument("--interface", required=True)
    o.add_argument("--local", required=True)
    o.add_argument("--key")
    o.add_argument("--seconds", type=float, default=10)
    o.add_argument("--stay", type=float, default=0, help="seconds of hellos after two-way")
    r = sub.add_parser("rip")
    r.add_argument("--local", required=True)
    r.add_argument("--remote", required=True)
    r.add_argument("--interface", required=True)
    r.add_argument("--key")
    r.add_argument("--announce", help="send a response with this IPv4 prefix (metric 1)")
    r.add_argument("--seconds", type=float, default=12)
    a = ap.parse_args()
    return cmd_ospf(a) if a.cmd == "ospf" else cmd_rip(a)


if __name__ == "__main__":
    sys.exit(main())
