#!/usr/bin/python3
# mgmt-login: log in to a lab DUT as a person would (ssh in a pseudo-terminal, telnet) for tests/lab/auth/mgmt-dut.sh.
#
# sshpass and expect are not in the lab's packages, so this drives OpenSSH's own client
# through a pty: it answers the password prompts of keyboard-interactive (one method
# only: each connection is exactly one PAM authentication, one faillock failure at
# most), runs a command and reports how it went by its exit status:
#   0 logged in (and the command succeeded), 1 refused, 3 the DUT demands a password
#   change, 4 the session was closed by the DUT (idle), 5 logged in but the command
#   failed, 2 anything else (timeout, usage).
# Modes:
#   ssh HOST USER PASSWORD COMMAND      log in, run COMMAND, print its output
#   passwd HOST USER OLD NEW            log in, run passwd: OLD, then NEW twice
#   change HOST USER OLD NEW            log in while a change is forced: OLD, NEW, NEW
#   idle HOST USER PASSWORD SECONDS     log in to a shell, stay idle, then type a command
#   telnet HOST USER PASSWORD COMMAND   the same as ssh over telnet (port 23)
import os
import pty
import re
import select
import socket
import sys
import time

SSH_OPTIONS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
               "-o", "PubkeyAuthentication=no", "-o", "GSSAPIAuthentication=no",
               "-o", "PreferredAuthentications=keyboard-interactive",
               "-o", "NumberOfPasswordPrompts=1", "-o", "LogLevel=ERROR",
               "-o", "ConnectTimeout=5"]
MARK = "__DLMARK__"


class Pty:
    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvp(argv[0], argv)
        self.buf = ""
        self.match = None

    def read_until(self, patterns, timeout):
        """Index of the first pattern seen in new output, -1 at EOF, -2 on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            for i, p in enumerate(patterns):
                m = re.search(p, self.buf)
                if m:
                    self.match = m
                    self.buf = self.buf[m.end():]
                    return i
            left = deadline - time.monotonic()
            if left <= 0:
                return -2
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                return -1
            if not data:
                return -1
            text = data.decode("utf-8", "replace")
            sys.stdout.write(text)
            sys.stdout.flush()
            self.buf += text

    def send(self, text):
        os.write(self.fd, (text + "\n").encode())

    def close(self):
        try:
            os.kill(self.pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)


REFUSED = r"Permission denied|Authentication failed|Too many authentication|Connection closed"
CHANGE = r"required to change your password|password has expired|Password expired|Current password:"


def ssh_login(host, user, password, command, tty=False):
    argv = ["ssh"] + SSH_OPTIONS + (["-tt"] if tty else ["-T"]) + ["%s@%s" % (user, host)]
    if command is not None:
        argv.append(command)
    p = Pty(argv)
    i = p.read_until([r"[Pp]assword: ?$", REFUSED], 15)
    if i != 0:
        p.close()
        return p, 1 if i == 1 else 2
    p.send(password)
    return p, None


def mode_ssh(host, user, password, command):
    p, rc = ssh_login(host, user, password, "echo %s; %s; echo %s$?" % (MARK, command, MARK))
    if rc is not None:
        return rc
    i = p.read_until([MARK + r"\r?\n", CHANGE, REFUSED, r"[Pp]assword: ?$"], 15)
    if i != 0:
        p.close()
        return {1: 3, 2: 1, 3: 1}.get(i, 2)
    i = p.read_until([MARK + r"(\d+)"], 15)
    p.close()
    if i != 0:
        return 2
    return 0 if p.match.group(1) == "0" else 5


def mode_passwd(host, user, old, new):
    p, rc = ssh_login(host, user, old, "passwd", tty=True)
    if rc is not None:
        return rc
    steps = [(r"[Cc]urrent password: ?$", old), (r"New password: ?$", new),
             (r"Retype new password: ?$", new)]
    for prompt, answer in steps:
        i = p.read_until([prompt, r"passwd: .*", REFUSED, CHANGE], 15)
        if i != 0:
            p.read_until([r"\$ $"], 2)
            p.close()
            return 1 if i in (1, 2) else 2
        p.send(answer)
    i = p.read_until([r"updated successfully", r"password unchanged|BAD PASSWORD|must wait longer|"
                      r"been already used|manipulation error|[Ss]orry"], 15)
    p.read_until([r"\$ $"], 2)
    p.close()
    return 0 if i == 0 else 1


def mode_change(host, user, old, new):
    p, rc = ssh_login(host, user, old, "id -un", tty=False)
    if rc is not None:
        return rc
    i = p.read_until([r"[Cc]urrent password: ?$", MARK, REFUSED], 15)
    if i != 0:
        p.close()
        return 1 if i == 2 else 2
    p.send(old)
    for prompt in (r"New password: ?$", r"Retype new password: ?$"):
        if p.read_until([prompt, REFUSED], 15) != 0:
            p.close()
            return 1
        p.send(new)
    i = p.read_until([r"\n%s\r?\n" % re.escape(user), REFUSED, r"passwd: |BAD PASSWORD"], 20)
    p.close()
    return 0 if i == 0 else 1


def mode_idle(host, user, password, seconds):
    p, rc = ssh_login(host, user, password, None, tty=True)
    if rc is not None:
        return rc
    if p.read_until([r"\$ $", CHANGE, REFUSED], 15) != 0:
        p.close()
        return 1
    start = time.monotonic()
    closed = p.read_until([r"timed out|auto-logout|Connection to .* closed"], float(seconds)) != -2
    if closed:
        sys.stderr.write("\nmgmt-login: the DUT ended the idle session after %.1f s\n"
                         % (time.monotonic() - start))
    else:
        p.send("echo $((6*7))DL")  # the answer, 42DL, is not in the echoed command line
        closed = p.read_until([r"42DL"], 5) != 0
    p.close()
    return 4 if closed else 0


def mode_telnet(host, user, password, command):
    s = socket.create_connection((host, 23), timeout=10)
    buf = b""
    deadline = time.monotonic() + 20

    def until(pattern):
        nonlocal buf
        while time.monotonic() < deadline:
            m = re.search(pattern, buf)
            if m:
                out, buf = buf[:m.end()], buf[m.end():]
                return out
            data = s.recv(4096)
            if not data:
                return None
            # Refuse every option the server offers (IAC DO/WILL -> WONT/DONT).
            while b"\xff" in data:
                i = data.index(b"\xff")
                if i + 2 < len(data) and data[i + 1] in (251, 252, 253, 254):
                    reply = {251: 254, 252: 254, 253: 252, 254: 252}[data[i + 1]]
                    s.sendall(bytes([255, reply, data[i + 2]]))
                    data = data[:i] + data[i + 3:]
                else:
                    data = data[:i] + data[i + 1:]
            sys.stdout.write(data.decode("utf-8", "replace"))
            buf += data
        return None

    if until(rb"login: ?$") is None:
        return 2
    s.sendall(user.encode() + b"\r\n")
    if until(rb"[Pp]assword: ?$") is None:
        return 2
    s.sendall(password.encode() + b"\r\n")
    out = until(rb"\$ ?$|incorrect|Login incorrect")
    if out is None or b"incorrect" in out:
        return 1
    s.sendall(("echo %s; %s; echo %s$?\r\n" % (MARK, command, MARK)).encode())
    out = until((MARK + r"\d+").encode())
    s.close()
    return 0 if out else 2


def main():
    modes = {"ssh": mode_ssh, "passwd": mode_passwd, "change": mode_change,
             "idle": mode_idle, "telnet": mode_telnet}
    if len(sys.argv) != 6 or sys.argv[1] not in modes:
        sys.stderr.write(__doc__ if __doc__ else "usage: mgmt-login.py MODE HOST USER A B\n")
        return 2
    return modes[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
