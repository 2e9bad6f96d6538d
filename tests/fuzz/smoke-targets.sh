#!/bin/sh
# smoke-targets: the ninja targets of the fuzz-smoke suite's fuzzers in a fuzz build, so make check builds only them (not the unit tests a second time, with clang).
#
# Usage: tests/fuzz/smoke-targets.sh BUILD-FUZZ   (prints paths relative to BUILD-FUZZ)
set -eu
build=${1:?usage: smoke-targets.sh BUILD-FUZZ}
meson introspect "$build" --tests | python3 -c '
import json, os, sys
build = os.path.realpath(sys.argv[1])
targets = set()
for t in json.load(sys.stdin):
    if any(s.endswith("fuzz-smoke") for s in t["suite"]):
        fuzzer = t["cmd"][1]  # [run-fuzz.sh, fuzzer, seconds]
        targets.add(os.path.relpath(fuzzer, build) if os.path.isabs(fuzzer) else fuzzer)
if not targets:
    sys.exit("smoke-targets: no fuzz-smoke test in %s (was it set up with -Dfuzzers=true?)" % build)
print(" ".join(sorted(targets)))
' "$build"
