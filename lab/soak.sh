#!/bin/bash
# soak: the robustness campaigns at the standard's full length (NCC 5.4.1.6, 5.4.2.4: 8 hours) against the lab's good firewall and switch, side by side.
#
# Usage (as root): lab/soak.sh [BUILD] [SECONDS]   (make soak; SOAK_SECONDS=28800)
# Each DUT's profile is copied with robustness.duration set to SECONDS; the campaign is a
# normal `dutlab run`, checkpointed in its campaign.db every 10 s: a soak killed at hour 5
# resumes at hour 5 with `dutlab run --resume DIR`. The reports say pass only when the whole
# duration ran with no health failure.
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
duts="firewall-good switch-good"
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
echo "soak: $seconds s of mutated packets against $duts; reports under $out"
pids=""
for dut in $duts; do
	ip netns exec dl-tester "$dutlab" run --plain --profile "$out/$dut.yaml" --output "$out/$dut" \
		</dev/null >"$out/$dut.log" 2>&1 &
	pids="$pids $!"
done
status=0
for pid in $pids; do
	wait "$pid" || status=1
done
for dut in $duts; do
	python3 - "$out/$dut/report.json" "$dut" <<'PY' || status=1
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
for c in r["clauses"]:
    if c["id"] in ("5.4.1.6", "5.4.2.4") and c["verdict"] != "not_applicable":
        print("  %s %s: %s (%s)" % (sys.argv[2], c["id"], c["verdict"], c.get("summary", "")))
PY
	echo "  $dut: $out/$dut/report.html"
done
exit "$status"
