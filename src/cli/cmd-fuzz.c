/* cmd-fuzz: `dutlab fuzz`: the mutation engine's templates and test cases, written as pcapng */
#include "core/compat.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "core/error.h"
#include "core/profile.h"
#include "core/store.h"
#include "core/monotonic.h"
#include "core/text.h"
#include "fuzz/campaign.h"
#include "fuzz/mutate.h"
#include "fuzz/session.h"
#include "fuzz/template.h"
#include "net/pcapng.h"
#include "proto/layer.h"
#include "proto/packet.h"

/*
 * Hidden for now: the campaign (`dutlab fuzz --profile P ...`: the mix,
 * the rate, the health monitors) comes with the robustness checks. What is
 * here lets tests and people look at the engine's output: the valid frames,
 * any test case regenerated from its id, and the engine's speed.
 */

#define FUZZ_COUNT_MAX 10000000u
#define FUZZ_SNAPLEN 65535u

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dutlab fuzz --list\n"
		"       dutlab fuzz --write-templates FILE.pcapng\n"
		"       dutlab fuzz --write-cases FILE.pcapng --template NAME --seed S --count N\n"
		"       dutlab fuzz --case NAME:SEED:INDEX --write FILE.pcapng\n"
		"       dutlab fuzz --speed --template NAME [--count N]\n"
		"       dutlab fuzz --profile FILE --output DIR [--duration S] [--seed S]\n"
		"                   [--sessions]\n"
		"\n"
		"With --profile: run the profile's robustness campaign (its robustness section,\n"
		"docs/profile.md) against the DUT, outside a full 'dutlab run': evidence goes\n"
		"into DIR/evidence/robustness, the observation into DIR/robustness.json and on\n"
		"standard output, checkpoints into DIR/campaign.db (the same command again\n"
		"resumes where a killed run stopped). Frames are sent. With --sessions: the\n"
		"session campaign instead (robustness.sessions: the mix's session protocols,\n"
		"such as bgp, mutated inside established sessions).\n"
		"\n"
		"Show the mutation engine's templates (protocol, fields, (field, anomaly) pairs\n"
		"offered), write every template's valid frame, write test cases (each frame's\n"
		"comment names its case and mutations), regenerate one case alone from its id,\n"
		"or measure how many cases per second one core makes. Nothing is sent.\n"
		"\n"
		"  --level L        anomalies stacked per case, 1-%d (default 1)\n"
		"  --checksums      allow wrong checksums\n"
		"  --fragments      allow IPv4/IPv6 fragment overlaps and gaps (several frames)\n"
		"  --frame-max B    longest frame a growing anomaly makes (default %d)\n"
		"  --tester-mac M, --dut-mac M, --tester4 A, --dut4 A, --tester6 A, --dut6 A,\n"
		"  --vlan ID        the addresses the templates use (default: lab addresses)\n"
		"\n"
		"A case is (template, seed, index) with the same options: any one is rebuilt\n"
		"byte for byte. Exit status: 0 done, 1 failed, 2 bad usage.\n",
		MUTATION_STACK_MAX, MUTATION_FRAME_DEFAULT);
}

struct fuzz_args {
	bool list, speed, sessions;
	const char *write_templates, *write_cases, *write, *template, *case_id;
	const char *profile, *output;
	uint64_t duration;
	uint64_t seed, count, level, frame_max;
	bool have_seed, have_count;
	bool checksums, fragments;
	struct template_addresses addresses;
};

static bool parse_mac(const char *text, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++, text++) {
			char c = *text;
			unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
				     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
				     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
							    : 16;
			if (d > 15)
				return false;
			v = v * 16 + d;
		}
		mac[i] = (uint8_t)v;
		if (i < 5 && *text++ != ':')
			return false;
	}
	return *text == '\0';
}

static void default_addresses(struct template_addresses *a)
{
	/* the lab's ring/bench subnet (198.18.18.0/24, fd00:198:0:18::/64), locally administered
	 * MACs */
	static const uint8_t tester[6] = {0x02, 0x00, 0x5e, 0x18, 0x00, 0x01};
	static const uint8_t dut[6] = {0x02, 0x00, 0x5e, 0x18, 0x00, 0x02};
	memset(a, 0, sizeof(*a));
	memcpy(a->tester_mac, tester, 6);
	memcpy(a->dut_mac, dut, 6);
	inet_pton(AF_INET, "198.18.18.1", &a->tester4);
	inet_pton(AF_INET, "198.18.18.2", &a->dut4);
	inet_pton(AF_INET6, "fd00:198:0:18::1", &a->tester6);
	inet_pton(AF_INET6, "fd00:198:0:18::2", &a->dut6);
}

static int bad_value(const char *option, const char *value, const char *want)
{
	fprintf(stderr, "dutlab fuzz: %s '%s' is not %s; see 'dutlab fuzz --help'\n", option, value,
		want);
	return 2;
}

static int parse_args(int argc, char **argv, struct fuzz_args *a)
{
	memset(a, 0, sizeof(*a));
	a->level = 1;
	default_addresses(&a->addresses);
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;
		if (strcmp(o, "--list") == 0) {
			a->list = true;
			takes = false;
		} else if (strcmp(o, "--speed") == 0) {
			a->speed = true;
			takes = false;
		} else if (strcmp(o, "--sessions") == 0) {
			a->sessions = true;
			takes = false;
		} else if (strcmp(o, "--checksums") == 0) {
			a->checksums = true;
			takes = false;
		} else if (strcmp(o, "--fragments") == 0) {
			a->fragments = true;
			takes = false;
		} else if (!v) {
			fprintf(stderr, "dutlab fuzz: '%s' is not an option or lacks its value\n",
				o);
			return 2;
		} else if (strcmp(o, "--write-templates") == 0) {
			a->write_templates = v;
		} else if (strcmp(o, "--write-cases") == 0) {
			a->write_cases = v;
		} else if (strcmp(o, "--profile") == 0) {
			a->profile = v;
		} else if (strcmp(o, "--output") == 0) {
			a->output = v;
		} else if (strcmp(o, "--duration") == 0) {
			if (text_parse_u64(v, 7 * 24 * 3600, &a->duration) || !a->duration)
				return bad_value(o, v, "a duration of 1 to 604800 seconds");
		} else if (strcmp(o, "--write") == 0) {
			a->write = v;
		} else if (strcmp(o, "--template") == 0) {
			a->template = v;
		} else if (strcmp(o, "--case") == 0) {
			a->case_id = v;
		} else if (strcmp(o, "--seed") == 0) {
			if (text_parse_u64(v, UINT64_MAX, &a->seed))
				return bad_value(o, v, "a number");
			a->have_seed = true;
		} else if (strcmp(o, "--count") == 0) {
			if (text_parse_u64(v, FUZZ_COUNT_MAX, &a->count) || !a->count)
				return bad_value(o, v, "a count of 1 to 10000000");
			a->have_count = true;
		} else if (strcmp(o, "--level") == 0) {
			if (text_parse_u64(v, MUTATION_STACK_MAX, &a->level) || !a->level)
				return bad_value(o, v, "a level of 1 to 8");
		} else if (strcmp(o, "--frame-max") == 0) {
			if (text_parse_u64(v, PACKET_BYTES_MAX, &a->frame_max) || a->frame_max < 60)
				return bad_value(o, v, "a frame size of 60 to 9216 bytes");
		} else if (strcmp(o, "--tester-mac") == 0) {
			if (!parse_mac(v, a->addresses.tester_mac))
				return bad_value(o, v, "a MAC address (02:00:5e:00:00:01)");
		} else if (strcmp(o, "--dut-mac") == 0) {
			if (!parse_mac(v, a->addresses.dut_mac))
				return bad_value(o, v, "a MAC address (02:00:5e:00:00:02)");
		} else if (strcmp(o, "--tester4") == 0 || strcmp(o, "--dut4") == 0) {
			struct in_addr *at =
				o[2] == 't' ? &a->addresses.tester4 : &a->addresses.dut4;
			if (inet_pton(AF_INET, v, at) != 1)
				return bad_value(o, v, "an IPv4 address");
		} else if (strcmp(o, "--tester6") == 0 || strcmp(o, "--dut6") == 0) {
			struct in6_addr *at =
				o[2] == 't' ? &a->addresses.tester6 : &a->addresses.dut6;
			if (inet_pton(AF_INET6, v, at) != 1)
				return bad_value(o, v, "an IPv6 address");
		} else if (strcmp(o, "--vlan") == 0) {
			uint64_t id;
			if (text_parse_u64(v, 4094, &id) || !id)
				return bad_value(o, v, "a VLAN id of 1 to 4094");
			a->addresses.vlan = (uint16_t)id;
		} else {
			fprintf(stderr,
				"dutlab fuzz: '%s' is not an option; see 'dutlab fuzz --help'\n",
				o);
			return 2;
		}
		if (takes)
			i++;
	}
	return 0;
}

static void fuzz_options(const struct fuzz_args *a, struct mutation_options *o)
{
	memset(o, 0, sizeof(*o));
	o->level = (unsigned)a->level;
	o->checksums = a->checksums;
	o->fragments = a->fragments;
	o->frame_max = (uint32_t)a->frame_max;
}

static int build_template(const struct fuzz_template *t, const struct template_addresses *a,
			  struct packet *p)
{
	struct dl_error err = {0};
	packet_init(p);
	if (t->build(p, a, &err) != 0) {
		fprintf(stderr, "dutlab fuzz: template %s: %s\n", t->name, err.message);
		return 1;
	}
	return 0;
}

static const struct fuzz_template *find_template(const char *name)
{
	const struct fuzz_template *t = fuzz_template_find(name);
	if (!t)
		fprintf(stderr,
			"dutlab fuzz: no template is named '%s'; 'dutlab fuzz --list' names them\n",
			name);
	return t;
}

static int fuzz_list(const struct fuzz_args *a, struct packet *p)
{
	struct mutation_options o;
	fuzz_options(a, &o);
	struct mutation_plan *plan = calloc(1, sizeof(*plan));
	if (!plan)
		return 1;
	const char *protocols[64];
	size_t n = fuzz_template_protocols(protocols, DL_ARRAY_SIZE(protocols));
	printf("protocols:");
	for (size_t i = 0; i < n && i < DL_ARRAY_SIZE(protocols); i++)
		printf(" %s", protocols[i]);
	printf("\n(pairs: the (field, anomaly) pairs the valid frame offers%s%s)\n",
	       o.checksums ? ", with checksums" : "", o.fragments ? ", with fragments" : "");
	printf("\n%-32s %-18s %6s %6s %6s  %s\n", "template", "protocol", "bytes", "fields",
	       "pairs", "title");
	int status = 0;
	for (size_t i = 0; i < fuzz_template_count; i++) {
		const struct fuzz_template *t = fuzz_templates[i];
		if (build_template(t, &a->addresses, p) != 0) {
			status = 1;
			continue;
		}
		mutate_plan_build(plan, p, t, &o);
		printf("%-32s %-18s %6" PRIu32 " %6u %6zu  %s\n", t->name, t->protocol, p->length,
		       p->field_count, plan->pair_count, t->title);
	}
	free(plan);
	return status;
}

static int fuzz_write_templates(const struct fuzz_args *a, struct packet *p)
{
	struct dl_error err = {0};
	struct pcapng_writer w;
	if (pcapng_open(&w, a->write_templates, 1, FUZZ_SNAPLEN, "dutlab-fuzz",
			"dutlab fuzz: every template's valid frame", 0, &err) != 0) {
		fprintf(stderr, "dutlab fuzz: %s\n", err.message);
		return 1;
	}
	int status = 0;
	for (size_t i = 0; i < fuzz_template_count; i++) {
		const struct fuzz_template *t = fuzz_templates[i];
		if (build_template(t, &a->addresses, p) != 0) {
			status = 1;
			continue;
		}
		/* the models' layers close the comment: tests/unit/proto/tshark-frames.sh expects
		 * tshark to find the innermost one */
		char comment[512];
		size_t at =
			(size_t)snprintf(comment, sizeof(comment), "template %s (%s): %s [layers",
					 t->name, t->protocol, t->title);
		for (int l = 0; l < p->layer_count && at < sizeof(comment); l++)
			at += (size_t)snprintf(comment + at, sizeof(comment) - at, " %s",
					       p->layers[l].model ? p->layers[l].model->name : "?");
		if (at < sizeof(comment))
			snprintf(comment + at, sizeof(comment) - at, "]");
		if (pcapng_write_packet(&w, 0, (uint32_t)i, p->bytes, p->length, p->length, comment,
					&err) != 0) {
			fprintf(stderr, "dutlab fuzz: %s\n", err.message);
			status = 1;
			break;
		}
	}
	if (pcapng_close(&w, &err) != 0) {
		fprintf(stderr, "dutlab fuzz: %s\n", err.message);
		status = 1;
	}
	if (!status)
		printf("dutlab fuzz: wrote %zu templates' valid frames to %s\n",
		       fuzz_template_count, a->write_templates);
	return status;
}

/* Write cases [first, first + count) of t into path, each frame commented with its case. */
static int write_cases(const struct fuzz_args *a, const struct fuzz_template *t, const char *path,
		       uint64_t first, uint64_t count, struct packet *valid, struct packet *frames)
{
	struct mutation_options o;
	fuzz_options(a, &o);
	if (build_template(t, &a->addresses, valid) != 0)
		return 1;
	struct mutation_plan *plan = calloc(1, sizeof(*plan));
	if (!plan)
		return 1;
	mutate_plan_build(plan, valid, t, &o);
	struct dl_error err = {0};
	struct pcapng_writer w;
	char comment[1024];
	snprintf(comment, sizeof(comment),
		 "dutlab fuzz: template %s, seed %" PRIu64 ", level %u%s%s", t->name, a->seed,
		 o.level, o.checksums ? ", checksums" : "", o.fragments ? ", fragments" : "");
	if (pcapng_open(&w, path, 1, FUZZ_SNAPLEN, "dutlab-fuzz", comment, 0, &err) != 0) {
		fprintf(stderr, "dutlab fuzz: %s\n", err.message);
		free(plan);
		return 1;
	}
	int status = 0;
	uint64_t written = 0;
	struct fuzz_coverage *coverage = calloc(1, sizeof(*coverage));
	if (!coverage) {
		fprintf(stderr, "dutlab fuzz: out of memory\n");
		status = 1;
	} else {
		coverage_init(coverage);
	}
	for (uint64_t k = 0; k < count && !status; k++) {
		struct fuzz_case c;
		uint64_t index = first + k;
		if (mutate_planned(plan, a->seed, index, frames, &c, &err) != 0) {
			fprintf(stderr, "dutlab fuzz: case %s:%" PRIu64 ":%" PRIu64 ": %s\n",
				t->name, a->seed, index, err.message);
			status = 1;
			break;
		}
		coverage_add(coverage, &c);
		fuzz_case_describe(&c, comment, sizeof(comment));
		for (size_t f = 0; f < c.frame_count; f++) {
			if (pcapng_write_packet(&w, (int64_t)(written / 1000000),
						(uint32_t)(written % 1000000), frames[f].bytes,
						frames[f].length, frames[f].length, comment,
						&err) != 0) {
				fprintf(stderr, "dutlab fuzz: %s\n", err.message);
				status = 1;
				break;
			}
			written++;
		}
		if (count == 1)
			printf("%s\n", comment);
	}
	free(plan);
	if (pcapng_close(&w, &err) != 0) {
		fprintf(stderr, "dutlab fuzz: %s\n", err.message);
		status = 1;
	}
	if (!status && count > 1) {
		size_t offered, hit;
		coverage_of_template(coverage, valid, t, &o, &offered, &hit);
		printf("dutlab fuzz: wrote %" PRIu64 " cases (%" PRIu64 " frames) of %s to %s; "
		       "they cover %zu of the %zu (field, anomaly) pairs offered\n",
		       count, written, t->name, path, hit, offered);
	}
	free(coverage);
	return status;
}

/* NAME:SEED:INDEX */
static int parse_case(const char *id, char *name, size_t name_size, uint64_t *seed, uint64_t *index)
{
	const char *c1 = strchr(id, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char number[32];
	if (!c1 || !c2 || (size_t)(c1 - id) >= name_size || c1 == id ||
	    (size_t)(c2 - c1 - 1) >= sizeof(number))
		return -1;
	memcpy(name, id, (size_t)(c1 - id));
	name[c1 - id] = '\0';
	memcpy(number, c1 + 1, (size_t)(c2 - c1 - 1));
	number[c2 - c1 - 1] = '\0';
	if (text_parse_u64(number, UINT64_MAX, seed) || text_parse_u64(c2 + 1, UINT64_MAX, index))
		return -1;
	return 0;
}

static int fuzz_speed(const struct fuzz_args *a, const struct fuzz_template *t,
		      struct packet *valid, struct packet *frames)
{
	struct mutation_options o;
	fuzz_options(a, &o);
	if (build_template(t, &a->addresses, valid) != 0)
		return 1;
	struct mutation_plan *plan = calloc(1, sizeof(*plan));
	if (!plan)
		return 1;
	mutate_plan_build(plan, valid, t, &o);
	uint64_t count = a->have_count ? a->count : 1000000;
	struct dl_error err = {0};
	struct fuzz_case c;
	uint64_t bytes = 0;
	/* packet_copy() alone first: the floor every case pays */
	int64_t start = monotonic_ns();
	for (uint64_t i = 0; i < count; i++) {
		packet_copy(&frames[0], valid);
		bytes += frames[0].bytes[i % frames[0].length];
	}
	int64_t copy_ns = monotonic_ns() - start;
	/* and with packet_finish(), which every case runs at least once */
	start = monotonic_ns();
	for (uint64_t i = 0; i < count; i++) {
		packet_copy(&frames[0], valid);
		packet_finish(&frames[0], &err);
		bytes += frames[0].bytes[i % frames[0].length];
	}
	int64_t finish_ns = monotonic_ns() - start;
	start = monotonic_ns();
	for (uint64_t i = 0; i < count; i++) {
		if (mutate_planned(plan, a->seed, i, frames, &c, &err) != 0) {
			fprintf(stderr, "dutlab fuzz: case %" PRIu64 ": %s\n", i, err.message);
			free(plan);
			return 1;
		}
		bytes += frames[0].length;
	}
	int64_t ns = monotonic_ns() - start;
	size_t pairs = plan->pair_count;
	free(plan);
	double per = (double)ns / (double)count, copy = (double)copy_ns / (double)count;
	double finish = (double)finish_ns / (double)count;
	printf("%s: %" PRIu64 " cases in %.3f s on one core: %.0f cases/s, %.0f ns per case "
	       "(packet_copy alone %.0f ns, packet_copy + packet_finish %.0f ns), %zu pairs, "
	       "level %u (checksum %" PRIu64 ")\n",
	       t->name, count, (double)ns / 1e9, 1e9 / per, per, copy, finish, pairs, o.level,
	       bytes % 251);
	return 0;
}

/* The profile's robustness campaign, standalone. */
static int fuzz_campaign(const struct fuzz_args *a)
{
	if (!a->output) {
		fprintf(stderr, "dutlab fuzz: --profile needs --output DIR\n");
		return 2;
	}
	struct profile p;
	struct dl_error err = {0};
	if (profile_load(&p, a->profile, &err) != 0) {
		fprintf(stderr, "dutlab fuzz: %s\n", err.message);
		return 2;
	}
	if (a->duration)
		p.robustness.duration_seconds = (unsigned)a->duration;
	if (a->have_seed)
		p.robustness.seed = (unsigned)(a->seed & 0x7fffffffu);
	char evidence[4096];
	snprintf(evidence, sizeof(evidence), "%s/evidence", a->output);
	int status = 1;
	if ((mkdir(a->output, 0755) != 0 && errno != EEXIST) ||
	    (mkdir(evidence, 0755) != 0 && errno != EEXIST)) {
		fprintf(stderr, "dutlab fuzz: cannot create %s: %s\n", evidence, strerror(errno));
		profile_release(&p);
		return 1;
	}
	/* DIR/campaign.db holds the checkpoints: the same command again resumes there */
	struct store store;
	if (store_open(&store, a->output, true, &err) != 0) {
		fprintf(stderr, "dutlab fuzz: %s\n", err.message);
		profile_release(&p);
		return 1;
	}
	store_close(&store);
	struct campaign_config c = {
		.profile = &p,
		.evidence_dir = evidence,
		.campaign_dir = a->output,
		/* the campaign's own deadline: its duration and an hour for failures */
		.deadline_ns = monotonic_ns() +
			       ((int64_t)p.robustness.duration_seconds + 3600) * 1000000000LL,
	};
	struct json_object *o = NULL;
	int rc = a->sessions ? session_run(&c, &o, &err) : campaign_run(&c, &o, &err);
	if (rc != 0) {
		fprintf(stderr, "dutlab fuzz: %s\n", err.message);
	} else {
		char path[4200];
		snprintf(path, sizeof(path), "%s/robustness.json", a->output);
		const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
		FILE *f = fopen(path, "w");
		if (f && fputs(text, f) >= 0 && fclose(f) == 0)
			status = 0;
		else
			fprintf(stderr, "dutlab fuzz: cannot write %s\n", path);
		puts(text);
		json_object_put(o);
	}
	profile_release(&p);
	return status;
}

int cmd_fuzz(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	struct fuzz_args a;
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc;
	int modes = a.list + a.speed + !!a.write_templates + !!a.write_cases + !!a.case_id +
		    !!a.profile;
	if (modes != 1) {
		usage(stderr);
		return 2;
	}
	if (a.sessions && !a.profile) {
		fprintf(stderr, "dutlab fuzz: --sessions goes with --profile FILE --output DIR\n");
		return 2;
	}
	if (a.profile)
		return fuzz_campaign(&a);
	struct packet *frames = calloc(MUTATION_FRAMES_MAX + 1, sizeof(*frames));
	if (!frames) {
		fprintf(stderr, "dutlab fuzz: out of memory\n");
		return 1;
	}
	struct packet *valid = &frames[MUTATION_FRAMES_MAX];
	int status = 2;
	if (a.list) {
		status = fuzz_list(&a, valid);
	} else if (a.write_templates) {
		status = fuzz_write_templates(&a, valid);
	} else if (a.write_cases || a.speed) {
		const struct fuzz_template *t = a.template ? find_template(a.template) : NULL;
		if (!a.template || (a.write_cases && (!a.have_seed || !a.have_count))) {
			fprintf(stderr, "dutlab fuzz: %s needs --template NAME%s\n",
				a.speed ? "--speed" : "--write-cases",
				a.speed ? "" : ", --seed S and --count N");
		} else if (!t) {
			status = 1;
		} else if (a.speed) {
			status = fuzz_speed(&a, t, valid, frames);
		} else {
			status = write_cases(&a, t, a.write_cases, 0, a.count, valid, frames);
		}
	} else {
		char name[128];
		uint64_t index;
		if (!a.write || parse_case(a.case_id, name, sizeof(name), &a.seed, &index) != 0) {
			fprintf(stderr,
				"dutlab fuzz: --case takes NAME:SEED:INDEX and needs --write "
				"FILE.pcapng\n");
		} else {
			const struct fuzz_template *t = find_template(name);
			status = t ? write_cases(&a, t, a.write, index, 1, valid, frames) : 1;
		}
	}
	free(frames);
	return status;
}
