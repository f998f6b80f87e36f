/*
 * conftest [-v] file: check a configuration file exactly as
 * "callhomed -n[v] -f file" does: parse it (with the permission checks),
 * print the normalised configuration with -v, and say so when it is good.
 * Exit status 0 when the file is good, 1 otherwise.
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: conftest [-v] file\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct callhome_conf	*conf;
	int			 ch, verbose = 0;

	while ((ch = getopt(argc, argv, "v")) != -1) {
		switch (ch) {
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();

	log_init("conftest", LOG_TO_STDERR, verbose);
	if ((conf = parse_config(argv[0], 0)) == NULL)
		exit(1);
	if (verbose)
		print_config(stdout, conf);
	printf("configuration OK\n");
	config_free(conf);
	if (fflush(stdout) == EOF || ferror(stdout))
		exit(1);
	return 0;
}
