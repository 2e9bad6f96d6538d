#!/bin/sh
# test-cli: `dutlab verify` exit status and output, against a manifest written by sha256sum itself
set -u
dutlab=$1
dir=$(mktemp -d /tmp/dutlab-test-cli.XXXXXX)
trap 'rm -rf "$dir"' EXIT
failed=0
check() { # check NAME EXPECTED-STATUS ACTUAL-STATUS
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: exit status $3, expected $2"
		failed=1
	else
		echo "ok: $1"
	fi
}
expect_line() { # expect_line NAME PATTERN FILE
	if grep -q -- "$2" "$3"; then echo "ok: $1"; else echo "FAIL: $1: no '$2' in:"; cat "$3"; failed=1; fi
}

mkdir -p "$dir/evidence/tcp"
printf 'pcap' > "$dir/evidence/scan.pcapng"
printf 'SSH-2.0-x\r\n' > "$dir/evidence/tcp/22.txt"
printf '{}\n' > "$dir/report.json"
printf '<!DOCTYPE html>\n' > "$dir/report.html"
printf '<testsuites/>\n' > "$dir/junit.xml"
(cd "$dir" && { find evidence -type f -print0; printf '%s\0' report.json report.html junit.xml; } |
	LC_ALL=C sort -z | xargs -0 sha256sum > "$dir.manifest") &&
	mv "$dir.manifest" "$dir/evidence/MANIFEST.sha256"

"$dutlab" verify "$dir" > "$dir.out" 2>&1; check "intact folder" 0 $?
expect_line "intact names the count" "intact: 5 files match" "$dir.out"

printf 'pcaq' > "$dir/evidence/scan.pcapng"
rm "$dir/junit.xml"
printf 'new' > "$dir/evidence/tcp/23.txt"
"$dutlab" verify "$dir" > "$dir.out" 2>&1; check "tampered folder" 1 $?
expect_line "changed file named" "^changed  *evidence/scan.pcapng" "$dir.out"
expect_line "missing file named" "^missing  *junit.xml" "$dir.out"
expect_line "added file named" "^added  *evidence/tcp/23.txt" "$dir.out"

rm "$dir/evidence/MANIFEST.sha256"
"$dutlab" verify "$dir" > "$dir.out" 2>&1; check "no manifest" 1 $?
expect_line "no manifest said" "MANIFEST.sha256" "$dir.out"

"$dutlab" verify > "$dir.out" 2>&1; check "verify without DIR" 2 $?
"$dutlab" verify "$dir" extra > "$dir.out" 2>&1; check "verify with two args" 2 $?
"$dutlab" verify "$dir/no-such" > "$dir.out" 2>&1; check "verify of a missing folder" 2 $?
"$dutlab" report > "$dir.out" 2>&1; check "report without DIR" 2 $?
"$dutlab" report "$dir" > "$dir.out" 2>&1; check "report of a folder without campaign.db" 2 $?
expect_line "report says what is missing" "has no campaign.db" "$dir.out"
rm -f "$dir.out"
exit $failed
