/* output: what every subcommand prints the same way */
#include "core/compat.h"

#include "cli/commands.h"

void cli_put_printable(FILE *out, const char *text)
{
	for (const unsigned char *c = (const unsigned char *)text; *c; c++)
		fputc(*c < 0x20 || *c == 0x7f ? '?' : *c, out);
}
