#!/bin/sh
# run-fuzz: run one libFuzzer target from its seeds and regressions for SECONDS; fail on a crash
#
# Usage: tests/fuzz/run-fuzz.sh TARGET SECONDS
#   TARGET is a name (snmp, mdns, identify, ...; the binary is
#   $FUZZ_BUILD/tests/fuzz/fuzz-TARGET, FUZZ_BUILD defaulting to build-fuzz)
#   or the path of a fuzz-TARGET binary.
# First every file in regressions/TARGET/ is replayed (each must pass), then
# the fuzzer runs with -max_total_time=SECONDS on a scratch copy of
# corpus/TARGET/ (the seeds in git are never rewritten). A crash leaves its
# input in $FUZZ_ARTIFACTS (default /tmp/dutlab-fuzz-artifacts/TARGET/):
# fix the bug, then add the input to regressions/TARGET/ with a name that
# says what it caught.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
target=$1
seconds=$2
case "$target" in
*/*)
	binary=$target
	name=${FUZZ_CORPUS_NAME:-$(basename "$target" | sed 's/^fuzz-//')}
	;;
*)
	name=$target
	binary=${FUZZ_BUILD:-build-fuzz}/tests/fuzz/fuzz-$target
	;;
esac
[ -x "$binary" ] || { echo "run-fuzz: no fuzzer binary $binary; build with -Dfuzzers=true" >&2; exit 2; }
seeds=$here/corpus/$name
regressions=$here/regressions/$name
artifacts=${FUZZ_ARTIFACTS:-/tmp/dutlab-fuzz-artifacts/$name}
mkdir -p "$artifacts"
work=$(mktemp -d /tmp/dutlab-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
	echo "run-fuzz: replaying $(ls "$regressions" | wc -l) regression(s) for $name"
	"$binary" -runs=1 "$regressions"/* >"$work/regressions.log" 2>&1 || {
		cat "$work/regressions.log"
		echo "run-fuzz: a regression input for $name fails again" >&2
		exit 1
	}
fi
mkdir -p "$work/corpus"
set -- "$work/corpus"
[ -d "$seeds" ] && set -- "$@" "$seeds"
[ -d "$regressions" ] && set -- "$@" "$regressions"
echo "run-fuzz: fuzzing $name for ${seconds}s"
"$binary" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 -max_len=9000 \
	-print_final_stats=1 -artifact_prefix="$artifacts/" "$@" >"$work/fuzz.log" 2>&1 || {
	tail -60 "$work/fuzz.log"
	echo "run-fuzz: $name crashed; the input is in $artifacts/" >&2
	exit 1
}
grep -E "^stat::number_of_executed_units|^#[0-9]+.*DONE" "$work/fuzz.log" | tail -2
