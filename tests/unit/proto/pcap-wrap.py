#!/usr/bin/env python3
"""pcap-wrap: wrap payloads in Ethernet/IPv4/UDP or TCP frames (198.18.250.1 -> .2) in a pcap file.

Usage: pcap-wrap.py OUT.pcap udp|tcp PORT PAYLOAD_FILE
TCP payloads get a three-way handshake first so dissectors see a whole stream.
"""
import struct
import sys

SRC = bytes([198, 18, 250, 1])
DST = bytes([198, 18, 250, 2])
MAC_SRC = bytes.fromhex("02dd00000001")
MAC_DST = bytes.fromhex("02dd00000002")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4(proto, payload, src=SRC, dst=DST):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0, src, dst)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def l4_checksum(proto, segment, src, dst):
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(segment))
    return checksum(pseudo + segment)


def udp(sport, dport, payload):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = l4_checksum(17, seg, SRC, DST) or 0xFFFF
    return ipv4(17, seg[:6] + struct.pack("!H", c) + seg[8:])


def tcp(sport, dport, seq, ack, flags, payload, src=SRC, dst=DST):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    c = l4_checksum(6, seg, src, dst)
    return ipv4(6, seg[:16] + struct.pack("!H", c) + seg[18:], src, dst)


def ether(packet, reverse=False):
    a, b = (MAC_SRC, MAC_DST) if reverse else (MAC_DST, MAC_SRC)  # destination first
    return a + b + b"\x08\x00" + packet


def main():
    out, proto, port, payload_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    payload = open(payload_path, "rb").read()
    frames = []
    if proto == "udp":
        frames.append(ether(udp(40000, port, payload)))
    else:
        frames.append(ether(tcp(40000, port, 1000, 0, 0x02, b"")))
        frames.append(ether(tcp(port, 40000, 5000, 1001, 0x12, b"", DST, SRC), reverse=True))
        frames.append(ether(tcp(40000, port, 1001, 5001, 0x10, b"")))
        frames.append(ether(tcp(40000, port, 1001, 5001, 0x18, payload)))
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            f.write(struct.pack("<IIII", 1764000000 + i, 0, len(frame), len(frame)))
            f.write(frame)


if __name__ == "__main__":
    main()
