/*
 * The check-in request: see checkin.h (the answer is checkin_answer.c).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkin.h"
#include "log.h"
#include "xmlw.h"

static void	set_err(char *, size_t, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * The request.
 */

#define PUTS(w, lit)	wbuf_bytes((w), (lit), sizeof(lit) - 1)

/* s as an attribute value: XML characters, escaped, at most max of them */
static void
put_attr(struct wbuf *w, const char *s, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			 ref[8];
	uint32_t		 cp;
	size_t			 n;
	int			 len;

	for (n = 0; *p != '\0' && n < max; n++) {
		if ((len = utf8_decode(p, &cp)) == 0 || !xml_char(cp)) {
			PUTS(w, "\xef\xbf\xbd");	/* U+FFFD */
			p += len > 0 ? len : 1;
			continue;
		}
		switch (cp) {
		case '&':
			PUTS(w, "&amp;");
			break;
		case '<':
			PUTS(w, "&lt;");
			break;
		case '>':
			PUTS(w, "&gt;");
			break;
		case '"':
			PUTS(w, "&quot;");
			break;
		case '\t':
		case '\n':
		case '\r':
			/* white space in an attribute would be normalized */
			(void)snprintf(ref, sizeof(ref), "&#%u;", cp);
			wbuf_bytes(w, ref, strlen(ref));
			break;
		default:
			wbuf_bytes(w, p, (size_t)len);
			break;
		}
		p += len;
	}
}

static void
put_u64(struct wbuf *w, uint64_t v)
{
	char	 num[24];
	int	 n;

	n = snprintf(num, sizeof(num), "%" PRIu64, v);
	if (n < 0 || (size_t)n >= sizeof(num))
		fatalx("%s", __func__);
	wbuf_bytes(w, num, (size_t)n);
}

static int
cmp_pkg(const void *a, const void *b)
{
	const struct checkin_package	*pa = *(const struct checkin_package *
					    const *)a;
	const struct checkin_package	*pb = *(const struct checkin_package *
					    const *)b;

	return strcmp(pa->name, pb->name);
}

/* the packages, checked and sorted by name; NULL with err on a bad one */
static const struct checkin_package **
sorted_packages(const struct checkin *c, char *err, size_t errlen)
{
	const struct checkin_package	**v;
	size_t				  i;

	if ((v = reallocarray(NULL, c->npackages + 1, sizeof(*v))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < c->npackages; i++) {
		v[i] = &c->packages[i];
		if (memchr(v[i]->name, '\0', sizeof(v[i]->name)) == NULL ||
		    !bundle_valid_name(v[i]->name)) {
			set_err(err, errlen, "package %zu: not a valid name",
			    i);
			goto fail;
		}
		if (v[i]->version < 1 || v[i]->version > BUNDLE_SEQ_MAX) {
			set_err(err, errlen, "package %s: version %" PRIu64
			    " out of range", v[i]->name, v[i]->version);
			goto fail;
		}
	}
	qsort(v, c->npackages, sizeof(*v), cmp_pkg);
	for (i = 1; i < c->npackages; i++) {
		if (strcmp(v[i - 1]->name, v[i]->name) == 0) {
			set_err(err, errlen, "package %s twice", v[i]->name);
			goto fail;
		}
	}
	return v;
 fail:
	free(v);
	return NULL;
}

int
checkin_build(const struct checkin *c, struct wbuf *out, char *err,
    size_t errlen)
{
	const struct checkin_package	**pkgs;
	size_t				  i;

	if (c->npackages > CHECKIN_MAX_PACKAGES) {
		set_err(err, errlen, "%zu packages (at most %d)",
		    c->npackages, CHECKIN_MAX_PACKAGES);
		return -1;
	}
	if (c->last_sequence > BUNDLE_SEQ_MAX) {
		set_err(err, errlen, "last sequence %" PRIu64 " out of range",
		    c->last_sequence);
		return -1;
	}
	if ((pkgs = sorted_packages(c, err, errlen)) == NULL)
		return -1;

	PUTS(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<env:Envelope xmlns:env=\"" SOAP_NS "\">\n"
	    " <env:Body>\n"
	    "  <ch:CheckIn xmlns:ch=\"" CALLHOME_NS "\" version=\"1\">\n"
	    "   <ch:Gateway id=\"");
	put_attr(out, c->gateway, CHECKIN_GATEWAY_MAX);
	PUTS(out, "\" software=\"");
	put_attr(out, c->software, CHECKIN_SOFTWARE_MAX);
	PUTS(out, "\"/>\n"
	    "   <ch:LastSequence>");
	put_u64(out, c->last_sequence);
	PUTS(out, "</ch:LastSequence>\n");
	if (c->npackages == 0)
		PUTS(out, "   <ch:Packages/>\n");
	else {
		PUTS(out, "   <ch:Packages>\n");
		for (i = 0; i < c->npackages; i++) {
			/* names are [A-Za-z0-9._-]: nothing to escape */
			PUTS(out, "    <ch:Package name=\"");
			wbuf_bytes(out, pkgs[i]->name, strlen(pkgs[i]->name));
			PUTS(out, "\" version=\"");
			put_u64(out, pkgs[i]->version);
			PUTS(out, "\"/>\n");
		}
		PUTS(out, "   </ch:Packages>\n");
	}
	PUTS(out, "  </ch:CheckIn>\n"
	    " </env:Body>\n"
	    "</env:Envelope>\n");
	free(pkgs);
	return 0;
}
