#!/bin/bash
# fixtures.sh: the lab's four fragile fixtures (lab/bin/fragile-*.py over lab/bin/fixture.py) serve, report and die of exactly their trigger, on the loopback of a private network namespace.
#
# Runnable alone, as root: tests/lab/robustness/fixtures.sh. Needs no lab DUT: each fixture
# runs from lab/bin in a network namespace of its own (unshare -n, only 127.0.0.1 and ::1),
# and fixtures.py checks its shared arguments, its service, status port and syslog lines,
# and its death (exit 70, FIXTURE FAULT, a critical syslog line).
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
need_root fixtures.sh
need_command fixtures.sh openssl
lab_work fixtures
PYTHONDONTWRITEBYTECODE=1 unshare --net /bin/sh -c 'ip link set lo up && exec "$@"' sh \
	/usr/bin/python3 "$root/tests/lab/robustness/fixtures.py" "$root/lab/bin" "$work" \
	>"$work/out.txt" 2>&1
status=$?
relay "$work/out.txt"
if [ "$status" -ne 0 ] && ! grep -q '^not ok - ' "$work/out.txt"; then
	not_ok "fixtures.py exited $status" "$(tail -5 "$work/out.txt")"
fi
summary
