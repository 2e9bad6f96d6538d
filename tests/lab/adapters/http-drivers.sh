#!/bin/bash
# http-drivers: the http-basic and http-digest login drivers against lighttpd's mod_auth, over IPv4, IPv6 and TLS.
#
# usage (as root, from anywhere): tests/lab/adapters/http-drivers.sh [BUILD]
#   BUILD  the build directory holding src/cli/dutlab (default: build)
#
# Two namespaces of its own, dl-adapt33 (lighttpd) and dl-tester33 (dutlab), joined by a veth
# pair on 198.18.33.0/24 and fd00:198:0:33::/64, both removed on exit. lighttpd serves /basic/
# (mod_auth basic, plain backend), /digest/ (digest MD5, htdigest backend) and /admin/ (basic,
# admin only), on port 80 and with TLS on 443. `dutlab login` (src/cli/cmd-login.c) drives the
# drivers through src/adapters/login.h and prints each answer as JSON; the asserts read it.
# A replayed digest exchange is a finding about lighttpd, printed, not a failure here.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
lab_build "${1:-}"
lab_work http-drivers
server_ns=dl-adapt33
tester_ns=dl-tester33
lighttpd_pid=""

cleanup() {
	[ -n "$lighttpd_pid" ] && kill "$lighttpd_pid" 2>/dev/null
	ip netns del "$server_ns" 2>/dev/null
	ip netns del "$tester_ns" 2>/dev/null
}

need_root http-drivers
need_dutlab http-drivers
need_command http-drivers lighttpd
need_command http-drivers openssl

# --- the network: two namespaces, one veth pair ---
ip netns del "$server_ns" 2>/dev/null
ip netns del "$tester_ns" 2>/dev/null
ip netns add "$server_ns"
ip netns add "$tester_ns"
ip link add ta33 type veth peer name da33
ip link set ta33 netns "$tester_ns"
ip link set da33 netns "$server_ns"
ip -n "$tester_ns" addr add 198.18.33.1/24 dev ta33
ip -n "$tester_ns" addr add fd00:198:0:33::1/64 dev ta33 nodad
ip -n "$server_ns" addr add 198.18.33.2/24 dev da33
ip -n "$server_ns" addr add fd00:198:0:33::2/64 dev da33 nodad
for ns in "$server_ns" "$tester_ns"; do
	ip -n "$ns" link set lo up
done
ip -n "$tester_ns" link set ta33 up
ip -n "$server_ns" link set da33 up

# --- lighttpd: mod_auth with the plain and htdigest backends ---
www=$work/www
mkdir -p "$www/basic" "$www/digest" "$www/admin"
echo "basic page" >"$www/basic/index.html"
echo "you are logged in" >"$www/basic/whoami.txt"
echo "digest page" >"$www/digest/index.html"
echo "you are logged in" >"$www/digest/whoami.txt"
echo "admin only" >"$www/admin/secret.txt"
printf 'admin:Adm1n-pass\noper:Op3r-pass\n' >"$work/users.plain"
digest_line() { # USER REALM PASSWORD
	printf '%s:%s:%s\n' "$1" "$2" "$(printf '%s' "$1:$2:$3" | md5sum | cut -d' ' -f1)"
}
{
	digest_line admin "dutlab digest" Adm1n-pass
	digest_line oper "dutlab digest" Op3r-pass
} >"$work/users.htdigest"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=198.18.33.2 \
	-keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
cat "$work/cert.pem" "$work/key.pem" >"$work/server.pem"
cat >"$work/lighttpd.conf" <<CONF
server.document-root = "$www"
server.bind = "198.18.33.2"
server.port = 80
server.errorlog = "$work/lighttpd-error.log"
server.modules = ("mod_auth", "mod_authn_file", "mod_openssl")
index-file.names = ("index.html")
\$SERVER["socket"] == "[fd00:198:0:33::2]:80" { }
\$SERVER["socket"] == "198.18.33.2:443" {
	ssl.engine = "enable"
	ssl.pemfile = "$work/server.pem"
}
\$HTTP["url"] =~ "^/(basic|admin)/" {
	auth.backend = "plain"
	auth.backend.plain.userfile = "$work/users.plain"
}
\$HTTP["url"] =~ "^/digest/" {
	auth.backend = "htdigest"
	auth.backend.htdigest.userfile = "$work/users.htdigest"
}
auth.require = (
	"/basic/" => ("method" => "basic", "realm" => "dutlab basic", "require" => "valid-user"),
	"/admin/" => ("method" => "basic", "realm" => "dutlab basic", "require" => "user=admin"),
	"/digest/" => ("method" => "digest", "realm" => "dutlab digest", "algorithm" => "MD5",
		       "require" => "valid-user"),
)
CONF
ip netns exec "$server_ns" lighttpd -D -f "$work/lighttpd.conf" >"$work/lighttpd.log" 2>&1 &
lighttpd_pid=$!
for _ in $(seq 50); do
	ip netns exec "$tester_ns" bash -c 'exec 3<>/dev/tcp/198.18.33.2/80' 2>/dev/null && break
	sleep 0.1
done
if ip netns exec "$tester_ns" bash -c 'exec 3<>/dev/tcp/198.18.33.2/80' 2>/dev/null; then
	ok "lighttpd $(lighttpd -v 2>&1 | sed -n 's/^lighttpd\/\([0-9.]*\).*/\1/p') up in $server_ns (mod_auth basic and digest)"
else
	not_ok "lighttpd starts" "$(cat "$work/lighttpd.log" "$work/lighttpd-error.log" 2>/dev/null | tail -5)"
	summary
	exit 1
fi

# --- the profile: one login adapter per driver and transport ---
cat >"$work/profile.yaml" <<'YAML'
dutlab_profile: 1
identity: {vendor: lighttpd, model: mod_auth, firmware: "1.4", product_type: platform}
targets: [{standard: iot-1006-1, level: 3}]
scope:
  networks: [198.18.33.0/24, "fd00:198:0:33::/64"]
dut:
  addresses: [198.18.33.2, "fd00:198:0:33::2"]
credentials:
  - {role: admin, username: admin, password: "Adm1n-pass"}
  - {role: operator, username: oper, password: "Op3r-pass"}
adapters:
  - name: basic
    driver: http-basic
    port: 80
    options: {login_url: /basic/, whoami_url: /basic/whoami.txt, timeout: "5"}
    actions:
      read_secret: "GET /admin/secret.txt"
      read_missing: "GET /basic/missing.txt"
  - name: digest
    driver: http-digest
    port: 80
    options: {login_url: /digest/, whoami_url: /digest/whoami.txt, timeout: "5"}
  - name: basic-tls
    driver: http-basic
    port: 443
    options: {tls: "true", login_url: /basic/, timeout: "5"}
  - name: closed
    driver: http-basic
    port: 81
    options: {login_url: /basic/, timeout: "3"}
roles:
  - {name: admin, credential: admin, may: [read_secret]}
  - {name: operator, credential: operator, may: []}
YAML

# login ARGS...: dutlab login in the tester namespace; its JSON in $work/out.json, status in $st.
login() {
	ip netns exec "$tester_ns" "$dutlab" login --profile "$work/profile.yaml" "$@" \
		>"$work/out.json" 2>"$work/err.log"
	st=$?
}

# field STEP KEY: a value of a step of $work/out.json ("login", "replay", ...).
field() {
	python3 - "$work/out.json" "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for step in doc.get("steps", []):
    if step["step"] == sys.argv[2]:
        v = step[sys.argv[3]]
        print(str(v).lower() if isinstance(v, bool) else v)
        break
PY
}

# expect NAME STEP KEY=VALUE...: every KEY of STEP has VALUE.
expect() {
	local name=$1 step=$2 pair key want got bad=""
	shift 2
	for pair in "$@"; do
		key=${pair%%=*}
		want=${pair#*=}
		got=$(field "$step" "$key")
		[ "$got" = "$want" ] || bad="$bad $key=$got (expected $want)"
	done
	if [ "$st" -eq 0 ] && [ -z "$bad" ]; then
		ok "$name"
	else
		not_ok "$name" "exit $st;$bad" "$(cat "$work/err.log")" "$(head -c 1500 "$work/out.json")"
	fi
}

# --- http-basic ---
login --adapter basic --transcript "$work/transcript.txt"
expect "http-basic: the right password is accepted (200, in the clear, not a challenge-response)" \
	login outcome=accepted status=200 encrypted=false challenge_response=false
if grep -q 'Authorization: Basic \*\*\*' "$work/out.json" && ! grep -q 'YWRtaW46QWRtMW4tcGFzcw' "$work/out.json"; then
	ok "http-basic: the exchange is recorded with the Basic credentials masked"
else
	not_ok "http-basic: the exchange is masked" "$(head -c 800 "$work/out.json")"
fi
if [ -s "$work/transcript.txt" ] && ! grep -q 'Adm1n-pass\|YWRtaW46QWRtMW4tcGFzcw' "$work/transcript.txt" &&
	grep -q '\*\*\*' "$work/transcript.txt"; then
	ok "http-basic: the transcript holds the exchange with the password and its base64 masked"
else
	not_ok "http-basic: the transcript masks the password" "$(head -20 "$work/transcript.txt")"
fi
login --adapter basic --user admin --password wrong-1
expect "http-basic: a wrong password is refused (401)" login outcome=refused status=401
fp1=$(field login fingerprint)
login --adapter basic --user nosuchuser --password wrong-2
expect "http-basic: an unknown user is refused (401)" login outcome=refused status=401
fp2=$(field login fingerprint)
if [ -n "$fp1" ] && [ "$fp1" = "$fp2" ]; then
	ok "http-basic: both refusals have the same fingerprint (lighttpd does not tell an unknown user apart)"
else
	not_ok "http-basic: refusal fingerprints" "wrong password $fp1, unknown user $fp2"
fi
login --adapter basic --probe
expect "http-basic: the session works again (whoami)" probe outcome=accepted status=200
login --adapter basic --perform read_secret
expect "http-basic: the admin may read /admin/secret.txt" perform outcome=accepted status=200
login --adapter basic --credential operator --perform read_secret
expect "http-basic: the operator may not (lighttpd require user=admin)" perform outcome=refused status=401
login --adapter basic --perform read_missing
expect "http-basic: an action on a missing page is refused (404)" perform outcome=refused status=404
login --adapter basic --replay
expect "http-basic: a replayed Basic exchange logs in (Basic is replayable: the checks need TLS or a challenge)" \
	replay outcome=accepted status=200 challenge_response=false

# --- http-basic over TLS ---
login --adapter basic-tls
expect "http-basic over TLS: accepted and recorded as encrypted (the certificate is not verified)" \
	login outcome=accepted status=200 encrypted=true

# --- http-digest ---
login --adapter digest
expect "http-digest: the right password is accepted as a challenge-response" \
	login outcome=accepted status=200 challenge_response=true encrypted=false
if grep -q 'Authorization: Digest username=\\"admin\\", realm=\\"dutlab digest\\", nonce=' "$work/out.json" &&
	! grep -q 'Adm1n-pass' "$work/out.json"; then
	ok "http-digest: the exchange is the Digest answer to lighttpd's nonce, no password in it"
else
	not_ok "http-digest: the exchange" "$(head -c 1200 "$work/out.json")"
fi
login --adapter digest --user admin --password wrong-1
expect "http-digest: a wrong password is refused (401)" login outcome=refused status=401
fp1=$(field login fingerprint)
login --adapter digest --user admin --password wrong-2
fp2=$(field login fingerprint)
if [ -n "$fp1" ] && [ "$fp1" = "$fp2" ]; then
	ok "http-digest: two refusals with different nonces have one fingerprint (the nonce is normalised)"
else
	not_ok "http-digest: refusal fingerprints" "$fp1 vs $fp2"
fi
login --adapter digest --address fd00:198:0:33::2 --probe
expect "http-digest over IPv6: accepted, and the session works again" \
	login outcome=accepted status=200 challenge_response=true
expect "http-digest over IPv6: whoami" probe outcome=accepted status=200

# The replay: the recorded Authorization: Digest (nonce, nc=00000001, cnonce, response) sent
# again on a new connection. Whatever lighttpd does is a finding about lighttpd.
login --adapter digest --replay
replay=$(field replay outcome)
replay_status=$(field replay status)
if [ "$st" -eq 0 ] && { [ "$replay" = accepted ] || [ "$replay" = refused ]; }; then
	ok "http-digest: the replay got an answer: $replay ($replay_status)"
	echo "# finding: lighttpd $(lighttpd -v 2>&1 | sed -n 's/^lighttpd\/\([0-9.]*\).*/\1/p') mod_auth digest $(
		[ "$replay" = accepted ] && echo "ACCEPTS a verbatim replay of a recorded digest exchange (same nonce, nc=00000001) on a new connection" ||
			echo "refuses a verbatim replay of a recorded digest exchange")"
else
	not_ok "http-digest: the replay" "exit $st" "$(cat "$work/err.log")" "$(head -c 1500 "$work/out.json")"
fi
# The same exchange 5 s later (lighttpd's nonce carries its time; how old may it get?).
login --adapter digest --replay --wait 5
late=$(field replay outcome)
if [ "$st" -eq 0 ] && [ -n "$late" ]; then
	ok "http-digest: a replay 5 s after the login got an answer: $late ($(field replay status))"
	echo "# finding: the same replay 5 s after the login: $late ($(field replay status))"
else
	not_ok "http-digest: the replay after 5 s" "exit $st" "$(cat "$work/err.log")"
fi

# --- what is not a DUT answer ---
login --adapter closed
expect "a closed port is unreachable, not an error" login outcome=unreachable status=0
login --adapter basic --address 198.18.34.2
if [ "$st" -ne 0 ] && grep -q "scope" "$work/err.log"; then
	ok "an address outside the scope is refused by the scope guard: $(head -c 160 "$work/err.log")"
else
	not_ok "the scope guard refuses 198.18.34.2" "exit $st" "$(cat "$work/err.log")"
fi

summary
