#!/bin/bash
# compare-testssl: dutlab's TLS audit against testssl.sh on every server of the lab's TLS matrix (make check-peers).
#
# usage (as root): tests/lab/tls/compare-testssl.sh [BUILD]
# The same run as compare-sslscan.sh with testssl.sh 3.0.8 (`testssl --jsonfile-pretty FILE
# --warnings off --color 0 -p -E -S -H`) as the peer; about 15 s a port, so it is not
# part of `make check`.
exec "$(dirname "$0")/compare-sslscan.sh" --peer testssl "$@"
