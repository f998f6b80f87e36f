/*
 * Vendor profiles: the parser (every statement, the lexer's corners, every
 * error with its line, every limit), loading a directory and its
 * permission checks, matching, row names, the imsg codec, and the real
 * etc/profiles matched against every walk of ../shared/walks.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "profile.h"
#include "snmp.h"
#include "test.h"

#define REAL_DIR	"etc/profiles"

static char		 errbuf[1 << 16];	/* what the last call logged */
static FILE		*cap_tmp;
static int		 cap_saved = -1;
static struct profile	 P, P2;
static char		 big[PROFILE_FILE_MAX + 4096];
static char		 tmpdir[64];

/* snprintf that must not truncate */
#define FMT(buf, size, ...) do {					\
	int _n = snprintf((buf), (size), __VA_ARGS__);			\
	if (_n < 0 || (size_t)_n >= (size_t)(size))			\
		abort();						\
} while (0)

/* send stderr (log_warnx) to a file until capture_end() */
static void
capture_begin(void)
{
	fflush(stderr);
	if ((cap_tmp = tmpfile()) == NULL ||
	    (cap_saved = dup(STDERR_FILENO)) == -1 ||
	    dup2(fileno(cap_tmp), STDERR_FILENO) == -1)
		abort();
}

static void
capture_end(void)
{
	size_t	 n;

	fflush(stderr);
	dup2(cap_saved, STDERR_FILENO);
	close(cap_saved);
	rewind(cap_tmp);
	n = fread(errbuf, 1, sizeof(errbuf) - 1, cap_tmp);
	errbuf[n] = '\0';
	fclose(cap_tmp);
}

static int
parse_len(const char *name, const char *buf, size_t len, struct profile *p)
{
	int	 r;

	capture_begin();
	r = profile_parse(name, buf, len, p);
	capture_end();
	return r;
}

static int
parse_str(const char *s)
{
	return parse_len("t.profile", s, strlen(s), &P);
}

static int
nlines(const char *s)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

static int
oid_is(const struct snmp_oid *o, const char *text)
{
	struct snmp_oid	 want;

	return snmp_oid_parse(text, &want) == 0 &&
	    snmp_oid_cmp(o, &want) == 0;
}

static const char good[] =
	"# a profile with every statement\n"
	"vendor \"Acme \\\"Print\\\" \\\\ Co\"\r\n"
	"match enterprise 4242\n"
	"match enterprise 0\n"
	"match oid .1.3.6.1.4.1.4242.1\n"
	"match descr \"ACME\"	# trailing comment\n"
	"match descr Acmeprint\n"
	"brand \"Roadrunner\" descr \"RR-\"\n"
	"\n"
	"   # an indented comment\n"
	"serial 1.3.6.1.4.1.4242.2.1.0\n"
	"serial 1.3.6.1.4.1.4242.2.2.0\n"
	"model 1.3.6.1.4.1.4242.3.0\n"
	"firmware 1.3.6.1.4.1.4242.4.0\n"
	"meter total 1.3.6.1.4.1.4242.5.1.0 \\\n"
	"    unit impressions\n"
	"meter black \\\r\n"
	"    1.3.6.1.4.1.4242.5.2.0 unit sheets\n"
	"meter-table 1.3.6.1.4.1.4242.6.1.3 names 1.3.6.1.4.1.4242.6.1.4 \\\n"
	"    unit pages {	# the map\n"
	"	\"Full Color Count\"	color\n"
	"\n"
	"	# a comment in the map\n"
	"	\"Copies: \\\"all\\\"\"	copies\n"
	"	Fax				fax-1\n"
	"}\n"
	"meter-table 1.3.6.1.4.1.4242.7.3 names 1.3.6.1.4.1.4242.7.4 "
	    "unit other\n"
	"meter-table 2.1 names 0.39 unit percent {\n"
	"}\n"
	"device-id 1.3.6.1.4.1.4242.8.0\n"
	"descr-model after \"Attached to \" cut \" Rev.\" \\\n"
	"    cut \" :\"	# a comment\n"
	"descr-model before \" / \" cut \" #.#\"\n"
	"descr-serial after \"S/N \" cut ;\n"
	"model-edit drop-prefix \"ACT \" drop-suffix \"-#dpi\" unless x "
	    "require y\n"
	"not-model \"Generic \"\n"
	"meter duplex 1.3.6.1.4.1.4242.5.3.0 unit other";	/* no newline */

TEST(parse_good)
{
	CHECK_EQ_INT(parse_len("dir/acme.profile", good, strlen(good), &P), 0);
	CHECK_STR(errbuf, "");
	CHECK_STR(P.name, "acme");
	CHECK_STR(P.vendor, "Acme \"Print\" \\ Co");
	CHECK_EQ_INT(P.nenterprise, 2);
	CHECK_EQ_INT(P.enterprise[0], 4242);
	CHECK_EQ_INT(P.enterprise[1], 0);
	CHECK_EQ_INT(P.noid, 1);
	CHECK(oid_is(&P.oid[0], "1.3.6.1.4.1.4242.1"));
	CHECK_EQ_INT(P.ndescr, 2);
	CHECK_STR(P.descr[0], "ACME");
	CHECK_STR(P.descr[1], "Acmeprint");
	CHECK_EQ_INT(P.nbrand, 1);
	CHECK_STR(P.brand[0].name, "Roadrunner");
	CHECK_STR(P.brand[0].descr, "RR-");
	CHECK_EQ_INT(P.nserial, 2);
	CHECK(oid_is(&P.serial[1], "1.3.6.1.4.1.4242.2.2.0"));
	CHECK_EQ_INT(P.nmodel, 1);
	CHECK_EQ_INT(P.nfirmware, 1);
	CHECK(oid_is(&P.firmware[0], "1.3.6.1.4.1.4242.4.0"));
	CHECK_EQ_INT(P.nmeter, 3);
	CHECK_STR(P.meter[0].name, "total");
	CHECK_STR(P.meter[0].unit, "impressions");
	CHECK(oid_is(&P.meter[0].oid, "1.3.6.1.4.1.4242.5.1.0"));
	CHECK_STR(P.meter[1].name, "black");
	CHECK_STR(P.meter[1].unit, "sheets");
	CHECK_STR(P.meter[2].name, "duplex");
	CHECK_EQ_INT(P.ntable, 3);
	CHECK(oid_is(&P.table[0].values, "1.3.6.1.4.1.4242.6.1.3"));
	CHECK(oid_is(&P.table[0].names, "1.3.6.1.4.1.4242.6.1.4"));
	CHECK_STR(P.table[0].unit, "pages");
	CHECK_EQ_INT(P.table[0].nmap, 3);
	CHECK_STR(P.table[0].map[0].text, "Full Color Count");
	CHECK_STR(P.table[0].map[0].name, "color");
	CHECK_STR(P.table[0].map[1].text, "Copies: \"all\"");
	CHECK_STR(P.table[0].map[2].text, "Fax");
	CHECK_STR(P.table[0].map[2].name, "fax-1");
	CHECK_EQ_INT(P.table[1].nmap, 0);
	CHECK_STR(P.table[1].unit, "other");
	CHECK_EQ_INT(P.table[2].nmap, 0);
	CHECK(oid_is(&P.table[2].names, "0.39"));
	CHECK_EQ_INT(P.ndevid, 1);
	CHECK(oid_is(&P.devid[0], "1.3.6.1.4.1.4242.8.0"));
	CHECK_EQ_INT(P.ndescr_model, 2);
	CHECK_EQ_INT(P.descr_model[0].nop, 3);
	CHECK_EQ_INT(P.descr_model[0].op[0].kind, PROFILE_OP_AFTER);
	CHECK_STR(P.descr_model[0].op[0].text, "Attached to ");
	CHECK_EQ_INT(P.descr_model[0].op[2].kind, PROFILE_OP_CUT);
	CHECK_STR(P.descr_model[0].op[2].text, " :");
	CHECK_EQ_INT(P.descr_model[1].op[0].kind, PROFILE_OP_BEFORE);
	CHECK_STR(P.descr_model[1].op[1].text, " #.#");
	CHECK_EQ_INT(P.ndescr_serial, 1);
	CHECK_STR(P.descr_serial[0].op[1].text, ";");
	CHECK_EQ_INT(P.nmodel_edit, 1);
	CHECK_EQ_INT(P.model_edit[0].nop, 4);
	CHECK_EQ_INT(P.model_edit[0].op[0].kind, PROFILE_OP_DROP_PREFIX);
	CHECK_EQ_INT(P.model_edit[0].op[1].kind, PROFILE_OP_DROP_SUFFIX);
	CHECK_EQ_INT(P.model_edit[0].op[2].kind, PROFILE_OP_UNLESS);
	CHECK_EQ_INT(P.model_edit[0].op[3].kind, PROFILE_OP_REQUIRE);
	CHECK_EQ_INT(P.nnot_model, 1);
	CHECK_STR(P.not_model[0], "Generic ");
	CHECK_STR(profile_op_name(PROFILE_OP_DROP_SUFFIX), "drop-suffix");
	CHECK(profile_op_name(0) == NULL);
	CHECK(profile_op_name(PROFILE_OP_MAX + 1) == NULL);

	/* the smallest profile; UTF-8 and a name with every allowed sign */
	CHECK_EQ_INT(parse_len("A1._-z.profile",
	    "vendor \"Océ\"\nmatch enterprise 1",
	    strlen("vendor \"Océ\"\nmatch enterprise 1"), &P), 0);
	CHECK_STR(P.name, "A1._-z");
	CHECK_STR(P.vendor, "Océ");
	/* a brand alone is enough to match; a name without the suffix */
	CHECK_EQ_INT(parse_len("plain", "vendor V\nbrand B descr D\n", 24, &P),
	    0);
	CHECK_STR(P.name, "plain");
	CHECK_STR(P.vendor, "V");
}

/* a good head, lines 1 and 2 */
#define H	"vendor V\nmatch enterprise 1\n"

static const struct {
	const char	*text;
	const char	*msg;		/* logged, with file and line */
	int		 n;		/* lines logged, 0 for 1 */
} bad[] = {
	{ H "bogus 1\n", "t.profile:3: unknown keyword \"bogus\"", 0 },
	{ "match enterprise 1\n", "t.profile:1: no vendor line", 0 },
	{ "match enterprise 1\n\n\n", "t.profile:3: no vendor line", 0 },
	{ "vendor V\n", "t.profile:1: no match or brand line", 0 },
	{ H "vendor W\n", "t.profile:3: vendor given twice (first on line 1)",
	  0 },
	{ "vendor \"\"\nmatch enterprise 1\n",
	  "t.profile:1: empty vendor name", 2 },
	{ "vendor\nmatch enterprise 1\n",
	  "t.profile:1: expected vendor name, got end of line", 2 },
	{ "vendor \"abc\nmatch enterprise 1\n",
	  "t.profile:1: unterminated string", 2 },
	{ H "match descr \"abc", "t.profile:3: unterminated string", 0 },
	{ H "match descr \"a\\nb\"\n",
	  "t.profile:3: only \\\" and \\\\ may be escaped in a string", 0 },
	{ H "match descr \"a\\", "t.profile:3: only \\\" and \\\\ may be "
	  "escaped in a string", 0 },
	{ H "match descr \"a\tb\"\n",
	  "t.profile:3: control character in string", 0 },
	{ H "match descr \"a\x7f\"\n",
	  "t.profile:3: control character in string", 0 },
	{ H "match descr \"\xff\"\n", "t.profile:3: string is not valid UTF-8",
	  0 },
	{ H "match descr \"\xed\xa0\x80\"\n",
	  "t.profile:3: string is not valid UTF-8", 0 },
	{ H "match descr \"\xc3\"\n", "t.profile:3: string is not valid UTF-8",
	  0 },
	{ H "match descr \"\xf4\x90\x80\x80\"\n",
	  "t.profile:3: string is not valid UTF-8", 0 },
	{ H "match descr \"0123456789012345678901234567890123456789012345678901"
	  "234567890123\"\n", "t.profile:3: string longer than 63 bytes", 0 },
	{ H "match descr 0123456789012345678901234567890123456789012345678901"
	  "234567890123\n", "t.profile:3: descr text: string too long", 0 },
	{ "vendor V \\ x\nmatch enterprise 1\n",
	  "t.profile:1: a backslash may only end a line", 0 },
	{ H "\\", "t.profile:3: a backslash may only end a line", 0 },
	{ "vendor V\n\x01\nmatch enterprise 1\n",
	  "t.profile:2: unexpected character 0x01", 0 },
	{ H "\xc3\xa9\n", "t.profile:3: unexpected character 0xc3", 0 },
	{ H "match foo 1\n", "t.profile:3: expected \"enterprise\", \"oid\" or "
	  "\"descr\", got \"foo\"", 0 },
	{ H "match\n", "t.profile:3: expected \"enterprise\", \"oid\" or "
	  "\"descr\", got end of line", 0 },
	{ H "match enterprise 12x\n",
	  "t.profile:3: bad enterprise number \"12x\"", 0 },
	{ H "match enterprise 4294967296\n",
	  "t.profile:3: bad enterprise number \"4294967296\"", 0 },
	{ H "match enterprise -1\n",
	  "t.profile:3: bad enterprise number \"-1\"", 0 },
	{ H "match enterprise +1\n",
	  "t.profile:3: bad enterprise number \"+1\"", 0 },
	{ H "match enterprise \"1\"\n",
	  "t.profile:3: expected an enterprise number, got string \"1\"", 0 },
	{ H "match oid 1.3..6\n", "t.profile:3: bad OID \"1.3..6\"", 0 },
	{ H "match oid 1.3.6.\n", "t.profile:3: bad OID \"1.3.6.\"", 0 },
	{ H "match oid 1\n", "t.profile:3: an OID needs 2 to 128 arcs: \"1\"",
	  0 },
	{ H "match oid 3.1\n", "t.profile:3: bad first arcs in OID: \"3.1\"",
	  0 },
	{ H "match oid 1.40\n", "t.profile:3: bad first arcs in OID: \"1.40\"",
	  0 },
	{ H "match oid 1.3.4294967296\n",
	  "t.profile:3: bad OID \"1.3.4294967296\"", 0 },
	{ H "match descr\n",
	  "t.profile:3: expected descr text, got end of line", 0 },
	{ H "match descr \"\"\n", "t.profile:3: empty descr text", 0 },
	{ H "brand \"X\" \"Y\"\n",
	  "t.profile:3: expected \"descr\", got string \"Y\"", 0 },
	{ H "brand \"X\" descr\n",
	  "t.profile:3: expected descr text, got end of line", 0 },
	{ H "serial\n", "t.profile:3: expected an OID, got end of line", 0 },
	{ H "model x\n", "t.profile:3: bad OID \"x\"", 0 },
	{ H "firmware 1.3.6.1 extra\n",
	  "t.profile:3: expected end of line, got \"extra\"", 0 },
	{ H "meter Total 1.3.6.1 unit pages\n",
	  "t.profile:3: a meter name is made of a-z, 0-9 and \"-\": \"Total\"",
	  0 },
	{ H "meter to_tal 1.3.6.1 unit pages\n",
	  "t.profile:3: a meter name is made of a-z, 0-9 and \"-\"", 0 },
	{ H "meter x-foo 1.3.6.1 unit pages\n",
	  "t.profile:3: meter names beginning with \"x-\" are kept for "
	  "unmapped table rows", 0 },
	{ H "meter \"total\" 1.3.6.1 unit pages\n",
	  "t.profile:3: expected a meter name, got string \"total\"", 0 },
	{ H "meter total 1.3.6.1\n",
	  "t.profile:3: expected \"unit\", got end of line", 0 },
	{ H "meter total 1.3.6.1 unit bananas\n", "t.profile:3: unknown unit",
	  0 },
	{ H "meter total 1.3.6.1 unit\n",
	  "t.profile:3: expected a unit, got end of line", 0 },
	{ H "meter total 1.3.6.1 unit pages\nmeter total 1.3.6.2 unit pages\n",
	  "t.profile:4: meter name \"total\" used twice", 0 },
	{ H "meter-table 1.3.6.1 unit pages\n",
	  "t.profile:3: expected \"names\", got \"unit\"", 0 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n\"a\" b\n",
	  "t.profile:3: \"{\" is never closed", 0 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit pages { x\n}\n",
	  "t.profile:3: expected end of line after \"{\", got \"x\"", 0 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n"
	  "\"Abc\" a\n\"ABC \" b\n}\n",
	  "t.profile:5: row name begins or ends with a blank", 0 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n"
	  "\"Abc\" a\n\"ABC\" b\n}\n", "t.profile:5: row \"ABC\" mapped twice",
	  0 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n\"\ta\" b\n}\n",
	  "t.profile:4: control character in string", 0 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n\" a\" b\n}\n",
	  "t.profile:4: row name begins or ends with a blank", 0 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n\"a\" B\n}\n",
	  "t.profile:4: a meter name is made of", 0 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n\"a\"\n}\n",
	  "t.profile:4: expected a meter name, got end of line", 0 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n\"a\" b c\n}\n",
	  "t.profile:4: expected end of line, got \"c\"", 0 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n\"a\" b }\n",
	  "t.profile:4: expected end of line, got \"}\"", 0 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n{\n}\n",
	  "t.profile:4: expected row name, got \"{\"", 0 },
	{ H "meter total 1.3.6.1 unit pages\n"
	  "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n\"a\" total\n}\n",
	  "t.profile:5: meter name \"total\" is already used by a meter line",
	  0 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n\"a\" total\n}\n"
	  "meter total 1.3.6.1 unit pages\n",
	  "t.profile:6: meter name \"total\" used twice", 0 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n} x\n",
	  "t.profile:4: expected end of line, got \"x\"", 0 },
	{ H "device-id\n", "t.profile:3: expected an OID, got end of line",
	  0 },
	{ H "descr-model\n", "t.profile:3: expected an operation (after, "
	  "before, cut, drop-prefix, drop-suffix, unless, require), got end "
	  "of line", 0 },
	{ H "descr-model \";\"\n", "t.profile:3: expected an operation "
	  "(after", 0 },
	{ H "descr-model chop x\n",
	  "t.profile:3: unknown operation \"chop\"", 0 },
	{ H "descr-serial cut\n", "t.profile:3: expected the text of the "
	  "operation, got end of line", 0 },
	{ H "model-edit cut \"\"\n",
	  "t.profile:3: empty the text of the operation", 0 },
	{ H "model-edit cut x cut\n", "t.profile:3: expected the text of the "
	  "operation, got end of line", 0 },
	{ H "model-edit cut x \"y\"\n",
	  "t.profile:3: expected an operation, got string \"y\"", 0 },
	{ H "descr-model cut 1 cut 2 cut 3 cut 4 cut 5 cut 6 cut 7\n",
	  "t.profile:3: too many operations in a rule (at most 6)", 0 },
	{ H "not-model\n",
	  "t.profile:3: expected not-model text, got end of line", 0 },
	{ H "}\n", "t.profile:3: expected a keyword, got \"}\"", 0 },
	{ H "\"x\"\n", "t.profile:3: expected a keyword, got string \"x\"", 0 },
	{ H "{\n", "t.profile:3: \"{\" is never closed", 2 },
	{ H "meter-table 1.3.6.1 names 1.3.6.2 unit bad {\n\"a\" b\n",
	  "t.profile:3: unknown unit", 2 },
	/* line numbers count the lines joined by a backslash */
	{ "vendor \\\n V\nmatch \\\r\n enterprise 1\nbogus\n",
	  "t.profile:5: unknown keyword \"bogus\"", 0 },
	/* a "#" in a string is no comment; a backslash in one does not join */
	{ "vendor \"a#b\" junk\nmatch enterprise 1\n",
	  "t.profile:1: expected end of line, got \"junk\"", 0 },
	{ H "match descr \"a\\\nb\"\n",
	  "t.profile:3: only \\\" and \\\\ may be escaped", 3 },
	/* a comment does not continue either */
	{ H "# comment \\\nbogus\n", "t.profile:4: unknown keyword", 0 },
};

TEST(parse_errors)
{
	char	 longword[SNMP_OID_STRLEN + 64];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int	 want = bad[i].n ? bad[i].n : 1;

		if (parse_str(bad[i].text) != -1 ||
		    strstr(errbuf, bad[i].msg) == NULL ||
		    nlines(errbuf) != want) {
			printf("# case %zu: %s\n# logged: %s", i, bad[i].msg,
			    errbuf);
			CHECK(0);
		}
	}

	/* a NUL byte in the text */
	CHECK_EQ_INT(parse_len("t.profile", H "\0\n", sizeof(H "\0\n") - 1,
	    &P), -1);
	CHECK(strstr(errbuf, "t.profile:3: NUL byte") != NULL);
	CHECK_EQ_INT(parse_len("t.profile",
	    "vendor \"a\0b\"\nmatch enterprise 1",
	    sizeof("vendor \"a\0b\"\nmatch enterprise 1") - 1, &P), -1);
	CHECK(strstr(errbuf, "t.profile:1: NUL byte in string") != NULL);

	/* a word longer than any OID */
	memset(longword, '1', sizeof(longword));
	longword[0] = 'v';
	memcpy(longword + sizeof(longword) - 24, "\nmatch enterprise 1\n", 21);
	CHECK_EQ_INT(parse_str(longword), -1);
	CHECK(strstr(errbuf, "t.profile:1: word longer than") != NULL);

	/* the profile name comes from the file name */
	CHECK_EQ_INT(parse_len("dir/bad name.profile",
	    "vendor V\nmatch enterprise 1\n", 28, &P), -1);
	CHECK(strstr(errbuf, "dir/bad name.profile: profile name is made "
	    "of") != NULL);
	CHECK_EQ_INT(parse_len(".profile", "vendor V\nmatch enterprise 1\n",
	    28, &P), -1);
	CHECK(strstr(errbuf, ".profile: profile name must begin with a "
	    "letter or digit") != NULL);
	CHECK_EQ_INT(parse_len("", "vendor V\nmatch enterprise 1\n", 28, &P),
	    -1);
	CHECK(strstr(errbuf, "profile name must be 1 to 63") != NULL);
	CHECK_EQ_INT(parse_len("d/0123456789012345678901234567890123456789"
	    "012345678901234567890123.profile", H, 28, &P), -1);
	CHECK(strstr(errbuf, "profile name must be 1 to 63") != NULL);
	CHECK_EQ_INT(parse_len("d/012345678901234567890123456789012345678"
	    "901234567890123456789012.profile", H, 28, &P), 0);
	CHECK_EQ_INT(strlen(P.name), REPORT_NAME - 1);
	CHECK_EQ_INT(parse_len("-x.profile", "vendor V\nmatch enterprise 1\n",
	    28, &P), -1);
	CHECK(strstr(errbuf, "must begin with a letter or digit") != NULL);
}

TEST(parse_all_errors)
{
	/* every error of a file is reported, each on its own line */
	static const char text[] =
	    "vendor V\n"
	    "match enterprise x\n"				/* 2 */
	    "model\n"						/* 3 */
	    "meter-table 1.3.6.1 names 1.3.6.2 unit pages {\n"
	    "\"a\" A\n"						/* 5 */
	    "\"b\" b\n"
	    "\"c \" c\n"					/* 7 */
	    "}\n"
	    "vendor \"unterminated\n"				/* 9 */
	    "meter total 1.3.6.1 unit pages\n"
	    "meter total 1.3.6.1 unit pages\n"			/* 11 */
	    "\x02\n"						/* 12 */
	    "match enterprise 1\n";

	CHECK_EQ_INT(parse_str(text), -1);
	CHECK_EQ_INT(nlines(errbuf), 8);
	CHECK(strstr(errbuf, "t.profile:2: bad enterprise number") != NULL);
	CHECK(strstr(errbuf, "t.profile:3: expected an OID") != NULL);
	CHECK(strstr(errbuf, "t.profile:5: a meter name is made") != NULL);
	CHECK(strstr(errbuf, "t.profile:7: row name begins") != NULL);
	CHECK(strstr(errbuf, "t.profile:9: unterminated string") != NULL);
	CHECK(strstr(errbuf, "t.profile:9: vendor given twice") != NULL);
	CHECK(strstr(errbuf, "t.profile:11: meter name \"total\" used twice")
	    != NULL);
	CHECK(strstr(errbuf, "t.profile:12: unexpected character 0x02") !=
	    NULL);
}

/* append to big[] */
static size_t	 blen;

static void
add(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));

static void
add(const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(big + blen, sizeof(big) - blen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(big) - blen)
		abort();
	blen += n;
}

/* a profile with n lines of one kind: ok at the limit, refused above */
static int
limit_case(const char *kind, int n)
{
	int	 i;

	blen = 0;
	add("vendor V\nmatch descr D\n");
	for (i = 0; i < n; i++) {
		if (strcmp(kind, "enterprise") == 0)
			add("match enterprise %d\n", i);
		else if (strcmp(kind, "oid") == 0)
			add("match oid 1.3.6.%d\n", i);
		else if (strcmp(kind, "descr") == 0)
			add("match descr \"d%d\"\n", i);
		else if (strcmp(kind, "brand") == 0)
			add("brand \"b%d\" descr \"b%d\"\n", i, i);
		else if (strcmp(kind, "serial") == 0 ||
		    strcmp(kind, "model") == 0 || strcmp(kind, "firmware") == 0)
			add("%s 1.3.6.%d\n", kind, i);
		else if (strcmp(kind, "meter") == 0)
			add("meter m%d 1.3.6.%d unit items\n", i, i);
		else if (strcmp(kind, "meter-table") == 0)
			add("meter-table 1.3.6.%d names 1.3.7.%d unit items\n",
			    i, i);
		else if (strcmp(kind, "map") == 0) {
			if (i == 0)
				add("meter-table 1.3.6 names 1.3.7 unit items "
				    "{\n");
			add("\"row %d\" r%d\n", i, i);
			if (i == n - 1)
				add("}\n");
		} else
			abort();
	}
	return parse_len("t.profile", big, blen, &P);
}

TEST(limits)
{
	static const struct {
		const char	*kind;
		int		 max;
		const char	*msg;
	} l[] = {
		{ "enterprise", PROFILE_MAX_MATCH,
		  "too many \"match enterprise\" lines (at most 8)" },
		{ "oid", PROFILE_MAX_MATCH,
		  "too many \"match oid\" lines (at most 8)" },
		{ "descr", PROFILE_MAX_MATCH - 1,	/* one is in the head */
		  "too many \"match descr\" lines (at most 8)" },
		{ "brand", PROFILE_MAX_BRANDS,
		  "too many brand lines (at most 8)" },
		{ "serial", PROFILE_MAX_IDENT,
		  "too many serial lines (at most 4)" },
		{ "model", PROFILE_MAX_IDENT,
		  "too many model lines (at most 4)" },
		{ "firmware", PROFILE_MAX_IDENT,
		  "too many firmware lines (at most 4)" },
		{ "meter", PROFILE_MAX_METERS,
		  "too many meter lines (at most 32)" },
		{ "meter-table", PROFILE_MAX_TABLES,
		  "too many meter-table lines (at most 4)" },
		{ "map", PROFILE_MAX_MAP,
		  "too many rows in a map (at most 64)" },
	};
	char	 want[128];
	size_t	 i;
	int	 j;

	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
		if (limit_case(l[i].kind, l[i].max) != 0) {
			printf("# %s at the limit: %s", l[i].kind, errbuf);
			CHECK(0);
		}
		CHECK_EQ_INT(limit_case(l[i].kind, l[i].max + 1), -1);
		FMT(want, sizeof(want), "t.profile:%d: %s", 3 + l[i].max +
		    (strcmp(l[i].kind, "map") == 0 ? 1 : 0), l[i].msg);
		if (strstr(errbuf, want) == NULL || nlines(errbuf) != 1) {
			printf("# want %s\n# logged: %s", want, errbuf);
			CHECK(0);
		}
	}

	/* strings of 63 bytes fit, 64 do not (checked in parse_errors) */
	blen = 0;
	add("vendor \"");
	for (j = 0; j < REPORT_NAME - 1; j++)
		add("%c", 'a' + j % 26);
	add("\"\nmatch enterprise 1\n");
	CHECK_EQ_INT(parse_len("t.profile", big, blen, &P), 0);
	CHECK_EQ_INT(strlen(P.vendor), REPORT_NAME - 1);
	/* a three-byte character that would cross the limit */
	blen = 0;
	add("vendor \"");
	for (j = 0; j < REPORT_NAME - 2; j++)
		add("a");
	add("\xe2\x82\xac\"\nmatch enterprise 1\n");
	CHECK_EQ_INT(parse_len("t.profile", big, blen, &P), -1);
	CHECK(strstr(errbuf, "t.profile:1: string longer than 63") != NULL);

	/* OIDs of 128 arcs fit, 129 do not */
	blen = 0;
	add("vendor V\nmatch enterprise 1\nserial 1.3");
	for (j = 2; j < SNMP_MAX_SUBIDS; j++)
		add(".4294967295");
	add("\n");
	CHECK_EQ_INT(parse_len("t.profile", big, blen, &P), 0);
	CHECK_EQ_INT(P.serial[0].len, SNMP_MAX_SUBIDS);
	blen--;
	add(".1\n");
	CHECK_EQ_INT(parse_len("t.profile", big, blen, &P), -1);
	CHECK(strstr(errbuf, "t.profile:3: bad OID") != NULL);

	/* the file itself: PROFILE_FILE_MAX bytes are read, one more not */
	blen = 0;
	add("vendor V\nmatch enterprise 1\n");
	memset(big + blen, '#', PROFILE_FILE_MAX - blen);
	big[PROFILE_FILE_MAX - 1] = '\n';
	CHECK_EQ_INT(parse_len("t.profile", big, PROFILE_FILE_MAX, &P), 0);
	CHECK_EQ_INT(parse_len("t.profile", big, PROFILE_FILE_MAX + 1, &P),
	    -1);
	CHECK(strstr(errbuf, "t.profile: larger than 65536 bytes") != NULL);
}

/*
 * Matching.
 */

static struct profile	 setp[10];
static struct profile_set set;

static void
set_add(const char *name, const char *text)
{
	if (parse_len(name, text, strlen(text), &setp[set.n]) != 0) {
		printf("# %s: %s", name, errbuf);
		abort();
	}
	set.n++;
}

static const char *
match(const char *oid, const char *descr, const char **vendor)
{
	struct snmp_oid		 o;
	const struct profile	*p;

	o.len = 0;
	if (oid != NULL && oid[0] != '\0' && snmp_oid_parse(oid, &o) == -1)
		abort();
	p = profile_match(&set, oid != NULL ? &o : NULL, descr, vendor);
	return p != NULL ? p->name : "(none)";
}

TEST(matching)
{
	const char	*v;

	set.p = setp;
	set.n = 0;
	/* in name order, as profile_load_dir() leaves them */
	set_add("a-net.profile", "vendor NetCard\nmatch enterprise 11\n");
	set_add("fujifilm.profile", "vendor Fujifilm\nmatch enterprise 297\n"
	    "match descr FUJIFILM\n"
	    "brand \"Fuji Xerox\" descr \"FUJI XEROX\"\n");
	set_add("hp.profile", "vendor HP\nmatch enterprise 11\n"
	    "match oid 1.3.6.1.4.1.11.2.3.9\nmatch descr JETDIRECT\n");
	set_add("konica.profile", "vendor \"Konica Minolta\"\n"
	    "match enterprise 18334\nmatch descr \"KONICA MINOLTA\"\n"
	    "brand Develop descr Develop\n");
	set_add("ricoh.profile", "vendor Ricoh\nmatch enterprise 367\n"
	    "match descr RICOH\nbrand Gestetner descr Gestetner\n"
	    "brand Savin descr SAVIN\n");
	set_add("samsung.profile", "vendor Samsung\nmatch enterprise 236\n"
	    "match descr Samsung\n");
	set_add("xerox.profile", "vendor Xerox\nmatch enterprise 253\n"
	    "match descr Xerox\n");
	set_add("y-hp.profile", "vendor HP2\nmatch oid 1.3.6.1.4.1.11.2\n");
	set_add("zz-hp.profile", "vendor HP3\nmatch oid 1.3.6.1.4.1.11.2.3\n");

	/* the JetDirect OID beats the enterprise alone and a shorter OID */
	CHECK_STR(match("1.3.6.1.4.1.11.2.3.9.1", "HP ETHERNET MULTI-ENV", &v),
	    "hp");
	CHECK_STR(v, "HP");
	/* sysDescr scores over an OID */
	CHECK_STR(match("1.3.6.1.4.1.11.2.3", "Printer with JetDirect", &v),
	    "hp");
	/* an OID scores over an enterprise */
	CHECK_STR(match("1.3.6.1.4.1.11.2.5", NULL, &v), "y-hp");
	CHECK_STR(v, "HP2");
	/* equal scores: the longer prefix, though later in name order */
	CHECK_STR(match("1.3.6.1.4.1.11.2.3.5", NULL, &v), "zz-hp");
	CHECK_STR(v, "HP3");
	/* equal scores and prefixes: the first in name order */
	CHECK_STR(match("1.3.6.1.4.1.11.5", NULL, &v), "a-net");
	CHECK_STR(match("1.3.6.1.4.1.11", NULL, &v), "a-net");
	/* Develop under Konica Minolta's enterprise */
	CHECK_STR(match("1.3.6.1.4.1.18334.1.2.1.2.1.50.2.2",
	    "Develop ineo  280", &v), "konica");
	CHECK_STR(v, "Develop");
	CHECK_STR(match("1.3.6.1.4.1.18334.1.1.1.2.1.181.2.4",
	    "KONICA MINOLTA bizhub C250i", &v), "konica");
	CHECK_STR(v, "Konica Minolta");
	/* Ricoh's brands */
	CHECK_STR(match("1.3.6.1.4.1.367.1.1", "Gestetner MPC2500/DSc525 1.71",
	    &v), "ricoh");
	CHECK_STR(v, "Gestetner");
	CHECK_STR(match("1.3.6.1.4.1.367.1.1", "SAVIN MP C4503 1.18", &v),
	    "ricoh");
	CHECK_STR(v, "Savin");
	CHECK_STR(match("1.3.6.1.4.1.367.1.1", "savin mp c4503", &v), "ricoh");
	CHECK_STR(v, "Savin");
	CHECK_STR(match("1.3.6.1.4.1.367.1.1", "RICOH MP 3053", &v), "ricoh");
	CHECK_STR(v, "Ricoh");
	/* a brand's descr matches on its own */
	CHECK_STR(match(NULL, "Gestetner DSm415", &v), "ricoh");
	CHECK_STR(v, "Gestetner");
	/* no sysObjectID at all, or an empty one */
	CHECK_STR(match(NULL, "Samsung CLX-3170 Series;V1.00.01.64 "
	    "Sep-27-2010", &v), "samsung");
	CHECK_STR(v, "Samsung");
	CHECK_STR(match("", "Samsung CLX-3170 Series", &v), "samsung");
	/* Fuji Xerox: brand + enterprise beat Xerox's descr */
	CHECK_STR(match("1.3.6.1.4.1.297.1.11.93.1.32.4.1.1",
	    "FUJI XEROX DocuPrint CM305 df", &v), "fujifilm");
	CHECK_STR(v, "Fuji Xerox");
	CHECK_STR(match("1.3.6.1.4.1.297.1.11.93.2.1.2.3.5",
	    "FUJIFILM Apeos C7580", &v), "fujifilm");
	CHECK_STR(v, "Fujifilm");
	/* a Xerox made by Samsung: the descr wins */
	CHECK_STR(match("1.3.6.1.4.1.236.11.5.1", "Xerox Phaser 3200MFP", &v),
	    "xerox");
	/* net-snmp on a Linux box: nothing */
	v = "unchanged";
	CHECK_STR(match("1.3.6.1.4.1.8072.3.2.10", "Linux gw 6.1.0-13-amd64 "
	    "#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 x86_64", &v), "(none)");
	CHECK(v == NULL);
	CHECK_STR(match(NULL, NULL, &v), "(none)");
	CHECK_STR(match(NULL, "", NULL), "(none)");
	/* enterprise needs the whole 1.3.6.1.4.1 prefix */
	CHECK_STR(match("1.3.6.1.4.2.11.1", NULL, &v), "(none)");
	CHECK_STR(match("1.3.6.1.4.1", NULL, &v), "(none)");
	/* an empty set */
	CHECK(profile_match(NULL, NULL, "HP", &v) == NULL);
	set.n = 0;
	CHECK_STR(match("1.3.6.1.4.1.11.2.3.9.1", "JETDIRECT", &v), "(none)");
}

TEST(table_names)
{
	struct profile_table	*t;
	char			 out[REPORT_NAME], small[8];

	CHECK_EQ_INT(parse_str("vendor V\nmatch enterprise 1\n"
	    "meter-table 1.3.6.1 names 1.3.6.2 unit items {\n"
	    "\"Black & White Total Count\" black\n"
	    "\"Full  Color\" color\n}\n"), 0);
	t = &P.table[0];

	profile_table_name(t, "Black & White Total Count", out, sizeof(out));
	CHECK_STR(out, "black");
	profile_table_name(t, "  black & white total COUNT\t", out,
	    sizeof(out));
	CHECK_STR(out, "black");
	profile_table_name(t, "full  color", out, sizeof(out));
	CHECK_STR(out, "color");
	/* inner blanks count */
	profile_table_name(t, "Full Color", out, sizeof(out));
	CHECK_STR(out, "x-full-color");
	profile_table_name(t, "Scan to E-mail/FTP", out, sizeof(out));
	CHECK_STR(out, "x-scan-to-e-mail-ftp");
	profile_table_name(t, "--Prints (Document Filing)--", out,
	    sizeof(out));
	CHECK_STR(out, "x-prints-document-filing");
	profile_table_name(t, "Kopien Schwarz/Weiß", out, sizeof(out));
	CHECK_STR(out, "x-kopien-schwarz-wei");
	profile_table_name(t, "", out, sizeof(out));
	CHECK_STR(out, "x-unnamed");
	profile_table_name(t, " & ", out, sizeof(out));
	CHECK_STR(out, "x-unnamed");
	profile_table_name(NULL, NULL, out, sizeof(out));
	CHECK_STR(out, "x-unnamed");
	profile_table_name(NULL, "Black & White Total Count", out, sizeof(out));
	CHECK_STR(out, "x-black-white-total-count");
	/* cut to fit, never ending on a dash */
	profile_table_name(t, "abcd efgh", small, sizeof(small));
	CHECK_STR(small, "x-abcd");
	profile_table_name(t, "abcdefghij", small, sizeof(small));
	CHECK_STR(small, "x-abcde");
	profile_table_name(t, "Black & White Total Count", small,
	    sizeof(small));
	CHECK_STR(small, "black");
	profile_table_name(t, "abc", small, 3);
	CHECK_STR(small, "x-");
	profile_table_name(t, "abc", small, 1);
	CHECK_STR(small, "");
	small[0] = 'q';
	profile_table_name(t, "abc", small, 0);
	CHECK(small[0] == 'q');
	/* at most REPORT_NAME - 1 characters, whatever the buffer */
	{
		char	 longtext[300], longout[200];

		memset(longtext, 'a', sizeof(longtext) - 1);
		longtext[sizeof(longtext) - 1] = '\0';
		profile_table_name(t, longtext, longout, sizeof(longout));
		CHECK_EQ_INT(strlen(longout), REPORT_NAME - 1);
		CHECK(strncmp(longout, "x-aaa", 5) == 0);
	}
}

/*
 * The codec.
 */

static int
profile_eq(const struct profile *a, const struct profile *b)
{
	struct wbuf	 wa, wb;
	struct profile_set sa, sb;
	int		 eq;

	sa.p = (struct profile *)a;
	sa.n = 1;
	sb.p = (struct profile *)b;
	sb.n = 1;
	wbuf_init(&wa);
	wbuf_init(&wb);
	msg_profiles_encode(&wa, &sa);
	msg_profiles_encode(&wb, &sb);
	eq = wa.len == wb.len && memcmp(wa.data, wb.data, wa.len) == 0;
	wbuf_free(&wa);
	wbuf_free(&wb);
	return eq;
}

TEST(codec_roundtrip)
{
	struct profile_set	 in, out;
	struct wbuf		 w, w2;
	struct rbuf		 r;
	size_t			 len, i;

	CHECK_EQ_INT(parse_len("acme.profile", good, strlen(good), &P), 0);
	CHECK_EQ_INT(parse_len("beta.profile", "vendor B\nmatch oid 1.3.6.1\n",
	    26, &P2), 0);
	{
		static struct profile	 two[2];

		two[0] = P;
		two[1] = P2;
		in.p = two;
		in.n = 2;
		wbuf_init(&w);
		msg_profiles_encode(&w, &in);
		wbuf_u8(&w, 0x55);	/* what follows in the message */

		rbuf_init(&r, w.data, w.len);
		CHECK_EQ_INT(msg_profiles_decode(&r, &out), 0);
		CHECK_EQ_INT(out.n, 2);
		CHECK(profile_eq(&out.p[0], &two[0]));
		CHECK(profile_eq(&out.p[1], &two[1]));
		CHECK_STR(out.p[0].table[0].map[1].text, "Copies: \"all\"");
		CHECK_EQ_INT(r.off, w.len - 1);
		CHECK_EQ_INT(rbuf_u8(&r), 0x55);
		CHECK_EQ_INT(rbuf_done(&r), 0);
		wbuf_init(&w2);
		msg_profiles_encode(&w2, &out);
		CHECK_EQ_INT(w2.len, w.len - 1);
		CHECK(memcmp(w.data, w2.data, w2.len) == 0);
		wbuf_free(&w2);
		profile_set_free(&out);
		CHECK(out.p == NULL && out.n == 0);

		/* every truncation fails, and leaves the set empty */
		len = w.len - 1;
		for (i = 0; i < len; i++) {
			rbuf_init(&r, w.data, i);
			out.p = (struct profile *)&r;	/* overwritten */
			out.n = 7;
			if (msg_profiles_decode(&r, &out) != -1 ||
			    out.p != NULL || out.n != 0) {
				printf("# truncated at %zu\n", i);
				CHECK(0);
			}
		}
		wbuf_free(&w);
	}

	/* an empty set */
	in.p = NULL;
	in.n = 0;
	wbuf_init(&w);
	msg_profiles_encode(&w, &in);
	CHECK_EQ_INT(w.len, 4);
	rbuf_init(&r, w.data, w.len);
	CHECK_EQ_INT(msg_profiles_decode(&r, &out), 0);
	CHECK_EQ_INT(out.n, 0);
	CHECK(out.p == NULL);
	CHECK_EQ_INT(rbuf_done(&r), 0);
	wbuf_free(&w);
}

/* encode one profile, patch it, decode: must fail */
static int
decode_one(const struct profile *p, size_t patch_at, uint32_t value,
    int do_patch)
{
	struct profile_set	 s, out;
	struct wbuf		 w;
	struct rbuf		 r;
	int			 rv;

	s.p = (struct profile *)p;
	s.n = 1;
	wbuf_init(&w);
	msg_profiles_encode(&w, &s);
	if (do_patch) {
		if (patch_at + 4 > w.len)
			abort();
		w.data[patch_at] = value >> 24;
		w.data[patch_at + 1] = value >> 16;
		w.data[patch_at + 2] = value >> 8;
		w.data[patch_at + 3] = value;
	}
	rbuf_init(&r, w.data, w.len);
	rv = msg_profiles_decode(&r, &out);
	if (rv == 0) {
		if (rbuf_done(&r) != 0)
			rv = -2;
		profile_set_free(&out);
	} else if (out.p != NULL || out.n != 0)
		rv = -3;
	wbuf_free(&w);
	return rv;
}

TEST(codec_refuses)
{
	static const char base[] = "vendor V\nmatch enterprise 7\n"
	    "match oid 1.3.6.1.4.1.7\n"
	    "meter-table 1.3.6.1 names 1.3.6.2 unit items\n";
	struct profile_set	 s, out;
	struct wbuf		 w;
	struct rbuf		 r;
	size_t			 at_nent, at_oidlen, at_nmap;
	static struct profile	 two[2];

	CHECK_EQ_INT(parse_len("p.profile", base, strlen(base), &P2), 0);
	CHECK_EQ_INT(decode_one(&P2, 0, 0, 0), 0);

	/* offsets: n, name, vendor, then the enterprise count */
	at_nent = 4 + 4 + strlen("p") + 4 + strlen("V");
	at_oidlen = at_nent + 4 + 4 + 4;
	CHECK_EQ_INT(decode_one(&P2, 0, PROFILE_MAX + 1, 1), -1);
	CHECK_EQ_INT(decode_one(&P2, at_nent, PROFILE_MAX_MATCH + 1, 1), -1);
	CHECK_EQ_INT(decode_one(&P2, at_nent, UINT32_MAX, 1), -1);
	CHECK_EQ_INT(decode_one(&P2, at_oidlen, SNMP_MAX_SUBIDS + 1, 1), -1);
	/* the map's row count, then five empty identity lists (device-id,
	 * descr-model, descr-serial, model-edit, not-model), each a count */
	{
		struct wbuf	 t;

		s.p = &P2;
		s.n = 1;
		wbuf_init(&t);
		msg_profiles_encode(&t, &s);
		at_nmap = t.len - 4 - 5 * 4;
		wbuf_free(&t);
	}
	CHECK_EQ_INT(decode_one(&P2, at_nmap, PROFILE_MAX_MAP + 1, 1), -1);
	CHECK_EQ_INT(decode_one(&P2, at_nmap, 1, 1), -1);	/* short */
	CHECK_EQ_INT(decode_one(&P2, at_nmap + 4, PROFILE_MAX_IDENT + 1, 1),
	    -1);
	CHECK_EQ_INT(decode_one(&P2, at_nmap + 8, PROFILE_MAX_RULES + 1, 1),
	    -1);
	CHECK_EQ_INT(decode_one(&P2, at_nmap + 12, 1, 1), -1);	/* short */
	CHECK_EQ_INT(decode_one(&P2, at_nmap + 16, UINT32_MAX, 1), -1);
	CHECK_EQ_INT(decode_one(&P2, at_nmap + 20, PROFILE_MAX_NOTMODEL + 1,
	    1), -1);
	CHECK_EQ_INT(decode_one(&P2, at_nmap + 20, 0, 1), 0);

	/* what the parser refuses, the decoder refuses */
#define REFUSED(...) do {						\
	P = P2;								\
	__VA_ARGS__;							\
	CHECK_EQ_INT(decode_one(&P, 0, 0, 0), -1);			\
} while (0)
	REFUSED(P.vendor[0] = '\0');
	REFUSED(strlcpy(P.vendor, "a\tb", sizeof(P.vendor)));
	REFUSED(strlcpy(P.vendor, "\xff", sizeof(P.vendor)));
	REFUSED(P.name[0] = '\0');
	REFUSED(strlcpy(P.name, "bad name", sizeof(P.name)));
	REFUSED(strlcpy(P.name, ".hidden", sizeof(P.name)));
	REFUSED(P.nenterprise = 0; P.noid = 0);
	REFUSED(P.oid[0].len = 1);
	REFUSED(P.oid[0].sub[0] = 3);
	REFUSED(P.ndescr = 1; P.descr[0][0] = '\0');
	REFUSED(P.nbrand = 1; strlcpy(P.brand[0].name, "B", REPORT_NAME);
	    P.brand[0].descr[0] = '\0');
	REFUSED(P.nserial = 1; P.serial[0].len = 0);
	REFUSED(P.nmodel = 1; P.model[0].len = 1);
	REFUSED(P.nfirmware = 1; P.firmware[0].len = 2;
	    P.firmware[0].sub[0] = 1; P.firmware[0].sub[1] = 40);
	REFUSED(P.nmeter = 1; strlcpy(P.meter[0].name, "Total", REPORT_NAME);
	    strlcpy(P.meter[0].unit, "items", REPORT_NAME);
	    P.meter[0].oid = P.oid[0]);
	REFUSED(P.nmeter = 1; strlcpy(P.meter[0].name, "x-total", REPORT_NAME);
	    strlcpy(P.meter[0].unit, "items", REPORT_NAME);
	    P.meter[0].oid = P.oid[0]);
	REFUSED(P.nmeter = 1; strlcpy(P.meter[0].name, "total", REPORT_NAME);
	    strlcpy(P.meter[0].unit, "bananas", REPORT_NAME);
	    P.meter[0].oid = P.oid[0]);
	REFUSED(P.nmeter = 2; strlcpy(P.meter[0].name, "total", REPORT_NAME);
	    strlcpy(P.meter[0].unit, "items", REPORT_NAME);
	    P.meter[0].oid = P.oid[0]; P.meter[1] = P.meter[0]);
	REFUSED(strlcpy(P.table[0].unit, "", REPORT_NAME));
	REFUSED(P.table[0].values.len = 0);
	REFUSED(P.table[0].nmap = 1;
	    strlcpy(P.table[0].map[0].text, "row ", REPORT_NAME);
	    strlcpy(P.table[0].map[0].name, "row", REPORT_NAME));
	REFUSED(P.table[0].nmap = 1;
	    strlcpy(P.table[0].map[0].text, "row", REPORT_NAME);
	    strlcpy(P.table[0].map[0].name, "Row", REPORT_NAME));
	REFUSED(P.table[0].nmap = 2;
	    strlcpy(P.table[0].map[0].text, "row", REPORT_NAME);
	    strlcpy(P.table[0].map[0].name, "row", REPORT_NAME);
	    strlcpy(P.table[0].map[1].text, "ROW", REPORT_NAME);
	    strlcpy(P.table[0].map[1].name, "row2", REPORT_NAME));
	REFUSED(P.nmeter = 1; strlcpy(P.meter[0].name, "total", REPORT_NAME);
	    strlcpy(P.meter[0].unit, "items", REPORT_NAME);
	    P.meter[0].oid = P.oid[0]; P.table[0].nmap = 1;
	    strlcpy(P.table[0].map[0].text, "row", REPORT_NAME);
	    strlcpy(P.table[0].map[0].name, "total", REPORT_NAME));
	/* the identity statements */
	REFUSED(P.ndevid = 1; P.devid[0].len = 1);
	REFUSED(P.ndescr_model = 1; P.descr_model[0].nop = 0);
	REFUSED(P.ndescr_model = 1; P.descr_model[0].nop = 1;
	    P.descr_model[0].op[0].kind = 0;
	    strlcpy(P.descr_model[0].op[0].text, ";", REPORT_NAME));
	REFUSED(P.ndescr_serial = 1; P.descr_serial[0].nop = 1;
	    P.descr_serial[0].op[0].kind = PROFILE_OP_MAX + 1;
	    strlcpy(P.descr_serial[0].op[0].text, ";", REPORT_NAME));
	REFUSED(P.nmodel_edit = 1; P.model_edit[0].nop = 1;
	    P.model_edit[0].op[0].kind = PROFILE_OP_CUT;
	    P.model_edit[0].op[0].text[0] = '\0');
	REFUSED(P.nmodel_edit = 1; P.model_edit[0].nop = 1;
	    P.model_edit[0].op[0].kind = PROFILE_OP_CUT;
	    strlcpy(P.model_edit[0].op[0].text, "a\nb", REPORT_NAME));
	REFUSED(P.nnot_model = 1; P.not_model[0][0] = '\0');
#undef REFUSED
	/* and the same fields when right are accepted */
	P = P2;
	P.nmeter = 1;
	strlcpy(P.meter[0].name, "total", REPORT_NAME);
	strlcpy(P.meter[0].unit, "items", REPORT_NAME);
	P.meter[0].oid = P.oid[0];
	P.table[0].nmap = 1;
	strlcpy(P.table[0].map[0].text, "row", REPORT_NAME);
	strlcpy(P.table[0].map[0].name, "row", REPORT_NAME);
	P.ndevid = 1;
	P.devid[0] = P.oid[0];
	P.ndescr_model = 1;
	P.descr_model[0].nop = 1;
	P.descr_model[0].op[0].kind = PROFILE_OP_MAX;
	strlcpy(P.descr_model[0].op[0].text, " / ", REPORT_NAME);
	P.nnot_model = 1;
	strlcpy(P.not_model[0], "Generic ", REPORT_NAME);
	CHECK_EQ_INT(decode_one(&P, 0, 0, 0), 0);

	/* a string with a NUL inside, or longer than its field */
	{
		struct wbuf	 t;

		wbuf_init(&t);
		wbuf_u32(&t, 1);
		wbuf_blob(&t, "p\0q", 3);
		rbuf_init(&r, t.data, t.len);
		CHECK_EQ_INT(msg_profiles_decode(&r, &out), -1);
		wbuf_reset(&t);
		wbuf_u32(&t, 1);
		memset(big, 'a', REPORT_NAME);
		wbuf_blob(&t, big, REPORT_NAME);
		rbuf_init(&r, t.data, t.len);
		CHECK_EQ_INT(msg_profiles_decode(&r, &out), -1);
		wbuf_free(&t);
	}

	/* profiles out of order, or twice */
	two[0] = P2;
	two[1] = P2;
	s.p = two;
	s.n = 2;
	wbuf_init(&w);
	msg_profiles_encode(&w, &s);
	rbuf_init(&r, w.data, w.len);
	CHECK_EQ_INT(msg_profiles_decode(&r, &out), -1);
	CHECK(out.p == NULL && out.n == 0);
	CHECK(r.err);
	wbuf_reset(&w);
	strlcpy(two[0].name, "q", REPORT_NAME);
	msg_profiles_encode(&w, &s);
	rbuf_init(&r, w.data, w.len);
	CHECK_EQ_INT(msg_profiles_decode(&r, &out), -1);
	wbuf_reset(&w);
	strlcpy(two[0].name, "o", REPORT_NAME);
	msg_profiles_encode(&w, &s);
	rbuf_init(&r, w.data, w.len);
	CHECK_EQ_INT(msg_profiles_decode(&r, &out), 0);
	CHECK_EQ_INT(out.n, 2);
	profile_set_free(&out);
	wbuf_free(&w);
}

/*
 * Loading a directory.
 */

static void
write_file(const char *name, const char *text, mode_t mode)
{
	char	 path[256];
	int	 fd;

	FMT(path, sizeof(path), "%s/%s", tmpdir, name);
	(void)unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fchmod(fd, mode) == -1 || close(fd) == -1)
		abort();
}

static void
clean_tmpdir(void)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[256];

	if (tmpdir[0] == '\0' || (d = opendir(tmpdir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		FMT(path, sizeof(path), "%s/%s", tmpdir, de->d_name);
		if (unlink(path) == -1)
			(void)rmdir(path);
	}
	closedir(d);
}

static int
load_capture(const char *dir, struct profile_set *s)
{
	int	 r;

	capture_begin();
	r = profile_load_dir(dir, s);
	capture_end();
	return r;
}

TEST(load_dir)
{
	struct profile_set	 s;
	char			 path[256], name[64];
	int			 i;

	if (geteuid() != 0) {
		printf("# load_dir: not root, files cannot be root's: "
		    "skipped\n");
		return;
	}
	FMT(tmpdir, sizeof(tmpdir), "/tmp/test_profile.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		abort();

	write_file("zeta.profile", "vendor Z\nmatch enterprise 2\n", 0644);
	write_file("alpha.profile", "vendor A\nmatch enterprise 1\n", 0444);
	write_file("alpha-2.profile", "vendor A2\nmatch enterprise 3\n", 0600);
	/* not profiles: ignored, however bad */
	write_file("README", "junk", 0666);
	write_file(".hidden.profile", "junk", 0666);
	write_file("alpha.profile~", "junk", 0666);
	write_file("profile", "junk", 0666);
	write_file(".profile", "junk", 0666);
	CHECK_EQ_INT(load_capture(tmpdir, &s), 0);
	CHECK_STR(errbuf, "");
	CHECK_EQ_INT(s.n, 3);
	/* by profile name, not file name ("alpha" < "alpha-2") */
	CHECK_STR(s.p[0].name, "alpha");
	CHECK_STR(s.p[1].name, "alpha-2");
	CHECK_STR(s.p[2].name, "zeta");
	CHECK_STR(s.p[2].vendor, "Z");
	profile_set_free(&s);

	/* an empty directory is an empty set */
	clean_tmpdir();
	CHECK_EQ_INT(load_capture(tmpdir, &s), 0);
	CHECK_EQ_INT(s.n, 0);
	CHECK(s.p == NULL);

	/* refused files, all reported, the good ones too dropped */
	write_file("a.profile", "vendor A\nmatch enterprise 1\n", 0644);
	write_file("gw.profile", "vendor G\nmatch enterprise 1\n", 0664);
	write_file("ow.profile", "vendor O\nmatch enterprise 1\n", 0646);
	write_file("bad.profile", "vendor B\nmatch enterprise 1\n"
	    "match enterprise x\n", 0644);
	write_file("bad2.profile", "vendor B\n", 0644);
	write_file("user.profile", "vendor U\nmatch enterprise 1\n", 0644);
	FMT(path, sizeof(path), "%s/user.profile", tmpdir);
	CHECK(chown(path, 1, 1) == 0);
	FMT(path, sizeof(path), "%s/dir.profile", tmpdir);
	CHECK(mkdir(path, 0755) == 0);
	FMT(path, sizeof(path), "%s/link.profile", tmpdir);
	CHECK(symlink("a.profile", path) == 0);
	FMT(path, sizeof(path), "%s/fifo.profile", tmpdir);
	CHECK(mkfifo(path, 0644) == 0);
	s.n = 99;
	CHECK_EQ_INT(load_capture(tmpdir, &s), -1);
	CHECK_EQ_INT(s.n, 0);
	CHECK(s.p == NULL);
	CHECK_EQ_INT(nlines(errbuf), 8);
	FMT(path, sizeof(path), "%s/gw.profile: writable by group or others",
	    tmpdir);
	CHECK(strstr(errbuf, path) != NULL);
	FMT(path, sizeof(path), "%s/ow.profile: writable by group or others",
	    tmpdir);
	CHECK(strstr(errbuf, path) != NULL);
	FMT(path, sizeof(path), "%s/bad.profile:3: bad enterprise number",
	    tmpdir);
	CHECK(strstr(errbuf, path) != NULL);
	FMT(path, sizeof(path), "%s/bad2.profile:1: no match", tmpdir);
	CHECK(strstr(errbuf, path) != NULL);
	FMT(path, sizeof(path), "%s/user.profile: not owned by root", tmpdir);
	CHECK(strstr(errbuf, path) != NULL);
	FMT(path, sizeof(path), "%s/dir.profile: not a regular file", tmpdir);
	CHECK(strstr(errbuf, path) != NULL);
	FMT(path, sizeof(path), "%s/link.profile: refusing a symbolic link",
	    tmpdir);
	CHECK(strstr(errbuf, path) != NULL);
	FMT(path, sizeof(path), "%s/fifo.profile: not a regular file",
	    tmpdir);
	CHECK(strstr(errbuf, path) != NULL);

	/* too large */
	clean_tmpdir();
	memset(big, '#', PROFILE_FILE_MAX + 1);
	big[PROFILE_FILE_MAX + 1] = '\0';
	write_file("huge.profile", big, 0644);
	CHECK_EQ_INT(load_capture(tmpdir, &s), -1);
	FMT(path, sizeof(path), "%s/huge.profile: larger than 65536 bytes",
	    tmpdir);
	CHECK(strstr(errbuf, path) != NULL);
	big[PROFILE_FILE_MAX] = '\0';
	big[PROFILE_FILE_MAX - 1] = '\n';
	memcpy(big, "vendor V\nmatch enterprise 1\n", 28);
	write_file("huge.profile", big, 0644);
	CHECK_EQ_INT(load_capture(tmpdir, &s), 0);
	CHECK_EQ_INT(s.n, 1);
	profile_set_free(&s);

	/* PROFILE_MAX profiles, and one more */
	clean_tmpdir();
	for (i = 0; i < PROFILE_MAX; i++) {
		FMT(name, sizeof(name), "p%02d.profile", i);
		write_file(name, "vendor V\nmatch enterprise 1\n", 0644);
	}
	CHECK_EQ_INT(load_capture(tmpdir, &s), 0);
	CHECK_EQ_INT(s.n, PROFILE_MAX);
	CHECK_STR(s.p[PROFILE_MAX - 1].name, "p63");
	profile_set_free(&s);
	write_file("p64.profile", "vendor V\nmatch enterprise 1\n", 0644);
	CHECK_EQ_INT(load_capture(tmpdir, &s), -1);
	CHECK(strstr(errbuf, "more than 64 profiles") != NULL);
	CHECK(s.p == NULL && s.n == 0);

	/* no directory */
	clean_tmpdir();
	(void)rmdir(tmpdir);
	CHECK_EQ_INT(load_capture(tmpdir, &s), -1);
	CHECK(strstr(errbuf, tmpdir) != NULL);
	tmpdir[0] = '\0';
}

/*
 * The real profiles against the real walks.
 */

static const char *
walks_dir(void)
{
	static const char	*cand[] = { NULL, "../shared/walks",
				    "/work/shared/walks" };
	struct stat		 st;
	size_t			 i;

	cand[0] = getenv("WALKS");
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++)
		if (cand[i] != NULL && stat(cand[i], &st) == 0 &&
		    S_ISDIR(st.st_mode))
			return cand[i];
	return NULL;
}

/* "OID|TAG|VALUE": the value of the OID, as text (hex "4x" decoded) */
static int
walk_value(const char *file, const char *oid, char *out, size_t outsz)
{
	FILE	*fp;
	char	 line[4096], *v, *tag;
	size_t	 olen = strlen(oid), n;

	out[0] = '\0';
	if ((fp = fopen(file, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, oid, olen) != 0 || line[olen] != '|')
			continue;
		tag = line + olen + 1;
		if ((v = strchr(tag, '|')) == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(tag, "4x") == 0) {
			for (n = 0; v[2 * n] != '\0' && v[2 * n + 1] != '\0' &&
			    n + 1 < outsz; n++) {
				unsigned int	 c;

				if (sscanf(v + 2 * n, "%2x", &c) != 1)
					break;
				out[n] = (char)c;
			}
			out[n] = '\0';
		} else
			(void)strlcpy(out, v, outsz);
		fclose(fp);
		return 0;
	}
	fclose(fp);
	return -1;
}

static int
real_set(struct profile_set *s)
{
	struct stat	 st;

	if (stat(REAL_DIR "/hp.profile", &st) == -1 || st.st_uid != 0) {
		printf("# " REAL_DIR " is not root's here: skipped\n");
		return -1;
	}
	if (load_capture(REAL_DIR, s) != 0) {
		printf("# %s", errbuf);
		return -2;
	}
	return 0;
}

TEST(real_profiles)
{
	struct profile_set	 s, out;
	struct wbuf		 w;
	struct rbuf		 r;
	const struct profile	*p;
	const char		*v;
	struct snmp_oid		 o;
	size_t			 i, j;
	int			 rv;

	if ((rv = real_set(&s)) == -1)
		return;
	CHECK_EQ_INT(rv, 0);
	CHECK(s.n >= 15);
	for (i = 0; i < s.n; i++) {
		/* every profile has a vendor and named meters */
		CHECK(s.p[i].vendor[0] != '\0');
		for (j = 0; j < s.p[i].nmeter; j++)
			CHECK(s.p[i].meter[j].name[0] != '\0');
	}
	/* the set travels to collectd unchanged */
	wbuf_init(&w);
	msg_profiles_encode(&w, &s);
	rbuf_init(&r, w.data, w.len);
	CHECK_EQ_INT(msg_profiles_decode(&r, &out), 0);
	CHECK_EQ_INT(rbuf_done(&r), 0);
	CHECK_EQ_INT(out.n, s.n);
	for (i = 0; i < s.n; i++)
		CHECK(profile_eq(&s.p[i], &out.p[i]));
	profile_set_free(&out);
	wbuf_free(&w);

	/* net-snmp on a Linux box is no printer */
	CHECK(snmp_oid_parse("1.3.6.1.4.1.8072.3.2.10", &o) == 0);
	v = "unchanged";
	CHECK(profile_match(&s, &o, "Linux gw 6.1.0-13-amd64 #1 SMP "
	    "PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29) x86_64", &v) == NULL);
	CHECK(v == NULL);
	/* an HP JetDirect without sysDescr */
	CHECK(snmp_oid_parse("1.3.6.1.4.1.11.2.3.9.1", &o) == 0);
	p = profile_match(&s, &o, NULL, &v);
	CHECK(p != NULL);
	CHECK_STR(p->name, "hp");
	CHECK_STR(v, "HP");
	profile_set_free(&s);
}

TEST(real_walks)
{
	struct profile_set	 s;
	const struct profile	*p;
	const char		*dir, *v;
	char			 path[1024], line[1024], descr[REPORT_STR];
	char			 oidtext[REPORT_OID], *file, *vendor, *tab;
	struct snmp_oid		 o;
	FILE			*fp;
	int			 nwalks = 0, rv;

	if ((dir = walks_dir()) == NULL) {
		printf("# no walks directory: skipped\n");
		return;
	}
	if ((rv = real_set(&s)) == -1)
		return;
	CHECK_EQ_INT(rv, 0);
	FMT(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	CHECK((fp = fopen(path, "r")) != NULL);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		file = line;
		if ((tab = strchr(file, '\t')) == NULL)
			continue;
		*tab = '\0';
		vendor = tab + 1;
		if ((tab = strchr(vendor, '\t')) != NULL)
			*tab = '\0';
		if (strcmp(file, "file") == 0)
			continue;		/* the header */
		FMT(path, sizeof(path), "%s/%s", dir, file);
		(void)walk_value(path, "1.3.6.1.2.1.1.1.0", descr,
		    sizeof(descr));
		(void)walk_value(path, "1.3.6.1.2.1.1.2.0", oidtext,
		    sizeof(oidtext));
		o.len = 0;
		if (oidtext[0] != '\0' && snmp_oid_parse(oidtext, &o) == -1) {
			printf("# %s: bad sysObjectID %s\n", file, oidtext);
			CHECK(0);
		}
		p = profile_match(&s, &o, descr, &v);
		if (p == NULL || v == NULL || strcmp(v, vendor) != 0) {
			printf("# %s: want %s, got %s (profile %s)\n", file,
			    vendor, v ? v : "nothing", p ? p->name : "none");
			fclose(fp);
			profile_set_free(&s);
			CHECK(0);
		}
		nwalks++;
	}
	fclose(fp);
	CHECK(nwalks >= 27);

	/* every counter name in the Sharp walk is mapped */
	FMT(path, sizeof(path), "%s/sharp.snmprec", dir);
	if ((fp = fopen(path, "r")) != NULL) {
		static const char	 names[] =
		    "1.3.6.1.4.1.2385.1.1.19.2.1.4.";
		const struct profile_table *t;
		char			 out[REPORT_NAME];
		int			 rows = 0;

		CHECK(snmp_oid_parse("1.3.6.1.4.1.2385.3.1.112.1.2", &o) == 0);
		p = profile_match(&s, &o, "SHARP MX-3570N", &v);
		CHECK(p != NULL && p->ntable == 1);
		t = &p->table[0];
		while (fgets(line, sizeof(line), fp) != NULL) {
			char	*val;

			line[strcspn(line, "\r\n")] = '\0';
			if (strncmp(line, names, sizeof(names) - 1) != 0 ||
			    (val = strstr(line, "|4|")) == NULL)
				continue;
			profile_table_name(t, val + 3, out, sizeof(out));
			if (strncmp(out, "x-", 2) == 0) {
				printf("# Sharp row \"%s\" is not mapped\n",
				    val + 3);
				fclose(fp);
				profile_set_free(&s);
				CHECK(0);
			}
			rows++;
		}
		fclose(fp);
		CHECK_EQ_INT(rows, 28);
		profile_table_name(t, "Black & White Total Count", out,
		    sizeof(out));
		CHECK_STR(out, "black");
		profile_table_name(t, "Full Color Total Count", out,
		    sizeof(out));
		CHECK_STR(out, "color");
	}
	profile_set_free(&s);
}

TEST_MAIN_BEGIN("test_profile")
	log_init("test_profile", LOG_TO_STDERR, 0);
	RUN(parse_good);
	RUN(parse_errors);
	RUN(parse_all_errors);
	RUN(limits);
	RUN(matching);
	RUN(table_names);
	RUN(codec_roundtrip);
	RUN(codec_refuses);
	RUN(load_dir);
	clean_tmpdir();
	if (tmpdir[0] != '\0')
		(void)rmdir(tmpdir);
	RUN(real_profiles);
	RUN(real_walks);
TEST_MAIN_END
