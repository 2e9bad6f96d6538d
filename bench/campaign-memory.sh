#!/bin/sh
# campaign-memory: peak RSS and wall time of a whole TS-0014-1 level-3 campaign on each lab camera (goal: under 50 MiB)
#
# Usage (as root, from the repository): bench/campaign-memory.sh
#   DUTLAB   the dutlab binary (default build/src/cli/dutlab)
# GNU time's maximum RSS covers dutlab and the collector children it waits
# for, so it is the peak of the whole campaign, not of one process.
set -eu
DUTLAB=${DUTLAB:-build/src/cli/dutlab}
die() { echo "campaign-memory: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
[ -x "$DUTLAB" ] || die "no dutlab at '$DUTLAB'; build it or set DUTLAB"
[ -x /usr/bin/time ] || die "GNU time is not installed (apt-get install time)"

work=$(mktemp -d /tmp/dutlab-memory.XXXXXX)
started=""
cleanup() {
	rm -rf "$work"
	for dut in $started; do lab/lab down "$dut" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT INT TERM

status=0
for variant in good bad; do
	dut=camera-$variant
	if ! lab/lab status "$dut" >/dev/null 2>&1; then
		lab/lab up "$dut" >/dev/null
		started="$started $dut"
	fi
	ip netns exec dl-tester /usr/bin/time -v "$DUTLAB" run --quiet \
		--profile "lab/duts/camera/$variant/profile.yaml" --output "$work/$dut" \
		2>"$work/time-$dut" || status=1
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time-$dut")
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time-$dut")
	verdict=$([ "$rss" -lt 51200 ] && echo "under 50 MiB" || echo "OVER 50 MiB")
	printf 'campaign %-12s peak RSS %6d KiB (%s), wall %s\n' "$dut" "$rss" "$verdict" "$wall"
	[ "$rss" -lt 51200 ] || status=1
done
exit "$status"
