/*
 * callhomectl's pure helpers for log, show and report
 * (callhomectl/ctl_fmt.c): HTML escaping, RFC 4180 CSV fields, the
 * times of --since and --until, the strict JSON checker that decides
 * whether a log record's detail is embedded as an object, and the words
 * for the special supply levels.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "callhomectl/callhomectl.h"
#include "isotime.h"
#include "report.h"

/* what a writer puts on a stream, as a string (static, overwritten) */
static char	*captured;

static const char *
html(const char *s)
{
	size_t	 len = 0;
	FILE	*fp;

	free(captured);
	captured = NULL;
	if ((fp = open_memstream(&captured, &len)) == NULL)
		abort();
	ctl_html_escape(fp, s);
	fclose(fp);
	return captured;
}

static const char *
csv(const char *s)
{
	size_t	 len = 0;
	FILE	*fp;

	free(captured);
	captured = NULL;
	if ((fp = open_memstream(&captured, &len)) == NULL)
		abort();
	ctl_csv_field(fp, s);
	fclose(fp);
	return captured;
}

/* parse an RFC 4180 field back (the inverse), for the round trip */
static char *
csv_unquote(const char *s)
{
	char	*out, *o;
	size_t	 n = strlen(s);

	if ((out = o = malloc(n + 1)) == NULL)
		abort();
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		for (s++, n -= 2; n > 0; s++, n--) {
			if (*s == '"') {
				if (n < 2 || s[1] != '"') {
					free(out);
					return NULL;	/* a lone quote */
				}
				s++;
				n--;
			}
			*o++ = *s;
		}
	} else {
		if (strpbrk(s, ",\"\r\n") != NULL) {
			free(out);
			return NULL;	/* had to be quoted */
		}
		memcpy(o, s, n);
		o += n;
	}
	*o = '\0';
	return out;
}

TEST(html_escapes_markup)
{
	CHECK_STR(html("plain text"), "plain text");
	CHECK_STR(html("<script>alert(1)</script>"),
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	CHECK_STR(html("a & b"), "a &amp; b");
	CHECK_STR(html("\"double\" 'single'"),
	    "&quot;double&quot; &#39;single&#39;");
	/* an attribute cannot be closed, nor an entity forged */
	CHECK_STR(html("x\" onmouseover=\"y"),
	    "x&quot; onmouseover=&quot;y");
	CHECK_STR(html("&lt;"), "&amp;lt;");
	CHECK_STR(html(""), "");
	CHECK_STR(html(NULL), "");
}

TEST(html_controls_and_utf8)
{
	/* controls are not HTML text: shown as '?'; tab and LF are kept */
	CHECK_STR(html("a\x01" "b\x1b[31m\x7f"), "a?b?[31m?");
	CHECK_STR(html("t\tn\n"), "t\tn\n");
	CHECK_STR(html("\r"), "?");
	/* UTF-8 passes through */
	CHECK_STR(html("\xe3\x83\x88\xe3\x83\x8a\xe3\x83\xbc \xf0\x9f\x96\xa8"),
	    "\xe3\x83\x88\xe3\x83\x8a\xe3\x83\xbc \xf0\x9f\x96\xa8");
	/* collectd's escapes stay text */
	CHECK_STR(html("\\x0a\\\\"), "\\x0a\\\\");
}

TEST(csv_quotes_when_needed)
{
	CHECK_STR(csv("plain"), "plain");
	CHECK_STR(csv("-3"), "-3");
	CHECK_STR(csv(""), "");
	CHECK_STR(csv(NULL), "");
	CHECK_STR(csv("a,b"), "\"a,b\"");
	CHECK_STR(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
	CHECK_STR(csv("\""), "\"\"\"\"");
	CHECK_STR(csv("line\nbreak"), "\"line\nbreak\"");
	CHECK_STR(csv("cr\rlf\r\n"), "\"cr\rlf\r\n\"");
	/* blanks at the ends are kept by quoting */
	CHECK_STR(csv(" lead"), "\" lead\"");
	CHECK_STR(csv("trail "), "\"trail \"");
	CHECK_STR(csv("in side"), "in side");
	/* markup is no concern of CSV */
	CHECK_STR(csv("<script>alert(1)</script>"),
	    "<script>alert(1)</script>");
}

TEST(csv_round_trips)
{
	static const char *const v[] = {
		"", "a", "a,b", "\"", "\"\"", ",", "\r\n", "x\ny\rz",
		"He said \"no, \"\"never\"\"\", then left\r\n",
		"<script>alert(1)</script> & 'q', \"d\"",
		" ", "\t", "\xc3\xa9,\xe2\x82\xac", "\\x0a\\\\",
	};
	size_t	 i;
	char	*back;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		back = csv_unquote(csv(v[i]));
		CHECK(back != NULL);
		CHECK_STR(back, v[i]);
		free(back);
	}
}

static int64_t
parse(const char *s)
{
	int64_t	 t;
	char	 why[128];

	if (ctl_parse_time(s, &t, why, sizeof(why)) == -1)
		return -1;
	return t;
}

TEST(times_parsed)
{
	(void)setenv("TZ", "UTC", 1);
	tzset();
	CHECK_EQ_INT(parse("2026-01-02"), 1767312000);
	CHECK_EQ_INT(parse("2026-01-02 03:04"), 1767312000 + 3 * 3600 +
	    4 * 60);
	CHECK_EQ_INT(parse("2026-01-02 03:04:05"), 1767312000 + 3 * 3600 +
	    4 * 60 + 5);
	CHECK_EQ_INT(parse("2026-01-02T03:04:05"), 1767312000 + 3 * 3600 +
	    4 * 60 + 5);
	CHECK_EQ_INT(parse("1970-01-01"), 0);
	CHECK_EQ_INT(parse("2024-02-29"), 1709164800);
	CHECK_EQ_INT(parse("2000-02-29 23:59:59"), 951868799);
	CHECK_EQ_INT(parse("@1700000000"), 1700000000);
	CHECK_EQ_INT(parse("@0"), 0);
	CHECK_EQ_INT(parse("9999-12-31 23:59:59"), 253402300799LL);

	(void)setenv("TZ", "UTC-2", 1);		/* two hours east */
	tzset();
	CHECK_EQ_INT(parse("2026-01-02"), 1767312000 - 2 * 3600);
	CHECK_EQ_INT(parse("@1700000000"), 1700000000);
	(void)setenv("TZ", "UTC", 1);
	tzset();
}

TEST(times_refused)
{
	static const char *const bad[] = {
		"", "x", "2026", "2026-01", "2026-1-02", "26-01-02",
		"2026/01/02", "2026-01-02 ", "2026-01-02 3:04", "2026-01-02 03",
		"2026-01-02 03:04:5", "2026-01-02 03:04:05Z",
		"2026-01-02 03:04:05.5", "2026-01-02x03:04", "2026-13-01",
		"2026-00-10", "2026-01-00", "2026-01-32", "2026-02-29",
		"2100-02-29", "2026-04-31", "2026-01-02 24:00",
		"2026-01-02 23:60", "2026-01-02 23:59:60", "1969-12-31",
		"@", "@-5", "@+5", "@ 5", "@12x", "@1e9", "@99999999999999",
		"@99999999999999999999999", " 2026-01-02", "２０２６-01-02",
	};
	int64_t	 t;
	char	 why[128];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (ctl_parse_time(bad[i], &t, why, sizeof(why)) != -1) {
			printf("# accepted \"%s\"\n", bad[i]);
			CHECK(0);
		}
		CHECK(why[0] != '\0');
	}
}

TEST(times_skipped_by_dst)
{
	int64_t	 t;
	char	 why[128];

	if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) == -1) {
		printf("# no tzdata: skipped\n");
		return;
	}
	(void)setenv("TZ", "Europe/Berlin", 1);
	tzset();
	/* 02:00 to 03:00 does not exist on 2026-03-29 */
	CHECK(ctl_parse_time("2026-03-29 02:30", &t, why, sizeof(why)) ==
	    -1);
	CHECK(strstr(why, "local time") != NULL);
	CHECK(ctl_parse_time("2026-03-29 03:30", &t, why, sizeof(why)) == 0);
	CHECK_EQ_INT(t, 1774747800);
	CHECK(ctl_parse_time("2026-07-01", &t, why, sizeof(why)) == 0);
	CHECK_EQ_INT(t, 1782856800);		/* CEST: UTC+2 */
	(void)setenv("TZ", "UTC", 1);
	tzset();
}

TEST(times_shown)
{
	char	 buf[32];

	(void)setenv("TZ", "UTC-2", 1);
	tzset();
	(void)iso_time(1767312000, buf, sizeof(buf));
	CHECK_STR(buf, "2026-01-02T00:00:00Z");
	ctl_time_local(1767312000, buf, sizeof(buf));
	CHECK_STR(buf, "2026-01-02 02:00:00");
	(void)iso_time(0, buf, sizeof(buf));
	CHECK_STR(buf, "1970-01-01T00:00:00Z");
	(void)setenv("TZ", "UTC", 1);
	tzset();
}

TEST(json_objects)
{
	static const char *const good[] = {
		"{}", " { } ", "{\"a\":1}",
		"{\"cycle\":1,\"token\":17995336694335932902,\"ok\":true,"
		    "\"no\":false,\"n\":null,\"s\":\"x\"}",
		"{\"a\":[1,-2,3.5,4e10,5E-3,-0.0,[],{}],\"b\":{\"c\":[null]}}",
		"{\"s\":\"esc \\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 "
		    "\\ud83d\\udda8\"}",
		"{\"u\":\"\xc3\xa9\xe3\x83\x88\xf0\x9f\x96\xa8\"}",
		"\t{\"a\" : 1 ,\r\n \"b\" :2}\n",
	};
	static const char *const bad[] = {
		"", "null", "[]", "[1]", "\"s\"", "1", "{", "}", "{\"a\"}",
		"{\"a\":}", "{\"a\":1,}", "{,}", "{\"a\":1}{}", "{\"a\":1} x",
		"{a:1}", "{'a':1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}",
		"{\"a\":+1}", "{\"a\":1e}", "{\"a\":-}", "{\"a\":tru}",
		"{\"a\":nul}", "{\"a\":NaN}", "{\"a\":[1,]}", "{\"a\":[1 2]}",
		"{\"a\":\"x}", "{\"a\":\"\x01\"}", "{\"a\":\"\n\"}",
		"{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\ud800\"}",
		"{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}",
		"{\"a\":\"\xff\"}", "{\"a\":\"\xc0\xaf\"}",
		"{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xf4\x90\x80\x80\"}",
		"{\"a\":\"\xe3\x81\"}",
	};
	char	 deep[300];
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!ctl_json_is_object(good[i]))
			printf("# refused %s\n", good[i]);
		CHECK(ctl_json_is_object(good[i]));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ctl_json_is_object(bad[i]))
			printf("# accepted %s\n", bad[i]);
		CHECK(!ctl_json_is_object(bad[i]));
	}
	/* nesting is bounded */
	memset(deep, 0, sizeof(deep));
	deep[0] = '{';
	(void)strlcat(deep, "\"a\":", sizeof(deep));
	for (i = 0; i < 100; i++)
		(void)strlcat(deep, "[", sizeof(deep));
	for (i = 0; i < 100; i++)
		(void)strlcat(deep, "]", sizeof(deep));
	(void)strlcat(deep, "}", sizeof(deep));
	CHECK(!ctl_json_is_object(deep));
}

TEST(json_members)
{
	const char	*detail = "{\"cycle\":7,\"outbox\":3,\"size\":20591,"
	    "\"sha256\":\"401da04ae27be7a161e8b084de577f98\",\"devices\":9,"
	    "\"nested\":{\"outbox\":99},\"neg\":-4,\"big\":"
	    "99999999999999999999}";
	char		 hex[65];
	int64_t		 v;

	CHECK(ctl_json_member_int(detail, "outbox", &v) == 0);
	CHECK_EQ_INT(v, 3);
	CHECK(ctl_json_member_int(detail, "cycle", &v) == 0);
	CHECK_EQ_INT(v, 7);
	CHECK(ctl_json_member_int(detail, "neg", &v) == 0);
	CHECK_EQ_INT(v, -4);
	CHECK(ctl_json_member_int(detail, "big", &v) == -1);
	CHECK(ctl_json_member_int(detail, "sha256", &v) == -1);
	CHECK(ctl_json_member_int(detail, "missing", &v) == -1);
	CHECK(ctl_json_member_int(detail, "out", &v) == -1);
	CHECK(ctl_json_member_int("{\"outbox\":1.5}", "outbox", &v) == -1);
	CHECK(ctl_json_member_int("{\"outbox\":\"3\"}", "outbox", &v) == -1);
	CHECK(ctl_json_member_int("{\"outbox\":null}", "outbox", &v) == -1);
	CHECK(ctl_json_member_int("{\"outbox\":1,\"outbox\":2}", "outbox",
	    &v) == -1);
	CHECK(ctl_json_member_int("{\"outbox\":1", "outbox", &v) == -1);
	CHECK(ctl_json_member_int("{}", "outbox", &v) == -1);
	CHECK(ctl_json_member_hex(detail, "sha256", hex, sizeof(hex)) == 0);
	CHECK_STR(hex, "401da04ae27be7a161e8b084de577f98");
	CHECK(ctl_json_member_hex(detail, "cycle", hex, sizeof(hex)) == -1);
	CHECK(ctl_json_member_hex("{\"sha256\":\"xyz\"}", "sha256", hex,
	    sizeof(hex)) == -1);
	CHECK(ctl_json_member_hex(detail, "sha256", hex, 10) == -1);
}

TEST(level_words)
{
	CHECK_STR(ctl_level_word(-1), "other");
	CHECK_STR(ctl_level_word(-2), "unknown");
	CHECK_STR(ctl_level_word(-3), "some remaining");
	CHECK(ctl_level_word(0) == NULL);
	CHECK(ctl_level_word(100) == NULL);
	CHECK(ctl_level_word(-4) == NULL);
	CHECK(ctl_level_word(REPORT_NONE) == NULL);
}

TEST_MAIN_BEGIN("test_ctl_report")
	RUN(html_escapes_markup);
	RUN(html_controls_and_utf8);
	RUN(csv_quotes_when_needed);
	RUN(csv_round_trips);
	RUN(times_parsed);
	RUN(times_refused);
	RUN(times_skipped_by_dst);
	RUN(times_shown);
	RUN(json_objects);
	RUN(json_members);
	RUN(level_words);
	free(captured);
TEST_MAIN_END
