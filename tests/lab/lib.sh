# lib.sh: what the lab test scripts share: ok / not ok lines and their count, paths, the root check, the scratch directory, topology lookups, the check helpers and a session campaign's reproducer.
# shellcheck shell=bash
#
# Sourced, never executed, by the scripts under tests/lab before anything else:
#   # shellcheck source=SCRIPTDIR/../lib.sh
#   . "$(dirname "$0")/../lib.sh"
# It sets root (the source tree, from wherever the script was started), lab (lab/lab)
# and the counters. run-lab-tests.sh's run_script reads the lines ok, not_ok and summary
# print ("ok - ", "not ok - ", "#   " details): change them there too, or not at all.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
lab=$root/lab/lab
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}

# not_ok WHAT [DETAIL...]: each DETAIL on a "#   " line of its own under the failure.
not_ok() {
	local line
	failed=$((failed + 1))
	echo "not ok - $1"
	shift
	for line in "$@"; do echo "#   $line"; done
}

# summary [PREFIX]: "N passed, M failed"; the status is the script's: non-zero on a failure.
# shellcheck disable=SC2120 # PREFIX is optional
summary() {
	echo "${1:-}$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# relay FILE [PREFIX]: FILE's ok / not ok lines (another script's), counted here as ours with
# PREFIX in front, and its "#" lines as they are; anything else is dropped.
relay() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${2:-}${line#ok - }" ;;
		"not ok - "*) not_ok "${2:-}${line#not ok - }" ;;
		"#"*) echo "$line" ;;
		esac
	done <"$1"
}

# lab_build [BUILD]: build and dutlab from a build directory, absolute or relative to the
# source root (not to the current directory); default: build.
lab_build() {
	build=${1:-build}
	case $build in /*) ;; *) build=$root/$build ;; esac
	dutlab=$build/src/cli/dutlab
}

# need_root NAME [WHY]: the lab makes network namespaces; anyone else stops here, exit 1.
need_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	echo "$1: ${2:-the lab needs root (network namespaces)}" >&2
	exit 1
}

# need_dutlab NAME [WHY]: stop (exit 1) when lab_build's dutlab is not built.
need_dutlab() {
	[ -x "$dutlab" ] && return 0
	echo "$1: ${2:-build first: $dutlab}" >&2
	exit 1
}

# need_command NAME COMMAND: stop (exit 1) when a peer tool the lab installs is missing.
need_command() {
	command -v "$2" >/dev/null && return 0
	echo "$1: $2 is not installed (tools/install-deps.sh lab)" >&2
	exit 1
}

# lab_work NAME: $work, a scratch directory /tmp/dutlab-NAME.XXXXXX, removed on exit after
# the script's own cleanup function (when it has one) ran; INT and TERM exit 130 that way.
lab_work() {
	work=$(mktemp -d "/tmp/dutlab-$1.XXXXXX")
	trap lab_exit EXIT
	trap 'exit 130' INT TERM
}

lab_exit() {
	if declare -F cleanup >/dev/null; then
		cleanup
	fi
	rm -rf "$work"
}

# lab_up DUT LOG: bring DUT up (lab up's output in LOG) or, as nothing can run without it,
# print the failure with LOG's tail and the summary, and exit 1.
lab_up() {
	if "$lab" up "$1" >"$2" 2>&1; then
		ok "lab up $1"
	else
		not_ok "lab up $1" "$(tail -5 "$2")"
		summary
		exit 1
	fi
}

in_tester() {
	ip netns exec dl-tester "$@"
}

# ---- reading the lab's topologies, and asserting on commands (a script may define its own
# check or topo of another shape: a later definition wins) ----

# topo NAME KEY: a key of lab DUT NAME's topology file (NAME kind-variant: routing-frr).
topo() {
	sed -n "s/^$2=//p" "$root/lab/duts/${1%-*}/${1##*-}/topology"
}

# addr NAME KEY: the key's address without its prefix length.
addr() {
	local a
	a=$(topo "$1" "$2")
	echo "${a%/*}"
}

# check WHAT COMMAND...: ok if COMMAND succeeds, else not ok with its output.
check() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$what"
	else
		not_ok "$what" "$(printf '%s' "$out" | tail -5)"
	fi
}

# refuse WHAT COMMAND...: ok if COMMAND fails.
refuse() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		not_ok "$what" "it succeeded: $(printf '%s' "$out" | tail -3)"
	else
		ok "$what"
	fi
}

# has FILE REGEX: FILE (a peer's output) has a line matching REGEX; else print the file.
has() {
	grep -Eq "$2" "$1" && return 0
	echo "no line matching '$2' in:"
	cat "$1"
	return 1
}

# within SECONDS COMMAND...: COMMAND succeeds within SECONDS (tried every 0.2 s); else its
# last output.
within() {
	local i n=$(($1 * 5)) out
	shift
	for ((i = 0; i < n; i++)); do
		out=$("$@" 2>&1) && return 0
		sleep 0.2
	done
	printf '%s\n' "$out" | tail -5
	return 1
}

# session_reproducer CAMPAIGN DUT: of the robustness.sessions run in CAMPAIGN (a finished
# campaign of DUT), $observation (its JSON in campaign.db), $pcap (its first failure's
# reproducer, relative to CAMPAIGN) and $file (that file); with none saved: not ok, the
# summary, and the script exits.
session_reproducer() {
	observation=$(sqlite3 "$1/campaign.db" \
		"SELECT observation FROM collector_run WHERE collector_id='robustness.sessions'")
	pcap=$(printf '%s' "$observation" | python3 -c '
import json, sys
o = json.load(sys.stdin)
f = o["failures"][0] if o.get("failures") else {}
print(f.get("reproducer", ""))')
	if [ -z "$pcap" ] || [ ! -f "$1/$pcap" ]; then
		not_ok "$2: the session campaign saved a reproducer" "observation: ${observation:0:300}"
		summary "$2 session reproducer: "
		exit
	fi
	# shellcheck disable=SC2034 # the caller's
	file=$1/$pcap
}

# captured_sessions DUT PROFILE SECONDS FILTER [TSHARK-OPTION...]: `dutlab fuzz --sessions` of
# PROFILE for SECONDS inside dl-tester, output in $work/DUT and its log in $work/DUT.out, while
# tshark captures DUT's tester port (capture filter FILTER) into $work/DUT.pcapng; the capture
# starts before the first session and stops after the last answer. Returns dutlab's status.
captured_sessions() {
	local d=$1 profile=$2 seconds=$3 filter=$4 cap status
	shift 4
	ip netns exec dl-tester timeout $((seconds + 30)) tshark -q -i "$(topo "$d" tester_if)" \
		"$@" -w "$work/$d.pcapng" -f "$filter" >/dev/null 2>&1 &
	cap=$!
	sleep 1.5
	in_tester "$dutlab" fuzz --profile "$profile" --output "$work/$d" --duration "$seconds" \
		--sessions >"$work/$d.out" 2>&1
	status=$?
	sleep 1
	kill "$cap" 2>/dev/null
	wait "$cap" 2>/dev/null
	return "$status"
}
