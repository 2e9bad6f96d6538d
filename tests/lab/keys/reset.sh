#!/bin/bash
# reset: the lab's factory reset and certificate installation change (or keep) exactly the keys they should.
#
# camera-good (reset_keys=regenerate): every SSH host key and the TLS key change at each
# reset; camera-bad (reset_keys=keep): none does; install-cert on camera-good: port 443
# then serves exactly the installed certificate. Read from the tester namespace with
# ssh-keyscan and openssl s_client, not with dutlab: this tests the lab that dutlab's
# keys.* collectors are proven on. Prints TAP-like ok / not ok lines; exit 1 on a failure.
# The cameras are shared: each ends as it was found (up, rebuilt fresh, or down).
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$root" || exit 1
lab_work keys-reset
was_up=""

cleanup() {
	local dut
	for dut in camera-good camera-bad; do
		case " $was_up " in
		# Up before: rebuild it fresh, so nobody after us sees our certificate.
		*" $dut "*) "$lab" up "$dut" >/dev/null 2>&1 || echo "# could not bring $dut up again" ;;
		*) "$lab" down "$dut" >/dev/null 2>&1 ;;
		esac
	done
}

need_root reset.sh
for dut in camera-good camera-bad; do
	[ -e "/run/netns/dl-$dut" ] && was_up="$was_up $dut"
	"$lab" up "$dut" >"$work/up-$dut.log" 2>&1 || {
		echo "reset.sh: lab up $dut failed:" >&2
		cat "$work/up-$dut.log" >&2
		exit 1
	}
done

# keys ADDRESS: one line per key: the SSH host keys' fingerprints, then the SHA-256 of the
# leaf certificate and of its public key on 443.
keys() {
	local address=$1
	in_tester ssh-keyscan -T 5 -t ed25519,ecdsa "$address" 2>/dev/null |
		ssh-keygen -lf - | awk '{print "ssh " $4 " " $2}' | sort
	in_tester timeout 5 openssl s_client -connect "$address:443" \
		-cipher 'DEFAULT:@SECLEVEL=0' </dev/null 2>/dev/null |
		openssl x509 >"$work/served.pem" 2>/dev/null
	echo "tls-cert $(openssl x509 -in "$work/served.pem" -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)"
	echo "tls-key $(openssl x509 -in "$work/served.pem" -noout -pubkey 2>/dev/null |
		openssl pkey -pubin -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)"
}

empty=$(printf '' | sha256sum | cut -d' ' -f1)

# complete FILE: three SSH-or-TLS kinds read, none empty (a DUT that answered nothing
# would otherwise "keep" its keys).
complete() {
	[ "$(grep -c '^ssh ' "$1")" -eq 2 ] && ! grep -q "$empty" "$1"
}

# differ A B: no line of B (a key) is in A.
all_differ() {
	local value
	while read -r _ value; do
		grep -q " ${value##* }\$" "$1" && return 1
	done <"$2"
	return 0
}

# camera-good: each of two resets changes every key.
keys 198.18.1.2 >"$work/good-0"
for i in 1 2; do
	if ! "$lab" reset camera-good >"$work/reset-good-$i.log" 2>&1; then
		not_ok "camera-good: lab reset $i succeeds" "$(cat "$work/reset-good-$i.log")"
		continue
	fi
	keys 198.18.1.2 >"$work/good-$i"
	prev="$work/good-$((i - 1))"
	if complete "$work/good-$i" && complete "$prev" && all_differ "$prev" "$work/good-$i"; then
		ok "camera-good: reset $i changes both SSH host keys, the TLS key and certificate"
	else
		not_ok "camera-good: reset $i changes every key" "before:" "$(cat "$prev")" "after:" \
			"$(cat "$work/good-$i")"
	fi
done
if complete "$work/good-2" && all_differ "$work/good-0" "$work/good-2"; then
	ok "camera-good: no key after the second reset is one from before the first"
else
	not_ok "camera-good: the second reset does not bring back the first keys" \
		"$(cat "$work/good-0")" "$(cat "$work/good-2")"
fi
if "$lab" status camera-good >/dev/null 2>&1; then
	ok "camera-good: every service runs after the resets"
else
	not_ok "camera-good: every service runs after the resets" "$("$lab" status camera-good 2>&1)"
fi

# camera-bad: a reset keeps every key.
keys 198.18.2.2 >"$work/bad-0"
if "$lab" reset camera-bad >"$work/reset-bad.log" 2>&1; then
	keys 198.18.2.2 >"$work/bad-1"
	if complete "$work/bad-0" && cmp -s "$work/bad-0" "$work/bad-1"; then
		ok "camera-bad: a reset keeps the SSH host keys and the TLS key and certificate"
	else
		not_ok "camera-bad: a reset keeps every key" "$(cat "$work/bad-0")" "$(cat "$work/bad-1")"
	fi
else
	not_ok "camera-bad: lab reset succeeds" "$(cat "$work/reset-bad.log")"
fi

# install-cert on camera-good: 443 serves the installed certificate, byte for byte.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj "/O=dutlab test/CN=198.18.1.2" -addext "subjectAltName=IP:198.18.1.2" \
	-keyout "$work/new.key" -out "$work/new.pem" 2>/dev/null
chmod 0600 "$work/new.key"
want=$(openssl x509 -in "$work/new.pem" -outform DER | sha256sum | cut -d' ' -f1)
if "$lab" install-cert camera-good "$work/new.pem" "$work/new.key" >"$work/install.log" 2>&1; then
	keys 198.18.1.2 >"$work/good-installed"
	if grep -qx "tls-cert $want" "$work/good-installed"; then
		ok "camera-good: after install-cert, 443 serves the installed certificate ($want)"
	else
		not_ok "camera-good: after install-cert, 443 serves the installed certificate" \
			"want $want" "$(cat "$work/good-installed")"
	fi
else
	not_ok "camera-good: lab install-cert succeeds" "$(cat "$work/install.log")"
fi

# install-cert refuses a key that is not the certificate's, and changes nothing.
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out "$work/other.key" 2>/dev/null
if "$lab" install-cert camera-good "$work/new.pem" "$work/other.key" >"$work/mismatch.log" 2>&1; then
	not_ok "camera-good: install-cert refuses a key that does not match the certificate"
elif keys 198.18.1.2 | grep -qx "tls-cert $want"; then
	ok "camera-good: install-cert refuses a key that does not match ($(tail -n 1 "$work/mismatch.log"))"
else
	not_ok "camera-good: a refused install-cert leaves the served certificate alone"
fi

# reset of a DUT that is down fails rather than pretend (only when controller-good is down).
if [ ! -e /run/netns/dl-controller-good ]; then
	if "$lab" reset controller-good >"$work/down.log" 2>&1; then
		not_ok "lab reset of a DUT that is down fails"
	else
		ok "lab reset of a DUT that is down fails ($(tail -n 1 "$work/down.log"))"
	fi
fi

summary "# "
