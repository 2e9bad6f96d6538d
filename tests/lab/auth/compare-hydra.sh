#!/bin/bash
# compare-hydra: hydra against mgmt-good and mgmt-bad agrees with dutlab's default-credential and lockout verdicts.
#
# usage (as root, from anywhere): tests/lab/auth/compare-hydra.sh [BUILD] [CAMPAIGNS]
#   BUILD      the build directory holding src/cli/dutlab (default: build)
#   CAMPAIGNS  a folder holding run-lab-tests.sh's campaigns: mgmt-good, mgmt-bad (IoT-1006-1,
#              their profile.yaml) and mgmt-good@ncc-ci-ict, mgmt-bad@ncc-ci-ict (profile-ncc.yaml);
#              without it the four campaigns are run here first (long: each has a full scan).
#
# For every login adapter of the mgmt profiles that hydra has a module for (ssh-password: ssh,
# telnet: telnet, http-basic: http[s]-get):
#   defaults  hydra -C with dutlab's own list (src/checks/auth/default-list.c, the factory default
#             first). On mgmt-good at most threshold-1 pairs per user name (as dutlab paces), so
#             hydra locks no account either. Agreement: hydra finds the factory default on every
#             mgmt-bad adapter where dutlab's IoT 5.1.1.1 finding names it, every pair dutlab
#             names hydra finds, and on mgmt-good neither finds any.
#   lockout   hydra -t 1 -l dltest with threshold wrong passwords then the right one. Agreement:
#             on mgmt-good hydra does not find the right password (the account is locked) and
#             dutlab's NCC 5.3.1.2 passes; on mgmt-bad hydra finds it and dutlab fails.
# Afterwards the test account is unlocked (the lock waited out, then one right login checked).
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
lab_build "${1:-}"
campaigns=${2:-}
lab_work hydra
started_duts=""

cleanup() {
	local dut
	for dut in $started_duts; do
		"$lab" down "$dut" >/dev/null 2>&1
	done
}

need_root compare-hydra
need_dutlab compare-hydra
need_command compare-hydra hydra

# The lab's DUTs: up if another script left them up, else up here and down on exit.
for dut in mgmt-good mgmt-bad; do
	if ! ip netns list | grep -q "^dl-$dut\b"; then
		lab_up "$dut" "$work/up-$dut.log"
		started_duts="$started_duts $dut"
	fi
done

# The campaigns to compare with.
if [ -z "$campaigns" ]; then
	campaigns=$work
	for dut in mgmt-good mgmt-bad; do
		dir=$root/lab/duts/mgmt/${dut#mgmt-}
		in_tester "$dutlab" run --profile "$dir/profile.yaml" --output "$work/$dut" --quiet \
			>"$work/run-$dut.log" 2>&1 || not_ok "campaign on $dut" "$(tail -5 "$work/run-$dut.log")"
		in_tester "$dutlab" run --profile "$dir/profile-ncc.yaml" --output "$work/$dut@ncc-ci-ict" \
			--quiet >"$work/run-$dut-ncc.log" 2>&1 ||
			not_ok "NCC campaign on $dut" "$(tail -5 "$work/run-$dut-ncc.log")"
	done
fi

# The default list, as dutlab has it: "user:password" lines from default-list.c.
sed -n 's/^\t{"\([^"]*\)", "\([^"]*\)"},$/\1:\2/p' "$root/src/checks/auth/default-list.c" \
	>"$work/defaults.all"
if [ "$(wc -l <"$work/defaults.all")" -lt 50 ]; then
	not_ok "read dutlab's default list" "only $(wc -l <"$work/defaults.all") pairs from default-list.c"
	summary
	exit 1
fi

# profile_facts PROFILE: shell assignments of what the comparison needs from a profile.
profile_facts() {
	python3 - "$1" <<'PY'
import shlex, sys, yaml
p = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
creds = {c["role"]: c for c in p.get("credentials", [])}
auth = p.get("auth", {}) or {}
lock = auth.get("lockout", {}) or {}
test = creds.get(auth.get("test_credential", ""), {})
fd = creds.get("factory_default", {})
out = {
    "address": p["dut"]["addresses"][0],
    "threshold": lock.get("threshold", 5),
    "period": lock.get("period", 60),
    "reset": lock.get("reset", lock.get("period", 60)),
    "test_user": test.get("username", ""),
    "test_password": test.get("password", ""),
    "default_user": fd.get("username", ""),
    "default_password": fd.get("password", ""),
}
modules = []
for a in p.get("adapters", []):
    d, o = a.get("driver"), a.get("options", {}) or {}
    tls = str(o.get("tls", "false")) == "true"
    if d == "ssh-password":
        modules.append("%s|ssh|%s|" % (a["name"], a["port"]))
    elif d == "telnet":
        modules.append("%s|telnet|%s|" % (a["name"], a["port"]))
    elif d == "http-basic":
        modules.append("%s|%s|%s|%s" % (a["name"], "https-get" if tls else "http-get",
                                        a["port"], o.get("login_url", "/")))
out["modules"] = " ".join(modules)
for k, v in out.items():
    print("%s=%s" % (k, shlex.quote(str(v))))
PY
}

# hydra_run MODULE PORT PATH OUT ARGS...: one hydra run from the tester, its found pairs
# ("user:password" lines) in OUT.
hydra_run() {
	local module=$1 port=$2 path=$3 out=$4
	shift 4
	local target="$module://$address:$port"
	[ -n "$path" ] && target="$target$path"
	rm -f "$out.json"
	timeout 600 ip netns exec dl-tester hydra -I -q -o "$out.json" -b json "$@" "$target" \
		>"$out.log" 2>&1
	python3 - "$out.json" <<'PY' >"$out"
import json, sys
try:
    data = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    sys.exit(0)
for r in data.get("results", []):
    print("%s:%s" % (r.get("login", ""), r.get("password", "")))
PY
}

# report_findings CAMPAIGN CLAUSE: "verdict" then the clause's summary and findings, one a line.
report_findings() {
	python3 - "$1/report.json" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
for c in r["clauses"]:
    if c["id"] == sys.argv[2]:
        print(c["verdict"])
        print(c.get("summary") or "")
        for f in c.get("findings", []):
            print(f.get("text", ""))
PY
}

# What profile_facts sets, per DUT.
address="" threshold=5 period=60 reset=60 test_user="" test_password="" default_user=""
default_password="" modules=""
for variant in good bad; do
	dut=mgmt-$variant
	eval "$(profile_facts "$root/lab/duts/mgmt/$variant/profile.yaml")"
	paced=""
	{
		# The list hydra tries: the factory default first, then dutlab's list; on good at most
		# threshold-1 pairs per user name, so no account locks (dutlab paces the same way).
		{
			[ -n "$default_user" ] && echo "$default_user:$default_password"
			grep -v -x -F "$default_user:$default_password" "$work/defaults.all"
		} >"$work/$dut.list.all"
		if [ "$variant" = good ]; then
			awk -F: -v max=$((threshold - 1)) '++n[$1] <= max' "$work/$dut.list.all" \
				>"$work/$dut.list"
		else
			cp "$work/$dut.list.all" "$work/$dut.list"
		fi
		dutlab_defaults=$(report_findings "$campaigns/$dut" 5.1.1.1)
		verdict=$(echo "$dutlab_defaults" | head -1)
		for m in $modules; do
			IFS='|' read -r name module port path <<<"$m"
			out=$work/$dut-$name-defaults
			# -t 1 on good: one try at a time, as a paced scanner would; one account serves
			# every interface, so the next interface waits for the counters to reset.
			if [ "$variant" = good ]; then
				[ -n "$paced" ] && sleep $((reset + 3))
				paced=1
				hydra_run "$module" "$port" "$path" "$out" -t 1 -C "$work/$dut.list"
			else
				hydra_run "$module" "$port" "$path" "$out" -t 4 -C "$work/$dut.list"
			fi
			found=$(paste -sd, "$out")
			if [ "$variant" = good ]; then
				if [ -z "$found" ] && [ "$verdict" = pass ]; then
					ok "$dut $name ($module/$port): hydra finds no default among $(wc -l <"$work/$dut.list") pairs and dutlab's IoT 5.1.1.1 passes"
				else
					not_ok "$dut $name: hydra and dutlab agree on defaults" \
						"hydra found: ${found:-none}" "dutlab: $verdict" "$(tail -3 "$out.log")"
				fi
				continue
			fi
			# bad: hydra finds the factory default, dutlab names it on this adapter, and every
			# pair dutlab names on this adapter hydra found too.
			missing=""
			named=$(echo "$dutlab_defaults" | grep -E "^$name \(" |
				sed -n 's/.* default\( (list)\)\{0,1\} \([^ /]*\)\/\([^ :]*\).*/\2:\3/p' |
				sed 's/:(empty)$/:/' | sort -u)
			for pair in $named; do
				grep -q -x -F "$pair" "$out" || missing="$missing $pair"
			done
			if [ "$verdict" = fail ] && grep -q -x -F "$default_user:$default_password" "$out" &&
				echo "$named" | grep -q -x -F "$default_user:$default_password" && [ -z "$missing" ]; then
				ok "$dut $name ($module/$port): hydra finds $found; dutlab's IoT 5.1.1.1 fails naming $(echo "$named" | paste -sd, -)"
			else
				not_ok "$dut $name: hydra and dutlab agree on defaults" \
					"hydra found: ${found:-none}" "dutlab ($verdict) named: $(echo "$named" | paste -sd, -)" \
					"dutlab's pairs hydra did not find:${missing:- none}" "$(tail -3 "$out.log")"
			fi
		done
		# Let the failure counters of the defaults run expire before the lockout run.
		[ "$variant" = good ] && sleep $((reset + 3))

		# Lockout: threshold wrong passwords, then the right one, in order.
		: >"$work/$dut.lock"
		for i in $(seq 1 "$threshold"); do echo "hydra-wrong-$i-$RANDOM" >>"$work/$dut.lock"; done
		echo "$test_password" >>"$work/$dut.lock"
		ncc=$(report_findings "$campaigns/$dut@ncc-ci-ict" 5.3.1.2)
		ncc_verdict=$(echo "$ncc" | head -1)
		for m in $modules; do
			IFS='|' read -r name module port path <<<"$m"
			[ "$module" = ssh ] || continue
			out=$work/$dut-$name-lockout
			hydra_run "$module" "$port" "$path" "$out" -t 1 -l "$test_user" -P "$work/$dut.lock"
			if grep -q -x -F "$test_user:$test_password" "$out"; then
				hydra_says="found the right password after $threshold wrong ones"
				expect=fail
			else
				hydra_says="did not get in with the right password after $threshold wrong ones"
				expect=pass
			fi
			if [ "$variant" = good ] && [ "$expect" = pass ] && [ "$ncc_verdict" = pass ]; then
				ok "$dut $name: hydra $hydra_says (locked) and dutlab's NCC 5.3.1.2 passes: $(echo "$ncc" | sed -n 2p)"
			elif [ "$variant" = bad ] && [ "$expect" = fail ] && [ "$ncc_verdict" = fail ]; then
				ok "$dut $name: hydra $hydra_says and dutlab's NCC 5.3.1.2 fails: $(echo "$ncc" | sed -n 2p)"
			else
				not_ok "$dut $name: hydra and dutlab agree on the lockout" "hydra $hydra_says" \
					"dutlab: $ncc_verdict: $(echo "$ncc" | sed -n 2p)" "$(tail -3 "$out.log")"
			fi
			# Restore: the lock waited out, then the right password logs in.
			if [ "$variant" = good ]; then
				sleep $((period + 5))
				hydra_run "$module" "$port" "$path" "$out-restore" -t 1 -l "$test_user" \
					-p "$test_password"
				if grep -q -x -F "$test_user:$test_password" "$out-restore"; then
					ok "$dut $name: $test_user unlocked again after $((period + 5)) s"
				else
					not_ok "$dut $name: $test_user unlocked after the hydra run" \
						"$(tail -3 "$out-restore.log")"
				fi
			fi
		done
	}
done

summary
