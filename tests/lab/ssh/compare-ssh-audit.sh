#!/bin/bash
# compare-ssh-audit: dutlab's SSH audit against ssh-audit and ssh-keygen on the lab's SSH servers.
#
# usage (as root, from anywhere): tests/lab/ssh/compare-ssh-audit.sh [BUILD]
#   BUILD   the build directory holding src/cli/dutlab (default: build)
#
# Brings sshlab-servers up (lab/lib/ssh-servers.sh; down again on exit): OpenSSH with a
# strict configuration on 22 and dropbear with its defaults on 2222. For each, from the
# tester namespace, runs `dutlab ssh --json` and Debian's ssh-audit 2.5.0 (`-j`), and
# `ssh-keygen -l` on the server's host key files in the lab's state dir; then
# compare-ssh-audit.py checks the same kex, host-key, cipher, MAC and compression sets,
# the same host-key fingerprints, and what each configuration must show (the strict one
# passes; dropbear's defaults offer diffie-hellman-group14-sha1, ssh-rsa and hmac-sha1).
# The differences between the tools that are not failures are explained there. The
# same endpoints are then audited over IPv6. Prints TAP lines; exits 1 on any failure.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
here=$root/tests/lab/ssh
lab_build "${1:-}"
dut=sshlab-servers
address=198.18.6.2
address6=fd00:198:0:6::2
scope=198.18.6.0/24
scope6=fd00:198:0:6::/64
interface=tssh
state=${DUTLAB_LAB_RUN:-/run/dutlab-lab}/$dut
lab_work ssh-audit

cleanup() {
	"$lab" down "$dut" >/dev/null 2>&1
}

need_root compare-ssh-audit
need_dutlab compare-ssh-audit
need_command compare-ssh-audit ssh-audit

lab_up "$dut" "$work/up.log"

# port, the configuration it must show, the service's key folder in the state dir
for server in "22 strict sshstrict" "2222 dropbear dropbear"; do
	read -r port expect keys <<<"$server"
	label="$address:$port ($keys)"
	ours=$work/$port.json
	theirs=$work/$port-ssh-audit.json
	keygen=$work/$port-keygen.txt
	start=$(date +%s%N)
	if ! timeout 60 ip netns exec dl-tester "$dutlab" ssh --json --scope "$scope" --interface "$interface" \
		"$address:$port" >"$ours" 2>"$work/$port-dutlab.log"; then
		not_ok "$label: dutlab ssh failed" "$(tail -3 "$work/$port-dutlab.log")"
		continue
	fi
	ms=$((($(date +%s%N) - start) / 1000000))
	# ssh-audit's exit status counts its own warnings and failures: only its JSON matters.
	start=$(date +%s%N)
	timeout 60 ip netns exec dl-tester ssh-audit -j -t 10 -p "$port" "$address" >"$theirs" 2>"$work/$port-ssh-audit.log"
	peer_ms=$((($(date +%s%N) - start) / 1000000))
	if ! python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$theirs" 2>/dev/null; then
		not_ok "$label: ssh-audit printed no JSON" "$(head -c 300 "$theirs")"
		continue
	fi
	: >"$keygen"
	for f in "$state/$keys"/*.pub; do
		ssh-keygen -l -E sha256 -f "$f" >>"$keygen" 2>>"$work/$port-keygen.log"
	done
	python3 "$here/compare-ssh-audit.py" "$label" "$expect" "$ours" "$theirs" "$keygen" \
		>"$work/$port-compare.out"
	relay "$work/$port-compare.out"
	echo "# $label: dutlab ssh took $ms ms ($(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["connections"])' "$ours") connections), ssh-audit $peer_ms ms"

	# The same server over IPv6: the same algorithms and fingerprints.
	if timeout 60 ip netns exec dl-tester "$dutlab" ssh --json --scope "$scope6" --interface "$interface" \
		"[$address6]:$port" >"$work/$port-v6.json" 2>"$work/$port-v6.log" &&
		python3 - "$ours" "$work/$port-v6.json" <<'PY'; then
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
strip = lambda r: (r["algorithms"], sorted((k["algorithm"], k.get("fingerprint")) for k in r["host_keys"]))
assert b["complete"] and strip(a) == strip(b), "IPv4 and IPv6 audits differ"
PY
		ok "$label: the same algorithms and fingerprints over IPv6 ([$address6]:$port)"
	else
		not_ok "$label: IPv6 audit differs or failed" "$(tail -3 "$work/$port-v6.log")"
	fi
done

# The scope guard: an address outside --scope is refused before anything is sent.
if in_tester "$dutlab" ssh --scope 198.18.7.0/24 "$address" >"$work/scope.out" 2>&1; then
	not_ok "dutlab ssh outside its scope succeeded" "$(head -3 "$work/scope.out")"
elif [ $? -eq 2 ] && grep -q "scope" "$work/scope.out"; then
	ok "dutlab ssh refuses $address outside --scope 198.18.7.0/24 (exit 2)"
else
	not_ok "dutlab ssh outside its scope: unexpected failure" "$(head -3 "$work/scope.out")"
fi

summary
