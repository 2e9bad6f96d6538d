#!/bin/bash
# run-lab-tests: campaigns against the real reference DUTs in network namespaces, then every tests/lab/**/*.case and the campaign-level tests.
#
# Each .case file is a few "key: value" lines:
#   dut: camera-good            the lab DUT whose campaign decides it
#   standard: taics-ts-0014-1   (optional) the campaign's standard
#   clause: 5.2.2.1
#   verdict: pass               the verdict the clause must have
#   reason: tcp/23 .*telnet     an extended regex that must match the clause's
#                               summary or one of its findings
# Campaigns run once per DUT (a full scan each) and every case reads its
# report.json, so the suite grows by files, not by minutes.
set -u
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$root" || exit 1
lab_build "${1:-}"
lab_work lab-tests
duts="camera-good camera-bad"

cleanup() {
	# Kill any campaign still running from a test, by the pid we recorded.
	for pidfile in "$work"/*.pid; do
		[ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
	done
	for dut in $duts; do
		"$lab" down "$dut" >/dev/null 2>&1
	done
}

need_root run-lab-tests
need_dutlab run-lab-tests

# timeline NAME START: NAME's start and end, in seconds from the suite's start, for the
# timeline printed at the end (what sets the suite's length: its critical lane).
suite_start=$(date +%s)
timeline() {
	echo "$(($2 - suite_start)) $(($(date +%s) - suite_start)) $1" >>"$work/timeline"
}

# The DUTs: the two cameras always, and every DUT a case file names.
duts="camera-good camera-bad"
while read -r d; do
	case " $duts " in *" $d "*) ;; *) duts="$duts $d" ;; esac
done < <(find "$root/tests/lab" -name '*.case' -exec sed -n 's/^dut: *//p' {} + | sort -u)

# camera-good -> lab/duts/camera/good/profile.yaml
profile_of() {
	echo "$root/lab/duts/${1%-*}/${1##*-}/profile.yaml"
}

# The standard of a DUT's profile.yaml (its first target).
default_standard() {
	sed -n 's/^.*standard: *\([a-z0-9-]*\).*$/\1/p' "$(profile_of "$1")" | head -1
}

# A DUT tested against another standard has its own profile beside profile.yaml, named by
# the standard's short name (profile-ncc.yaml: the mgmt DUTs as NCC routers).
profile_for() {
	local dut=$1 standard=$2 short
	case $standard in
	ncc-ci-ict) short=ncc ;;
	taics-ts-0014-1) short=ts ;;
	iot-1006-1) short=iot ;;
	*) short=$standard ;;
	esac
	if [ -z "$standard" ] || [ "$standard" = "$(default_standard "$dut")" ]; then
		profile_of "$dut"
	else
		echo "$root/lab/duts/${dut%-*}/${dut##*-}/profile-$short.yaml"
	fi
}

# Where the campaign of DUT against STANDARD lands: $work/DUT for its default standard.
campaign_dir() {
	local dut=$1 standard=${2:-}
	if [ -z "$standard" ] || [ "$standard" = "$(default_standard "$dut")" ]; then
		echo "$work/$dut"
	else
		echo "$work/$dut@$standard"
	fi
}

# The other campaigns the case files ask for: "DUT STANDARD" pairs.
extra_campaigns=$(find "$root/tests/lab" -name '*.case' | while read -r case; do
	d=$(sed -n 's/^dut: *//p' "$case")
	s=$(sed -n 's/^standard: *//p' "$case")
	[ -n "$s" ] && [ "$s" != "$(default_standard "$d")" ] && echo "$d $s"
done | sort -u)

# --- bring up the lab ---
for dut in $duts; do
	lab_up "$dut" "$work/up-$dut.log"
done
timeline "lab up: every DUT" "$suite_start"

# run_script NAME SCRIPT ARGS...: a lab script that prints "ok - ..." / "not ok - ..." lines;
# each counts as one test here, and a script that fails without saying why counts too.
run_script() {
	local name=$1 log="$work/${1// /-}.log" status start
	shift
	start=$(date +%s)
	"$@" >"$log" 2>&1
	status=$?
	timeline "script $name" "$start"
	relay "$log" "$name: "
	if [ "$status" -ne 0 ] && ! grep -q '^not ok - ' "$log"; then
		not_ok "$name: $(basename "$1") exited $status" "$(tail -5 "$log")"
	fi
}

# run_script_later NAME SCRIPT ARGS...: the same, its output kept for relay_script NAME
# (a script run in a lane, beside the campaigns; its lines are counted in order afterwards).
run_script_later() {
	local name=$1 log="$work/${1// /-}.log" start
	shift
	start=$(date +%s)
	"$@" >"$log" 2>&1
	echo "$? $*" >"$log.status"
	timeline "script $name" "$start"
}
relay_script() {
	local name=$1 log="$work/${1// /-}.log" status command
	if [ ! -f "$log.status" ]; then
		not_ok "$name: it did not run"
		return
	fi
	read -r status command <"$log.status"
	relay "$log" "$name: "
	if [ "$status" -ne 0 ] && ! grep -q '^not ok - ' "$log"; then
		not_ok "$name: $(basename "${command%% *}") exited $status" "$(tail -5 "$log")"
	fi
}

# The lab scripts that need nothing of the campaigns' DUTs (their own servers and
# namespaces): they run in mgmt-good2's lane once its campaign is done, while mgmt-good's
# paced login campaigns go on in its own.
self_contained_scripts() {
	# The TLS audit agrees with sslscan on every server of the TLS matrix (tlslab-servers).
	run_script_later "tls vs sslscan" "$root/tests/lab/tls/compare-sslscan.sh" "$build"
	# The SSH audit agrees with ssh-audit and ssh-keygen (sshlab-servers).
	run_script_later "ssh vs ssh-audit" "$root/tests/lab/ssh/compare-ssh-audit.sh" "$build"
	# A hostile TLS server (oversized records, truncated handshakes, endless alerts, ...).
	run_script_later "tls hostile" "$root/tests/lab/tls/hostile.sh" "$build"
	# The ssh-password, telnet, rtsp and onvif login drivers on real sshd/PAM, busybox
	# telnetd, GStreamer RTSP and the ONVIF fixture, in their own namespace pair (dl-adapt34).
	run_script_later "login drivers" "$root/tests/lab/adapters/other-drivers.sh" "$build"
	# The http-basic and http-digest login drivers against lighttpd mod_auth (its own
	# namespaces).
	run_script_later "http drivers" "$root/tests/lab/adapters/http-drivers.sh" "$build"
	# The robustness campaigns' health monitors against a small DUT of their own (dl-hlth-a/b):
	# each fault seen with its evidence, then the recovery.
	run_script_later "health monitors" "$root/tests/lab/packet/health.sh" "$build"
	# The AF_PACKET rings on a veth pair of their own (dl-ring-a/b): exact counts, the
	# scope guard's per-frame refusals.
	run_script_later "packet rings" "$root/tests/lab/packet/ring.sh" "$build"
	# The four fragile fixtures over lab/bin/fixture.py, each in a network namespace of its
	# own (loopback only): service, status port, syslog, death of exactly their trigger.
	run_script_later "fragile fixtures" "$root/tests/lab/robustness/fixtures.sh"
}

# camera_tests: the campaign-level tests that need only the cameras and their campaigns (the
# peer tools, the evidence, the runner's kill, resume and progress, the cameras' TLS client
# and keys); run in the cameras' lane once its campaigns are done, their lines relayed after.
camera_tests() {
	# --- the peer tool agrees: nmap finds the same open TCP ports and UDP services ---
	for dut in camera-good camera-bad; do
		iface=$(sed -n 's/^tester_if=//p' "$root/lab/duts/${dut%-*}/${dut##*-}/topology")
		if out=$(python3 "$root/tests/lab/compare-nmap.py" "$work/$dut" dl-tester "$iface" 2>&1); then
			ok "$dut: nmap -sS -p- and -sU find exactly the ports and services dutlab found"
		else
			not_ok "$dut: dutlab and nmap agree" "$out"
		fi
	done

	# --- every packet we built dissects cleanly in tshark (the scan's own SYNs) ---
	for scan in "$work"/camera-bad/evidence/discovery/*-tcp-scan.pcapng; do
		ours='tcp.flags.syn==1 && tcp.flags.ack==0'
		total=$(tshark -r "$scan" -Y "$ours" 2>/dev/null | wc -l)
		bad=$(tshark -r "$scan" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -Y \
			"$ours && (_ws.malformed || _ws.expert.severity >= 6291456 || tcp.checksum.status==0 || ip.checksum.status==0)" \
			2>/dev/null | wc -l)
		# A capture that lost packets under load is complete enough when the scan says so
		# (its observation's note names the kernel's drops); the SYNs it holds must be clean.
		address=$(basename "$scan" -tcp-scan.pcapng | sed 's/__/::/; s/_/:/g')
		dropped=$(sqlite3 "$work/camera-bad/campaign.db" \
			"SELECT observation FROM collector_run WHERE collector_id='discovery.scan'" |
			grep -o "capture of $address: the kernel dropped [0-9]*" | grep -o '[0-9]*$' | head -1)
		if [ "$bad" -eq 0 ] && [ "$total" -ge 65535 ]; then
			ok "$(basename "$scan"): $total SYNs dutlab built, none malformed, none with an expert warning or a bad checksum"
		elif [ "$bad" -eq 0 ] && [ "$((total + ${dropped:-0}))" -ge 65535 ]; then
			ok "$(basename "$scan"): $total SYNs dutlab built, none malformed or flagged; the report notes the $dropped packets the kernel's capture dropped"
		else
			not_ok "$(basename "$scan") dissects cleanly" "$bad of $total SYNs malformed or flagged"
		fi
	done

	# --- the evidence manifest names a tampered file (every campaign's verify: below) ---
	cp -r "$work/camera-bad" "$work/tampered"
	victim=$(cd "$work/tampered" && find evidence -name '*.pcapng' | sort | head -1)
	if [ -n "$victim" ]; then
		printf 'X' | dd of="$work/tampered/$victim" bs=1 seek=40 conv=notrunc 2>/dev/null
		if "$dutlab" verify "$work/tampered" >"$work/verify-tampered.log" 2>&1; then
			not_ok "verify detects a changed evidence file" "verify passed after $victim changed"
		elif grep -q "$victim" "$work/verify-tampered.log"; then
			ok "verify names the changed evidence file ($victim)"
		else
			not_ok "verify names the changed file" "$(cat "$work/verify-tampered.log")"
		fi
	else
		not_ok "verify detects a changed evidence file" "camera-bad's campaign has no pcapng evidence"
	fi

	# --- tlslab-fragile's TLS session reproducer: one connection, and it kills the fixture again ---
	case " $duts " in *" tlslab-fragile "*)
		run_script "tlslab-fragile session reproducer" \
			"$root/tests/lab/robustness/sessions-tls-reproducer.sh" "$work/tlslab-fragile" ;;
	esac

	# --- camera-bad's second RTSP service (the fragile responder on 8554): it streams, dies on
	# its one header while 554 lives on, and lab restart brings it back with the keys kept ---
	run_script "camera-bad fixture" "$root/tests/lab/robustness/camera-bad-fixture.sh"

	# --- a rebuilt report equals the one written at the end of the run ---
	cp -r "$work/camera-good" "$work/rebuilt"
	"$dutlab" report "$work/rebuilt" >/dev/null 2>&1
	if python3 - "$work/camera-good/report.json" "$work/rebuilt/report.json" <<-'PY'; then
	import json, sys
	a, b = (json.load(open(p)) for p in sys.argv[1:3])
	strip = lambda r: [(c["id"], c["verdict"], c.get("summary")) for c in r["clauses"]]
	assert strip(a) == strip(b)
	PY
		ok "dutlab report rebuilds the same verdicts from campaign.db alone"
	else
		not_ok "dutlab report rebuilds the same verdicts"
	fi

	# --- a broken profile: file:line:column and exit status 2 ---
	cp "$(profile_of camera-good)" "$work/broken.yaml"
	sed -i 's/level: 3/level: three/' "$work/broken.yaml"
	line=$(grep -n 'level: three' "$work/broken.yaml" | cut -d: -f1)
	"$dutlab" run --profile "$work/broken.yaml" --dry-run >"$work/broken.log" 2>&1
	status=$?
	if [ "$status" -eq 2 ] && grep -q "broken.yaml:$line:[0-9]" "$work/broken.log"; then
		ok "a broken profile gives file:line:column and exit 2"
	else
		not_ok "a broken profile gives file:line:column and exit 2" "status $status" "$(cat "$work/broken.log")"
	fi

	# --- an out-of-scope target is refused by the scope guard ---
	if in_tester "$dutlab" scan --profile "$(profile_of camera-good)" 198.18.2.2 >"$work/scope.log" 2>&1; then
		not_ok "an address outside the profile's scope is refused" "scan of 198.18.2.2 succeeded"
	elif grep -q "198.18.2.2 is not inside scope.networks" "$work/scope.log"; then
		ok "an address outside the profile's scope is refused, with the reason"
	else
		not_ok "out-of-scope refusal names the reason" "$(cat "$work/scope.log")"
	fi

	# --- --dry-run prints the plan and opens no network socket ---
	if command -v strace >/dev/null 2>&1; then
		in_tester strace -f -qq -e trace=socket -o "$work/dry.strace" \
			"$dutlab" run --profile "$(profile_of camera-bad)" --dry-run >"$work/dry.log" 2>&1
		if grep -E 'AF_INET|AF_INET6|AF_PACKET' "$work/dry.strace" >/dev/null; then
			not_ok "--dry-run opens no network socket" "$(grep AF_ "$work/dry.strace" | head -3)"
		elif grep -q "198.18.2.2" "$work/dry.log" && grep -q "tcam-bad" "$work/dry.log" &&
			grep -q "discovery.scan" "$work/dry.log" && grep -q "deadline" "$work/dry.log"; then
			ok "--dry-run lists destinations, interfaces, collectors and deadlines and opens no socket"
		else
			not_ok "--dry-run prints the plan" "$(head -20 "$work/dry.log")"
		fi
	else
		not_ok "--dry-run opens no network socket" "strace is not installed (tools/install-deps.sh)"
	fi

	# --- SIGKILL at an arbitrary moment, then --resume: same results as uninterrupted ---
	results_of() {
		sqlite3 "$1/campaign.db" "SELECT clause_id, verdict, summary FROM clause_result ORDER BY clause_id"
	}

	# light_profile DUT: the DUT's profile without tls_clients, without the robustness section
	# (a minute of fuzzing, a power cycle, a summary with clock times) and without the
	# operations that change the DUT (factory reset, certificate installation): the runner
	# tests below test the runner, and each of their campaigns then takes seconds, not minutes.
	light_profile() {
		local out="$work/light-$1.yaml"
		python3 - "$(profile_of "$1")" "$out" <<-'PY'
	import re, sys
	text = open(sys.argv[1], encoding="utf-8").read()
	text = re.sub(r"\ntls_clients:.*?(?=\n[a-z])", "\n", text, flags=re.S)
	text = re.sub(r"\nrobustness:.*?(?=\n[a-z]|\Z)", "\n", text, flags=re.S)
	text = re.sub(r"\n +(factory_reset|replace_certificate|check_update): [^\n]*", "", text)
	open(sys.argv[2], "w", encoding="utf-8").write(text)
	PY
		echo "$out"
	}
	for dut in camera-good camera-bad; do
		in_tester "$dutlab" run --profile "$(light_profile "$dut")" --output "$work/light-$dut" \
			--quiet >"$work/light-$dut.log" 2>&1 ||
			not_ok "light campaign on $dut" "$(tail -5 "$work/light-$dut.log")"
	done
	for delay in 1 3; do
		dir="$work/killed-$delay"
		# Not through in_tester: $! must be dutlab itself (ip netns exec execs it).
		ip netns exec dl-tester "$dutlab" run --profile "$(light_profile camera-bad)" --output "$dir" \
			--quiet &
		pid=$!
		echo "$pid" >"$work/killed.pid"
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		killed_status=$?
		rm -f "$work/killed.pid"
		state=$(sqlite3 "$dir/campaign.db" "SELECT value FROM meta WHERE key='state'" 2>/dev/null)
		if [ "$killed_status" -ne 137 ] || [ "$state" = "finished" ]; then
			not_ok "SIGKILL at ${delay} s lands mid-campaign" "status $killed_status, state '$state'"
			continue
		fi
		in_tester "$dutlab" run --resume "$dir" --quiet >"$work/resume.log" 2>&1
		status=$?
		if [ "$status" -ne 0 ]; then
			not_ok "resume after SIGKILL at ${delay} s" "status $status" "$(tail -5 "$work/resume.log")"
		elif [ "$(results_of "$dir")" = "$(results_of "$work/light-camera-bad")" ]; then
			ok "SIGKILL at ${delay} s (state '$state') then --resume: the same results as uninterrupted"
		else
			not_ok "SIGKILL at ${delay} s then --resume gives the same results" \
				"$(diff <(results_of "$dir") <(results_of "$work/light-camera-bad") 2>&1 | head -10)"
		fi
	done

	# --- Ctrl-C stops cleanly with exit 130 and the campaign resumes ---
	dir="$work/interrupted"
	ip netns exec dl-tester "$dutlab" run --profile "$(light_profile camera-good)" --output "$dir" \
		--plain >"$work/int.log" 2>&1 &
	echo $! >"$work/int.pid"
	sleep 2
	kill -INT "$(cat "$work/int.pid")"
	wait "$(cat "$work/int.pid")"
	status=$?
	rm -f "$work/int.pid"
	state=$(sqlite3 "$dir/campaign.db" "SELECT value FROM meta WHERE key='state'")
	if [ "$status" -eq 130 ] && [ "$state" = "interrupted" ] && grep -q -- "--resume" "$work/int.log"; then
		if in_tester "$dutlab" run --resume "$dir" --quiet >/dev/null 2>&1 &&
			[ "$(results_of "$dir")" = "$(results_of "$work/light-camera-good")" ]; then
			ok "Ctrl-C exits 130, says how to resume, and the resumed campaign matches"
		else
			not_ok "the campaign resumed after Ctrl-C matches the uninterrupted one"
		fi
	else
		not_ok "Ctrl-C stops cleanly" "status $status, state '$state'" "$(tail -3 "$work/int.log")"
	fi

	# --- --json-progress prints one JSON object per line ---
	in_tester "$dutlab" run --profile "$(light_profile camera-good)" --output "$work/json" --json-progress \
		--no-report >"$work/json.out" 2>"$work/json.err"
	if python3 - "$work/json.out" <<-'PY'; then
	import json, sys
	events = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
	kinds = {e["event"] for e in events}
	assert {"collector_start", "collector_end", "clause", "finished"} <= kinds, kinds
	PY
		ok "--json-progress emits collector, clause and finished events as JSON lines"
	else
		not_ok "--json-progress" "$(head -3 "$work/json.out")"
	fi

	# dutlab plays the cameras' update server: camera-good refuses every bad certificate.
	run_script "tlsclient" "$root/tests/lab/tlsclient/matrix.sh" "$build"
	# lab reset / install-cert change (camera-good) or keep (camera-bad) the keys; after
	# every campaign: it resets the cameras, and rebuilds them fresh when done.
	run_script "keys" "$root/tests/lab/keys/reset.sh"
	echo "finished" >"$work/camera-tests.done"
}

# reproducer_tests DUT:TRIGGER...: each bad DUT's reproducer (one frame, naming the field)
# kills its fragile responder again with TRIGGER when sent alone by scapy.
reproducer_tests() {
	local pair dut
	for pair in "$@"; do
		dut=${pair%%:*}
		case " $duts " in *" $dut "*)
			run_script "$dut reproducer" "$root/tests/lab/packet/reproducer.sh" "$work" \
				"$dut" "${pair#*:}" ;;
		esac
	done
}

# net_tests: after the firewalls' and switches' campaigns, in their lane: their reproducers,
# and a campaign killed midway resumes at its checkpoint (dutlab fuzz, firewall-good).
net_tests() {
	reproducer_tests firewall-bad:ipv4-option-length switch-bad:lldp-port-id-overrun
	case " $duts " in *" firewall-good "*)
		run_script "robustness resume" "$root/tests/lab/packet/resume.sh" "$build" firewall-good ;;
	esac
	echo "finished" >"$work/net-tests.done"
}

# router_tests: after the routers' and Open vSwitches' campaigns, in their lane: their
# reproducers; then, once the firewalls' lane is done too (bounded wait), the layer-2/3 DUTs
# themselves: that test brings all eight up and down.
router_tests() {
	local i
	reproducer_tests router-bad:ipv4-option-length ovs-bad:lldp-port-id-overrun
	for ((i = 0; i < 3600; i++)); do
		[ -f "$work/net-tests.done" ] && break
		case " $duts " in *" firewall-"* | *" switch-"*) sleep 1 ;; *) break ;; esac
	done
	run_script "packet duts" "$root/tests/lab/packet/duts.sh"
	echo "finished" >"$work/router-tests.done"
}

# routing_tests: after the routing DUTs' session campaigns, in their lane (their tests wait on
# BGP hold and recovery timers more than they use the CPU).
routing_tests() {
	# routing-bad's BGP session reproducer: the OPEN/KEEPALIVE prefix, the culprit UPDATE, the barrier
	case " $duts " in *" routing-bad "*)
		run_script "routing-bad session reproducer" \
			"$root/tests/lab/robustness/sessions-reproducer.sh" "$work/routing-bad" ;;
	esac
	# routing-frr's session campaign watched: its BGP check both ways, a dead DUT noticed by
	# its monitor while the session is re-established, a killed campaign resumed
	case " $duts " in *" routing-frr "*)
		run_script "sessions health" "$root/tests/lab/robustness/sessions-health.sh" "$build" ;;
	esac
	# routing-frr's mixed 5.4.3.2 campaign sent the packet campaign's fragment cases whole:
	# IPv4 fragments and IPv6 fragment headers in its sent log, as tshark reads them
	case " $duts " in *" routing-frr "*)
		local sent="$work/routing-frr/evidence/robustness/sessions-sent.pcapng" v4 v6
		v4=$(tshark -r "$sent" -Y 'ip.flags.mf == 1 || ip.frag_offset > 0' 2>/dev/null | wc -l)
		v6=$(tshark -r "$sent" -Y 'ipv6.fraghdr' 2>/dev/null | wc -l)
		if [ "$v4" -ge 2 ] && [ "$v6" -ge 2 ]; then
			ok "routing-frr: its mixed session campaign sent fragment cases ($v4 IPv4 fragments, $v6 IPv6 fragment headers in its sent log)"
		else
			not_ok "routing-frr: the mixed session campaign sends fragment cases" \
				"$v4 IPv4 fragments, $v6 IPv6 fragment headers in $sent"
		fi ;;
	esac
	# the routing DUTs (FRR with every protocol authenticated, BIRD, the fragile BGP
	# speaker): sessions reach their state with our peers, from the DUT's view and ours
	run_script "routing duts" "$root/tests/lab/routing/duts.sh" "$build"
	echo "finished" >"$work/routing-tests.done"
}

# stream_tests: after the streaming cameras' campaigns, in their lane: stream-bad's RTSP
# session reproducer (its culprit alone kills the fragile responder again), then the
# streaming DUTs' own test (it brings both up and down).
stream_tests() {
	case " $duts " in *" stream-bad "*)
		run_script_later "stream-bad session reproducer" \
			"$root/tests/lab/robustness/sessions-stream-reproducer.sh" "$work/stream-bad" ;;
	esac
	run_script_later "stream duts" "$root/tests/lab/stream/duts.sh"
	# RTP and RTCP cases by UDP to the ports SETUP negotiated (it brings both up and down)
	run_script_later "stream udp sessions" "$root/tests/lab/stream/udp-sessions.sh" "$build"
	# a TEARDOWN the camera refuses keeps its session for the next cases (tshark's view)
	run_script_later "stream refused teardown" "$root/tests/lab/stream/refused-teardown.sh" \
		"$build"
}

# --- one campaign per DUT and standard ---
# A DUT's campaigns run one after the other (they share its accounts and its state); the
# management planes' campaigns, long for their paced login tests, run beside the others.
# run_campaign NAME PROFILE DIR: one campaign; its status and seconds go to $work/NAME.status.
run_campaign() {
	local name=$1 profile=$2 dir=$3 start status
	start=$(date +%s)
	in_tester "$dutlab" run --profile "$profile" --output "$dir" --plain </dev/null \
		>"$work/run-$name.log" 2>&1
	status=$?
	echo "$status $(($(date +%s) - start))" >"$work/$name.status"
	timeline "campaign $name" "$start"
}
# lane DUT...: every campaign of each DUT, in turn; with LANE_EXTRAS_FIRST=1 the campaigns
# against its other standards first.
lane() {
	local dut standard
	for dut in "$@"; do
		[ "${LANE_EXTRAS_FIRST:-0}" = 1 ] || run_campaign "$dut" "$(profile_of "$dut")" "$work/$dut"
		while read -r d standard; do
			[ "$d" = "$dut" ] || continue
			run_campaign "$dut@$standard" "$(profile_for "$dut" "$standard")" \
				"$(campaign_dir "$dut" "$standard")"
		done <<<"$extra_campaigns"
		[ "${LANE_EXTRAS_FIRST:-0}" = 1 ] && run_campaign "$dut" "$(profile_of "$dut")" "$work/$dut"
	done
	return 0
}
# Seven lanes, balanced by the timeline printed at the end: mgmt-good alone, its NCC campaign
# first; mgmt-good2 (a second unit of it, for TS-0014-1), then the self-contained scripts;
# mgmt-bad; the firewalls and switches (their robustness campaigns), then their reproducers
# and the resume test; the routers and Open vSwitches, then their reproducers and the
# layer-2/3 DUT test; the routing DUTs (sessions), then their reproducer, the session health
# test and the routing DUT test, then the streaming cameras and their tests; and the cameras
# and controllers, then the camera tests. The user-enumeration tests compare login
# latencies of existing and unknown users, interleaved, so the other lanes' load falls on
# both sides alike.
good="" good2="" bad="" net="" routers="" routing="" stream="" rest=""
for dut in $duts; do
	case $dut in
	mgmt-good) good="$good $dut" ;;
	mgmt-good2) good2="$good2 $dut" ;;
	mgmt-bad) bad="$bad $dut" ;;
	firewall-* | switch-*) net="$net $dut" ;;
	router-* | ovs-*) routers="$routers $dut" ;;
	routing-*) routing="$routing $dut" ;;
	stream-*) stream="$stream $dut" ;;
	*) rest="$rest $dut" ;;
	esac
done
# the streaming cameras follow the routing DUTs in their lane, or the cameras without them
if [ -z "${routing// /}" ]; then
	rest="$rest $stream"
	stream=""
fi
lane_pids=""
for group in "$good" "$good2" "$bad" "$net" "$routers" "$routing" "$rest"; do
	# shellcheck disable=SC2086 # a list of DUT names
	if [ -n "${group// /}" ]; then
		lane_start=$(date +%s)
		if [ "$group" = "$good" ]; then
			{
				LANE_EXTRAS_FIRST=1 lane $group
				echo "finished" >"$work/lane-mgmt-good.done"
				timeline "lane${group// /,}" "$lane_start"
			} &
		elif [ "$group" = "$bad" ]; then
			{
				lane $group
				echo "finished" >"$work/lane-mgmt-bad.done"
				timeline "lane${group// /,}" "$lane_start"
			} &
		elif [ "$group" = "$net" ]; then
			{
				lane $group
				net_tests >"$work/net-tests.log" 2>&1
				timeline "lane${group// /,}" "$lane_start"
			} &
		elif [ "$group" = "$routers" ]; then
			{
				lane $group
				router_tests >"$work/router-tests.log" 2>&1
				timeline "lane${group// /,}" "$lane_start"
			} &
		elif [ "$group" = "$routing" ]; then
			{
				lane $group
				routing_tests >"$work/routing-tests.log" 2>&1
				# shellcheck disable=SC2086 # a list of DUT names
				lane $stream
				stream_tests
				timeline "lane${group// /,}" "$lane_start"
			} &
		elif [ "$group" = "$rest" ]; then
			{
				lane $group
				camera_tests >"$work/camera-tests.log" 2>&1
				timeline "lane${group// /,}" "$lane_start"
			} &
		elif [ "$group" = "$good2" ]; then
			{
				lane $group
				self_contained_scripts
				timeline "lane${group// /,}" "$lane_start"
			} &
		else
			{
				lane $group
				timeline "lane${group// /,}" "$lane_start"
			} &
		fi
		lane_pids="$lane_pids $!"
		echo "$!" >"$work/lane-$!.pid"
	fi
done
# The management planes' own tests, once mgmt-good's and mgmt-bad's campaigns are done (the
# hydra comparison reads them), beside the lanes still running; relayed below.
mgmt_tests() {
	local i
	for ((i = 0; i < 3600; i++)); do
		{ [ -z "${good// /}" ] || [ -f "$work/lane-mgmt-good.done" ]; } &&
			{ [ -z "${bad// /}" ] || [ -f "$work/lane-mgmt-bad.done" ]; } && break
		sleep 1
	done
	# lockout, password policy, idle timeout, roles, forced change (mgmt-good) and none of
	# it (mgmt-bad), with ssh, curl, telnet and hydra; host /etc intact
	run_script_later "mgmt dut" "$root/tests/lab/auth/mgmt-dut.sh"
	# hydra agrees with dutlab's default-credential and lockout verdicts in the campaigns
	# above ($work/mgmt-*), and leaves the test account unlocked
	run_script_later "auth vs hydra" "$root/tests/lab/auth/compare-hydra.sh" "$build" "$work"
	# the HTTP drivers' WebSocket logout on mgmt-good's Cockpit: the token refused after it
	run_script_later "cockpit logout" "$root/tests/lab/adapters/cockpit-logout.sh" "$build"
	timeline "lane of the management-plane tests" "$suite_start"
}
mgmt_tests &
lane_pids="$lane_pids $!"
echo "$!" >"$work/lane-$!.pid"
for pid in $lane_pids; do
	wait "$pid"
	rm -f "$work/lane-$pid.pid"
done
all_campaigns="$duts $(while read -r d s; do [ -n "$d" ] && echo "$d@$s"; done <<<"$extra_campaigns")"
for name in $all_campaigns; do
	if [ ! -f "$work/$name.status" ]; then
		not_ok "campaign $name" "it did not run"
	elif read -r status seconds <"$work/$name.status" && [ "$status" -eq 0 ]; then
		ok "campaign $name finished in $seconds s"
	else
		not_ok "campaign $name (exit $status)" "$(tail -20 "$work/run-$name.log")"
	fi
done

# --- every clause of the standard is in every report, with a verdict ---
for dut in $all_campaigns; do
	if python3 - "$work/$dut" "$root/catalog" <<'PY' >"$work/complete-$dut.log" 2>&1; then
import json, re, sys, xml.etree.ElementTree as ET
d, catalog_dir = sys.argv[1], sys.argv[2]
report = json.load(open(d + "/report.json", encoding="utf-8"))
standard = report["standard"]["id"]
expected = {"taics-ts-0014-1": 54, "iot-1006-1": 85, "ncc-ci-ict": 25}[standard]
catalog = open("%s/%s.yaml" % (catalog_dir, standard), encoding="utf-8").read()
ids = re.findall(r"^  - id: ['\"]?([0-9.]+)['\"]?\s*$", catalog, re.M)
assert len(ids) == expected, "catalog %s has %d clauses" % (standard, len(ids))
verdicts = {c["id"]: c["verdict"] for c in report["clauses"]}
missing = [i for i in ids if i not in verdicts]
assert not missing, "clauses missing from report.json: %s" % missing
allowed = {"pass", "fail", "inconclusive", "error", "not_applicable", "manual", "not_tested"}
bad = {i: v for i, v in verdicts.items() if v not in allowed}
assert not bad, "bad verdicts: %s" % bad
suite = ET.parse(d + "/junit.xml").getroot()
cases = suite.findall(".//testcase")
assert len(cases) == expected, "junit.xml has %d test cases" % len(cases)
html = open(d + "/report.html", encoding="utf-8").read()
for i in ids:
    assert i in html, "report.html lacks clause %s" % i
assert "<link" not in html and "src=\"http" not in html, "report.html is not self-contained"
# the catalog's interpretations of the standard travel with the report
notes = report["standard"]["notes"]
assert notes, "report.json carries no interpretation notes"
assert "Interpretations of the standard" in html, "report.html lacks the interpretations"
PY
		ok "$dut: every clause of its standard in report.json, junit.xml and report.html"
	else
		not_ok "$dut: every clause in every report" "$(tail -5 "$work/complete-$dut.log")"
	fi
done

# --- the .case files ---
for case in $(find "$root/tests/lab" -name '*.case' | sort); do
	name=${case#"$root/tests/lab/"}
	dut=$(sed -n 's/^dut: *//p' "$case")
	clause=$(sed -n 's/^clause: *//p' "$case")
	verdict=$(sed -n 's/^verdict: *//p' "$case")
	reason=$(sed -n 's/^reason: *//p' "$case")
	standard=$(sed -n 's/^standard: *//p' "$case")
	report="$(campaign_dir "$dut" "$standard")/report.json"
	if [ ! -f "$report" ]; then
		not_ok "$name" "no report for $dut"
		continue
	fi
	if out=$(python3 "$root/tests/lab/case-check.py" "$report" "$clause" "$verdict" "$reason" "$standard" 2>&1); then
		ok "$name ($clause $verdict)"
	else
		not_ok "$name" "$out"
	fi
done

# --- the evidence manifest: verify passes, then names a tampered file ---
for dut in $duts; do
	if "$dutlab" verify "$work/$dut" >"$work/verify.log" 2>&1; then
		ok "$dut: dutlab verify passes on an untouched campaign"
	else
		not_ok "$dut: dutlab verify" "$(tail -5 "$work/verify.log")"
	fi
done

# What the cameras' lane ran beside mgmt-good's campaigns (camera_tests).
relay "$work/camera-tests.log"
[ -f "$work/camera-tests.done" ] ||
	not_ok "the camera tests ran to their end" "$(tail -5 "$work/camera-tests.log")"
relay "$work/net-tests.log"
[ -f "$work/net-tests.done" ] ||
	not_ok "the firewall and switch tests ran to their end" "$(tail -5 "$work/net-tests.log")"
relay "$work/router-tests.log"
[ -f "$work/router-tests.done" ] ||
	not_ok "the router, Open vSwitch and layer-2/3 DUT tests ran to their end" \
		"$(tail -5 "$work/router-tests.log")"
relay "$work/routing-tests.log"
[ -f "$work/routing-tests.done" ] ||
	not_ok "the routing DUT tests ran to their end" "$(tail -5 "$work/routing-tests.log")"
for name in "stream-bad session reproducer" "stream duts" "stream udp sessions" \
	"stream refused teardown" "tls vs sslscan" \
	"ssh vs ssh-audit" "tls hostile" "login drivers" "http drivers" "health monitors" "packet rings" \
	"fragile fixtures"; do
	relay_script "$name"
done
# The management-plane tests run beside the last lanes (mgmt_tests).
for name in "mgmt dut" "auth vs hydra" "cockpit logout"; do
	relay_script "$name"
done

# The timeline, by end time: which lane, campaign or script sets the suite's length.
echo "# timeline (seconds from the start of the suite: start end what)"
sort -n -k2 "$work/timeline" 2>/dev/null | sed 's/^/#   /'
echo
summary
