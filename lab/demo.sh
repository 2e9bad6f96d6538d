#!/bin/sh
# demo: bring up the virtual lab, run a TS-0014-1 level-3 campaign on camera-good and camera-bad, print where the reports are.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
dutlab=$(pwd)/$build/src/cli/dutlab
[ -x "$dutlab" ] || { echo "demo: $dutlab is not built; run 'make build'" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "demo: the virtual lab needs root (network namespaces)" >&2; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$(pwd)/campaigns/demo-$stamp
mkdir -p "$out"

cleanup() {
	./lab/lab down camera-good >/dev/null 2>&1 || true
	./lab/lab down camera-bad >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

echo "demo: bringing up the virtual lab (camera-good, camera-bad)"
./lab/lab up camera-good
./lab/lab up camera-bad

status=0
for variant in good bad; do
	echo
	echo "demo: campaign TS-0014-1 level 3 against camera-$variant"
	ip netns exec dl-tester "$dutlab" run \
		--profile "lab/duts/camera/$variant/profile.yaml" \
		--output "$out/camera-$variant" || status=$?
	"$dutlab" verify "$out/camera-$variant" >/dev/null || status=$?
done

echo
echo "demo: results"
for variant in good bad; do
	python3 - "$out/camera-$variant/report.json" "camera-$variant" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
result, counts = r["result"], r["counts"]
print("  %s (%s %s): level reached %s of target %s (%s)" % (
    sys.argv[2], r["device"]["vendor"], r["device"]["model"], result["level_reached"],
    result["target_level"],
    ", ".join("%s %d" % (k, counts[k]) for k in ("pass", "fail", "inconclusive", "error",
              "not_applicable", "manual", "not_tested") if counts.get(k))))
for c in r["clauses"]:
    if c["plan"]["kind"] == "check":
        print("    %-9s %-7s %s" % (c["id"], c["verdict"], (c.get("summary") or "")[:100]))
PY
done
echo
for variant in good bad; do
	echo "  camera-$variant: $out/camera-$variant/report.html"
	echo "  camera-$variant: $out/camera-$variant/report.json"
done
exit "$status"
