#!/bin/bash
# hostile: `dutlab tls` against lab/bin/tls-hostile.py's eight misbehaving ports: no crash, no hang, no TLS claimed that is not there.
#
# usage: tests/lab/tls/hostile.sh [BUILD_DIR]   (as root; default BUILD_DIR: build)
#
# The server runs in a namespace of its own, dl-hostile (198.18.9.2), wired by a
# veth to a tester namespace of its own, dl-hostile-tester (198.18.9.1): not the
# lab's dl-tester, which `lab/lab down` deletes when its last DUT goes, and which
# would take our veth with it mid-test. Both are deleted on exit, whatever happens.
# Each audit runs under `timeout 120`; every port must end with exit status 0 or 1
# within HOSTILE_BOUND seconds (default 90) with JSON that parses and offers nothing.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$root" || exit 1
lab_build "${1:-}"
server_ns=dl-hostile
tester_ns=dl-hostile-tester
server_addr=198.18.9.2
tester_addr=198.18.9.1
base_port=4430
bound=${HOSTILE_BOUND:-90}
lab_work hostile

cleanup() {
	local pid
	for f in "$work"/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		case $pid in '' | *[!0-9]*) continue ;; esac
		kill -TERM "$pid" 2>/dev/null
	done
	sleep 0.5
	for f in "$work"/*.pid; do
		[ -f "$f" ] || continue
		kill -KILL "$(cat "$f")" 2>/dev/null
	done
	ip netns del "$server_ns" 2>/dev/null
	ip netns del "$tester_ns" 2>/dev/null
}

need_root hostile "needs root (network namespaces)"
need_dutlab hostile

# --- the two namespaces and the veth between them (left over from a killed run: deleted first) ---
ip netns del "$server_ns" 2>/dev/null
ip netns del "$tester_ns" 2>/dev/null
if ip netns add "$server_ns" && ip netns add "$tester_ns" &&
	ip -n "$tester_ns" link set lo up && ip -n "$server_ns" link set lo up &&
	ip -n "$tester_ns" link add thostile type veth peer name eth0 netns "$server_ns" &&
	ip -n "$tester_ns" addr add "$tester_addr/24" dev thostile &&
	ip -n "$server_ns" addr add "$server_addr/24" dev eth0 &&
	ip -n "$tester_ns" link set thostile up && ip -n "$server_ns" link set eth0 up; then
	ok "namespaces $server_ns ($server_addr) and $tester_ns ($tester_addr)"
else
	not_ok "namespaces $server_ns and $tester_ns"
	summary
	exit 1
fi

# --- the hostile server: ip netns exec execs, so $! is python itself ---
ip netns exec "$server_ns" python3 "$root/lab/bin/tls-hostile.py" --address "$server_addr" \
	--base-port "$base_port" --duration 60 >"$work/server.log" 2>&1 &
echo $! >"$work/server.pid"
mapfile -t ports < <(python3 "$root/lab/bin/tls-hostile.py" --base-port "$base_port" --list)
listening=0
for ((i = 0; i < 100; i++)); do
	listening=$(ip netns exec "$server_ns" ss -Hltn "sport >= :$base_port and sport < :$((base_port + 8))" | wc -l)
	[ "$listening" -eq "${#ports[@]}" ] && break
	sleep 0.1
done
if [ "$listening" -eq "${#ports[@]}" ]; then
	ok "tls-hostile.py listens on ${#ports[@]} ports from $base_port"
else
	not_ok "tls-hostile.py listens" "$listening of ${#ports[@]} ports" "$(cat "$work/server.log")"
	summary
	exit 1
fi

# --- the server is hostile as designed: OpenSSL's own client says so ---
# MODE:what openssl s_client must report (124: still waiting after 5 s; OpenSSL takes
# a 64 KiB ServerHello and collects it a byte a record, as a slow-loris victim would)
declare -A openssl_says=(
	[oversized]="packet length too long"
	[truncated-silent]=124
	[truncated-close]="unexpected eof"
	[endless-alerts]="too many warn alerts"
	[silent]=124
	[garbage-extensions]="bad extension"
	[tiny-fragments]=124
	[random]="wrong version number|packet length too long|unknown protocol|record layer failure|unexpected message|bad record"
)
for line in "${ports[@]}"; do
	port=${line%% *}
	mode=${line#* }
	ip netns exec "$tester_ns" timeout 5 openssl s_client -connect "$server_addr:$port" \
		</dev/null >"$work/openssl-$mode.log" 2>&1
	status=$?
	want=${openssl_says[$mode]}
	if [ "$want" = 124 ]; then
		if [ "$status" -eq 124 ]; then
			ok "$mode (port $port): openssl s_client still waits after 5 s"
		else
			not_ok "$mode (port $port): openssl s_client waits" "status $status" \
				"$(grep -m2 error "$work/openssl-$mode.log")"
		fi
	elif [ "$status" -ne 0 ] && [ "$status" -ne 124 ] && grep -Eq "$want" "$work/openssl-$mode.log"; then
		ok "$mode (port $port): openssl s_client fails with '$(grep -Eo "$want" "$work/openssl-$mode.log" | head -1)'"
	else
		not_ok "$mode (port $port): openssl s_client fails with /$want/" "status $status" \
			"$(grep -m2 -i error "$work/openssl-$mode.log")"
	fi
done

# --- dutlab tls against every port, all at once (each port is its own server) ---
for line in "${ports[@]}"; do
	port=${line%% *}
	mode=${line#* }
	(
		start=$(date +%s%N)
		ip netns exec "$tester_ns" timeout 120 "$dutlab" tls --json --scope 198.18.9.0/24 \
			"$server_addr:$port" >"$work/$mode.json" 2>"$work/$mode.err"
		echo "$? $((($(date +%s%N) - start) / 1000000))" >"$work/$mode.status"
	) &
done
wait_start=$(date +%s)
while [ "$(find "$work" -name '*.status' | wc -l)" -lt "${#ports[@]}" ] &&
	[ $(($(date +%s) - wait_start)) -lt 150 ]; do
	sleep 1
done

# What each misbehaviour implies. speaks_tls: did any reply hold a well-formed TLS
# record (RFC 8446 5.1: a known type, a length up to 2^14 + 2048, all of it there)?
# complete: "yes" when every probe got a definite answer; "any" where every probe
# waits out its own timeout (the engine may call that complete or incomplete, but
# must say which and why).
declare -A speaks=(
	[oversized]=false [truncated-silent]=false [truncated-close]=false
	[endless-alerts]=true [silent]=false [garbage-extensions]=true
	[tiny-fragments]=true [random]=false
)
declare -A complete=(
	[oversized]=yes [truncated-silent]=any [truncated-close]=yes
	[endless-alerts]=yes [silent]=any [garbage-extensions]=yes
	[tiny-fragments]=any [random]=yes
)
for line in "${ports[@]}"; do
	port=${line%% *}
	mode=${line#* }
	if [ ! -f "$work/$mode.status" ]; then
		not_ok "$mode (port $port): dutlab tls finished" "still running after 150 s"
		continue
	fi
	read -r status ms <"$work/$mode.status"
	if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
		not_ok "$mode (port $port): dutlab tls exits 0 or 1" \
			"status $status$([ "$status" -gt 128 ] && echo " (signal $((status - 128)))")$([ "$status" -eq 124 ] && echo " (timeout 120 killed it)")" \
			"$(tail -3 "$work/$mode.err")"
		continue
	fi
	if [ "$ms" -gt $((bound * 1000)) ]; then
		not_ok "$mode (port $port): dutlab tls within ${bound} s" "took $ms ms"
		continue
	fi
	if out=$(python3 - "$work/$mode.json" "$server_addr" "$port" "${speaks[$mode]}" \
		"${complete[$mode]}" 2>&1 <<'PY'
import json, sys
path, address, port, speaks, complete = sys.argv[1:6]
d = json.load(open(path))
if isinstance(d, list):
    assert len(d) == 1, "%d endpoints in the output" % len(d)
    d = d[0]
assert d["address"] == address and d["port"] == int(port), "address %s port %s" % (d["address"], d["port"])
names = [v["name"] for v in d["versions"]]
assert names == ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"], names
offered = [v["name"] for v in d["versions"] if v["offered"]]
assert not offered, "versions offered: %s" % offered
assert not d["suites"], "suites accepted: %s" % [s["name"] for s in d["suites"]]
assert not d.get("groups"), "groups: %s" % d["groups"]
chain = (d.get("certificates") or {}).get("chain") or []
assert not chain, "%d certificates" % len(chain)
want = speaks == "true"
assert d["speaks_tls"] is want, "speaks_tls is %s, the misbehaviour implies %s" % (d["speaks_tls"], want)
assert isinstance(d["complete"], bool), "complete: %r" % d["complete"]
if d["complete"]:
    assert d["incomplete"] is None, "complete but incomplete: %r" % d["incomplete"]
else:
    assert isinstance(d["incomplete"], str) and d["incomplete"], "incomplete without a reason"
if complete == "yes":
    assert d["complete"], "incomplete: %s" % d["incomplete"]
print("speaks_tls %s, complete %s%s, %d connections" % (
    d["speaks_tls"], d["complete"], "" if d["complete"] else " (%s)" % d["incomplete"], d["connections"]))
PY
	); then
		ok "$mode (port $port): exit $status in $ms ms, $out"
	else
		not_ok "$mode (port $port): exit $status in $ms ms, the JSON says what the server did" \
			"$(echo "$out" | tail -1)"
	fi
done

# --- the server is still there: nothing we sent brought it down, and it ended no test early ---
if kill -0 "$(cat "$work/server.pid")" 2>/dev/null; then
	ok "tls-hostile.py still running after the audits"
else
	not_ok "tls-hostile.py still running" "$(tail -5 "$work/server.log")"
fi

echo
summary
