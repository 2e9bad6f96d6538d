/* exec: the exec adapter: run a profile operation's command template with its placeholders filled
 */
#ifndef DUTLAB_ADAPTERS_EXEC_H
#define DUTLAB_ADAPTERS_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct profile;

/* The values of the placeholders {address} {username} {password} {certificate}
 * {key} {campaign}; NULL for what the caller does not have. {dutlab} is the
 * absolute path of the running binary. A template that uses a placeholder
 * whose value is NULL is refused (DL_EINVAL), never run with it empty. */
struct adapter_exec_vars {
	const char *address, *username, *password, *certificate, *key, *campaign;
};

#define ADAPTER_EXEC_TAIL_MAX 1024

struct adapter_exec_result {
	int exit_status; /* the command's exit status; -1 when killed by a signal */
	bool timed_out;  /* killed at min(operation timeout, deadline) */
	int64_t duration_ms;
	char output_tail[ADAPTER_EXEC_TAIL_MAX]; /* last bytes of its output, NUL-terminated */
};

/* The longest command line after substitution. */
#define ADAPTER_EXEC_COMMAND_MAX 16384

/*
 * Run the profile's operation (profile_find_operation) through `/bin/sh -c`
 * with every placeholder replaced by its value in single quotes, in its own
 * process group, stdin /dev/null, stdout and stderr to transcript_path
 * (created; its first lines name the operation and the command, {password}
 * masked as ***). The group is killed at min(operation timeout,
 * deadline_ns) (CLOCK_MONOTONIC; 0: the operation timeout alone), and
 * whatever the command left running in its group is killed when it exits.
 * A non-zero exit is a result in *out, not an error. Errors: DL_ENOTFOUND
 * when the profile declares no such operation, DL_EINVAL for a template that
 * needs a value not given, DL_EIO when the transcript or the process cannot
 * be made, DL_ETIMEDOUT when deadline_ns has already passed.
 */
int adapter_exec_run(const struct profile *p, const char *operation,
		     const struct adapter_exec_vars *vars, const char *transcript_path,
		     int64_t deadline_ns, struct adapter_exec_result *out, struct dl_error *err);

/*
 * The substitution alone, exposed for tests and for dry runs: the command
 * for template into out (size bytes); with mask_password {password} becomes
 * *** instead of its quoted value. Another {lowercase_name} is refused as a
 * typo, as the profile loader does; other braces ("${HOME}") stay. 0,
 * DL_EINVAL (a value missing, an unknown placeholder) or DL_ENOMEM (longer
 * than size).
 */
int adapter_exec_expand(const char *template, const struct adapter_exec_vars *vars,
			bool mask_password, char *out, size_t size, struct dl_error *err);

#endif
