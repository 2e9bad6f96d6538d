#!/bin/bash
# compare-sslscan: dutlab's TLS audit against sslscan (or testssl.sh) on every server of the lab's TLS matrix.
#
# usage (as root, from anywhere): tests/lab/tls/compare-sslscan.sh [--peer sslscan|testssl] [BUILD]
#   BUILD   the build directory holding src/cli/dutlab (default: build)
#   DUTLAB_TLS_JSON_DIR=DIR  read dutlab's JSON for port P from DIR/P.json instead of
#           running `dutlab tls` (to develop the comparison without the engine)
#
# Brings tlslab-servers up (lab/lib/tls-servers.sh; down again on exit), then for every
# port runs `dutlab tls --json` and the peer from the tester namespace and compares them
# with compare-sslscan.py / compare-testssl.py: the same offered versions, the same
# accepted suites per version (by IANA code), the same certificate problems (expired,
# self-signed, signature hash, key type and size), the same Heartbleed verdict and
# the same smallest DHE group. Prints one TAP line per port and exits 1 on any
# difference the comparison does not explain.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
here=$root/tests/lab/tls
peer=sslscan
if [ "${1:-}" = --peer ]; then
	peer=${2:-}
	shift 2
fi
case $peer in sslscan | testssl) ;; *) echo "compare-sslscan: --peer must be sslscan or testssl" >&2 && exit 2 ;; esac
lab_build "${1:-}"
dut=tlslab-servers
address=198.18.5.2
scope=198.18.5.0/24
interface=ttls
# The ports of tlslab-servers, one configuration each (see lab/lib/tls-servers.sh).
ports="4431 4432 4433 4434 4435 4436 4437 4438 4439 4440 4441"
lab_work "tls-$peer"

cleanup() {
	"$lab" down "$dut" >/dev/null 2>&1
}

need_root compare-sslscan
[ -n "${DUTLAB_TLS_JSON_DIR:-}" ] || need_dutlab compare-sslscan
need_command compare-sslscan "$peer"

lab_up "$dut" "$work/up.log"

# run_peer PORT OUT: one run of the peer against PORT, its report in OUT.
run_peer() {
	local port=$1 out=$2 status
	rm -f "$out"
	case $peer in
	sslscan)
		timeout 300 ip netns exec dl-tester sslscan --xml=- --show-certificate --no-colour \
			"$address:$port" >"$out" 2>"$work/$port-peer.log"
		status=$?
		;;
	testssl)
		# -p protocols, -E suites per protocol, -S the certificate, -H Heartbleed: the
		# questions compared, without the rest of the default run (minutes per port).
		timeout 600 ip netns exec dl-tester testssl --jsonfile-pretty "$out" --warnings off \
			--color 0 -p -E -S -H "$address:$port" >"$work/$port-peer.log" 2>&1
		# testssl.sh exits with the count of high-severity findings, not 0, on success.
		status=0
		;;
	esac
	[ "$status" -eq 0 ] && [ -s "$out" ] && return 0
	echo "$peer exited $status: $(tail -3 "$work/$port-peer.log")" >"$work/$port-peer.error"
	return 1
}

for port in $ports; do
	ours=$work/$port.json
	if [ -n "${DUTLAB_TLS_JSON_DIR:-}" ]; then
		cp "$DUTLAB_TLS_JSON_DIR/$port.json" "$ours" 2>"$work/$port-dutlab.log"
	else
		timeout 300 ip netns exec dl-tester "$dutlab" tls --json --scope "$scope" \
			--interface "$interface" "$address:$port" >"$ours" 2>"$work/$port-dutlab.log"
	fi
	status=$?
	if [ "$status" -ne 0 ]; then
		not_ok "$port: dutlab tls exited $status" "$(tail -3 "$work/$port-dutlab.log")"
		continue
	fi
	# The peer runs up to three times: a peer's handshake can fail under load (sslscan
	# then silently leaves a suite out), so a difference counts only when every run of
	# the peer disagrees with dutlab; dutlab runs once, so its own flakiness is not hidden.
	result="" earlier=""
	for attempt in 1 2 3; do
		theirs=$work/$port-$peer-$attempt.out
		if ! run_peer "$port" "$theirs"; then
			result="not ok - $port: $(cat "$work/$port-peer.error")"
			continue
		fi
		# compare-PEER.py prints the TAP line (and # lines under a "not ok").
		if result=$(python3 "$here/compare-$peer.py" "$port" "$ours" "$theirs"); then
			[ "$attempt" -gt 1 ] && result="$result (on $peer's run $attempt)
$earlier"
			break
		fi
		earlier="$earlier#   $peer's run $attempt: $(echo "$result" | head -1)
"
	done
	printf '%s\n' "${result%$'\n'}"
	case $result in
	"ok - "*) passed=$((passed + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
done

summary
