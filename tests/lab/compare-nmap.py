#!/usr/bin/env python3
"""compare-nmap: the open TCP ports and answering UDP services dutlab found must equal nmap's, per address, and its scan counts what its capture lost (capture_kernel_drops)."""
import json
import re
import sqlite3
import subprocess
import sys

campaign, namespace, interface = sys.argv[1:4]
db = sqlite3.connect(campaign + "/campaign.db")
observation = json.loads(db.execute(
    "SELECT observation FROM collector_run WHERE collector_id='discovery.scan'").fetchone()[0])
udp_ports = "123,161,1900,5353,69,514"
problems = []
for address in observation["addresses"]:
    ip = address["address"]
    ours_tcp = sorted(o["port"] for o in address["tcp"]["open"])
    ours_udp = sorted(s["port"] for s in address["udp"]["services"])
    six = ["-6"] if ":" in ip else []
    tcp = subprocess.run(["ip", "netns", "exec", namespace, "nmap", *six, "-sS", "-p-", "-T4",
                          "-n", "-Pn", "-e", interface, "-oG", "-", ip],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    nmap_tcp = sorted(int(p) for p in re.findall(r"(\d+)/open/tcp", tcp))
    # nmap's UDP scan with its protocol payloads: 'open' means a reply came back.
    udp = subprocess.run(["ip", "netns", "exec", namespace, "nmap", *six, "-sU", "-p", udp_ports,
                          "-n", "-Pn", "-e", interface, "--max-retries", "2", "-oG", "-", ip],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    nmap_udp = sorted(int(p) for p in re.findall(r"(\d+)/open/udp", udp))
    print("%s tcp: dutlab %s, nmap %s" % (ip, ours_tcp, nmap_tcp))
    print("%s udp (%s): dutlab %s, nmap %s" % (ip, udp_ports, ours_udp, nmap_udp))
    # the capture's loss as a number (the report's warning is its note)
    drops = address.get("capture_kernel_drops")
    print("%s capture: the kernel dropped %s packets" % (ip, drops))
    if not isinstance(drops, int) or drops < 0:
        problems.append("%s: the scan's observation has no capture_kernel_drops count" % ip)
    if ours_tcp != nmap_tcp:
        problems.append("%s: TCP ports differ" % ip)
    if ours_udp != nmap_udp:
        problems.append("%s: UDP services differ" % ip)
if problems:
    sys.exit("; ".join(problems))
