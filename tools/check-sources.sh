#!/bin/sh
# check-sources: every .c file on disk is listed in a meson.build, so nothing is silently left out of the build.
set -eu
cd "$(dirname "$0")/.."
status=0
for f in $(git ls-files --cached --others --exclude-standard 'src/*.c' 'tests/*.c'); do
	dir=$(dirname "$f")
	base=$(basename "$f")
	# The file is listed in its own folder's meson.build or a parent's (with its subpath).
	found=0
	d=$dir
	rel=$base
	while [ "$d" != "." ]; do
		if [ -f "$d/meson.build" ] && grep -q "'$rel'" "$d/meson.build"; then
			found=1
			break
		fi
		rel="$(basename "$d")/$rel"
		d=$(dirname "$d")
	done
	if [ "$found" -eq 0 ]; then
		echo "check-sources: $f is not listed in any meson.build; add it to $dir/meson.build" >&2
		status=1
	fi
done
[ "$status" -eq 0 ] && echo "check-sources: every source file is in the build"
exit "$status"
