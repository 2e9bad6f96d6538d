/* commands: the subcommands of dutlab; each takes argv with argv[0] its own name */
#ifndef DUTLAB_CLI_COMMANDS_H
#define DUTLAB_CLI_COMMANDS_H

#include <stdio.h>

/* Exit status: 0 success, 1 the thing asked about failed or was not found,
 * 2 bad usage or bad input (a broken profile or catalog), 130 interrupted. */

int cmd_run(int argc, char **argv);
int cmd_checks(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_login(int argc, char **argv);
int cmd_catalog(int argc, char **argv);
int cmd_packets(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_ssh(int argc, char **argv);
int cmd_tlsclient(int argc, char **argv);
int cmd_tls(int argc, char **argv);
int cmd_fuzz(int argc, char **argv);
int cmd_health(int argc, char **argv);

/* Write text with control characters as '?': what a DUT or a file sent
 * must not drive the terminal (cli/output.c). */
void cli_put_printable(FILE *out, const char *text);

#endif
