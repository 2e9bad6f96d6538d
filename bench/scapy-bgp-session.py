#!/usr/bin/python3
"""scapy-bgp-session: the scapy side of bench/sessions-vs-scapy.sh: mutated BGP UPDATEs in an Established session, as fast as scapy makes them.

Connects by TCP from --local to --remote port 179, sends scapy's OPEN (AS --as, hold 90,
capabilities multiprotocol IPv4 and IPv6 unicast, route refresh and 4-octet AS: what dutlab's
session plug-in offers), answers the DUT's OPEN with KEEPALIVE and waits for its KEEPALIVE
(Established). Then, until --seconds have passed, it sends one test case after another:
a valid UPDATE (ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, COMMUNITIES, AGGREGATOR, one IPv4
prefix) built by scapy.contrib.bgp, with one field of one of its layers set to scapy's random
value for that field (Field.randval(): what fuzz() puts in every default field), lengths
recomputed by scapy unless the field drawn is a length. fuzz(BGPUpdate()) alone builds an
empty UPDATE (End-of-RIB: its lists are empty and fuzz() leaves them so), which tests nothing.

Before each case it reads what the DUT sent without waiting (select with timeout 0): a
NOTIFICATION or a close is a reset, and the session is opened again at once (a failed attempt
waits 250 ms, as dutlab's campaign does). KEEPALIVEs go out every third of the hold time.

Prints one JSON object: seconds, cases (UPDATEs written on an Established session), sessions,
resets, notifications {code/subcode: count}, silent_closes, establish_failures,
build_errors, cases_per_second, seconds_establishing.
"""
import argparse
import json
import random
import select
import socket
import struct
import sys
import time

from scapy.config import conf
from scapy.contrib import bgp as B
from scapy.fields import ConditionalField, MultipleTypeField, PacketField, PacketListField
from scapy.packet import NoPayload, Packet, Raw

conf.verb = 0
B.bgp_module_conf.use_2_bytes_asn = False  # our OPEN offers 4-octet AS: AS_PATH has 4-byte ASNs

OPEN, UPDATE, NOTIFICATION, KEEPALIVE = 1, 2, 3, 4
HOLD = 90


def our_open(asn, router_id):
    caps = [B.BGPCapMultiprotocol(afi=1, safi=1), B.BGPCapMultiprotocol(afi=2, safi=1),
            B.BGPCapGeneric(code=2), B.BGPCapFourBytesASN(asn=asn)]
    params = [B.BGPOptParam(param_type=2, param_value=c) for c in caps]
    return bytes(B.BGPHeader(type=OPEN) / B.BGPOpen(my_as=asn if asn < 65536 else 23456,
                                                    hold_time=HOLD, bgp_id=router_id,
                                                    opt_params=params))


KEEPALIVE_BYTES = bytes(B.BGPKeepAlive())


def valid_update(asn, next_hop):
    """A fresh valid UPDATE as scapy layers (mutated in place by one case)."""
    segment = B.BGPPAAS4BytesPath.ASPathSegment(segment_type=2, segment_value=[asn])
    attrs = [
        B.BGPPathAttr(type_flags=0x40, type_code=1, attribute=B.BGPPAOrigin(origin=0)),
        B.BGPPathAttr(type_flags=0x40, type_code=2,
                      attribute=B.BGPPAAS4BytesPath(segments=[segment])),
        B.BGPPathAttr(type_flags=0x40, type_code=3, attribute=B.BGPPANextHop(next_hop=next_hop)),
        B.BGPPathAttr(type_flags=0x80, type_code=4, attribute=B.BGPPAMultiExitDisc(med=10)),
        B.BGPPathAttr(type_flags=0x40, type_code=5, attribute=B.BGPPALocalPref(local_pref=100)),
        B.BGPPathAttr(type_flags=0xc0, type_code=8,
                      attribute=B.BGPPACommunity(community=(asn << 16) | 1)),
        B.BGPPathAttr(type_flags=0xc0, type_code=7,
                      attribute=B.BGPPAAS4Aggregator(aggregator_asn=asn,
                                                     speaker_address=next_hop)),
    ]
    return B.BGPHeader(type=UPDATE) / B.BGPUpdate(path_attr=attrs,
                                                  nlri=[B.BGPNLRI_IPv4(prefix="198.18.99.0/24")])


def layers(p):
    """Every scapy layer of the message: the payload chain and the packets in list fields."""
    out, todo = [], [p]
    while todo and len(out) < 256:
        q = todo.pop()
        while q is not None and not isinstance(q, (NoPayload, Raw)):
            out.append(q)
            for f in q.fields_desc:
                if isinstance(f, (ConditionalField, MultipleTypeField)):
                    continue
                v = q.getfieldval(f.name)
                if isinstance(f, PacketListField) and isinstance(v, list):
                    todo.extend(x for x in v if isinstance(x, Packet))
                elif isinstance(f, PacketField) and isinstance(v, Packet):
                    todo.append(v)
            q = q.payload if isinstance(q.payload, Packet) else None
    return out


def mutated_case(rng, asn, next_hop):
    """(bytes, description, build errors) of one case: one field of a valid UPDATE given its
    random value. A value scapy cannot build (an extended-length flag on a short attribute)
    is drawn again, counted as a build error."""
    errors = 0
    for _ in range(16):
        u = valid_update(asn, next_hop)
        layer = rng.choice(layers(u)[1:])  # not the marker/length/type header's own fields
        # a conditional field absent from this layer (attr_ext_len without the flag) changes nothing
        fields = [f for f in layer.fields_desc
                  if not isinstance(f, (PacketListField, PacketField)) and
                  not (isinstance(f, ConditionalField) and not f._evalcond(layer))]
        if not fields:
            continue
        f = rng.choice(fields)
        try:
            r = f.randval()
        except Exception:  # noqa: BLE001 - some scapy fields have no random value
            r = None
        if r is None:
            continue
        try:
            value = r._fix() if hasattr(r, "_fix") else r
            layer.setfieldval(f.name, value)
            return bytes(u), "%s.%s=%r" % (layer.name, f.name, value), errors
        except Exception:  # noqa: BLE001 - scapy's own build refusing the value
            errors += 1
    return bytes(valid_update(asn, next_hop)), "valid", errors


class Session:
    def __init__(self, args):
        self.args = args
        self.sock = None
        self.buf = b""
        self.keepalive_at = 0.0
        self.open_bytes = our_open(args.asn, args.local)

    def close(self):
        if self.sock is not None:
            try:
                # a reset, as dutlab closes: no TIME_WAIT piling up on either side
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buf = b""

    def messages(self):
        """Split self.buf into (type, body) messages; the rest stays."""
        out = []
        while len(self.buf) >= 19:
            length, mtype = struct.unpack("!HB", self.buf[16:19])
            if length < 19 or length > 4096:
                raise ConnectionError("bad length %d from the DUT" % length)
            if len(self.buf) < length:
                break
            out.append((mtype, self.buf[19:length]))
            self.buf = self.buf[length:]
        return out

    def establish(self, deadline):
        self.close()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock = s
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.bind((self.args.local, 0))
        s.settimeout(max(0.05, min(3.0, deadline - time.monotonic())))
        s.connect((self.args.remote, self.args.port))
        s.sendall(self.open_bytes)
        their_open = False
        while time.monotonic() < deadline:
            data = s.recv(65536)
            if not data:
                raise ConnectionError("closed before Established")
            self.buf += data
            for mtype, body in self.messages():
                if mtype == NOTIFICATION:
                    raise ConnectionError("NOTIFICATION %d/%d before Established" %
                                          (body[0] if body else 0, body[1] if len(body) > 1 else 0))
                if mtype == OPEN and not their_open:
                    their_open = True
                    s.sendall(KEEPALIVE_BYTES)
                elif mtype == KEEPALIVE and their_open:
                    s.setblocking(False)
                    self.keepalive_at = time.monotonic() + HOLD / 3
                    return
        raise TimeoutError("no Established in time")

    def reaction(self):
        """What the DUT said since the last case, without waiting: None, or why it ended."""
        why = None
        while True:
            r, _, _ = select.select([self.sock], [], [], 0)
            if not r:
                return why
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return why
            except OSError:
                return why or "close"
            if not data:
                return why or "close"
            self.buf += data
            for mtype, body in self.messages():
                if mtype == NOTIFICATION and why is None:
                    why = "%d/%d" % (body[0] if body else 0, body[1] if len(body) > 1 else 0)

    def send(self, data):
        """Write one message on the non-blocking socket; False: the session is gone."""
        view = memoryview(data)
        limit = time.monotonic() + 3.0
        while view:
            try:
                n = self.sock.send(view)
            except BlockingIOError:
                if time.monotonic() > limit:
                    return False
                select.select([], [self.sock], [], 0.1)
                continue
            except OSError:
                return False
            view = view[n:]
        return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--local", required=True)
    ap.add_argument("--remote", required=True)
    ap.add_argument("--port", type=int, default=179)
    ap.add_argument("--as", dest="asn", type=int, default=65001)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    random.seed(args.seed)  # scapy's RandField values come from the random module

    st = {"cases": 0, "sessions": 0, "resets": 0, "silent_closes": 0, "establish_failures": 0,
          "build_errors": 0, "notifications": {}}
    session = Session(args)
    start = time.monotonic()
    end = start + args.seconds
    establishing = 0.0
    up = False
    while time.monotonic() < end:
        if not up:
            t0 = time.monotonic()
            try:
                session.establish(end)
                up = True
                st["sessions"] += 1
            except (OSError, ConnectionError, TimeoutError) as e:
                st["establish_failures"] += 1
                st["last_failure"] = str(e)
                session.close()
                time.sleep(min(0.25, max(0.0, end - time.monotonic())))
            establishing += time.monotonic() - t0
            continue
        why = session.reaction()
        if why is not None:
            st["resets"] += 1
            if why == "close":
                st["silent_closes"] += 1
            else:
                st["notifications"][why] = st["notifications"].get(why, 0) + 1
            session.close()
            up = False
            continue
        if time.monotonic() >= session.keepalive_at:
            if not session.send(KEEPALIVE_BYTES):
                st["resets"] += 1
                st["silent_closes"] += 1
                session.close()
                up = False
                continue
            session.keepalive_at = time.monotonic() + HOLD / 3
        data, _, errors = mutated_case(rng, args.asn, args.local)
        st["build_errors"] += errors
        if not session.send(data):
            # the DUT reset the session after the last case
            st["resets"] += 1
            st["silent_closes"] += 1
            session.close()
            up = False
            continue
        st["cases"] += 1
    seconds = time.monotonic() - start
    session.close()
    st["seconds"] = round(seconds, 3)
    st["seconds_establishing"] = round(establishing, 3)
    st["cases_per_second"] = round(st["cases"] / seconds, 1) if seconds > 0 else 0
    json.dump(st, sys.stdout, sort_keys=True)
    print()
    return 0 if st["sessions"] else 1


if __name__ == "__main__":
    sys.exit(main())
