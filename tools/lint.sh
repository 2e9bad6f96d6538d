#!/bin/sh
# lint: clang-format (no diff allowed), cppcheck over src/, and the banned-function guard.
set -eu
cd "$(dirname "$0")/.."
status=0

files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h')
if ! clang-format --dry-run --Werror $files 2>/tmp/dutlab-format.$$; then
	echo "lint: these files need 'make format':" >&2
	grep -o '^[^:]*\.[ch]' /tmp/dutlab-format.$$ | sort -u >&2
	status=1
fi
rm -f /tmp/dutlab-format.$$

if ! cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability \
	--inline-suppr --suppress=missingIncludeSystem -I src -I build \
	-D__GNUC__ -DDUTLAB_VERSION='"0"' -DDUTLAB_SOURCE_DIR='"."' -DDUTLAB_DATA_DIR='"."' \
	src 2>&1; then
	echo "lint: cppcheck found problems (above)" >&2
	status=1
fi

# banned.h is included through compat.h; make sure every .c file does.
for f in $(git ls-files --cached --others --exclude-standard 'src/*.c'); do
	first=$(grep -m1 '^#include' "$f" || true)
	if [ "$first" != '#include "core/compat.h"' ]; then
		echo "lint: $f: the first #include must be \"core/compat.h\" (it brings banned.h)" >&2
		status=1
	fi
done

[ "$status" -eq 0 ] && echo "lint: clean"
exit "$status"
