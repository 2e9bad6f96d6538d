/* keys: the collectors of keys that must change: factory reset, certificate replacement, units */
#ifndef DUTLAB_CHECKS_KEYS_KEYS_H
#define DUTLAB_CHECKS_KEYS_KEYS_H

struct check;
struct check_context;
struct collector;
struct dl_error;
struct json_object;
struct keys_ports;
struct keys_snapshot_options;

/*
 * Each reads the discovery.scan observation (its only input) for the TLS
 * and SSH ports, and writes its transcripts and certificates under
 * evidence/keys/. Without the adapter operation it needs, a collector
 * returns an observation saying so ("operation_declared": false), never an
 * error: the judge makes that inconclusive (manual), as the clause still
 * stands.
 *
 * keys.factory-reset (TS-0014-1 5.4.1.4): snapshot, factory_reset, wait for
 * the ports, snapshot, factory_reset again, snapshot. The operation must
 * return once the reset has happened (a DUT that reboots: once it went
 * down); dutlab then waits, within the operation's timeout, until every TLS
 * and SSH port answers a TCP connect again:
 *   {"operation_declared": true, "address": "198.18.1.2",
 *    "ports": {"tls": [443], "ssh": [22]},
 *    "snapshots": [before, after1, after2],           (keys_snapshot JSON)
 *    "resets": [{"exit_status": 0, "timed_out": false, "duration_ms": 812,
 *                "services_back": true, "transcript": "evidence/keys/factory-reset-1.log"}],
 *    "stopped": null | "why the sequence ended early"}
 *
 * keys.replace-certificate (TS-0014-1 5.4.1.3): issue a lab CA and a leaf
 * (EC P-256, SAN the DUT's addresses), run replace_certificate with
 * {certificate} {key} set to them, re-read every TLS port:
 *   {"operation_declared": true, "address": ..., "ports": {...},
 *    "issued": {"sha256": .., "spki_sha256": .., "subject": ..,
 *               "certificate": "evidence/keys/lab-leaf.pem", "ca": "evidence/keys/lab-ca.pem"},
 *    "replace": {"exit_status", "timed_out", "duration_ms", "services_back", "transcript"},
 *    "before": snapshot, "after": snapshot,
 *    "ports_serving_issued": [443], "ports_not_serving_issued": []}
 *
 * keys.units (IoT-1006-1 5.2.1.3): a snapshot of each address of the DUT
 * and of every profile units[] entry:
 *   {"units": [{"serial": "SNG0000001", "dut": true, "snapshots": [..]},
 *              {"serial": "SNG0000003", "dut": false, "snapshots": [..]}],
 *    "firmware_keys": "not examined: ..."}
 */
extern const struct collector collector_keys_factory_reset;
extern const struct collector collector_keys_replace_certificate;
extern const struct collector collector_keys_units;

/* Their judges (checks/keys/judges.c, a draft for the lead): keys.factory-reset
 * (every key differs after each reset; parameter exclude_fingerprints: the
 * factory identity keys the profile declares), keys.replace-certificate
 * (every TLS port serves the issued certificate), keys.units (no key shared
 * between units). A missing operation or unit list gives "manual". */
extern const struct check check_keys_factory_reset;
extern const struct check check_keys_replace_certificate;
extern const struct check check_keys_units;

#endif
