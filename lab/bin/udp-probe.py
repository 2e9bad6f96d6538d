#!/usr/bin/python3
"""udp-probe: send one protocol query to a UDP service and succeed when a reply comes back.

usage: udp-probe.py KIND ADDRESS [--timeout SECONDS]
KIND is ssdp (unicast M-SEARCH to 1900), mdns (legacy unicast DNS-SD query to 5353)
or snmp (SNMPv2c get of sysDescr.0 with community public to 161).
Prints the first reply (decoded leniently) and exits 0, or exits 1 after the timeout.
"""
import argparse
import socket
import sys

SSDP = (
    b"M-SEARCH * HTTP/1.1\r\n"
    b"HOST: 239.255.255.250:1900\r\n"
    b'MAN: "ssdp:discover"\r\n'
    b"MX: 1\r\n"
    b"ST: upnp:rootdevice\r\n\r\n"
)

# DNS query id 0x1234, one question: _services._dns-sd._udp.local PTR IN.
MDNS = (
    b"\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
    b"\x09_services\x07_dns-sd\x04_udp\x05local\x00\x00\x0c\x00\x01"
)



def tlv(tag, value):
    """One BER element with a short-form length (every element here is under 128 bytes)."""
    assert len(value) < 128
    return bytes([tag, len(value)]) + value


# SNMPv2c GetRequest, community "public", request-id 1, sysDescr.0 (1.3.6.1.2.1.1.1.0).
SYSDESCR_OID = bytes([0x2B, 6, 1, 2, 1, 1, 1, 0])
SNMP = tlv(
    0x30,
    tlv(0x02, b"\x01")
    + tlv(0x04, b"public")
    + tlv(
        0xA0,
        tlv(0x02, b"\x01")
        + tlv(0x02, b"\x00")
        + tlv(0x02, b"\x00")
        + tlv(0x30, tlv(0x30, tlv(0x06, SYSDESCR_OID) + tlv(0x05, b""))),
    ),
)

PROBES = {"ssdp": (1900, SSDP), "mdns": (5353, MDNS), "snmp": (161, SNMP)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=sorted(PROBES))
    ap.add_argument("address")
    ap.add_argument("--timeout", type=float, default=1.0)
    args = ap.parse_args()
    port, payload = PROBES[args.kind]
    info = socket.getaddrinfo(args.address, port, type=socket.SOCK_DGRAM)[0]
    with socket.socket(info[0], socket.SOCK_DGRAM) as s:
        s.settimeout(args.timeout)
        s.sendto(payload, info[4])
        try:
            data, _ = s.recvfrom(65535)
        except (socket.timeout, ConnectionRefusedError):
            return 1
    sys.stdout.write(data.decode("latin-1") + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
