#!/bin/bash
# resume.sh: a robustness campaign killed midway resumes where its last checkpoint left it, and ends with the whole duration run.
#
# Usage (as root): tests/lab/packet/resume.sh BUILD DUT   (DUT up: firewall-good)
# Runs `dutlab fuzz --profile` for 30 s, SIGKILLs it after 15 s, checks campaign.db holds a
# checkpoint, runs the same command again and checks the observation: resumed at the
# checkpoint's case, 30 s of fuzzing in all, every case counted once, no failure.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root resume.sh
lab_build "${1:-}"
dut=$2
lab_work packet-resume
profile=$root/lab/duts/${dut%-*}/${dut##*-}/profile.yaml
out=$work/campaign
run() {
	ip netns exec dl-tester "$dutlab" fuzz --profile "$profile" --output "$out" --duration 30 \
		--seed 5 "$@"
}
rm -rf "$out"
ip netns exec dl-tester "$dutlab" fuzz --profile "$profile" --output "$out" --duration 30 \
	--seed 5 >"$work/first.out" 2>&1 &
pid=$!
echo "$pid" >"$work/first.pid"
sleep 15
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
status=$?
rm -f "$work/first.pid"
checkpoint=$(sqlite3 "$out/campaign.db" \
	"SELECT value FROM meta WHERE key='robustness.packets.checkpoint'" 2>/dev/null)
next=$(printf '%s' "$checkpoint" | python3 -c 'import json, sys; print(json.load(sys.stdin)["next_index"])' 2>/dev/null)
if [ "$status" -eq 137 ] && [ -n "$next" ] && [ "$next" -gt 0 ]; then
	ok "$dut: killed after 15 s (status 137), campaign.db holds a checkpoint at case $next"
else
	not_ok "$dut: a checkpoint survives SIGKILL" "status $status, checkpoint '${checkpoint:0:200}'"
fi
if run >"$work/second.out" 2>"$work/second.err" &&
	python3 - "$out/robustness.json" "${next:-0}" <<'PY' >"$work/check.out" 2>&1; then
import json, sys
o = json.load(open(sys.argv[1]))
at = o.get("resumed_at_index", 0)
assert at >= int(sys.argv[2]) > 0, "resumed at %s, the checkpoint said %s" % (at, sys.argv[2])
assert o["seconds_run"] >= 29.5, "only %.1f s run in all" % o["seconds_run"]
assert o["completed"] and not o["failures"], "stopped: %s" % o.get("stopped")
counted = sum(p["cases"] for p in o["protocols"].values())
assert counted == o["cases"], "%d cases counted per protocol, %d sent" % (counted, o["cases"])
print("resumed at case %d; %.1f s and %d cases in all" % (at, o["seconds_run"], o["cases"]))
PY
	ok "$dut: the same command resumed: $(cat "$work/check.out")"
else
	not_ok "$dut: the campaign resumes at its checkpoint" "$(cat "$work/check.out" "$work/second.err" 2>/dev/null | tail -5)"
fi
summary "$dut resume: "
