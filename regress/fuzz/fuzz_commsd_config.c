/*
 * libFuzzer target: commsd's configuration parser (commsd/parse.y), from
 * memory.
 *
 * Any input must parse or fail without a crash, a leak or a sanitizer
 * report.  When it parses, the printout with secrets must parse again to
 * the same printout (print -> parse -> print is a fixed point), and the
 * masked printout must be that printout with the token, if any, replaced
 * by the mask (the mask is not a token68, so it does not parse back), and
 * a PostgreSQL URI's password by comms_uri_mask()'s.
 *
 * The parser logs every error to stderr: that would drown libFuzzer's own
 * output, so LLVMFuzzerInitialize() adds -close_fd_mask=2, with which
 * libFuzzer keeps its messages and the sanitizers' reports on a copy of
 * stderr and silences the original (unless the caller gave the flag).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../commsd/commsd.h"
#include "config.h"
#include "log.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char	 flag[] = "-close_fd_mask=2";
	char		**nargv;
	int		 i;

	log_init("fuzz_commsd_config", LOG_TO_STDERR, 0);
	for (i = 1; i < *argc; i++)
		if (strncmp((*argv)[i], "-close_fd_mask=", 15) == 0)
			return 0;
	/* kept for the life of the process, as libFuzzer expects */
	if ((nargv = calloc(*argc + 2, sizeof(*nargv))) == NULL)
		return 0;
	nargv[0] = (*argv)[0];
	nargv[1] = flag;
	for (i = 1; i < *argc; i++)
		nargv[i + 1] = (*argv)[i];
	nargv[*argc + 1] = NULL;
	*argc += 1;
	*argv = nargv;
	return 0;
}

static char *
print_mem(const struct comms_conf *conf, int flags, size_t *len)
{
	char	*buf = NULL;
	FILE	*fp;

	if ((fp = open_memstream(&buf, len)) == NULL)
		abort();
	comms_print_config(fp, conf, flags);
	if (fclose(fp) != 0)
		abort();
	return buf;
}

/*
 * The printout with secrets of the configuration with its secrets
 * replaced by what the masked printout shows: the token by the mask,
 * the database's password (a PostgreSQL URI's) by comms_uri_mask()'s
 */
static char *
masked_of(const struct comms_conf *conf, size_t *mlen)
{
	struct comms_conf	*m;
	char			*p;

	if ((m = malloc(sizeof(*m))) == NULL)
		abort();
	memcpy(m, conf, sizeof(*m));
	if (m->token[0] != '\0')
		(void)strlcpy(m->token, CONF_SECRET_MASK, sizeof(m->token));
	comms_uri_mask(conf->database, m->database, sizeof(m->database));
	p = print_mem(m, COMMS_PRINT_SECRETS, mlen);
	comms_conf_free(m);
	return p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct comms_conf	*conf, *again;
	char			*p1, *p2, *want;
	size_t			 l1, l2, lw;

	conf = comms_parse_config_buffer("fuzz", (const char *)data, size);
	if (conf == NULL)
		return 0;

	p1 = print_mem(conf, COMMS_PRINT_SECRETS, &l1);
	if ((again = comms_parse_config_buffer("fuzz-print", p1,
	    l1)) == NULL) {
		fprintf(stderr, "printout does not parse:\n%s", p1);
		abort();
	}
	p2 = print_mem(again, COMMS_PRINT_SECRETS, &l2);
	if (l1 != l2 || memcmp(p1, p2, l1) != 0) {
		fprintf(stderr, "printout changed:\n%s---\n%s", p1, p2);
		abort();
	}
	comms_conf_free(again);
	free(p2);

	want = masked_of(conf, &lw);
	p2 = print_mem(conf, 0, &l2);
	if (l2 != lw || memcmp(p2, want, lw) != 0) {
		fprintf(stderr, "masked printout:\n%s---\nnot:\n%s", p2, want);
		abort();
	}
	free(want);
	free(p2);
	free(p1);
	comms_conf_free(conf);
	return 0;
}
