#!/bin/bash
# matrix: dutlab plays the cameras' update server: camera-good refuses every bad variant, camera-bad takes them.
#
# usage: tests/lab/tlsclient/matrix.sh [BUILD]   (as root; BUILD, relative to the source root
# or absolute, defaults to build)
# Brings camera-good and camera-bad up when they are down or were brought up before they
# had an update agent, runs `dutlab tlsclient` (the tlsclient.matrix collector and the
# tlsclient.validation judge) against each with a profile naming the lab's update CA, and
# checks every attempt with its reason. A DUT this test brought up goes down again.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$root" || exit 1
lab_build "${1:-}"
lab_work tlsclient
started=""

cleanup() {
	for dut in $started; do
		"$lab" down "$dut" >/dev/null 2>&1
	done
}

need_root matrix.sh
need_dutlab matrix.sh "no $dutlab; build first"

# profile NAME NET: a profile whose only channel is the camera's update server.
profile() {
	local name=$1 net=$2 v=${1#camera-}
	cat >"$work/$name.yaml" <<EOF
dutlab_profile: 1
identity: {vendor: Acme, model: CAM-100, firmware: "test", product_type: camera}
targets:
  - {standard: taics-ts-0014-1, level: 3}
scope:
  networks: [198.18.$net.0/24, "fd00:198:0:$net::/64"]
  interfaces: [tcam-$v]
dut:
  addresses: [198.18.$net.2, "fd00:198:0:$net::2"]
adapters:
  - name: lab
    driver: exec
    operations:
      check_update: {command: "$root/lab/lab update-check $name", timeout: 30}
tls_clients:
  - name: update
    host: update.acme-cam.test
    port: 8443
    listen: 198.18.$net.1
    trigger: check_update
    trusted_ca:
      certificate: /run/dutlab-lab/$name/update-ca/ca.pem
      key: /run/dutlab-lab/$name/update-ca/ca.key
    carries: [update]
    timeout: 10
EOF
}

for dut in camera-good camera-bad; do
	if ! "$lab" status "$dut" >/dev/null 2>&1 ||
		[ ! -f "/run/dutlab-lab/$dut/update-ca/ca.pem" ]; then
		was_up=no
		[ -e "/run/netns/dl-$dut" ] && was_up=yes
		"$lab" up "$dut" >"$work/$dut-up.log" 2>&1 || {
			not_ok "$dut comes up" "$(tail -n 5 "$work/$dut-up.log")"
			continue
		}
		[ "$was_up" = yes ] || started="$started $dut"
	fi
	# Nobody plays the update server yet: the agent must fail, not hang.
	if timeout 40 "$lab" update-check "$dut" >"$work/$dut-nocheck.log" 2>&1; then
		not_ok "$dut: update-check fails with no update server" "$(cat "$work/$dut-nocheck.log")"
	else
		ok "$dut: update-check fails with no update server"
	fi
done

profile camera-good 1
profile camera-bad 2

for dut in camera-good camera-bad; do
	if ! in_tester "$dutlab" tlsclient --profile "$work/$dut.yaml" \
		--observation "$work/$dut.json" --evidence "$work/$dut" --timeout 280 \
		>"$work/$dut.txt" 2>"$work/$dut.err"; then
		not_ok "$dut: dutlab tlsclient runs" "$(tail -n 5 "$work/$dut.err")"
		continue
	fi
	ok "$dut: dutlab tlsclient runs"
	# Every assertion prints one ok/not ok line; the summary counts them.
	python3 - "$dut" "$work/$dut.json" "$work/$dut" "$work/$dut.txt" <<'EOF' >"$work/$dut.tap"
import json, os, sys
dut, path, campaign, text = sys.argv[1:5]
o = json.load(open(path))
clients = o["clients"]
def check(cond, what, detail=""):
    print(("ok - " if cond else "not ok - ") + dut + ": " + what)
    if not cond and detail:
        print("#   " + detail)
check(len(clients) == 1 and not clients[0].get("error"), "one channel, served",
      str(clients[0].get("error") if clients else "no channel"))
attempts = {a["variant"]: a for a in clients[0]["attempts"]}
check(len(attempts) == 14, "14 attempts", ", ".join(attempts))
for a in attempts.values():
    ev = a.get("evidence")
    check(ev is not None and os.path.getsize(os.path.join(campaign, ev)) > 0,
          a["variant"] + ": evidence pcapng", str(ev))
c = attempts.get("control", {})
check(c.get("verdict") == "accepted" and c.get("request", "").startswith("GET /firmware/"),
      "control accepted with the update request", json.dumps(c))
bad = [a for a in attempts.values() if a["expect"] == "refuse"]
if dut == "camera-good":
    # Each refusal with the reason the agent gave: an alert naming the defect, or (TLS 1.3
    # checks curl makes after the handshake: host name, the stapled OCSP status) a close.
    reasons = {
        "expired": "certificate expired", "not_yet_valid": "bad certificate",
        "sha1_signature": "bad certificate", "rsa1024": "bad certificate",
        "wrong_eku": "unsupported certificate", "tampered_signature": "decrypt error",
        "malformed": "bad certificate", "self_signed": "unknown CA",
        "unknown_ca": "unknown CA", "tls10_11_only": "protocol version",
        "no_forward_secrecy": "handshake failure",
        "wrong_host": "close notify", "revoked": "close notify",
    }
    for a in bad:
        want = reasons[a["variant"]]
        check(a["verdict"] == "refused" and not a["application_data"]
              and a.get("client_alert") == want,
              a["variant"] + " refused (" + want + ")", json.dumps(a))
    check(attempts["revoked"].get("ocsp_stapled") is True, "revoked: OCSP status stapled",
          json.dumps(attempts["revoked"]))
    check("tlsclient.validation: pass" in open(text).read(), "tlsclient.validation passes",
          open(text).read()[-400:])
else:
    # curl -k --tlsv1.0 at security level 0 takes everything it can parse.
    for a in bad:
        if a["variant"] == "malformed":
            check(a["verdict"] == "refused" and a.get("client_alert") == "bad certificate",
                  "malformed refused (OpenSSL cannot parse it, even with -k)", json.dumps(a))
            continue
        check(a["verdict"] == "accepted" and a["request"].startswith("GET /firmware/"),
              a["variant"] + " accepted", json.dumps(a))
    check(attempts["tls10_11_only"].get("version") in ("TLSv1", "TLSv1.1"),
          "tls10_11_only negotiated TLS 1.0/1.1", json.dumps(attempts["tls10_11_only"]))
    check(attempts["no_forward_secrecy"].get("cipher", "").startswith("TLS_RSA_"),
          "no_forward_secrecy negotiated static RSA", json.dumps(attempts["no_forward_secrecy"]))
    t = open(text).read()
    check("tlsclient.validation: fail" in t and "accepted expired" in t,
          "tlsclient.validation fails naming the accepted variants", t[-400:])
EOF
	cat "$work/$dut.tap"
	passed=$((passed + $(grep -c '^ok - ' "$work/$dut.tap")))
	failed=$((failed + $(grep -c '^not ok - ' "$work/$dut.tap")))
done

summary
