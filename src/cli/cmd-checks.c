/* cmd-checks: `dutlab checks`: every collector and check in the registry */
#include "core/compat.h"

#include "checks/check.h"
#include "cli/commands.h"

int cmd_checks(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: dutlab checks\n");
		return 2;
	}
	printf("collectors (run once per campaign, in a child with a deadline):\n");
	for (size_t i = 0; i < collector_registry_count; i++) {
		const struct collector *c = collector_registry[i];
		printf("  %-32s %4us  %s%s\n", c->id, c->timeout_seconds, c->summary,
		       c->collect ? "" : " (not built in)");
	}
	printf("\nchecks (judge one clause from a collector's observation):\n");
	for (size_t i = 0; i < check_registry_count; i++) {
		const struct check *c = check_registry[i];
		printf("  %-32s <- %-18s %s\n", c->id, c->collector->id, c->summary);
		if (c->params && c->params[0]) {
			printf("  %-32s    params:", "");
			for (const char *const *p = c->params; *p; p++)
				printf(" %s", *p);
			printf("\n");
		}
	}
	return 0;
}
