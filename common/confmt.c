/*
 * Durations, sizes and strings as the configuration files write them:
 * shared by the printers of callhome.conf and commsd.conf and by the
 * daemons' messages, without the rest of the configuration code.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

void
config_fmt_duration(char *buf, size_t size, uint64_t ms)
{
	static const struct {
		uint64_t	 ms;
		const char	*unit;
	} units[] = {
		{ 24 * 60 * 60 * 1000ULL,	"d" },
		{ 60 * 60 * 1000ULL,		"h" },
		{ 60 * 1000ULL,			"m" },
		{ 1000ULL,			"s" },
	};
	size_t	 i;

	if (ms == 0) {
		(void)snprintf(buf, size, "0s");
		return;
	}
	for (i = 0; i < nitems(units); i++) {
		if (ms % units[i].ms == 0) {
			(void)snprintf(buf, size, "%llu%s",
			    (unsigned long long)(ms / units[i].ms),
			    units[i].unit);
			return;
		}
	}
	(void)snprintf(buf, size, "%llums", (unsigned long long)ms);
}

void
config_fmt_size(char *buf, size_t size, uint64_t bytes)
{
	static const struct {
		int		 shift;
		const char	*unit;
	} units[] = {
		{ 30, "G" },
		{ 20, "M" },
		{ 10, "K" },
	};
	size_t	 i;

	for (i = 0; bytes != 0 && i < nitems(units); i++) {
		if (bytes % (1ULL << units[i].shift) == 0) {
			(void)snprintf(buf, size, "%llu%s",
			    (unsigned long long)(bytes >> units[i].shift),
			    units[i].unit);
			return;
		}
	}
	(void)snprintf(buf, size, "%llu", (unsigned long long)bytes);
}

/*
 * Printing.  Strings are always quoted, with '"' and '\' escaped; the
 * parser accepts no control characters in strings, so the output parses
 * back as it is.
 */

void
config_print_quoted(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putc('\\', fp);
		putc(*s, fp);
	}
	putc('"', fp);
}
