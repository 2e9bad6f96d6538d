#!/bin/sh
# demo: bring up the virtual lab, run its campaigns (cameras: TS-0014-1 L3 with a minute of RTSP, RTP, RTCP and TLS sessions; management planes: IoT-1006-1 L3 and NCC; firewalls, switches and routers: NCC with a minute of robustness, the routers' IPv4, IPv6, BGP, OSPF and RIP mixed), print where the reports are.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
dutlab=$(pwd)/$build/src/cli/dutlab
[ -x "$dutlab" ] || { echo "demo: $dutlab is not built; run 'make build'" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "demo: the virtual lab needs root (network namespaces)" >&2; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$(pwd)/campaigns/demo-$stamp
mkdir -p "$out"

# (the streaming cameras stream-good/stream-bad are make check's: the cameras decide
# TS-0014-1 5.3.2.3 here, and the mgmt-good lane already sets the demo's length)
duts="camera-good camera-bad mgmt-good mgmt-good2 mgmt-bad firewall-good firewall-bad switch-good switch-bad routing-frr routing-bad"
# One campaign a line: NAME DUT PROFILE (relative to lab/duts/<dut>/<variant>/) TITLE
# The well-configured management plane's NCC campaign runs on its second unit (mgmt-good2):
# on one unit its paced login tests and the IoT campaign's would run in turn and set the
# demo's length (about 3 + 7 minutes).
campaigns="camera-good camera-good profile.yaml TS-0014-1_level_3
camera-bad camera-bad profile.yaml TS-0014-1_level_3
mgmt-good2-ncc mgmt-good2 profile-ncc.yaml NCC_(router)
mgmt-good-iot mgmt-good profile.yaml IoT-1006-1_level_3
mgmt-bad-iot mgmt-bad profile.yaml IoT-1006-1_level_3
mgmt-bad-ncc mgmt-bad profile-ncc.yaml NCC_(router)
firewall-good firewall-good profile.yaml NCC_(firewall)
firewall-bad firewall-bad profile.yaml NCC_(firewall)
switch-good switch-good profile.yaml NCC_(switch)
switch-bad switch-bad profile.yaml NCC_(switch)
routing-frr routing-frr profile.yaml NCC_(router)
routing-bad routing-bad profile.yaml NCC_(router)"

cleanup() {
	for dut in $duts; do
		./lab/lab down "$dut" >/dev/null 2>&1 || true
	done
}
trap cleanup EXIT INT TERM

echo "demo: bringing up the virtual lab ($duts)"
for dut in $duts; do
	./lab/lab up "$dut"
done

# A DUT's campaigns run one after the other (they share its accounts and state); the DUTs
# run side by side. Each campaign's progress goes to its log beside its report.
# run_lane DUT: every campaign of DUT, in turn; a failed one leaves NAME.failed.
run_lane() {
	while read -r name dut profile title; do
		[ "$dut" = "$1" ] || continue
		echo "demo: campaign $(echo "$title" | tr _ ' ') against $dut (log: $out/$name.log)"
		if ! ip netns exec dl-tester "$dutlab" run --plain \
			--profile "lab/duts/${dut%-*}/${dut##*-}/$profile" \
			--output "$out/$name" </dev/null >"$out/$name.log" 2>&1; then
			echo "demo: campaign $name failed; see $out/$name.log" >&2
			touch "$out/$name.failed"
		elif ! "$dutlab" verify "$out/$name" >/dev/null; then
			echo "demo: verify $name failed" >&2
			touch "$out/$name.failed"
		else
			echo "demo: campaign $name done"
		fi
	done <<EOF_CAMPAIGNS
$campaigns
EOF_CAMPAIGNS
}
pids=""
for dut in $duts; do
	run_lane "$dut" &
	pids="$pids $!"
done
for pid in $pids; do
	wait "$pid"
done
status=0
for f in "$out"/*.failed; do
	[ -e "$f" ] && status=1
done

echo
echo "demo: results"
while read -r name dut profile title; do
	python3 - "$out/$name/report.json" "$name" <<'PY' || status=1
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
result, counts = r["result"], r["counts"]
level = ("level reached %s of target %s" % (result["level_reached"], result["target_level"])
         if result.get("target_level") else "outcome %s" % result["outcome"])
print("  %s (%s, %s %s): %s (%s)" % (
    sys.argv[2], r["standard"]["id"], r["device"]["vendor"], r["device"]["model"], level,
    ", ".join("%s %d" % (k, counts[k]) for k in ("pass", "fail", "inconclusive", "error",
              "not_applicable", "manual", "not_tested") if counts.get(k))))
for c in r["clauses"]:
    if c["plan"]["kind"] == "check":
        print("    %-9s %-7s %s" % (c["id"], c["verdict"], (c.get("summary") or "")[:100]))
PY
done <<EOF_CAMPAIGNS
$campaigns
EOF_CAMPAIGNS
echo
echo "$campaigns" | while read -r name dut profile title; do
	echo "  $name: $out/$name/report.html"
done
exit "$status"
