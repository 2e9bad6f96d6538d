/* cmd-packets: `dutlab packets` (hidden): raw frames through the packet ring, for benchmarks and
 * lab tests */
#include "core/compat.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"
#include "fuzz/mutate.h"
#include "fuzz/template.h"
#include "net/rate.h"
#include "net/ring.h"
#include "net/scope.h"
#include "proto/packet.h"

#define PACKETS_FRAMES_MAX 10000000000ull /* 10^10: hours at line rate */
#define PACKETS_FRAME_MAX 9018u           /* a jumbo frame with a tag */
#define PACKETS_UDP_PORT 9                /* discard: nothing answers it */
#define PACKETS_WORKERS_MAX 64

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dutlab packets --profile FILE --frames N [--interface NAME]\n"
		"                      [--kind static|mac-flood|mutated] [--template NAME]\n"
		"                      [--length BYTES] [--rate PPS]\n"
		"                      [--burst N] [--destination ADDRESS] [--source ADDRESS]\n"
		"                      [--dst-mac MAC] [--seed N] [--frame-size BYTES]\n"
		"                      [--ring-frames N] [--sendmmsg] [--workers N]\n"
		"\n"
		"Send N UDP frames (port 9) through the AF_PACKET TX ring and print what was\n"
		"sent, how fast, as JSON. A lab engineer's and benchmark tool: every frame\n"
		"passes the scope guard like a campaign's.\n"
		"\n"
		"  --kind static     the same frame N times (default)\n"
		"  --kind mac-flood  a distinct source MAC on every frame (like macof), to\n"
		"                    fill a switch's address table\n"
		"  --kind mutated    test case i of --template NAME (mutated as a robustness\n"
		"                    campaign does, seed --seed, one anomaly) for frame i: the\n"
		"                    per-packet mutation rate; frames the guard refuses are "
		"counted\n"
		"  --length BYTES    frame length on the wire with its FCS (default 64: 60\n"
		"                    bytes written, the NIC adds 4)\n"
		"  --rate PPS        pace to PPS frames per second (default: as fast as it goes)\n"
		"  --burst N         with --rate, N frames may leave back to back (default 1)\n"
		"  --destination A   IPv4 or IPv6 destination (default: the first dut.address)\n"
		"  --source A        source address (default: the destination's host part 1)\n"
		"  --dst-mac MAC     destination MAC (default ff:ff:ff:ff:ff:ff)\n"
		"  --seed N          mac-flood: which sequence of source MACs (default 1)\n"
		"  --frame-size B    TX ring slot, a power of two, 128-16384 (default: fits)\n"
		"  --ring-frames N   TX ring slots (default 4096)\n"
		"  --sendmmsg        sendmmsg batches instead of the TX ring\n"
		"  --workers N       N processes, each with its own ring, pinned to CPUs 0..N-1\n"
		"                    and sending a share of the frames (as trafgen -P does)\n"
		"\n"
		"Exit status: 0 sent, 1 sending failed, 2 bad usage, a broken profile, or a\n"
		"frame the scope guard refused.\n");
}

static volatile sig_atomic_t interrupted;

static void on_signal(int signal_number)
{
	(void)signal_number;
	interrupted = 1;
}

static int parse_mac(const char *text, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		unsigned value = 0;
		for (int j = 0; j < 2; j++) {
			char c = text[i * 3 + j];
			unsigned digit;
			if (c >= '0' && c <= '9')
				digit = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				digit = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				digit = (unsigned)(c - 'A' + 10);
			else
				return -1;
			value = value << 4 | digit;
		}
		mac[i] = (uint8_t)value;
		char end = text[i * 3 + 2];
		if ((i < 5 && end != ':') || (i == 5 && end != '\0'))
			return -1;
	}
	return 0;
}

static uint16_t checksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t checksum_add(uint32_t sum, const uint8_t *bytes, size_t length)
{
	for (size_t i = 0; i + 1 < length; i += 2)
		sum += (uint32_t)bytes[i] << 8 | bytes[i + 1];
	if (length & 1)
		sum += (uint32_t)bytes[length - 1] << 8;
	return sum;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet + IPv4 or IPv6 + UDP to port 9, zero payload, written bytes long
 * (4 bytes short of the wire length). 0, or DL_EINVAL when it cannot fit. */
static int build_frame(uint8_t *f, size_t written, const uint8_t dst_mac[6],
		       const uint8_t src_mac[6], int family, const uint8_t *source,
		       const uint8_t *destination, struct dl_error *err)
{
	size_t ip_header = family == AF_INET ? 20 : 40;
	if (written < 14 + ip_header + 8)
		return dl_error_set(err, DL_EINVAL,
				    "--length %zu is too short for Ethernet, %s and UDP headers "
				    "(at least %zu)",
				    written + 4, family == AF_INET ? "IPv4" : "IPv6",
				    14 + ip_header + 8 + 4);
	memset(f, 0, written);
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	uint8_t *ip = f + 14, *udp = ip + ip_header;
	size_t udp_length = written - 14 - ip_header;
	if (family == AF_INET) {
		put16(f + 12, 0x0800);
		ip[0] = 0x45;
		put16(ip + 2, (unsigned)(written - 14));
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, source, 4);
		memcpy(ip + 16, destination, 4);
		put16(ip + 10, checksum_fold(checksum_add(0, ip, 20)));
	} else {
		put16(f + 12, 0x86dd);
		ip[0] = 0x60;
		put16(ip + 4, (unsigned)udp_length);
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, source, 16);
		memcpy(ip + 24, destination, 16);
	}
	put16(udp, 50000);
	put16(udp + 2, PACKETS_UDP_PORT);
	put16(udp + 4, (unsigned)udp_length);
	/* The checksum over the pseudo-header (RFC 768; RFC 8200 8.1). */
	size_t address_length = family == AF_INET ? 4 : 16;
	uint32_t sum = checksum_add(0, source, address_length);
	sum = checksum_add(sum, destination, address_length);
	sum += 17 + (uint32_t)udp_length;
	uint16_t c = checksum_fold(checksum_add(sum, udp, udp_length));
	put16(udp + 6, c ? c : 0xffff);
	return 0;
}

/* A bijection of 46-bit numbers (xorshifts and odd multipliers are each
 * invertible mod 2^46), so frame i's MAC differs from every other frame's
 * until 2^46 frames; random-looking, as a switch would see macof's. */
static void flood_mac(uint64_t index, uint64_t seed, uint8_t mac[6])
{
	const uint64_t mask = (1ull << 46) - 1;
	uint64_t x = (index + seed * 0x9e3779b97f4a7c15ull) & mask;
	x ^= x >> 23;
	x = (x * 0x2545f4914f6cdd1dull) & mask;
	x ^= x >> 19;
	x = (x * 0x9e3779b97f4a7c15ull) & mask;
	x ^= x >> 21;
	/* Unicast, locally administered: the low two bits of the first byte. */
	mac[0] = (uint8_t)(((x >> 40) & 0x3f) << 2 | 0x02);
	for (int i = 1; i < 6; i++)
		mac[i] = (uint8_t)(x >> (8 * (5 - i)));
}

struct packets_args {
	const char *profile, *interface, *kind, *destination, *source, *template;
	uint64_t frames, rate, burst, seed;
	long length, frame_size, ring_frames, workers;
	uint8_t dst_mac[6];
	bool sendmmsg;
};

static int parse_args(int argc, char **argv, struct packets_args *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = "static";
	a->length = 64;
	a->burst = 1;
	a->seed = 1;
	a->workers = 1;
	memset(a->dst_mac, 0xff, sizeof(a->dst_mac));
	bool frames_set = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 1;
		} else if (strcmp(arg, "--sendmmsg") == 0) {
			a->sendmmsg = true;
			continue;
		} else if (!value) {
			fprintf(stderr, "dutlab packets: '%s' needs a value or is unknown\n", arg);
			return -1;
		} else if (strcmp(arg, "--profile") == 0) {
			a->profile = value;
		} else if (strcmp(arg, "--interface") == 0) {
			a->interface = value;
		} else if (strcmp(arg, "--kind") == 0) {
			a->kind = value;
			bad = strcmp(value, "static") != 0 && strcmp(value, "mac-flood") != 0 &&
			      strcmp(value, "mutated") != 0;
		} else if (strcmp(arg, "--template") == 0) {
			a->template = value;
		} else if (strcmp(arg, "--frames") == 0) {
			bad = text_parse_u64(value, PACKETS_FRAMES_MAX, &a->frames) != 0 ||
			      a->frames == 0;
			frames_set = true;
		} else if (strcmp(arg, "--rate") == 0) {
			bad = text_parse_u64(value, 1000000000, &a->rate) != 0;
		} else if (strcmp(arg, "--burst") == 0) {
			bad = text_parse_u64(value, 1000000, &a->burst) != 0 || a->burst == 0;
		} else if (strcmp(arg, "--seed") == 0) {
			bad = text_parse_u64(value, UINT64_MAX, &a->seed) != 0;
		} else if (strcmp(arg, "--length") == 0) {
			bad = text_parse_long(value, 18, PACKETS_FRAME_MAX + 4, &a->length) != 0;
		} else if (strcmp(arg, "--workers") == 0) {
			bad = text_parse_long(value, 1, PACKETS_WORKERS_MAX, &a->workers) != 0;
		} else if (strcmp(arg, "--frame-size") == 0) {
			bad = text_parse_long(value, 128, 16384, &a->frame_size) != 0;
		} else if (strcmp(arg, "--ring-frames") == 0) {
			bad = text_parse_long(value, 1, 1 << 20, &a->ring_frames) != 0;
		} else if (strcmp(arg, "--destination") == 0) {
			a->destination = value;
		} else if (strcmp(arg, "--source") == 0) {
			a->source = value;
		} else if (strcmp(arg, "--dst-mac") == 0) {
			bad = parse_mac(value, a->dst_mac) != 0;
		} else {
			fprintf(stderr, "dutlab packets: unknown option '%s'\n", arg);
			return -1;
		}
		if (bad) {
			fprintf(stderr, "dutlab packets: %s '%s' is not valid; see --help\n", arg,
				value);
			return -1;
		}
		i++;
	}
	if (!a->profile || !frames_set) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* The slot that fits the frame: a power of two with room for the 32-byte
 * TPACKET_V2 header and the 10-byte virtio_net_hdr (ring.h). */
static uint32_t fitting_slot(size_t written)
{
	uint32_t size = 128;
	while (size < written + 42 && size < 16384)
		size <<= 1;
	return size;
}

static int parse_address(const char *text, int *family, uint8_t address[16])
{
	if (inet_pton(AF_INET, text, address) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, address) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* What one sender did; a worker process writes it whole to its pipe. */
struct packets_result {
	uint64_t done, sent, refused;
	uint64_t start_ns, end_ns;
	int rc;
	bool tx_ring;
	char message[DL_ERROR_MESSAGE_MAX];
};

/* --kind mutated: the plan every worker (a fork) uses, and its frames. */
static const struct mutation_plan *mutated_plan;
static struct packet *mutated_frames;

/* Case index of the plan into the ring; frames the guard or the port refuse are counted. */
static int send_mutated(struct ring *r, const struct packets_args *a, uint64_t index,
			uint64_t *refused, struct dl_error *err)
{
	struct fuzz_case record;
	int rc = mutate_planned(mutated_plan, a->seed, index, mutated_frames, &record, err);
	for (size_t f = 0; rc == 0 && f < record.frame_count; f++) {
		struct dl_error why;
		rc = ring_send(r, mutated_frames[f].bytes, mutated_frames[f].length, &why);
		if (rc == DL_ESCOPE || rc == DL_EINVAL) {
			(*refused)++;
			rc = 0;
		} else if (rc) {
			dl_error_set(err, rc, "%s", why.message);
		}
	}
	return rc;
}

/* Frames first .. first + count - 1 (the index picks mac-flood's MAC). */
static void send_frames(struct ring *r, const struct packets_args *a, uint8_t *frame,
			size_t written, uint64_t first, uint64_t count, struct packets_result *out)
{
	struct dl_error err = {0};
	bool flood = strcmp(a->kind, "mac-flood") == 0;
	struct rate pace;
	/* Each of N workers paces to its share of the rate. */
	rate_init(&pace, a->rate ? (a->rate + (uint64_t)a->workers - 1) / (uint64_t)a->workers : 0,
		  0, a->burst);
	out->start_ns = now_ns();
	int rc = 0;
	uint64_t refused_mutated = 0;
	for (uint64_t i = 0; i < count && !interrupted && rc == 0; i++) {
		if (flood)
			flood_mac(first + i, a->seed, frame + 6);
		if (a->rate)
			rate_wait(&pace, (uint32_t)written);
		if (mutated_plan)
			rc = send_mutated(r, a, first + i, &refused_mutated, &err);
		else
			rc = ring_send(r, frame, written, &err);
		if (rc == 0 && a->rate)
			rc = ring_flush(r, false, &err);
		if (rc == 0)
			out->done = i + 1;
	}
	if (rc == 0)
		rc = ring_flush(r, true, &err);
	out->end_ns = now_ns();
	struct ring_stats stats;
	ring_stats(r, &stats);
	out->sent = stats.sent;
	out->refused = stats.send_refused + refused_mutated;
	out->tx_ring = stats.tx_ring;
	out->rc = rc;
	if (rc)
		text_copy(out->message, sizeof(out->message), err.message);
}

/* Worker w of a->workers in its own process, pinned to CPU w: its own ring,
 * its share of the frames; the result comes back through a pipe. */
static pid_t start_worker(const struct scope *scope, const char *interface,
			  const struct ring_options *options, const struct packets_args *a,
			  uint8_t *frame, size_t written, long w, int *pipe_out)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid != 0) {
		close(fds[1]);
		*pipe_out = fds[0];
		if (pid < 0)
			close(fds[0]);
		return pid;
	}
	close(fds[0]);
	cpu_set_t cpus;
	CPU_ZERO(&cpus);
	CPU_SET((int)(w % sysconf(_SC_NPROCESSORS_ONLN)), &cpus);
	(void)sched_setaffinity(0, sizeof(cpus), &cpus);
	uint64_t share = a->frames / (uint64_t)a->workers;
	uint64_t first = share * (uint64_t)w;
	if (w == a->workers - 1)
		share = a->frames - first;
	struct packets_result result = {0};
	struct dl_error err = {0};
	struct ring *r = NULL;
	result.rc = ring_open(&r, scope, interface, options, &err);
	if (result.rc == 0)
		send_frames(r, a, frame, written, first, share, &result);
	else
		text_copy(result.message, sizeof(result.message), err.message);
	ring_close(r);
	ssize_t n = write(fds[1], &result, sizeof(result));
	_exit(n == (ssize_t)sizeof(result) ? 0 : 1);
}

/* Run the workers and add up what they did: frames and counters summed, the
 * span from the first start to the last end. */
static void run_workers(const struct scope *scope, const char *interface,
			const struct ring_options *options, const struct packets_args *a,
			uint8_t *frame, size_t written, struct packets_result *total)
{
	pid_t pids[PACKETS_WORKERS_MAX];
	int pipes[PACKETS_WORKERS_MAX];
	long started = 0;
	memset(total, 0, sizeof(*total));
	total->start_ns = UINT64_MAX;
	for (; started < a->workers; started++) {
		pids[started] = start_worker(scope, interface, options, a, frame, written, started,
					     &pipes[started]);
		if (pids[started] < 0) {
			total->rc = DL_EIO;
			snprintf(total->message, sizeof(total->message),
				 "cannot start worker %ld: %s", started, strerror(errno));
			break;
		}
	}
	for (long w = 0; w < started; w++) {
		struct packets_result one;
		ssize_t n;
		do
			n = read(pipes[w], &one, sizeof(one));
		while (n < 0 && errno == EINTR);
		close(pipes[w]);
		while (waitpid(pids[w], NULL, 0) < 0 && errno == EINTR)
			;
		if (n != (ssize_t)sizeof(one)) {
			one = (struct packets_result){.rc = DL_EIO};
			snprintf(one.message, sizeof(one.message), "worker %ld died", w);
		}
		total->done += one.done;
		total->sent += one.sent;
		total->refused += one.refused;
		total->tx_ring = one.tx_ring;
		if (one.start_ns && one.start_ns < total->start_ns)
			total->start_ns = one.start_ns;
		if (one.end_ns > total->end_ns)
			total->end_ns = one.end_ns;
		if (one.rc && !total->rc) {
			total->rc = one.rc;
			memcpy(total->message, one.message, sizeof(one.message));
		}
	}
	if (total->start_ns == UINT64_MAX)
		total->start_ns = total->end_ns;
}

int cmd_packets(int argc, char **argv)
{
	struct packets_args a;
	int parsed = parse_args(argc, argv, &a);
	if (parsed)
		return parsed > 0 ? 0 : 2;
	struct profile profile;
	struct dl_error err = {0};
	if (profile_load(&profile, a.profile, &err) < 0) {
		fprintf(stderr, "dutlab packets: %s\n", err.message);
		return 2;
	}
	int status = 2;
	struct ring *r = NULL;
	struct packet *valid = NULL;
	struct mutation_plan *plan = NULL;
	const char *interface = a.interface;
	if (!interface && profile.scope.interface_count)
		interface = profile.scope.interfaces[0];
	const char *destination = a.destination;
	if (!destination && profile.address_count)
		destination = profile.addresses[0];
	int family = 0, source_family = 0;
	uint8_t dst[16] = {0}, src[16] = {0};
	if (!interface || !destination) {
		fprintf(stderr, "dutlab packets: no %s: pass --%s or declare one in the profile\n",
			interface ? "destination" : "interface",
			interface ? "destination" : "interface");
		goto out;
	}
	if (parse_address(destination, &family, dst) != 0) {
		fprintf(stderr, "dutlab packets: '%s' is not an IPv4 or IPv6 address\n",
			destination);
		goto out;
	}
	if (a.source) {
		if (parse_address(a.source, &source_family, src) != 0 || source_family != family) {
			fprintf(stderr,
				"dutlab packets: --source '%s' is not an address of the "
				"destination's family\n",
				a.source);
			goto out;
		}
	} else {
		size_t n = family == AF_INET ? 4 : 16;
		memcpy(src, dst, n);
		src[n - 1] = dst[n - 1] == 1 ? 2 : 1;
		if (family == AF_INET6)
			src[n - 2] = 0;
	}
	size_t written = (size_t)a.length - 4;
	struct ring_options options = {
		.send = true,
		.frame_size = a.frame_size ? (uint32_t)a.frame_size : fitting_slot(written),
		.frame_count = (uint32_t)a.ring_frames,
		.sendmmsg = a.sendmmsg,
	};
	if (ring_open(&r, &profile.scope, interface, &options, &err) < 0) {
		fprintf(stderr, "dutlab packets: %s\n", err.message);
		status = err.code == DL_ESCOPE || err.code == DL_EINVAL ? 2 : 1;
		goto out;
	}
	uint8_t frame[PACKETS_FRAME_MAX], src_mac[6];
	ring_mac(r, src_mac);
	if (build_frame(frame, written, a.dst_mac, src_mac, family, src, dst, &err) < 0) {
		fprintf(stderr, "dutlab packets: %s\n", err.message);
		goto out;
	}
	if (strcmp(a.kind, "mutated") == 0) {
		const struct fuzz_template *t = a.template ? fuzz_template_find(a.template) : NULL;
		if (!t) {
			fprintf(stderr,
				"dutlab packets: --kind mutated needs --template NAME, one of "
				"'dutlab fuzz --list'\n");
			goto out;
		}
		struct template_addresses addresses = {0};
		memcpy(addresses.tester_mac, src_mac, 6);
		memcpy(addresses.dut_mac, a.dst_mac, 6);
		if (family == AF_INET) {
			memcpy(&addresses.tester4, src, 4);
			memcpy(&addresses.dut4, dst, 4);
		} else {
			memcpy(&addresses.tester6, src, 16);
			memcpy(&addresses.dut6, dst, 16);
		}
		valid = malloc(sizeof(*valid));
		plan = malloc(sizeof(*plan));
		mutated_frames = calloc(MUTATION_FRAMES_MAX, sizeof(*mutated_frames));
		if (!valid || !plan || !mutated_frames) {
			fprintf(stderr, "dutlab packets: out of memory\n");
			status = 1;
			goto out;
		}
		packet_init(valid);
		if (t->build(valid, &addresses, &err) != 0) {
			fprintf(stderr, "dutlab packets: template %s: %s\n", t->name, err.message);
			status = 1;
			goto out;
		}
		struct mutation_options mo = {.level = 1};
		mutate_plan_build(plan, valid, t, &mo);
		mutated_plan = plan;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	struct packets_result result = {0};
	if (a.workers == 1) {
		send_frames(r, &a, frame, written, 0, a.frames, &result);
	} else {
		ring_close(r); /* each worker opens its own */
		r = NULL;
		run_workers(&profile.scope, interface, &options, &a, frame, written, &result);
	}
	if (result.rc) {
		fprintf(stderr, "dutlab packets: %s\n", result.message);
		status = result.rc == DL_ESCOPE || result.rc == DL_EINVAL ? 2 : 1;
		goto out;
	}
	uint64_t done = result.done;
	double seconds = (double)(result.end_ns - result.start_ns) / 1e9;
	bool flood = strcmp(a.kind, "mac-flood") == 0;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "kind", json_object_new_string(a.kind));
	json_object_object_add(o, "interface", json_object_new_string(interface));
	json_object_object_add(o, "destination", json_object_new_string(destination));
	json_object_object_add(o, "frame_length", json_object_new_int64(a.length));
	json_object_object_add(o, "frames", json_object_new_int64((int64_t)done));
	json_object_object_add(o, "sent", json_object_new_int64((int64_t)result.sent));
	json_object_object_add(o, "refused", json_object_new_int64((int64_t)result.refused));
	json_object_object_add(o, "workers", json_object_new_int64(a.workers));
	json_object_object_add(o, "seconds", json_object_new_double(seconds));
	json_object_object_add(o, "pps",
			       json_object_new_int64(seconds > 0 ? (int64_t)(done / seconds) : 0));
	/* Distinct by construction (flood_mac is a bijection below 2^46 frames). */
	json_object_object_add(o, "distinct_source_macs",
			       json_object_new_int64(flood ? (int64_t)done : 1));
	json_object_object_add(o, "tx_ring", json_object_new_boolean(result.tx_ring));
	/* The frame as bytes (the last one, for mac-flood), so a peer tool can be
	 * given exactly the same: bench/l2-vs-trafgen.sh writes trafgen's config
	 * from it. */
	char hex[2 * 128 + 1];
	size_t shown = written < 128 ? written : 128;
	for (size_t i = 0; i < shown; i++)
		snprintf(hex + 2 * i, 3, "%02x", frame[i]);
	hex[2 * shown] = '\0';
	json_object_object_add(o, "frame_hex", json_object_new_string(hex));
	json_object_object_add(o, "interrupted", json_object_new_boolean(interrupted != 0));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	status = interrupted ? 130 : 0;
out:
	ring_close(r);
	free(mutated_frames);
	mutated_frames = NULL;
	mutated_plan = NULL;
	free(plan);
	free(valid);
	profile_release(&profile);
	return status;
}
