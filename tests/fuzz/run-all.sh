#!/bin/sh
# run-all: run every fuzz target in a fuzz build for SECONDS each (make fuzz)
#
# Usage: tests/fuzz/run-all.sh BUILD_DIR SECONDS
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$1
seconds=$2
status=0
for binary in "$build"/tests/fuzz/fuzz-*; do
	[ -x "$binary" ] && [ -f "$binary" ] || continue
	"$here/run-fuzz.sh" "$binary" "$seconds" || status=1
done
exit "$status"
