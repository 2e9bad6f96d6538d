/* campaign: a packet robustness campaign: mutated frames of a protocol mix at a rate, the DUT's
 * health watched, each failure windowed, replayed, bisected and saved as a reproducer */
#ifndef DUTLAB_FUZZ_CAMPAIGN_H
#define DUTLAB_FUZZ_CAMPAIGN_H

/*
 * The schedule is deterministic: case i of a campaign with seed S is
 * template T(S, i) (drawn by the mix's shares) mutated as mutate_planned(
 * S, i), so any case, any window and any failure can be rebuilt from the
 * seed and the indexes alone, in another run.
 *
 * The loop sends cases at profile.robustness.rate, polls the health set
 * every interval and, every CAMPAIGN_CHECKPOINT_SECONDS, writes where it is
 * (next index, seconds run, counts, failures) to campaign.db's meta table:
 * a campaign killed at hour 5 resumes at hour 5. On a health failure:
 *   1. the window: the cases sent from a little before the first failing
 *      sample (the monitors' threshold x interval + timeout + 2 s) to now;
 *   2. recovery: wait profile.robustness.recovery seconds for every
 *      monitor to recover, else run the power_cycle operation and wait
 *      again; a DUT that does not come back ends the campaign;
 *   3. replay the window: a failure again confirms it (else the failure
 *      stands unconfirmed, with its window);
 *   4. bisect: replay halves, keeping the one that fails, down to one case
 *      (or the smallest window that still fails when neither half does);
 *   5. save the reproducer as pcapng (its frames, each with a comment
 *      naming the case and its mutation), and carry on after the window.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct json_object;
struct profile;
struct scope;
struct template_addresses;

#define CAMPAIGN_CHECKPOINT_SECONDS 10
#define CAMPAIGN_FAILURES_MAX 16
#define CAMPAIGN_CHECKPOINT_KEY "robustness.packets.checkpoint"

struct campaign_config {
	const struct profile *profile; /* its robustness section, scope, addresses, operations */
	const char *evidence_dir;      /* the campaign's evidence folder: robustness/ goes in it */
	const char *campaign_dir;      /* campaign.db for checkpoints; NULL: none */
	int64_t deadline_ns;           /* a hard stop (the collector's deadline) */
	void (*progress)(void *opaque, uint64_t done, uint64_t total, const char *what);
	void *progress_opaque;
};

/*
 * Run (or resume) the campaign. *observation receives a new JSON object
 * (the caller puts it) with everything the judge and the report need:
 * seed, rate, seconds run against the duration asked, cases per protocol
 * and template with the anomaly coverage, health events and every failure
 * with its window, confirmation, minimal cases and reproducer. A DUT that
 * fails is not an error: 0 with the failure in the observation. Errors are
 * dutlab's own (no TX ring, a refused frame, no memory).
 */
int campaign_run(const struct campaign_config *c, struct json_object **observation,
		 struct dl_error *err);

/*
 * The addresses the packet templates (fuzz/template.h) need on the
 * profile's robustness.interface, as the campaign learns them: the DUT's
 * first IPv4 and IPv6 addresses of dut.addresses, the tester's own there
 * (a global IPv6 one first), tester_mac (the caller's port, as its ring
 * reads it) and the DUT's MAC: robustness.dut_mac, else asked by ARP
 * through the scope guard. The session campaign's frames plug-ins (ipv4,
 * ipv6) use it too. 0, DL_EINVAL (no way to learn the MAC), DL_ETIMEDOUT
 * (no ARP answer), DL_ESCOPE or DL_EIO.
 */
int campaign_addresses(const struct profile *p, const uint8_t tester_mac[6],
		       struct template_addresses *a, struct dl_error *err);

#endif
