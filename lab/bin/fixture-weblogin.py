#!/usr/bin/python3
# fixture-weblogin: a LAB-ONLY FIXTURE (mgmt-bad, tcp/8080): a deliberately broken web login for behaviours no packaged software shows.
#
# This is not a model of any product and must never be used outside the lab. It exists
# so dutlab's authentication checks can be shown to FAIL on what real firmware gets
# wrong; their PASS side is proven on real software (Cockpit, OpenSSH, PAM on mgmt-good).
# Its weaknesses, each on purpose:
#   - the login form's password input is type="text" (shown in clear: NCC 5.3.1.5);
#   - a failed login says "unknown user" or "wrong password" (user enumeration), and the
#     wrong-password answer names the account and the file it was checked against (an
#     error message that carries a user name and a path: IoT 5.2.1.7);
#   - no lockout, no delay, however many failures;
#   - session cookies are predictable: the start time plus a counter (IoT 5.2.1.13);
#   - sessions never expire and stay valid after logout (idle timeout, replay);
#   - /api/config may be read and written by any logged-in role (roles);
#   - passwords live in clear in a JSON file (storage), any new password is accepted.
# Python standard library only; serves HTTP on both address families of --port.

import argparse
import html
import http.server
import json
import socket
import threading
import time
import urllib.parse

LOCK = threading.Lock()
SESSIONS = {}  # cookie value -> user name; never pruned, never expired
COUNTER = [0]
STARTED = int(time.time())


def load_users(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def save_users(path, users):
    # In place: the fixture runs as nobody, who owns the file but not its folder.
    with open(path, "w", encoding="utf-8") as f:
        json.dump(users, f, indent=1)


def page(title, body):
    return ("<!DOCTYPE html>\n<html><head><title>%s</title></head><body>\n<h1>%s</h1>\n%s\n"
            "</body></html>\n" % (html.escape(title), html.escape(title), body)).encode()


LOGIN_FORM = """<form method="post" action="/login">
<label>User name <input type="text" name="username"></label>
<label>Password <input type="text" name="password"></label>
<input type="submit" value="Log in">
</form>"""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        print("%s %s" % (self.address_string(), fmt % args), flush=True)

    def send(self, status, body, ctype="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def session_user(self):
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "SESSIONID":
                with LOCK:
                    return SESSIONS.get(value)
        return None

    def form(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > 65536:
            return None
        raw = self.rfile.read(length).decode("utf-8", "replace")
        if self.headers.get("Content-Type", "").startswith("application/json"):
            try:
                data = json.loads(raw)
            except ValueError:
                return None
            return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else None
        return {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}

    def need_login(self):
        user = self.session_user()
        if user is None:
            self.send(401, page("Login required", '<p><a href="/login">Log in</a></p>'))
        return user

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path in ("/", "/login"):
            self.send(200, page(self.server.title + " sign in", LOGIN_FORM))
        elif path == "/home":
            user = self.need_login()
            if user is not None:
                self.send(200, page(self.server.title, "<p>Logged in as %s.</p>" % html.escape(user)))
        elif path == "/whoami":
            user = self.need_login()
            if user is not None:
                self.send(200, (user + "\n").encode(), "text/plain")
        elif path == "/logout":
            # Says so, and forgets nothing: the cookie goes on working.
            self.send(200, page("Logged out", '<p><a href="/login">Log in again</a></p>'))
        elif path == "/api/config":
            if self.need_login() is not None:
                with open(self.server.config, "rb") as f:
                    self.send(200, f.read(), "text/plain")
        else:
            self.send(404, page("Not found", ""))

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        data = self.form()
        if data is None:
            self.send(400, page("Bad request", ""))
            return
        if path == "/login":
            self.login(data)
        elif path == "/api/config":
            if self.need_login() is not None:
                with open(self.server.config, "a", encoding="utf-8") as f:
                    f.write(data.get("line", "") + "\n" if data.get("line") else "")
                self.send(200, b"saved\n", "text/plain")
        elif path == "/api/password":
            self.change_password(data)
        else:
            self.send(404, page("Not found", ""))

    def login(self, data):
        users = load_users(self.server.users)
        name, password = data.get("username", ""), data.get("password", "")
        if name not in users:
            self.send(200, page("Login failed", "<p>Login failed: unknown user.</p>" + LOGIN_FORM))
            return
        if users[name].get("password") != password:
            detail = "wrong password for user '%s' (checked against %s)" % (name, self.server.users)
            self.send(200, page("Login failed", "<p>Login failed: %s.</p>" % html.escape(detail) + LOGIN_FORM))
            return
        with LOCK:
            COUNTER[0] += 1
            token = "%d%05d" % (STARTED, COUNTER[0])
            SESSIONS[token] = name
        self.send(302, page("Welcome", '<p><a href="/home">Continue</a></p>'),
                  headers=[("Location", "/home"), ("Set-Cookie", "SESSIONID=%s; Path=/" % token)])

    def change_password(self, data):
        users = load_users(self.server.users)
        name = data.get("username", "")
        if name not in users or users[name].get("password") != data.get("password", ""):
            self.send(403, page("Password not changed", "<p>Wrong user name or password.</p>"))
            return
        new = data.get("new_password", "")
        if not new:
            self.send(400, page("Password not changed", "<p>Empty password.</p>"))
            return
        users[name]["password"] = new  # any password at all, kept in clear
        save_users(self.server.users, users)
        self.send(200, page("Password changed", "<p>Password changed.</p>"))


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def main():
    ap = argparse.ArgumentParser(description="lab-only fixture: a broken web login")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--users", required=True, help="JSON {user: {password, role}}")
    ap.add_argument("--config", required=True, help="the text /api/config serves and appends to")
    ap.add_argument("--title", default="Device")
    args = ap.parse_args()
    server = Server(("::", args.port), Handler)
    server.users, server.config, server.title = args.users, args.config, args.title
    print("fixture-weblogin on port %d" % args.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
