#!/usr/bin/env python3
"""compare-ssh-audit: one SSH endpoint as `dutlab ssh --json`, Debian's ssh-audit 2.5.0 (-j) and
ssh-keygen -l on the server's own key files saw it; prints TAP lines, exits 1 on a difference.

usage: compare-ssh-audit.py LABEL EXPECT OURS.json SSH-AUDIT.json KEYGEN.txt
  EXPECT   strict (svc_sshstrict) or dropbear (svc_dropbear's defaults): what the
           configuration must show besides agreeing with the peers
  KEYGEN   `ssh-keygen -l -E sha256 -f` lines for every host key file of the server

Known differences, and why they are not failures:
- ssh-audit 2.5.0 reports one direction of ciphers, MACs and compression (the server's
  server-to-client lists: kex.server.*); dutlab merges both directions when they are equal
  and adds *_client_to_server / *_server_to_client when not. We compare ssh-audit's lists
  with dutlab's server-to-client view.
- ssh-audit 2.5.0 fingerprints only Ed25519 and RSA host keys (HostKeyTest.HOST_KEY_TYPES
  has no ECDSA entry), so its fingerprints must be a subset of dutlab's; ssh-keygen -l on
  the key files is the reference for all of them.
- ssh-audit names the RSA key "ssh-rsa" whichever of rsa-sha2-256/512 fetched it; dutlab
  reports the key type separately (key_type) from the algorithm it asked for.
"""
import json
import re
import sys

failures = 0


def ok(text):
    print("ok - " + text)


def not_ok(text, *details):
    global failures
    failures += 1
    print("not ok - " + text)
    for d in details:
        print("#   " + d)


def names(entries):
    return [e["name"] for e in entries]


def direction(algorithms, key):
    """dutlab's server-to-client list of cipher/mac/compression."""
    return names(algorithms.get(key + "_server_to_client", algorithms[key]))


def compare_set(label, what, ours, theirs):
    if sorted(ours) == sorted(theirs):
        ok("%s: %s: the same %d names as ssh-audit" % (label, what, len(ours)))
    else:
        not_ok("%s: %s differ from ssh-audit" % (label, what),
               "only dutlab: %s" % sorted(set(ours) - set(theirs)),
               "only ssh-audit: %s" % sorted(set(theirs) - set(ours)))


# ssh-keygen -l: "256 SHA256:xxx comment (ED25519)"
KEYGEN_TYPES = {"ED25519": "ssh-ed25519", "RSA": "ssh-rsa", "DSA": "ssh-dss",
                "ECDSA": "ecdsa-sha2-nistp"}


def keygen_keys(path):
    keys = []
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^(\d+) (SHA256:\S+) .*\((\w+)\)\s*$", line)
        if not m:
            continue
        bits, fingerprint, kind = int(m.group(1)), m.group(2), m.group(3)
        key_type = KEYGEN_TYPES.get(kind, kind)
        if kind == "ECDSA":
            key_type += {256: "256", 384: "384", 521: "521"}.get(bits, "?")
        keys.append({"key_type": key_type, "bits": bits, "fingerprint": fingerprint})
    return keys


def check_fingerprints(label, ours, theirs, keygen_path):
    fetched = [k for k in ours["host_keys"] if k.get("fetched")]
    missing = [k for k in ours["host_keys"] if not k.get("fetched")]
    if missing:
        not_ok("%s: host keys not fetched" % label,
               *["%s: %s" % (k["algorithm"], k.get("error")) for k in missing])
    reference = keygen_keys(keygen_path)
    if not reference:
        not_ok("%s: no ssh-keygen -l lines in %s" % (label, keygen_path))
        return
    want = sorted((k["key_type"], k["bits"], k["fingerprint"]) for k in reference)
    got = sorted((k["key_type"], k["bits"], k["fingerprint"]) for k in fetched)
    if want == got:
        ok("%s: %d host keys: type, bits and SHA256 fingerprint as ssh-keygen -l on the key "
           "files" % (label, len(want)))
    else:
        not_ok("%s: host keys differ from ssh-keygen -l" % label,
               "ssh-keygen: %s" % want, "dutlab: %s" % got)
    # ssh-audit's SHA256 fingerprints (base64 without the prefix)
    peer = {("SHA256:" + f["hash"]) for f in theirs.get("fingerprints", [])
            if f.get("hash_alg") == "SHA256"}
    ours_set = {k["fingerprint"] for k in fetched}
    if peer and peer <= ours_set:
        ok("%s: ssh-audit's %d SHA256 fingerprints are among dutlab's %d (ssh-audit 2.5.0 "
           "fetches only Ed25519 and RSA keys)" % (label, len(peer), len(ours_set)))
    else:
        not_ok("%s: ssh-audit's fingerprints are not all dutlab's" % label,
               "ssh-audit: %s" % sorted(peer), "dutlab: %s" % sorted(ours_set))


def entry(algorithms, key, name):
    for e in algorithms[key]:
        if e["name"] == name:
            return e
    return None


def check_strict(label, ours):
    a = ours["algorithms"]
    problems = []
    for e in a["kex"]:
        if e.get("extension"):
            continue
        if not e["forward_secrecy"]:
            problems.append("kex %s without forward secrecy" % e["name"])
        if e["strength"] not in ("128", "256"):
            problems.append("kex %s strength %s" % (e["name"], e["strength"]))
        x25519 = e["name"].startswith("curve25519")
        if e["approved"] == x25519:
            problems.append("kex %s approved=%s" % (e["name"], e["approved"]))
    for key in ("host_key", "cipher", "mac"):
        for e in a[key]:
            if not e["approved"] or e["strength"] not in ("128", "256"):
                problems.append("%s %s approved=%s strength %s" %
                                (key, e["name"], e["approved"], e["strength"]))
    for e in a["cipher"]:
        if not e["name"].startswith("aes"):
            problems.append("cipher %s is not AES" % e["name"])
    if not any(e["strength"] == "256" for e in a["cipher"]):
        problems.append("no AES-256 cipher")
    if not ours.get("strict_kex"):
        problems.append("no strict key exchange (Terrapin countermeasure)")
    if sorted(names(a["host_key"])) != ["ecdsa-sha2-nistp256", "ssh-ed25519"]:
        problems.append("host keys %s" % names(a["host_key"]))
    if problems:
        not_ok("%s: the strict configuration shows weak spots" % label, *problems)
    else:
        ok("%s: strict: every kex forward-secret (X25519 the only unapproved one), AES-only "
           "ciphers with AES-256, approved SHA-2 MACs, Ed25519/ECDSA host keys, strict kex"
           % label)


def check_dropbear(label, ours):
    a = ours["algorithms"]
    expect = [
        ("kex", "diffie-hellman-group14-sha1", {"approved": False, "strength": "weak",
                                                "forward_secrecy": True}),
        ("kex", "curve25519-sha256", {"approved": False, "forward_secrecy": True}),
        ("host_key", "ssh-rsa", {"approved": False, "strength": "weak"}),
        ("cipher", "chacha20-poly1305@openssh.com", {"approved": False, "strength": "256"}),
        ("cipher", "aes128-ctr", {"approved": True, "strength": "128"}),
        ("mac", "hmac-sha1", {"approved": True, "strength": "128"}),
    ]
    problems = []
    for key, name, fields in expect:
        e = entry(a, key, name)
        if e is None:
            problems.append("dropbear's defaults lack %s %s" % (key, name))
            continue
        for field, value in fields.items():
            if e.get(field) != value:
                problems.append("%s %s: %s is %r, not %r" % (key, name, field, e.get(field),
                                                              value))
    # dropbear's kexguess2 marker: listed, and never approved (unknown to the table, or an
    # extension if the table learns it)
    guess = entry(a, "kex", "kexguess2@matt.ucc.asn.au")
    if guess is None or guess.get("approved") is True:
        problems.append("kex kexguess2@matt.ucc.asn.au: %s" % guess)
    rsa = [k for k in ours["host_keys"] if k.get("key_type") == "ssh-rsa"]
    if not rsa or rsa[0]["bits"] != 2048 or rsa[0]["strength"] != "128":
        problems.append("RSA host key: %s" % rsa)
    if problems:
        not_ok("%s: dropbear's defaults are not classified as expected" % label, *problems)
    else:
        ok("%s: dropbear defaults: diffie-hellman-group14-sha1 (weak, SHA-1), ssh-rsa (weak), "
           "hmac-sha1 (approved), chacha20-poly1305 (256, unapproved), kexguess2 not approved, "
           "RSA-2048 key" % label)


def main():
    label, expect, ours_path, theirs_path, keygen_path = sys.argv[1:6]
    ours = json.load(open(ours_path, encoding="utf-8"))
    theirs = json.load(open(theirs_path, encoding="utf-8"))
    if not ours.get("speaks_ssh") or not ours.get("complete"):
        not_ok("%s: dutlab's audit is incomplete: %s" % (label, ours.get("incomplete")))
        return 1
    a = ours["algorithms"]
    ident = ours["ident"]
    software = "%s" % ident["software"]
    if software == theirs["banner"]["software"]:
        ok("%s: software %s as ssh-audit" % (label, software))
    else:
        not_ok("%s: software differs" % label, "dutlab %s, ssh-audit %s" %
               (software, theirs["banner"]["software"]))
    compare_set(label, "kex", names(a["kex"]), [k["algorithm"] for k in theirs["kex"]])
    compare_set(label, "host-key algorithms", names(a["host_key"]),
                [k["algorithm"] for k in theirs["key"]])
    compare_set(label, "ciphers", direction(a, "cipher"), theirs["enc"])
    compare_set(label, "MACs", direction(a, "mac"), theirs["mac"])
    compare_set(label, "compression", direction(a, "compression"), theirs["compression"])
    check_fingerprints(label, ours, theirs, keygen_path)
    {"strict": check_strict, "dropbear": check_dropbear}[expect](label, ours)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
