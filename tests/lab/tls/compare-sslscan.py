#!/usr/bin/env python3
"""compare-sslscan: dutlab's audit of one TLS endpoint must equal sslscan's: versions, suites per version, certificate problems, Heartbleed, DHE size.

usage: compare-sslscan.py PORT DUTLAB_JSON SSLSCAN_XML
  DUTLAB_JSON  `dutlab tls --json ADDRESS:PORT`
  SSLSCAN_XML  `sslscan --xml=- --show-certificate --no-colour ADDRESS:PORT`
Prints one TAP line ("ok - PORT: ..." or "not ok - PORT: ... (differences)") and exits 1
on a difference that no exception in peers.py explains.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

if len(sys.argv) != 4:
    sys.exit(__doc__)
sys.exit(peers.main(sys.argv, "sslscan", peers.read_sslscan))
