/* login-try: drive one login adapter of a profile through login.h, one operation per argument, for
 * the lab scripts */
#include "core/compat.h"

#include <time.h>

#include "adapters/login.h"
#include "core/error.h"
#include "core/profile.h"

/*
 * usage: login-try PROFILE ADAPTER ADDRESS OP...
 *   attempt USER PASS   login_attempt, keeping the session when accepted
 *   try USER PASS       login_attempt without a session
 *   probe               login_session_probe
 *   perform ACTION      login_perform
 *   logout              login_logout
 *   close               login_session_close
 *   replay              login_replay of the last exchange recorded
 *   change USER OLD NEW login_change_password
 *   sleep SECONDS
 * Each operation prints one line:
 *   OP outcome=NAME status=N echoed=0|1 encrypted=0|1 challenge=0|1 ms=N excerpt=TEXT
 *   warning=TEXT (when one)
 * or "OP error=CODE MESSAGE". Exit 0 when every operation ran (whatever the DUT
 * answered), 1 on an error, 2 on bad usage.
 */

static void print_response(const char *op, const struct login_response *r)
{
	printf("%s outcome=%s status=%d echoed=%d encrypted=%d challenge=%d ms=%lld excerpt=%s\n",
	       op, login_outcome_name(r->outcome), r->status, r->password_echoed, r->encrypted,
	       r->challenge_response, (long long)(r->latency_ns / 1000000), r->excerpt);
	if (r->warning[0])
		printf("%s warning=%s\n", op, r->warning);
	fflush(stdout);
}

static int usage(void)
{
	fprintf(stderr, "usage: login-try PROFILE ADAPTER ADDRESS OP...\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 5)
		return usage();
	struct profile profile;
	struct dl_error err = {0};
	if (profile_load(&profile, argv[1], &err) < 0) {
		fprintf(stderr, "login-try: %s\n", err.message);
		return 2;
	}
	const struct profile_adapter *adapter = NULL;
	for (size_t i = 0; i < profile.adapter_count; i++)
		if (strcmp(profile.adapters[i].name, argv[2]) == 0)
			adapter = &profile.adapters[i];
	if (!adapter) {
		fprintf(stderr, "login-try: no adapter '%s' in %s\n", argv[2], argv[1]);
		profile_release(&profile);
		return 2;
	}
	struct login_target target = {
		.profile = &profile,
		.adapter = adapter,
		.scope = &profile.scope,
		.address = argv[3],
		.transcript_path = getenv("LOGIN_TRY_TRANSCRIPT"),
	};
	struct login_session *session = NULL;
	static struct login_response r;
	static char exchange[LOGIN_EXCHANGE_MAX];
	int status = 0;
	for (int i = 4; i < argc && status == 0; i++) {
		const char *op = argv[i];
		int rc = 0;
		memset(&r, 0, sizeof(r));
		bool printed = false;
		if ((strcmp(op, "attempt") == 0 || strcmp(op, "try") == 0) && i + 2 < argc) {
			if (session) {
				login_session_close(session);
				session = NULL;
			}
			rc = login_attempt(&target, argv[i + 1], argv[i + 2], &r,
					   strcmp(op, "attempt") == 0 ? &session : NULL, &err);
			i += 2;
			if (rc == 0 && r.exchange[0])
				memcpy(exchange, r.exchange, sizeof(exchange));
		} else if (strcmp(op, "probe") == 0 && session) {
			rc = login_session_probe(session, &r, &err);
		} else if (strcmp(op, "perform") == 0 && session && i + 1 < argc) {
			rc = login_perform(session, argv[++i], &r, &err);
		} else if (strcmp(op, "logout") == 0 && session) {
			rc = login_logout(session, &r, &err);
		} else if (strcmp(op, "close") == 0) {
			login_session_close(session);
			session = NULL;
			printf("close\n");
			printed = true;
		} else if (strcmp(op, "replay") == 0) {
			rc = login_replay(&target, exchange, &r, &err);
		} else if (strcmp(op, "change") == 0 && i + 3 < argc) {
			rc = login_change_password(&target, argv[i + 1], argv[i + 2], argv[i + 3],
						   &r, &err);
			i += 3;
		} else if (strcmp(op, "sleep") == 0 && i + 1 < argc) {
			struct timespec t = {.tv_sec = argv[++i][0] - '0'};
			if (argv[i][0] >= '1' && argv[i][0] <= '9' && argv[i][1] == '\0')
				nanosleep(&t, NULL);
			printf("sleep\n");
			printed = true;
		} else {
			fprintf(stderr, "login-try: '%s' is not an operation here (no session?)\n",
				op);
			status = 2;
			break;
		}
		if (rc < 0) {
			printf("%s error=%s %s\n", op, dl_code_name(rc), err.message);
			status = 1;
		} else if (!printed) {
			print_response(op, &r);
		}
	}
	login_session_close(session);
	profile_release(&profile);
	return status;
}
