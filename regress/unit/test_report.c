/*
 * common/report.c: report_str_clean(), which makes device bytes safe to
 * store and show, against the exact bytes its comment in report.h
 * promises: valid UTF-8 kept; other bytes, C0 and C1 controls and DEL as
 * "\xNN"; a backslash doubled; trailing NULs dropped; always terminated,
 * cut on a character boundary, never past dst.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "test.h"

#define GUARD		16	/* bytes after dst that must stay as they are */
#define FILL		0x55

/*
 * Clean the n bytes of in into a dst of dstsz bytes; 0 when the result
 * is want, exactly, and nothing after dst was written.
 */
static int
cleans_to(const char *in, size_t n, size_t dstsz, const char *want)
{
	char	*dst;
	size_t	 i;
	int	 r = 0;

	if ((dst = malloc(dstsz + GUARD)) == NULL)
		return -1;
	memset(dst, FILL, dstsz + GUARD);
	report_str_clean((const uint8_t *)in, n, dst, dstsz);
	for (i = dstsz; i < dstsz + GUARD; i++)
		if ((unsigned char)dst[i] != FILL) {
			printf("# dst[%zu] written past %zu bytes\n", i,
			    dstsz);
			r = -1;
			break;
		}
	if (r == 0 && (memchr(dst, '\0', dstsz) == NULL ||
	    strcmp(dst, want) != 0)) {
		printf("# cleaning %zu bytes into %zu: got \"", n, dstsz);
		for (i = 0; i < dstsz && dst[i] != '\0'; i++)
			printf("%c", dst[i] >= 0x20 && dst[i] < 0x7f ?
			    dst[i] : '?');
		printf("\", want \"%s\"\n", want);
		r = -1;
	}
	free(dst);
	return r;
}

/* a literal (NULs included) into a roomy dst */
#define CLEAN(lit, want)	cleans_to((lit), sizeof(lit) - 1, 256, (want))
/* the same into dst of dstsz bytes */
#define CLEAN_N(lit, dstsz, want)					\
	cleans_to((lit), sizeof(lit) - 1, (dstsz), (want))

TEST(empty)
{
	CHECK(CLEAN("", "") == 0);
	/* only NULs: all trailing, all dropped */
	CHECK(CLEAN("\0\0\0", "") == 0);
}

TEST(plain)
{
	CHECK(CLEAN("HP LaserJet M507", "HP LaserJet M507") == 0);
	/* printable ASCII is kept whole, quotes and all */
	CHECK(CLEAN(" !\"'<>&~", " !\"'<>&~") == 0);
	/* the one escape character is doubled */
	CHECK(CLEAN("C:\\spool", "C:\\\\spool") == 0);
	CHECK(CLEAN("\\x41", "\\\\x41") == 0);
}

TEST(utf8_kept)
{
	CHECK(CLEAN("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x96\xa8",
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x96\xa8") == 0);
	/* the limits: U+00A0 (after C1), U+07FF, U+0800, U+D7FF, U+E000,
	 * U+FFFF, U+10000, U+10FFFF */
	CHECK(CLEAN("\xc2\xa0\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
	    "\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
	    "\xc2\xa0\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
	    "\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf") == 0);
}

TEST(utf8_invalid)
{
	/* Latin-1, a lone continuation byte, bytes never in UTF-8 */
	CHECK(CLEAN("caf\xe9", "caf\\xe9") == 0);
	CHECK(CLEAN("a\x80z", "a\\x80z") == 0);
	CHECK(CLEAN("\xc0\xc1\xf5\xff", "\\xc0\\xc1\\xf5\\xff") == 0);
	/* overlong forms of '/' and of U+07FF, U+FFFF */
	CHECK(CLEAN("\xc0\xaf", "\\xc0\\xaf") == 0);
	CHECK(CLEAN("\xe0\x9f\xbf", "\\xe0\\x9f\\xbf") == 0);
	CHECK(CLEAN("\xf0\x8f\xbf\xbf", "\\xf0\\x8f\\xbf\\xbf") == 0);
	/* above U+10FFFF */
	CHECK(CLEAN("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80") == 0);
	/* a sequence cut short, at the end and before an ASCII byte */
	CHECK(CLEAN("ab\xe2\x82", "ab\\xe2\\x82") == 0);
	CHECK(CLEAN("\xe2\x82z\xe2\x82\xac",
	    "\\xe2\\x82z\xe2\x82\xac") == 0);
	CHECK(CLEAN("\xf0\x9f\x96", "\\xf0\\x9f\\x96") == 0);
}

TEST(surrogates)
{
	/* UTF-16 surrogates encoded as UTF-8 (CESU-8): every byte escaped */
	CHECK(CLEAN("\xed\xa0\x80", "\\xed\\xa0\\x80") == 0);
	CHECK(CLEAN("\xed\xbf\xbf", "\\xed\\xbf\\xbf") == 0);
	/* a pair, high then low, stays six escaped bytes */
	CHECK(CLEAN("\xed\xa0\xbd\xed\xb2\xa9",
	    "\\xed\\xa0\\xbd\\xed\\xb2\\xa9") == 0);
}

TEST(controls)
{
	/* C0, each of them, as \xNN in lower case */
	CHECK(CLEAN("\x01\t\n\r\x1b\x1f", "\\x01\\x09\\x0a\\x0d\\x1b\\x1f") ==
	    0);
	CHECK(CLEAN("line 1\nline 2", "line 1\\x0aline 2") == 0);
	/* DEL */
	CHECK(CLEAN("a\x7f" "b", "a\\x7fb") == 0);
	/* C1: U+0080, U+0085, U+009F as the two bytes of their UTF-8 */
	CHECK(CLEAN("\xc2\x80", "\\xc2\\x80") == 0);
	CHECK(CLEAN("x\xc2\x85y", "x\\xc2\\x85y") == 0);
	CHECK(CLEAN("\xc2\x9f", "\\xc2\\x9f") == 0);
	/* a C1 byte alone is no character: one escape */
	CHECK(CLEAN("\x9b", "\\x9b") == 0);
}

TEST(nul)
{
	/* trailing NULs (SNMP padding) dropped, a NUL inside kept, escaped */
	CHECK(CLEAN("KY1234\0", "KY1234") == 0);
	CHECK(CLEAN("KY1234\0\0\0\0", "KY1234") == 0);
	CHECK(CLEAN("a\0b", "a\\x00b") == 0);
	CHECK(CLEAN("a\0b\0\0", "a\\x00b") == 0);
	CHECK(CLEAN("\0a", "\\x00a") == 0);
}

TEST(cut)
{
	/* room for dstsz - 1 bytes and the NUL */
	CHECK(CLEAN_N("abcdef", 4, "abc") == 0);
	CHECK(CLEAN_N("abc", 4, "abc") == 0);
	CHECK(CLEAN_N("abc", 1, "") == 0);
	/* a character is not split: all of its bytes or none */
	CHECK(CLEAN_N("ab\xc3\xa9", 4, "ab") == 0);
	CHECK(CLEAN_N("ab\xc3\xa9", 5, "ab\xc3\xa9") == 0);
	CHECK(CLEAN_N("\xe2\x82\xac\xe2\x82\xac", 6, "\xe2\x82\xac") == 0);
	CHECK(CLEAN_N("\xe2\x82\xac\xe2\x82\xac", 7,
	    "\xe2\x82\xac\xe2\x82\xac") == 0);
	CHECK(CLEAN_N("\xf0\x9f\x96\xa8", 4, "") == 0);
	CHECK(CLEAN_N("\xf0\x9f\x96\xa8", 5, "\xf0\x9f\x96\xa8") == 0);
	/* nor an escape */
	CHECK(CLEAN_N("a\x01", 5, "a") == 0);
	CHECK(CLEAN_N("a\x01", 6, "a\\x01") == 0);
	CHECK(CLEAN_N("a\\", 3, "a") == 0);
	CHECK(CLEAN_N("a\\", 4, "a\\\\") == 0);
	CHECK(CLEAN_N("\xc2\x85", 8, "") == 0);
	CHECK(CLEAN_N("\xc2\x85", 9, "\\xc2\\x85") == 0);
	CHECK(CLEAN_N("\xed\xa0\x80", 12, "\\xed\\xa0") == 0);
	/* cut means cut: nothing after what did not fit */
	CHECK(CLEAN_N("\xe2\x82\xac" "b", 3, "") == 0);
	CHECK(CLEAN_N("a\x01" "bcdef", 5, "a") == 0);
	/* trailing NULs go before the cut is measured */
	CHECK(CLEAN_N("abc\0\0\0", 4, "abc") == 0);
}

/* a long field from a device: the result always fits and ends in NUL */
TEST(long_input)
{
	char	 in[3000], want[REPORT_STR];
	size_t	 i;

	for (i = 0; i < sizeof(in); i += 2) {
		in[i] = '\xc3';
		in[i + 1] = '\xa9';
	}
	/* REPORT_STR - 1 = 1023 bytes of room: 511 whole characters */
	for (i = 0; i < 511 * 2; i += 2) {
		want[i] = '\xc3';
		want[i + 1] = '\xa9';
	}
	want[i] = '\0';
	CHECK(cleans_to(in, sizeof(in), REPORT_STR, want) == 0);
}

/* no room at all: nothing is written */
TEST(no_room)
{
	char	 dst[4];

	memset(dst, FILL, sizeof(dst));
	report_str_clean((const uint8_t *)"abc", 3, dst, 0);
	CHECK((unsigned char)dst[0] == FILL);
}

TEST_MAIN_BEGIN("test_report")
	RUN(empty);
	RUN(plain);
	RUN(utf8_kept);
	RUN(utf8_invalid);
	RUN(surrogates);
	RUN(controls);
	RUN(nul);
	RUN(cut);
	RUN(long_input);
	RUN(no_room);
TEST_MAIN_END
