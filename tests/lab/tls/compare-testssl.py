#!/usr/bin/env python3
"""compare-testssl: dutlab's audit of one TLS endpoint must equal testssl.sh's: versions, suites per version, certificate problems, Heartbleed, DHE size.

usage: compare-testssl.py PORT DUTLAB_JSON TESTSSL_JSON
  DUTLAB_JSON  `dutlab tls --json ADDRESS:PORT`
  TESTSSL_JSON `testssl --jsonfile-pretty FILE --warnings off --color 0 -p -E -S -H ADDRESS:PORT`
Prints one TAP line ("ok - PORT: ..." or "not ok - PORT: ... (differences)") and exits 1
on a difference that no exception in peers.py explains.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

if len(sys.argv) != 4:
    sys.exit(__doc__)
sys.exit(peers.main(sys.argv, "testssl.sh", peers.read_testssl))
