#!/bin/bash
# sessions-vs-scapy: mutated messages per second inside an established session, dutlab's session campaign against a scapy script driving the same session on the same DUT (issue 7)
#
# Usage (as root, from the repository): bench/sessions-vs-scapy.sh [SECONDS]
#   SECONDS    how long each tool sends (default 60: the lab cases' campaign minute)
#   DUTLAB     the dutlab binary (default build/src/cli/dutlab)
#   PROTOCOLS  the sessions to compare (default "bgp rtsp"; one missing its DUT, profile or
#              dutlab plug-in is reported as skipped, with why)
#   TABLE      also write the result table (Markdown) to this file
#   RTSP_LINKS robustness.session_links of dutlab's rtsp run (default 32): the sessions it
#              keeps at once with a DUT that takes several from one address (GStreamer's
#              camera with 4 client threads, 12 s runs pinned as below: 16 links 2 150 to
#              2 400 cases/s, the camera at 0.9 to 1.25 cores, waiting on the answers; 32
#              links 2 935 to 3 650, the camera at its 1.5; unpinned, 48 and 64 did worse)
#   BGP_LINKS  the same for bgp (default 1): BGP keeps one session per
#              robustness.bgp.sources address of its profile, at most BGP_LINKS when above
#              1: give BGP_PROFILE a profile that lists them, and the DUT those peers, e.g.
#              lab topology bgp_peer_sources; the table says how many it held
#   LINKS      both at once, when the two above are not set
#   TOOLS      which tools run (default "dutlab scapy"; "dutlab" alone re-measures dutlab
#              after a change, the table then has no ratio)
#   WHERE      seconds of one more dutlab run per protocol under strace -c -w -f, its wall
#              time by system call printed (default 10; 0: none): where dutlab's time goes
#   BGP_DUT    the lab DUT of the bgp bench (default routing-bird); its profile is
#              lab/duts/<group>/<name>/profile.yaml unless BGP_PROFILE says: a private copy
#              (cp -r lab/duts/routing/bird lab/duts/routing/NAME, its addresses changed)
#              lets a helper measure without touching the shared DUT
#   BGP_PROFILE  the bgp bench's profile (default the DUT's own)
#   RTSP_DUT, RTSP_PROFILE  the same for the rtsp bench (default stream-good)
#
# bgp: the lab DUT routing-bird (BIRD 2, no TCP-MD5; routing-frr's BGP is the engine's
# test DUT and is left alone), its lab profile (lab/duts/routing/bird/profile.yaml) with
# robustness.mix {bgp: 1}, the rate at its most (10 000 000 cases/s: as fast as the
# campaign goes) and duration SECONDS, run by `dutlab fuzz --profile P --sessions` inside
# dl-tester: the campaign the lab cases run (tests/lab/robustness/sessions-routing-bird*),
# health monitors and all. Then bench/scapy-bgp-session.py for SECONDS against the same
# DUT: TCP from the tester, scapy's OPEN (AS 65001) and KEEPALIVE, then UPDATEs with one
# field given scapy's random value, one after the other.
# rtsp: the lab DUT stream-good (GStreamer RTSP server, Digest; lab/duts/stream/good),
# mix {rtsp: 1}, against bench/scapy-rtsp-session.py (OPTIONS, DESCRIBE with Digest,
# SETUP, PLAY, then requests with one header mutated by scapy's random values).
#
# Fairness: both tools open the session again after every reset the DUT answers a
# malformed message with, and count a case only when it was written on an established
# session; the resets (NOTIFICATION or error response / silent close) are reported per
# tool, since a reset costs a new session. One run each, one after the other (the DUT
# takes one session from the tester at a time), each on a DUT just restarted, both pinned to CPU 0 as the other
# benches pin their senders; cases per CPU-second (user + system, GNU time) beside the
# wall-clock rate. The issue's goal is dutlab over 20 times scapy's cases per second;
# the script reports the ratio and asserts nothing about time (exit 0 when both ran).
set -eu

RUN_SECONDS=${1:-60}
DUTLAB=${DUTLAB:-build/src/cli/dutlab}
PROTOCOLS=${PROTOCOLS:-bgp rtsp}
TABLE=${TABLE:-}
WHERE=${WHERE:-10}
TOOLS=${TOOLS:-dutlab scapy}
RTSP_LINKS=${RTSP_LINKS:-${LINKS:-32}}
BGP_LINKS=${BGP_LINKS:-${LINKS:-1}}
NS=dl-tester
HERE=$(cd "$(dirname "$0")" && pwd)

die() { echo "sessions-vs-scapy: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
[ -x "$DUTLAB" ] || die "no dutlab at '$DUTLAB'; build it or set DUTLAB"
/usr/bin/python3 -c 'import scapy.contrib.bgp, yaml' 2>/dev/null ||
	die "scapy 2.5 with scapy.contrib.bgp and PyYAML are needed (apt-get install python3-scapy python3-yaml)"
[ -x /usr/bin/time ] || die "GNU time is not installed (apt-get install time)"
case "$RUN_SECONDS" in '' | *[!0-9]* | 0) die "SECONDS must be a positive number" ;; esac
case "$WHERE" in '' | *[!0-9]*) die "WHERE must be a number of seconds" ;; esac
for links in "$RTSP_LINKS" "$BGP_LINKS"; do
	case "$links" in '' | *[!0-9]* | 0) die "RTSP_LINKS, BGP_LINKS and LINKS must be positive numbers" ;; esac
done
[ "$WHERE" = 0 ] || command -v strace >/dev/null || die "strace is not installed (or set WHERE=0)"

work=$(mktemp -d /tmp/dutlab-sessions-bench.XXXXXX)
started=""
cleanup() {
	for dut in $started; do lab/lab down "$dut" >/dev/null 2>&1 || true; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# json FILE EXPRESSION: a value of a JSON file (o is the object), printed by Python.
json() {
	/usr/bin/python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# per_cpu_second CASES: cases per CPU-second from GNU time's "%U %S" in $work/cpu.out.
per_cpu_second() {
	awk -v n="$1" '{c = $1 + $2} END {printf "%d", (c > 0) ? n / c : 0}' "$work/cpu.out"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }

# bench_profile SOURCE PROTOCOL OUT [SECONDS]: the lab profile with only PROTOCOL in the
# mix, the rate at its most, the bench's duration (or SECONDS) and the protocol's session links
# (RTSP_LINKS, BGP_LINKS).
bench_profile() {
	local links=$BGP_LINKS
	[ "$2" = rtsp ] && links=$RTSP_LINKS
	/usr/bin/python3 - "$1" "$2" "$3" "${4:-$RUN_SECONDS}" "$links" <<'PY'
import sys, yaml
source, protocol, out, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
links = int(sys.argv[5])
p = yaml.safe_load(open(source))
r = p["robustness"]
r["mix"] = {protocol: 1}
r["rate"] = 10000000
r["duration"] = seconds
r["seed"] = 1
if links > 1:
    r["session_links"] = links
yaml.safe_dump(p, open(out, "w"), sort_keys=False)
PY
}

# topology_value DUT KEY: a key of the DUT's lab topology (tester_ipv4 without its length).
topology_value() {
	sed -n "s/^$2=//p" "lab/duts/${1%-*}/${1##*-}/topology" | sed 's,/.*,,'
}

# The rows: tool protocol seconds cases cases/s per-cpu-s sessions resets notifications
# silent-closes, one line each, in $work/rows.
: >"$work/rows"
: >"$work/skipped"
: >"$work/kinds"
: >"$work/links"

# run_dutlab PROTOCOL SOURCE: the session campaign with SOURCE's bench profile, its
# observation in $work/PROTOCOL-dutlab.
run_dutlab() {
	local protocol=$1 profile="$work/$1.yaml" out="$work/$1-dutlab" obs
	case " $TOOLS " in *" dutlab "*) ;; *) return 0 ;; esac
	bench_profile "$2" "$protocol" "$profile"
	ip netns exec "$NS" /usr/bin/time -f '%U %S' -o "$work/cpu.out" taskset -c 0 \
		"$DUTLAB" fuzz --profile "$profile" --output "$out" --sessions \
		>"$work/$protocol-dutlab.json" 2>"$work/$protocol-dutlab.err" || {
		echo "$protocol: dutlab's session campaign failed: $(tail -1 "$work/$protocol-dutlab.err")" >>"$work/skipped"
		return 1
	}
	obs="$out/robustness.json"
	if [ "$(json "$obs" "'$protocol' in o['protocols']")" != True ]; then
		echo "$protocol: dutlab's session campaign has no $protocol plug-in ($(json "$obs" "o.get('stopped', '?')"))" >>"$work/skipped"
		return 1
	fi
	if [ "$WHERE" != 0 ]; then
		# the same campaign, shorter, under strace: wall time by system call
		bench_profile "$2" "$protocol" "$work/$protocol-where.yaml" "$WHERE"
		ip netns exec "$NS" strace -f -c -w -o "$work/$protocol-strace.txt" taskset -c 0 \
			"$DUTLAB" fuzz --profile "$work/$protocol-where.yaml" --output "$out-where" \
			--sessions >/dev/null 2>&1 || true
	fi
	local cases seconds
	cases=$(json "$obs" "o['protocols']['$protocol']['cases']")
	seconds=$(json "$obs" "round(o['seconds_run'], 3)")
	echo "dutlab $protocol $seconds $cases" \
		"$(awk -v n="$cases" -v s="$seconds" 'BEGIN {printf "%.1f", (s > 0) ? n / s : 0}')" \
		"$(per_cpu_second "$cases")" \
		"$(json "$obs" "o['protocols']['$protocol']['sessions']")" \
		"$(json "$obs" "o['protocols']['$protocol']['resets']")" \
		"$(json "$obs" "sum(o['protocols']['$protocol']['notifications'].values()) if '$protocol' == 'bgp' else '-'")" \
		"$(json "$obs" "o['protocols']['$protocol'].get('silent_closes', '-')")" \
		"$(json "$obs" "len(o['failures'])")" >>"$work/rows"
	echo "dutlab $protocol $(json "$obs" "o['protocols']['$protocol'].get('notifications', {})")" >>"$work/kinds"
	echo "$protocol: dutlab held $(json "$obs" "o['protocols']['$protocol'].get('links', 1)") session(s) at once" >>"$work/links"
	# what each judged failure was: the work directory goes at the end
	json "$obs" "'\\n'.join('$protocol: dutlab failure %d at %.1f s, %s: %s (during %s)' % (i + 1, f.get('at_s', 0), f.get('monitor') or f.get('source', '?'), f.get('evidence', ''), f.get('during', '-')) for i, f in enumerate(o['failures']))" | sed '/^$/d' >>"$work/links"
}

# run_scapy PROTOCOL DRIVER ARGS...: the scapy driver, its JSON in $work/PROTOCOL-scapy.json.
run_scapy() {
	local protocol=$1 driver=$2 out="$work/$1-scapy.json"
	case " $TOOLS " in *" scapy "*) ;; *) return 0 ;; esac
	shift 2
	ip netns exec "$NS" /usr/bin/time -f '%U %S' -o "$work/cpu.out" taskset -c 0 \
		/usr/bin/python3 "$HERE/$driver" --seconds "$RUN_SECONDS" "$@" \
		>"$out" 2>"$work/$protocol-scapy.err" || {
		echo "  the scapy $protocol driver failed: $(grep -v WARNING "$work/$protocol-scapy.err" | tail -3)" >&2
		return 1
	}
	local cases
	cases=$(json "$out" "o['cases']")
	echo "scapy $protocol $(json "$out" "o['seconds']") $cases $(json "$out" "o['cases_per_second']")" \
		"$(per_cpu_second "$cases")" "$(json "$out" "o['sessions']")" "$(json "$out" "o['resets']")" \
		"$(json "$out" "sum(o['notifications'].values())")" "$(json "$out" "o['silent_closes']")" - \
		>>"$work/rows"
	echo "scapy $protocol $(json "$out" "o['notifications']")" >>"$work/kinds"
}

# up DUT: bring a lab DUT up unless it is (and down again at the end).
up() {
	if ! lab/lab status "$1" >/dev/null 2>&1; then
		echo "bringing $1 up..."
		lab/lab up "$1" >"$work/up-$1.log" 2>&1 || {
			echo "$1 did not come up: $(tail -2 "$work/up-$1.log")" >&2
			return 1
		}
		started="$started $1"
	fi
}

# fresh DUT: the DUT's daemons started again (lab restart, its power cycle), so each tool
# meets a server without the other's leftovers (GStreamer holds the sessions of closed
# connections until they time out: scapy made 35 cases/s right after dutlab's 20 000 sessions,
# 193 on a fresh server).
fresh() {
	lab/lab restart "$1" >"$work/restart-$1.log" 2>&1 ||
		echo "$1: lab restart failed, the tools share its state: $(tail -1 "$work/restart-$1.log")" >&2
}

# dut_profile DUT: lab/duts/<group>/<name>/profile.yaml of lab DUT group-name.
dut_profile() { echo "lab/duts/${1%-*}/${1##*-}/profile.yaml"; }

bench_bgp() {
	local dut=${BGP_DUT:-routing-bird} source
	source=${BGP_PROFILE:-$(dut_profile "$dut")}
	up "$dut" || { echo "bgp: lab DUT $dut did not come up" >>"$work/skipped"; return 0; }
	local local4 remote4 asn
	local4=$(topology_value "$dut" tester_ipv4)
	remote4=$(topology_value "$dut" dut_ipv4)
	asn=$(/usr/bin/python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["robustness"]["bgp"]["local_as"])' "$source")
	echo "bgp: dutlab's session campaign against $dut ($remote4) for $RUN_SECONDS s..."
	fresh "$dut"
	run_dutlab bgp "$source" || return 0
	fresh "$dut"
	echo "bgp: scapy-bgp-session.py against $dut for $RUN_SECONDS s..."
	run_scapy bgp scapy-bgp-session.py --local "$local4" --remote "$remote4" --as "$asn" || true
}

bench_rtsp() {
	local dut=${RTSP_DUT:-stream-good} source
	source=${RTSP_PROFILE:-$(dut_profile "$dut")}
	if [ ! -f "$source" ] || ! lab/lab list 2>/dev/null | grep -q "^$dut "; then
		echo "rtsp: no lab DUT $dut ($source) yet" >>"$work/skipped"
		return 0
	fi
	[ -f "$HERE/scapy-rtsp-session.py" ] || {
		echo "rtsp: no bench/scapy-rtsp-session.py" >>"$work/skipped"
		return 0
	}
	up "$dut" || { echo "rtsp: lab DUT $dut did not come up" >>"$work/skipped"; return 0; }
	local remote4 args
	remote4=$(topology_value "$dut" dut_ipv4)
	# the profile's robustness.rtsp map: port, path, user, password
	args=$(/usr/bin/python3 - "$source" <<'PY'
import shlex, sys, yaml
m = yaml.safe_load(open(sys.argv[1]))["robustness"].get("rtsp") or {}
out = ["--port", str(m.get("port", 554)), "--path", str(m.get("path", "/"))]
if m.get("user"):
    out += ["--user", str(m["user"]), "--password", str(m.get("password", ""))]
print(" ".join(shlex.quote(x) for x in out))
PY
	)
	echo "rtsp: dutlab's session campaign against $dut ($remote4) for $RUN_SECONDS s..."
	fresh "$dut"
	run_dutlab rtsp "$source" || return 0
	fresh "$dut"
	echo "rtsp: scapy-rtsp-session.py against $dut for $RUN_SECONDS s..."
	# shellcheck disable=SC2086 # $args is shell-quoted by the Python above
	eval run_scapy rtsp scapy-rtsp-session.py --remote "$remote4" $args || true
}

for protocol in $PROTOCOLS; do
	case $protocol in
	bgp) bench_bgp ;;
	rtsp) bench_rtsp ;;
	*) die "no bench for '$protocol' (bgp, rtsp)" ;;
	esac
done

# --- the table ---
{
	echo "Mutated messages in an established session, $RUN_SECONDS s per tool, one run each," \
		"dutlab with $RTSP_LINKS session link(s) for rtsp and up to $BGP_LINKS for bgp," \
		"$(date -u +%Y-%m-%d), $(nproc) cores ($(uname -m)):"
	echo
	echo "| protocol | tool | cases | cases/s | cases per CPU-s | sessions | resets | error answers | silent closes | failures |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	while read -r tool protocol seconds cases rate cpu sessions resets notes silent failures; do
		echo "| $protocol | $tool | $cases in $seconds s | $rate | $cpu | $sessions | $resets | $notes | $silent | $failures |"
	done <"$work/rows"
	echo
	for protocol in $PROTOCOLS; do
		d=$(awk -v p="$protocol" '$1 == "dutlab" && $2 == p {print $5, $6}' "$work/rows")
		s=$(awk -v p="$protocol" '$1 == "scapy" && $2 == p {print $5, $6}' "$work/rows")
		if [ -z "$d" ] || [ -z "$s" ]; then continue; fi
		# shellcheck disable=SC2086 # two numbers each
		set -- $d $s
		echo "$protocol: dutlab/scapy $(ratio "$1" "$3") in cases/s (goal > 20), $(ratio "$2" "$4") in cases per CPU-second."
	done
	echo
	echo "resets: sessions the DUT ended after a case; error answers: BGP NOTIFICATIONs (each" \
		"ends the session), RTSP 4xx/5xx answers (dutlab's observation does not count them: -);" \
		"failures: dutlab's judged failures (a monitor," \
		"a session not back); cases per CPU-s: the tool's user + system time."
	while read -r tool protocol kinds; do echo "$protocol error answers by kind, $tool: $kinds"; done <"$work/kinds"
	cat "$work/links"
	while read -r line; do echo "skipped: $line"; done <"$work/skipped"
} >"$work/table.md"
echo
cat "$work/table.md"
[ -z "$TABLE" ] || cp "$work/table.md" "$TABLE"
for f in "$work"/*-strace.txt; do
	[ -f "$f" ] || continue
	echo
	echo "where dutlab's time goes ($(basename "$f" -strace.txt), a $WHERE s run, wall time by system call, strace -c -w -f):"
	sed -n '1,2p;3,10{/^ *[0-9]/p}' "$f"
done
for tool in $TOOLS; do grep -q "^$tool" "$work/rows" || exit 1; done
