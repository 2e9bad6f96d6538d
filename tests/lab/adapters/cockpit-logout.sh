#!/bin/bash
# cockpit-logout: the HTTP drivers' WebSocket logout on mgmt-good's Cockpit: the session token is accepted before the logout and refused after it.
#
# usage (as root, from anywhere): tests/lab/adapters/cockpit-logout.sh [BUILD]
#   BUILD  the build directory holding src/cli/dutlab (default: build)
#
# cockpit-ws has no logout URL: its page sends {"command":"logout","disconnect":true} on the
# WebSocket /cockpit/socket. The profile's `cockpit` adapter says so (logout_websocket*), and
# `dutlab login` (src/cli/cmd-login.c) drives it as the operator (never the test account,
# which other tests lock). Controls: the same login without a logout keeps the token valid,
# and a WebSocket that sends only the init message (no logout) leaves it valid too, so the
# refusal is the logout's doing. mgmt-good is brought up only when it is not up, and down
# again only then. About 15 s.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$root" || exit 1
lab_build "${1:-}"
lab_work cockpit-logout
brought_up=""

cleanup() {
	[ -n "$brought_up" ] && "$lab" down mgmt-good >/dev/null 2>&1
}

need_root cockpit-logout.sh
need_dutlab cockpit-logout.sh
need_command cockpit-logout.sh python3

if [ ! -e /run/netns/dl-mgmt-good ]; then
	brought_up=1
	lab_up mgmt-good "$work/up.log"
fi

profile=$root/lab/duts/mgmt/good/profile.yaml
# The controls: no logout at all, and a WebSocket that only says init.
sed -e '/logout_websocket/d' -e '/logs out with a control message/d' "$profile" >"$work/no-logout.yaml"
sed -e "s#^\( *logout_websocket_send: \).*#\1'\\\\n{\"command\":\"init\",\"version\":1}'#" \
	"$profile" >"$work/init-only.yaml"

# run NAME PROFILE ARGS...: dutlab login as the operator; its JSON in $work/NAME.json.
run() {
	local name=$1 file=$2
	shift 2
	in_tester "$dutlab" login --profile "$file" --adapter cockpit --credential operator "$@" \
		>"$work/$name.json" 2>"$work/$name.err"
}

# check WHAT NAME STEP OUTCOME [STATUS [EXCERPT_ERE]]: step STEP of run NAME answered so.
check() {
	local what=$1 out
	shift
	if out=$(python3 - "$work/$1.json" "$2" "$3" "${4:-}" "${5:-}" <<'PY'
import json, re, sys
path, step, outcome, status, pattern = sys.argv[1:6]
try:
    steps = {s["step"]: s for s in json.load(open(path))["steps"]}
except (OSError, ValueError, KeyError) as e:
    print(f"no JSON answer: {e}")
    sys.exit(1)
s = steps.get(step)
if s is None:
    print(f"no step {step}; steps: {', '.join(steps)}")
    sys.exit(1)
said = f'{s["outcome"]} {s["status"]}, {s["latency_ms"]:.0f} ms: {s["excerpt"][:200]}'
if s["outcome"] != outcome or (status and s["status"] != int(status)) or \
        (pattern and not re.search(pattern, s["excerpt"])):
    print(said)
    sys.exit(1)
print(said)
PY
	); then
		ok "$what ($out)"
	else
		not_ok "$what" "$out" "$(head -c 300 "$work/$1.err")"
	fi
}

# 1. Before any logout the token is honoured on a new connection (the control).
run before "$work/no-logout.yaml" --token-probe
check "login as the operator" before login accepted 200
check "the token alone, no logout: accepted" before token_probe accepted 200

# 2. The WebSocket logout, then the token alone: refused.
run logout "$profile" --token-probe
check "websocket logout: 101 cockpit1, Cockpit closes with 1001 terminated" logout logout \
	accepted 101 "^101 cockpit1; sent 2 of 2 messages; the DUT closed with 1001 'terminated' .*its first message: \{\"command\":\"init\""
check "the token alone after the logout: refused" logout token_probe refused 401

# 3. The same session used again after the logout: refused.
run session "$profile" --logout
check "logout (--logout)" session logout accepted 101
check "the session after the logout: refused" session probe_after_logout refused 401

# 4. Over IPv6: Host and Origin carry the bracketed address.
run ipv6 "$profile" --address fd00:198:0:7::2 --token-probe
check "websocket logout over IPv6" ipv6 logout accepted 101 "closed with 1001"
check "the token after the IPv6 logout: refused" ipv6 token_probe refused 401

# 5. A WebSocket that only says init and closes with 1000: the session lives on, so the
# refusals above are the logout message's doing, not the socket's.
run init-only "$work/init-only.yaml" --token-probe
check "websocket without the logout message: Cockpit keeps it open" init-only logout \
	accepted 101 "kept the WebSocket open"
check "the token after a WebSocket without logout: still accepted" init-only token_probe \
	accepted 200

summary
