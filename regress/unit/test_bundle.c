/*
 * common/bundle.c: the message of an instruction bundle.  A complete
 * bundle and each of its values read back; every kind of bad input
 * refused with its reason (malformed or unknown-instruction), the first
 * line at fault deciding; times checked against iso_time().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "isotime.h"
#include "log.h"
#include "test.h"

#define HEAD \
	"callhome-instructions 1\n" \
	"gateway site-01\n" \
	"sequence 7\n" \
	"issued 2026-11-21T10:00:00Z\n" \
	"expires 2026-11-28T10:00:00Z\n"
#define SHA \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct bundle	 b;
static char		 err[512];

static enum bundle_result
parse(const char *s)
{
	return bundle_parse((const uint8_t *)s, strlen(s), &b, err,
	    sizeof(err));
}

/* the result of HEAD and one instruction line (LF added) */
static enum bundle_result
instr(const char *line)
{
	char	 buf[2048];

	(void)snprintf(buf, sizeof(buf), HEAD "%s\n", line);
	return parse(buf);
}

/* the result of a header line replaced: which (0..4) by line */
static enum bundle_result
header(int which, const char *line)
{
	static const char *const h[] = {
		"callhome-instructions 1", "gateway site-01", "sequence 7",
		"issued 2026-11-21T10:00:00Z", "expires 2026-11-28T10:00:00Z"
	};
	char	 buf[2048];
	size_t	 len = 0;
	int	 i, n;

	for (i = 0; i < 5; i++) {
		n = snprintf(buf + len, sizeof(buf) - len, "%s\n",
		    i == which ? line : h[i]);
		if (n < 0 || (size_t)n >= sizeof(buf) - len)
			abort();
		len += (size_t)n;
	}
	(void)snprintf(buf + len, sizeof(buf) - len, "collect now\n");
	return parse(buf);
}

#define OK(e)		CHECK_EQ_INT((e), BUNDLE_OK)
#define BAD(e)		CHECK_EQ_INT((e), BUNDLE_MALFORMED)
#define UNKNOWN(e)	CHECK_EQ_INT((e), BUNDLE_UNKNOWN_INSTRUCTION)

TEST(complete)
{
	OK(parse(HEAD
	    "collect now\n"
	    "upload now\n"
	    "schedule daily 03:45\n"
	    "checkin every 6h\n"
	    "package profile hp-extra.profile 3 " SHA " 4096\n"
	    "package software gw_tool-1.2 12 " SHA " 33554432\n"));
	CHECK_STR(b.gateway, "site-01");
	CHECK_EQ_INT(b.sequence, 7);
	CHECK_EQ_INT(b.issued, 1795255200);
	CHECK_EQ_INT(b.expires, 1795255200 + 7 * 86400);
	CHECK_EQ_INT(b.nitems, 6);
	CHECK_EQ_INT(b.items[0].kind, BI_COLLECT_NOW);
	CHECK_EQ_INT(b.items[1].kind, BI_UPLOAD_NOW);
	CHECK_EQ_INT(b.items[2].kind, BI_SCHEDULE_DAILY);
	CHECK_EQ_INT(b.items[2].u.minute, 3 * 60 + 45);
	CHECK_EQ_INT(b.items[3].kind, BI_CHECKIN_EVERY);
	CHECK_EQ_INT(b.items[3].u.seconds, 6 * 3600);
	CHECK_EQ_INT(b.items[4].kind, BI_PACKAGE);
	CHECK_EQ_INT(b.items[4].u.pkg.kind, PKG_PROFILE);
	CHECK_STR(b.items[4].u.pkg.name, "hp-extra.profile");
	CHECK_EQ_INT(b.items[4].u.pkg.version, 3);
	CHECK_STR(b.items[4].u.pkg.sha256, SHA);
	CHECK_EQ_INT(b.items[4].u.pkg.size, 4096);
	CHECK_EQ_INT(b.items[5].u.pkg.kind, PKG_SOFTWARE);
	CHECK_STR(b.items[5].u.pkg.name, "gw_tool-1.2");
	CHECK_EQ_INT(b.items[5].u.pkg.version, 12);
	CHECK_EQ_INT(b.items[5].u.pkg.size, BUNDLE_PKG_SIZE_MAX);
	CHECK_STR(bundle_kind_name(b.items[3].kind), "checkin every");
	CHECK_STR(package_kind_name(PKG_SOFTWARE), "software");
}

TEST(result_names)
{
	CHECK_STR(bundle_result_name(BUNDLE_OK), "ok");
	CHECK_STR(bundle_result_name(BUNDLE_MALFORMED), "malformed");
	CHECK_STR(bundle_result_name(BUNDLE_UNKNOWN_INSTRUCTION),
	    "unknown-instruction");
}

TEST(failure_leaves_nothing)
{
	OK(instr("collect now"));
	CHECK_EQ_INT(b.nitems, 1);
	UNKNOWN(parse(HEAD "collect now\nreboot\n"));
	CHECK_EQ_INT(b.nitems, 0);
	CHECK_EQ_INT(b.sequence, 0);
	CHECK_STR(b.gateway, "");
	CHECK(strstr(err, "line 7") != NULL);
}

TEST(bytes)
{
	char	 buf[256];
	size_t	 n;

	BAD(parse(""));
	/* a NUL, counted in the length */
	n = (size_t)snprintf(buf, sizeof(buf), HEAD "collect now\n");
	buf[n - 3] = '\0';
	BAD(bundle_parse((const uint8_t *)buf, n, &b, err, sizeof(err)));
	CHECK(strstr(err, "NUL") != NULL);
	BAD(parse(HEAD "collect now\r\n"));
	CHECK(strstr(err, "carriage return") != NULL);
	BAD(parse("callhome-instructions 1\r\ngateway site-01\r\n"));
	BAD(parse(HEAD "collect\tnow\n"));
	BAD(parse(HEAD "collect now\x7f\n"));
	BAD(parse(HEAD "collect now\xc3\xa9\n"));
	BAD(parse(HEAD "collect now"));		/* no last LF */
	CHECK(strstr(err, "newline") != NULL);
	BAD(parse(HEAD "collect now\n\n"));	/* an empty line */
	BAD(parse(HEAD "\ncollect now\n"));
	BAD(parse("\n" HEAD "collect now\n"));
	/* a byte error anywhere wins over an earlier unknown line */
	BAD(parse(HEAD "reboot\ncollect now\r\n"));
}

TEST(size_bounds)
{
	char	*buf;
	size_t	 len, i;

	/* 64 instructions of exactly BUNDLE_MAX bytes are fine */
	if ((buf = malloc(BUNDLE_MAX + 2)) == NULL)
		abort();
	len = (size_t)snprintf(buf, BUNDLE_MAX, HEAD);
	for (i = 0; i < BUNDLE_MAX_ITEMS; i++)
		len += (size_t)snprintf(buf + len, BUNDLE_MAX - len,
		    "package profile p%03zu 1 " SHA " 1\n", i);
	CHECK(len < BUNDLE_MAX);
	OK(bundle_parse((const uint8_t *)buf, len, &b, err, sizeof(err)));
	CHECK_EQ_INT(b.nitems, BUNDLE_MAX_ITEMS);
	/* one instruction more */
	(void)snprintf(buf + len, BUNDLE_MAX - len, "collect now\n");
	BAD(bundle_parse((const uint8_t *)buf, len + 12, &b, err,
	    sizeof(err)));
	CHECK(strstr(err, "more than 64") != NULL);
	/* over BUNDLE_MAX bytes, whatever they are */
	memset(buf, 'x', BUNDLE_MAX + 1);
	BAD(bundle_parse((const uint8_t *)buf, BUNDLE_MAX + 1, &b, err,
	    sizeof(err)));
	free(buf);
	/* a line of BUNDLE_LINE_MAX bytes is read, one more is not */
	{
		char	 line[BUNDLE_LINE_MAX + 2];

		memset(line, 'x', sizeof(line));
		line[BUNDLE_LINE_MAX] = '\0';
		UNKNOWN(instr(line));
		line[BUNDLE_LINE_MAX] = 'x';
		line[BUNDLE_LINE_MAX + 1] = '\0';
		BAD(instr(line));
	}
}

TEST(headers)
{
	OK(header(0, "callhome-instructions 1"));
	BAD(header(0, "callhome-instructions 2"));
	BAD(header(0, "callhome-instructions 01"));
	BAD(header(0, "callhome-instructions 1 "));
	BAD(header(0, "callhome-instructions  1"));
	BAD(header(0, "callhome-instructions"));
	BAD(header(0, "callhome-instruction 1"));
	BAD(header(0, "collect now"));
	/* missing: the next line is not what it must be */
	BAD(parse("gateway site-01\nsequence 7\nissued 2026-11-21T10:00:00Z\n"
	    "expires 2026-11-28T10:00:00Z\ncollect now\n"));
	CHECK(strstr(err, "line 1") != NULL);
	BAD(parse("callhome-instructions 1\nsequence 7\n"
	    "issued 2026-11-21T10:00:00Z\nexpires 2026-11-28T10:00:00Z\n"
	    "collect now\n"));
	BAD(parse("callhome-instructions 1\ngateway site-01\n"
	    "issued 2026-11-21T10:00:00Z\nexpires 2026-11-28T10:00:00Z\n"
	    "collect now\n"));
	BAD(parse("callhome-instructions 1\ngateway site-01\nsequence 7\n"
	    "expires 2026-11-28T10:00:00Z\ncollect now\n"));
	BAD(parse("callhome-instructions 1\ngateway site-01\nsequence 7\n"
	    "issued 2026-11-21T10:00:00Z\ncollect now\n"));
	/* out of order */
	BAD(parse("callhome-instructions 1\nsequence 7\ngateway site-01\n"
	    "issued 2026-11-21T10:00:00Z\nexpires 2026-11-28T10:00:00Z\n"
	    "collect now\n"));
	CHECK(strstr(err, "out of place") != NULL);
	/* cut short */
	BAD(parse("callhome-instructions 1\ngateway site-01\n"));
	BAD(parse("callhome-instructions 1\n"));
	/* headers only */
	BAD(parse(HEAD));
	CHECK(strstr(err, "no instruction") != NULL);
	/* a header again, among the instructions */
	BAD(parse(HEAD "collect now\nsequence 8\n"));
	BAD(parse(HEAD "gateway other\n"));
	BAD(parse(HEAD "expires 2027-01-01T00:00:00Z\n"));
	BAD(parse(HEAD "callhome-instructions 1\n"));
	CHECK(strstr(err, "header again") != NULL);
}

TEST(gateway)
{
	char	 line[BUNDLE_GATEWAY_MAX + 16];

	OK(header(1, "gateway a"));
	CHECK_STR(b.gateway, "a");
	OK(header(1, "gateway Site 01 (north) & <co>"));
	CHECK_STR(b.gateway, "Site 01 (north) & <co>");
	BAD(header(1, "gateway"));
	BAD(header(1, "gateway "));
	BAD(header(1, "gateway  a"));
	BAD(header(1, "gateway a "));
	BAD(header(1, "gatewaya"));
	(void)snprintf(line, sizeof(line), "gateway %0*d", BUNDLE_GATEWAY_MAX,
	    0);
	OK(header(1, line));
	CHECK_EQ_INT(strlen(b.gateway), BUNDLE_GATEWAY_MAX);
	(void)snprintf(line, sizeof(line), "gateway %0*d",
	    BUNDLE_GATEWAY_MAX + 1, 0);
	BAD(header(1, line));
}

TEST(sequence)
{
	OK(header(2, "sequence 1"));
	CHECK_EQ_INT(b.sequence, 1);
	OK(header(2, "sequence 9223372036854775807"));
	CHECK(b.sequence == INT64_MAX);
	BAD(header(2, "sequence 9223372036854775808"));
	BAD(header(2, "sequence 99999999999999999999"));
	BAD(header(2, "sequence 999999999999999999999"));
	BAD(header(2, "sequence 0"));
	BAD(header(2, "sequence 07"));
	BAD(header(2, "sequence -7"));
	BAD(header(2, "sequence +7"));
	BAD(header(2, "sequence 7a"));
	BAD(header(2, "sequence 0x7"));
	BAD(header(2, "sequence 7 8"));
	BAD(header(2, "sequence"));
}

TEST(times)
{
	OK(header(4, "expires 2028-02-29T12:34:56Z"));
	CHECK_EQ_INT(b.expires, 1835440496);
	OK(header(3, "issued 1970-01-01T00:00:00Z"));
	CHECK_EQ_INT(b.issued, 0);
	OK(header(4, "expires 9999-12-31T23:59:59Z"));
	CHECK_EQ_INT(b.expires, 253402300799LL);
	BAD(header(3, "issued 2026-02-29T00:00:00Z"));
	BAD(header(3, "issued 2100-02-29T00:00:00Z"));
	OK(header(3, "issued 2000-02-29T00:00:00Z"));
	BAD(header(3, "issued 2026-04-31T00:00:00Z"));
	BAD(header(3, "issued 2026-13-01T00:00:00Z"));
	BAD(header(3, "issued 2026-00-01T00:00:00Z"));
	BAD(header(3, "issued 2026-01-00T00:00:00Z"));
	BAD(header(3, "issued 2026-01-01T24:00:00Z"));
	BAD(header(3, "issued 2026-01-01T00:60:00Z"));
	BAD(header(3, "issued 2026-01-01T00:00:60Z"));
	BAD(header(3, "issued 1969-12-31T23:59:59Z"));
	BAD(header(3, "issued 2026-01-01T00:00:00z"));
	BAD(header(3, "issued 2026-01-01t00:00:00Z"));
	BAD(header(3, "issued 2026-01-01T00:00:00"));
	BAD(header(3, "issued 2026-01-01T00:00:00+00:00"));
	BAD(header(3, "issued 2026-01-01T00:00:00.5Z"));
	BAD(header(3, "issued 2026-01-01 00:00:00Z"));
	BAD(header(3, "issued 2026-1-01T00:00:00Z"));
	BAD(header(3, "issued +026-01-01T00:00:00Z"));
	BAD(header(3, "issued 1795255200"));
	BAD(header(3, "issued"));
	/* expires after issued */
	BAD(header(4, "expires 2026-11-21T10:00:00Z"));
	CHECK(strstr(err, "expires before") != NULL);
	BAD(header(4, "expires 2026-11-21T09:59:59Z"));
	OK(header(4, "expires 2026-11-21T10:00:01Z"));
}

TEST(times_as_iso_time_writes_them)
{
	char	 s[ISO_TIME_LEN];
	int64_t	 t, back;

	for (t = 0; t < 253402300800LL; t += 86400 * 37 + 3617) {
		(void)iso_time(t, s, sizeof(s));
		CHECK(bundle_parse_time(s, strlen(s), &back) == 0);
		CHECK_EQ_INT(back, t);
	}
	(void)iso_time(253402300799LL, s, sizeof(s));
	CHECK(bundle_parse_time(s, strlen(s), &back) == 0);
	CHECK_EQ_INT(back, 253402300799LL);
	/* the length is exact */
	CHECK(bundle_parse_time("2026-01-01T00:00:00Z", 19, &back) == -1);
	CHECK(bundle_parse_time("2026-01-01T00:00:00ZZ", 21, &back) == -1);
}

TEST(simple_instructions)
{
	OK(instr("collect now"));
	OK(instr("upload now"));
	BAD(instr("collect now now"));
	BAD(instr("upload now please"));
	BAD(instr("collect  now"));
	BAD(instr("collect now "));
	BAD(instr(" collect now"));
	BAD(parse(HEAD "collect now\ncollect now\n"));
	CHECK(strstr(err, "again") != NULL);
	BAD(parse(HEAD "upload now\ncollect now\nupload now\n"));
	OK(parse(HEAD "upload now\ncollect now\n"));
}

TEST(schedule)
{
	OK(instr("schedule daily 00:00"));
	CHECK_EQ_INT(b.items[0].u.minute, 0);
	OK(instr("schedule daily 23:59"));
	CHECK_EQ_INT(b.items[0].u.minute, 1439);
	BAD(instr("schedule daily 24:00"));
	BAD(instr("schedule daily 12:60"));
	BAD(instr("schedule daily 7:00"));
	BAD(instr("schedule daily 07:0"));
	BAD(instr("schedule daily 0700"));
	BAD(instr("schedule daily 07:00:00"));
	BAD(instr("schedule daily -7:00"));
	BAD(instr("schedule daily"));
	BAD(instr("schedule daily 07:00 jitter 30m"));
	BAD(parse(HEAD "schedule daily 01:00\nschedule daily 02:00\n"));
}

TEST(checkin_durations)
{
	static const struct {
		const char	*d;
		uint32_t	 s;	/* 0: refused */
	} v[] = {
		{ "30m", 1800 }, { "6h", 21600 }, { "1d", 86400 },
		{ "10s", 10 }, { "10", 10 }, { "600", 600 },
		{ "10000ms", 10 }, { "30d", 30 * 86400 },
		{ "720h", 30 * 86400 }, { "010m", 600 },
		{ "9s", 0 }, { "9", 0 }, { "9999ms", 0 }, { "10500ms", 0 },
		{ "31d", 0 }, { "721h", 0 }, { "0", 0 }, { "0s", 0 },
		{ "h", 0 }, { "10x", 0 }, { "10 s", 0 }, { "-10s", 0 },
		{ "1.5h", 0 }, { "6H", 0 }, { "10ss", 0 }, { "1w", 0 },
		{ "99999999999999999999999d", 0 }, { "1000000001ms", 0 },
	};
	char	 line[128];
	size_t	 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		(void)snprintf(line, sizeof(line), "checkin every %s", v[i].d);
		if (v[i].s == 0) {
			BAD(instr(line));
			continue;
		}
		OK(instr(line));
		CHECK_EQ_INT(b.items[0].u.seconds, v[i].s);
	}
	BAD(instr("checkin every"));
	BAD(instr("checkin every 6h 7h"));
	BAD(parse(HEAD "checkin every 6h\ncheckin every 7h\n"));
}

TEST(packages)
{
	char	 line[512], name[BUNDLE_NAME_MAX + 2];

	OK(instr("package profile a 1 " SHA " 1"));
	OK(instr("package profile A.b_c-9 9223372036854775807 " SHA " 1"));
	OK(instr("package profile _x 1 " SHA " 1"));
	BAD(instr("package firmware a 1 " SHA " 1"));
	BAD(instr("package Profile a 1 " SHA " 1"));
	BAD(instr("package profile .a 1 " SHA " 1"));
	BAD(instr("package profile .. 1 " SHA " 1"));
	BAD(instr("package profile -a 1 " SHA " 1"));
	BAD(instr("package profile a/b 1 " SHA " 1"));
	BAD(instr("package profile ../a 1 " SHA " 1"));
	BAD(instr("package profile a+b 1 " SHA " 1"));
	BAD(instr("package profile a~ 1 " SHA " 1"));
	BAD(instr("package profile a 0 " SHA " 1"));
	BAD(instr("package profile a 01 " SHA " 1"));
	BAD(instr("package profile a -1 " SHA " 1"));
	BAD(instr("package profile a 9223372036854775808 " SHA " 1"));
	BAD(instr("package profile a 1 " SHA " 0"));
	BAD(instr("package profile a 1 " SHA " 33554433"));
	BAD(instr("package profile a 1 " SHA " 1k"));
	BAD(instr("package profile a 1 " SHA));
	BAD(instr("package profile a 1 " SHA " 1 extra"));
	BAD(instr("package profile a 1"));
	BAD(instr("package"));
	BAD(instr("package profile a 1 " SHA "0 1"));
	BAD(instr("package profile a 1 0123456789ABCDEF0123456789abcdef"
	    "0123456789abcdef0123456789abcdef 1"));
	BAD(instr("package profile a 1 g123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef 1"));
	/* one version of a name in a bundle */
	BAD(parse(HEAD "package profile a 1 " SHA " 1\n"
	    "package software a 2 " SHA " 1\n"));
	OK(parse(HEAD "package profile a 1 " SHA " 1\n"
	    "package profile b 1 " SHA " 1\n"));
	/* names of BUNDLE_NAME_MAX and one more */
	memset(name, 'n', sizeof(name));
	name[BUNDLE_NAME_MAX] = '\0';
	(void)snprintf(line, sizeof(line), "package profile %s 1 " SHA " 1",
	    name);
	OK(instr(line));
	CHECK_STR(b.items[0].u.pkg.name, name);
	name[BUNDLE_NAME_MAX] = 'n';
	name[BUNDLE_NAME_MAX + 1] = '\0';
	(void)snprintf(line, sizeof(line), "package profile %s 1 " SHA " 1",
	    name);
	BAD(instr(line));
}

TEST(valid_names)
{
	CHECK(bundle_valid_name("hp.profile"));
	CHECK(bundle_valid_name("0"));
	CHECK(!bundle_valid_name(""));
	CHECK(!bundle_valid_name("."));
	CHECK(!bundle_valid_name(".hidden"));
	CHECK(!bundle_valid_name("-rf"));
	CHECK(!bundle_valid_name("a b"));
	CHECK(!bundle_valid_name("a/b"));
	CHECK(!bundle_valid_name("a\\b"));
	CHECK(!bundle_valid_name("caf\xc3\xa9"));
}

TEST(unknown_instructions)
{
	UNKNOWN(instr("reboot"));
	UNKNOWN(instr("reboot now"));
	UNKNOWN(instr("collect later"));
	UNKNOWN(instr("collect"));
	UNKNOWN(instr("upload"));
	UNKNOWN(instr("Collect now"));
	UNKNOWN(instr("COLLECT NOW"));
	UNKNOWN(instr("schedule weekly 10:00"));
	UNKNOWN(instr("schedule 10:00"));
	UNKNOWN(instr("checkin never"));
	UNKNOWN(instr("checkin"));
	UNKNOWN(instr("exec /bin/sh -c id"));
	UNKNOWN(instr("scan 10.0.0.0/8"));
	UNKNOWN(instr("get 1.3.6.1.2.1.1.1.0"));
	UNKNOWN(instr("packages profile a 1 " SHA " 1"));
	UNKNOWN(instr("# a comment"));
	UNKNOWN(instr("a b c d e f g h i j k l m n o p"));
	CHECK(strstr(err, "not an instruction") != NULL);
}

TEST(first_fault_decides)
{
	UNKNOWN(parse(HEAD "reboot\ncollect now now\n"));
	BAD(parse(HEAD "collect now now\nreboot\n"));
	UNKNOWN(parse(HEAD "collect now\nreboot\n"));
	/* a bad header before an unknown line */
	BAD(parse("callhome-instructions 2\ngateway site-01\nsequence 7\n"
	    "issued 2026-11-21T10:00:00Z\nexpires 2026-11-28T10:00:00Z\n"
	    "reboot\n"));
	/* the five header lines are headers, never instructions */
	BAD(parse("callhome-instructions 1\ngateway site-01\nsequence 7\n"
	    "issued 2026-11-21T10:00:00Z\nreboot\n"));
}

TEST(no_nul_needed)
{
	/* the message is bytes: nothing may read past them (ASan) */
	static const char	 m[] = HEAD "collect now\nupload nox";
	uint8_t			*exact;

	if ((exact = malloc(sizeof(m) - 1)) == NULL)
		abort();
	memcpy(exact, m, sizeof(m) - 1);
	exact[sizeof(m) - 2] = '\n';
	UNKNOWN(bundle_parse(exact, sizeof(m) - 1, &b, err, sizeof(err)));
	CHECK(strstr(err, "\"upload no\"") != NULL);
	free(exact);
}

TEST_MAIN_BEGIN("test_bundle")
	log_init("test_bundle", LOG_TO_STDERR, 0);
	RUN(complete);
	RUN(result_names);
	RUN(failure_leaves_nothing);
	RUN(bytes);
	RUN(size_bounds);
	RUN(headers);
	RUN(gateway);
	RUN(sequence);
	RUN(times);
	RUN(times_as_iso_time_writes_them);
	RUN(simple_instructions);
	RUN(schedule);
	RUN(checkin_durations);
	RUN(packages);
	RUN(valid_names);
	RUN(unknown_instructions);
	RUN(first_fault_decides);
	RUN(no_nul_needed);
TEST_MAIN_END
