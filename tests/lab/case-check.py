#!/usr/bin/env python3
"""case-check: assert one lab case (clause, verdict, reason regex) against a campaign's report.json."""
import json, re, sys
report, clause, verdict, reason = sys.argv[1:5]
standard = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] else None
r = json.load(open(report, encoding="utf-8"))
assert standard is None or r["standard"]["id"] == standard, \
    "the campaign tested %s, the case is about %s" % (r["standard"]["id"], standard)
c = [c for c in r["clauses"] if c["id"] == clause]
assert c, "clause %s not in the report" % clause
c = c[0]
texts = [c.get("summary") or ""] + [f.get("text", "") for f in c.get("findings", [])]
assert c["verdict"] == verdict, "verdict %s, expected %s: %s" % (c["verdict"], verdict, c.get("summary"))
assert any(re.search(reason, t) for t in texts), \
    "no summary or finding matches /%s/; summary: %s" % (reason, c.get("summary"))
