/*
 * Configuration changes, recorded: at start, and at each reload that
 * changes the effective configuration, one "config" record of the
 * transaction log (through auditd) with the SHA-256 of the configuration
 * as "callhomed -nv" prints it (secrets masked: a hash of a community or
 * password would let anyone who reads the log test guesses of it) and a
 * short summary of what changed: the keywords of the lines that differ,
 * and "secrets" when only secrets did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "callhomed.h"
#include "clock.h"
#include "digest.h"
#include "json.h"
#include "log.h"
#include "txlog.h"

#define CHANGED_MAX	16	/* keywords named in a summary */

/* the normalised text of a configuration, with or without its secrets */
static char *
conf_text(const struct callhome_conf *c, int flags, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;

	if ((fp = open_memstream(&buf, len)) == NULL)
		fatal("open_memstream");
	print_config_flags(fp, c, flags);
	if (fclose(fp) != 0)
		fatal("configuration text");
	return buf;
}

static void
wipe_free(char *s, size_t len)
{
	if (s != NULL)
		explicit_bzero(s, len);
	free(s);
}

static int
cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the lines of a text, sorted; the text is cut in place */
static char **
lines_of(char *text, size_t *n)
{
	char	**l = NULL, *p, *nl;
	size_t	 cap = 0;

	*n = 0;
	for (p = text; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((l = reallocarray(l, cap, sizeof(*l))) == NULL)
				fatal(NULL);
		}
		l[(*n)++] = p;
	}
	if (*n > 0)
		qsort(l, *n, sizeof(*l), cmp_lines);
	return l;
}

/* the keyword of a line: its first word; a block's lines, "server ca" */
static void
keyword(const char *line, char *kw, size_t len)
{
	size_t	 i = 0, o = 0;

	if (line[0] == '\t') {
		o = (size_t)snprintf(kw, len, "server ");
		if (o >= len)
			o = len - 1;
		while (line[i] == '\t')
			i++;
	}
	while (line[i] != '\0' && line[i] != ' ' && o + 1 < len)
		kw[o++] = line[i++];
	kw[o] = '\0';
}

static void
add_changed(char list[][32], size_t *n, const char *line)
{
	char	 kw[32];
	size_t	 i;

	keyword(line, kw, sizeof(kw));
	for (i = 0; i < *n; i++)
		if (strcmp(list[i], kw) == 0)
			return;
	if (*n < CHANGED_MAX)
		(void)strlcpy(list[(*n)++], kw, sizeof(list[0]));
}

/* the keywords of the lines in one text and not the other */
static size_t
changed_keywords(char *a, char *b, char list[][32])
{
	char	**la, **lb;
	size_t	 na, nb, i = 0, j = 0, n = 0;
	int	 c;

	la = lines_of(a, &na);
	lb = lines_of(b, &nb);
	while (i < na || j < nb) {
		if (i == na)
			c = 1;
		else if (j == nb)
			c = -1;
		else
			c = strcmp(la[i], lb[j]);
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0)
			add_changed(list, &n, la[i++]);
		else
			add_changed(list, &n, lb[j++]);
	}
	free(la);
	free(lb);
	return n;
}

static void
send_record(struct callhomed *ch, const char *summary, const char *sha,
    char list[][32], size_t n)
{
	struct msg_audit_event	 e;
	struct json_mem		 m;
	char			*detail;
	size_t			 i;

	memset(&e, 0, sizeof(e));
	e.time = clock_now();
	(void)strlcpy(e.kind, TXLOG_CONFIG, sizeof(e.kind));
	(void)strlcpy(e.summary, summary, sizeof(e.summary));
	json_mem_begin(&m);
	json_kv_string(&m.j, "sha256", sha);
	/* a path longer than a record holds is cut, not fatal */
	json_key(&m.j, "file");
	json_stringn(&m.j, ch->conffile, strnlen(ch->conffile, 1024));
	json_key(&m.j, "changed");
	json_array_begin(&m.j);
	for (i = 0; i < n; i++)
		json_string(&m.j, list[i]);
	json_array_end(&m.j);
	detail = json_mem_end(&m);
	if (strlcpy(e.detail, detail, sizeof(e.detail)) >= sizeof(e.detail))
		fatalx("configuration record too long");
	free(detail);
	msg_audit_event_send(&ch->kids[PROC_AUDITD].iev, &e);
}

/*
 * At start (old NULL) always; at a reload only when something changed.
 * Returns 1 when a record was sent.
 */
int
conf_record(struct callhomed *ch, const struct callhome_conf *old,
    const struct callhome_conf *nc)
{
	char	*nt, *ns, *ot = NULL, *os = NULL, sha[SHA256_HEX];
	char	 summary[512], list[CHANGED_MAX][32], *p;
	size_t	 ntl, nsl, otl = 0, osl = 0, n = 0, i, o;
	int	 w;

	nt = conf_text(nc, 0, &ntl);
	ns = conf_text(nc, CONF_PRINT_SECRETS, &nsl);
	if (sha256_hex(nt, ntl, sha) == -1)
		fatalx("sha256");
	if (old == NULL) {
		(void)snprintf(summary, sizeof(summary), "configuration at "
		    "start: %.400s, sha256 %.16s", ch->conffile, sha);
		send_record(ch, summary, sha, list, 0);
		wipe_free(nt, ntl);
		wipe_free(ns, nsl);
		return 1;
	}
	ot = conf_text(old, 0, &otl);
	os = conf_text(old, CONF_PRINT_SECRETS, &osl);
	if (nsl == osl && memcmp(ns, os, nsl) == 0) {
		wipe_free(nt, ntl);
		wipe_free(ns, nsl);
		wipe_free(ot, otl);
		wipe_free(os, osl);
		return 0;
	}
	n = changed_keywords(ot, nt, list);
	if (n == 0 && n < CHANGED_MAX)
		(void)strlcpy(list[n++], "secrets", sizeof(list[0]));
	w = snprintf(summary, sizeof(summary), "configuration changed: ");
	o = w < 0 ? 0 : (size_t)w;
	for (i = 0; i < n && o < sizeof(summary); i++) {
		w = snprintf(summary + o, sizeof(summary) - o, "%s%s",
		    i ? ", " : "", list[i]);
		o += w < 0 ? 0 : (size_t)w;
	}
	if (o < sizeof(summary))
		(void)snprintf(summary + o, sizeof(summary) - o,
		    "; sha256 %.16s", sha);
	/* a keyword never holds a newline, but be sure of the summary */
	for (p = summary; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	send_record(ch, summary, sha, list, n);
	wipe_free(nt, ntl);
	wipe_free(ns, nsl);
	wipe_free(ot, otl);
	wipe_free(os, osl);
	return 1;
}
