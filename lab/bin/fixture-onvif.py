#!/usr/bin/python3
"""fixture-onvif: a lab-only FIXTURE, not a real device: a minimal ONVIF device service (SOAP 1.2
over HTTP) that checks WS-Security UsernameToken PasswordDigest, for dutlab's onvif login driver.

No ONVIF server is packaged in Debian, so this stands in for one in the lab. It answers
GetDeviceInformation to any user, and GetUsers, SystemReboot (nothing reboots) and
SetSystemDateAndTime to the levels ONVIF Core 5.9.4.3 gives them. A bad digest, an unknown
user, a Created time more than --skew seconds away, or a nonce seen before (unless
--accept-replay) is answered with HTTP 400 and the fault env:Sender / ter:NotAuthorized
(ONVIF Core 5.11.2.2). Python 3 standard library only.
"""
import argparse
import base64
import binascii
import hashlib
import hmac
import re
import socket
import sys
import threading
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ENV = "http://www.w3.org/2003/05/soap-envelope"
WSSE = ("http://docs.oasis-open.org/wss/2004/01/"
        "oasis-200401-wss-wssecurity-secext-1.0.xsd")
WSU = ("http://docs.oasis-open.org/wss/2004/01/"
       "oasis-200401-wss-wssecurity-utility-1.0.xsd")
DIGEST_TYPE = ("http://docs.oasis-open.org/wss/2004/01/"
               "oasis-200401-wss-username-token-profile-1.0#PasswordDigest")
LEVELS = {"User": 0, "Operator": 1, "Administrator": 2}
# operation -> the lowest user level that may call it (ONVIF Core 5.9.4.3, simplified)
OPERATIONS = {
    "GetDeviceInformation": "User",
    "SetSystemDateAndTime": "Operator",
    "GetUsers": "Administrator",
    "SystemReboot": "Administrator",
}


def fault(code, subcode, reason):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<env:Envelope xmlns:env="{ENV}" xmlns:ter="http://www.onvif.org/ver10/error">'
            f"<env:Body><env:Fault><env:Code><env:Value>{code}</env:Value>"
            f"<env:Subcode><env:Value>{subcode}</env:Value></env:Subcode></env:Code>"
            f'<env:Reason><env:Text xml:lang="en">{reason}</env:Text></env:Reason>'
            f"</env:Fault></env:Body></env:Envelope>\n")


def response(operation):
    inner = ""
    if operation == "GetDeviceInformation":
        inner = ("<tds:Manufacturer>dutlab</tds:Manufacturer><tds:Model>fixture-onvif</tds:Model>"
                 "<tds:FirmwareVersion>1.0</tds:FirmwareVersion>"
                 "<tds:SerialNumber>0001</tds:SerialNumber><tds:HardwareId>lab</tds:HardwareId>")
    elif operation == "SystemReboot":
        inner = "<tds:Message>Rebooting (fixture: nothing happens)</tds:Message>"
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<env:Envelope xmlns:env="{ENV}" '
            f'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><env:Body>'
            f"<tds:{operation}Response>{inner}</tds:{operation}Response>"
            f"</env:Body></env:Envelope>\n")


class State:
    def __init__(self, users, accept_replay, skew):
        self.users = users  # name -> (password, level)
        self.accept_replay = accept_replay
        self.skew = skew
        self.nonces = {}  # nonce -> when seen (monotonic)
        self.lock = threading.Lock()

    def seen(self, nonce):
        """True when the nonce was used before; remembers it for 10 minutes."""
        now = time.monotonic()
        with self.lock:
            for old in [n for n, t in self.nonces.items() if now - t > 600]:
                del self.nonces[old]
            if nonce in self.nonces:
                return True
            self.nonces[nonce] = now
            return False


def authenticate(state, header):
    """The user's level name, or the reason the UsernameToken is refused."""
    if header is None:
        return None, "no WS-Security header"
    token = header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None:
        return None, "no UsernameToken"
    username = token.findtext(f"{{{WSSE}}}Username") or ""
    password = token.find(f"{{{WSSE}}}Password")
    nonce_text = token.findtext(f"{{{WSSE}}}Nonce") or ""
    created = token.findtext(f"{{{WSU}}}Created") or ""
    if password is None or password.get("Type") != DIGEST_TYPE:
        return None, "not a PasswordDigest"
    try:
        nonce = base64.b64decode(nonce_text, validate=True)
    except (binascii.Error, ValueError):
        return None, "nonce is not base64"
    if not nonce:
        return None, "empty nonce"
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z", created)
    if not match:
        return None, "Created is not a UTC dateTime"
    try:
        when = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(
            tzinfo=timezone.utc)
    except ValueError:
        return None, "Created is not a UTC dateTime"
    if abs((datetime.now(timezone.utc) - when).total_seconds()) > state.skew:
        return None, "Created too far from now"
    user = state.users.get(username)
    if user is None:
        # the same answer as a wrong password: no user enumeration
        return None, "bad credentials"
    expect = base64.b64encode(hashlib.sha1(nonce + created.encode() + user[0].encode())
                              .digest()).decode()
    if not hmac.compare_digest(expect, (password.text or "").strip()):
        return None, "bad credentials"
    if state.seen(nonce_text) and not state.accept_replay:
        return None, "nonce replayed"
    return user[1], None


class Handler(BaseHTTPRequestHandler):
    server_version = "fixture-onvif/1.0"
    protocol_version = "HTTP/1.1"

    def handle(self):
        # dutlab closes with a reset (no TIME_WAIT): the end of a connection, not an error
        try:
            super().handle()
        except ConnectionResetError:
            pass

    def log_message(self, fmt, *args):
        print(f"fixture-onvif: {self.client_address[0]} {fmt % args}", flush=True)

    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        state = self.server.state
        if self.path != self.server.path:
            self.reply(404, fault("env:Sender", "ter:InvalidArgVal", "no such service"))
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > 65536:
            self.reply(400, fault("env:Sender", "ter:InvalidArgVal", "bad length"))
            return
        try:
            root = ET.fromstring(self.rfile.read(length))
        except ET.ParseError:
            self.reply(400, fault("env:Sender", "ter:WellFormed", "not well-formed"))
            return
        body = root.find(f"{{{ENV}}}Body")
        if root.tag != f"{{{ENV}}}Envelope" or body is None or len(body) == 0:
            self.reply(400, fault("env:Sender", "ter:InvalidArgVal", "no SOAP 1.2 Body"))
            return
        operation = body[0].tag.split("}")[-1]
        level, why = authenticate(state, root.find(f"{{{ENV}}}Header"))
        if level is None:
            print(f"fixture-onvif: {operation} refused: {why}", flush=True)
            self.reply(400, fault("env:Sender", "ter:NotAuthorized",
                                  "Sender not Authorized"))
            return
        need = OPERATIONS.get(operation)
        if need is None:
            self.reply(400, fault("env:Receiver", "ter:ActionNotSupported",
                                  f"{operation} is not supported"))
            return
        if LEVELS[level] < LEVELS[need]:
            self.reply(400, fault("env:Sender", "ter:NotAuthorized",
                                  f"{operation} needs {need}"))
            return
        self.reply(200, response(operation))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, port, handler):
        self.address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
        super().__init__((address, port), handler)

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--address", default="::", help="address to listen on (default: all)")
    ap.add_argument("--port", type=int, default=8080, help="TCP port (default: 8080)")
    ap.add_argument("--path", default="/onvif/device_service")
    ap.add_argument("--user", action="append", default=[], metavar="NAME:PASSWORD[:LEVEL]",
                    help="an account; LEVEL is Administrator (default), Operator or User")
    ap.add_argument("--accept-replay", action="store_true",
                    help="accept a nonce seen before (a device without replay protection)")
    ap.add_argument("--skew", type=int, default=300,
                    help="seconds Created may differ from now (default: 300)")
    args = ap.parse_args()
    users = {}
    for spec in args.user:
        parts = spec.split(":")
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in LEVELS):
            ap.error(f"--user {spec}: expected NAME:PASSWORD[:LEVEL]")
        users[parts[0]] = (parts[1], parts[2] if len(parts) == 3 else "Administrator")
    if not users:
        ap.error("at least one --user")
    server = Server(args.address, args.port, Handler)
    server.state = State(users, args.accept_replay, args.skew)
    server.path = args.path
    print(f"fixture-onvif: listening on [{args.address}]:{args.port}{args.path}, replayed "
          f"nonces {'accepted' if args.accept_replay else 'refused'}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
