#!/bin/bash
# soak: the robustness campaigns at the standard's full length (NCC 5.4.1.6, 5.4.2.4, 5.4.3.2: 8 hours) against the lab's good firewall, switch and FRR router, side by side.
#
# Usage (as root): lab/soak.sh [BUILD] [SECONDS]   (make soak; SOAK_SECONDS=28800)
# Each DUT's profile is copied with robustness.duration set to SECONDS; the campaign is a
# normal `dutlab run`, checkpointed in its campaign.db every 10 s: a soak killed at hour 5
# resumes at hour 5 with `dutlab run --resume DIR`. The reports say pass only when the whole
# duration ran with no health failure. The resident memory of each campaign (dutlab and the
# collector it forks) is sampled every 30 s into DUT.rss.tsv; its growth after the first five
# minutes is printed against the goal of under 1 MiB. routing-frr's 5.4.3.2 is one session
# campaign of SECONDS mixing its five protocols (BGP, RIP, OSPF in sessions, IPv4 and IPv6 frames).
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${2:-28800}
case $build in /*) dutlab=$build/src/cli/dutlab ;; *) dutlab=$(pwd)/$build/src/cli/dutlab ;; esac
[ -x "$dutlab" ] || { echo "soak: $dutlab is not built; run 'make build'" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "soak: the virtual lab needs root (network namespaces)" >&2; exit 1; }
case $seconds in '' | *[!0-9]*) echo "soak: '$seconds' is not a number of seconds" >&2; exit 2 ;; esac

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$(pwd)/campaigns/soak-$stamp
mkdir -p "$out"
duts="firewall-good switch-good routing-frr"
cleanup() {
	for dut in $duts; do
		./lab/lab down "$dut" >/dev/null 2>&1 || true
	done
}
trap cleanup EXIT INT TERM
for dut in $duts; do
	./lab/lab up "$dut"
	sed "s/^  duration: [0-9]*$/  duration: $seconds/" \
		"lab/duts/${dut%-*}/${dut##*-}/profile.yaml" >"$out/$dut.yaml"
done
# tree_rss PID: resident KiB of PID and every process below it that has lived a minute: the
# campaign's own processes, not the short-lived children of its exec health operation (a
# `lab status` every 10 s, which a sample can catch, and which lives longer on a busy machine).
tree_rss() {
	ps -e -o pid=,ppid=,rss=,etimes= | awk -v root="$1" '
		{ parent[$1] = $2; if ($4 >= 60) rss[$1] = $3 }
		END {
			for (p in rss) {
				q = p
				for (hops = 0; hops < 16 && q != "" && q != root && q > 1; hops++) q = parent[q]
				if (q == root) total += rss[p]
			}
			print total + 0
		}'
}
# sample_rss PID FILE: one line of "seconds<TAB>KiB" every 30 s while PID runs.
sample_rss() {
	local start now
	start=$(date +%s)
	printf 'seconds\trss_kib\n' >"$2"
	while kill -0 "$1" 2>/dev/null; do
		now=$(date +%s)
		printf '%d\t%d\n' $((now - start)) "$(tree_rss "$1")" >>"$2"
		sleep 30
	done
}
echo "soak: $seconds s of mutated packets (and sessions) against $duts; reports under $out"
pids=""
samplers=""
for dut in $duts; do
	ip netns exec dl-tester "$dutlab" run --plain --profile "$out/$dut.yaml" --output "$out/$dut" \
		</dev/null >"$out/$dut.log" 2>&1 &
	pids="$pids $!"
	sample_rss $! "$out/$dut.rss.tsv" &
	samplers="$samplers $!"
done
status=0
for pid in $pids; do
	wait "$pid" || status=1
done
for pid in $samplers; do
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
done
for dut in $duts; do
	python3 - "$out/$dut/report.json" "$dut" <<'PY' || status=1
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
for c in r["clauses"]:
    if c["id"] in ("5.4.1.6", "5.4.2.4", "5.4.3.2") and c["verdict"] != "not_applicable":
        print("  %s %s: %s (%s)" % (sys.argv[2], c["id"], c["verdict"], c.get("summary", "")))
PY
	# Growth is judged after the first five minutes: the coverage table, rings and SQLite cache
	# are filled by then, so what grows later is a leak.
	awk -F'\t' -v dut="$dut" 'NR > 1 && $1 >= 300 {
			if (base == "") base = $2
			if ($2 > top) top = $2
			last = $1
		}
		END {
			if (base == "") { printf "  %s memory: ran under 5 minutes, growth not judged\n", dut; exit 0 }
			growth = top - base
			printf "  %s memory: %d KiB at 5 min, peak %d KiB by %d s: growth %d KiB (goal under 1024)\n", \
				dut, base, top, last, growth
			exit growth < 1024 ? 0 : 1
		}' "$out/$dut.rss.tsv" || status=1
	echo "  $dut: $out/$dut/report.html"
done
exit "$status"
