/*
 * BER primitives: the bounded reader, the contents decoders and the
 * back-to-front writer.  Expected octets are computed by hand from X.690.
 */
#include <stdint.h>
#include <string.h>

#include "ber.h"
#include "test.h"

#define LEN(a)	(sizeof(a) / sizeof((a)[0]))

static int
read_one(const uint8_t *p, size_t n, struct ber_tlv *t, const char **errstr)
{
	struct ber_reader	 r;

	ber_reader_init(&r, p, n);
	return ber_read(&r, t, errstr);
}

/* write an INTEGER with the writer, compare with the expected octets */
static int
int_enc_is(int64_t v, const uint8_t *exp, size_t explen)
{
	uint8_t			 buf[16];
	struct ber_writer	 w;
	const uint8_t		*out;
	size_t			 len;

	ber_writer_init(&w, buf, sizeof(buf));
	ber_put_int(&w, BER_TAG_INTEGER, v);
	if ((out = ber_writer_data(&w, &len)) == NULL)
		return 0;
	return len == explen && memcmp(out, exp, len) == 0;
}

static int
uint_enc_is(uint8_t tag, uint64_t v, const uint8_t *exp, size_t explen)
{
	uint8_t			 buf[16];
	struct ber_writer	 w;
	const uint8_t		*out;
	size_t			 len;

	ber_writer_init(&w, buf, sizeof(buf));
	ber_put_uint(&w, tag, v);
	if ((out = ber_writer_data(&w, &len)) == NULL)
		return 0;
	return len == explen && memcmp(out, exp, len) == 0;
}

static int
oid_enc_is(const uint32_t *sub, size_t n, const uint8_t *exp, size_t explen)
{
	uint8_t			 buf[64];
	struct ber_writer	 w;
	const uint8_t		*out;
	size_t			 len;

	ber_writer_init(&w, buf, sizeof(buf));
	ber_put_oid(&w, BER_TAG_OID, sub, n);
	if ((out = ber_writer_data(&w, &len)) == NULL)
		return 0;
	return len == explen && memcmp(out, exp, len) == 0;
}

TEST(read_short_and_long_lengths)
{
	static const uint8_t	 s[] = { 0x04, 0x02, 'h', 'i' };
	static const uint8_t	 l1[] = { 0x04, 0x81, 0x01, 'x' };
	/* non-minimal long forms are valid BER and sent by agents */
	static const uint8_t	 l4[] = { 0x04, 0x84, 0, 0, 0, 0x01, 'y' };
	struct ber_tlv		 t;
	const char		*e;

	CHECK(read_one(s, sizeof(s), &t, &e) == 0);
	CHECK_EQ_INT(t.tag, 0x04);
	CHECK_EQ_INT(t.len, 2);
	CHECK(t.v == s + 2);
	CHECK(read_one(l1, sizeof(l1), &t, &e) == 0);
	CHECK_EQ_INT(t.len, 1);
	CHECK(t.v[0] == 'x');
	CHECK(read_one(l4, sizeof(l4), &t, &e) == 0);
	CHECK_EQ_INT(t.len, 1);
	CHECK(t.v[0] == 'y');
}

TEST(read_long_length_128_and_65535)
{
	static uint8_t		 buf[4 + 65535];
	struct ber_tlv		 t;
	const char		*e;

	buf[0] = 0x04; buf[1] = 0x81; buf[2] = 0x80;
	CHECK(read_one(buf, 3 + 128, &t, &e) == 0);
	CHECK_EQ_INT(t.len, 128);
	CHECK(read_one(buf, 3 + 127, &t, &e) == -1);
	CHECK_STR(e, "length exceeds input");
	buf[1] = 0x82; buf[2] = 0xff; buf[3] = 0xff;
	CHECK(read_one(buf, sizeof(buf), &t, &e) == 0);
	CHECK_EQ_INT(t.len, 65535);
}

TEST(reject_indefinite_length)
{
	static const uint8_t	 b[] = { 0x30, 0x80, 0x02, 0x01, 0x00, 0, 0 };
	struct ber_tlv		 t;
	const char		*e;

	CHECK(read_one(b, sizeof(b), &t, &e) == -1);
	CHECK_STR(e, "indefinite length not allowed");
}

TEST(reject_length_of_five_octets)
{
	static const uint8_t	 b[] = { 0x04, 0x85, 0, 0, 0, 0, 0x01, 'x' };
	struct ber_tlv		 t;
	const char		*e;

	CHECK(read_one(b, sizeof(b), &t, &e) == -1);
	CHECK_STR(e, "length field too long");
	/* 0xff: reserved, also more than four octets */
	{
		static const uint8_t	 r[] = { 0x04, 0xff, 0x00 };
		CHECK(read_one(r, sizeof(r), &t, &e) == -1);
		CHECK_STR(e, "length field too long");
	}
}

TEST(reject_length_beyond_input)
{
	static const uint8_t	 a[] = { 0x04, 0x03, 'a', 'b' };
	static const uint8_t	 b[] = { 0x04, 0x84, 0xff, 0xff, 0xff, 0xff,
	    'a' };
	static const uint8_t	 c[] = { 0x04, 0x82, 0x01 };
	struct ber_tlv		 t;
	const char		*e;

	CHECK(read_one(a, sizeof(a), &t, &e) == -1);
	CHECK_STR(e, "length exceeds input");
	CHECK(read_one(b, sizeof(b), &t, &e) == -1);
	CHECK_STR(e, "length exceeds input");
	CHECK(read_one(c, sizeof(c), &t, &e) == -1);
	CHECK_STR(e, "truncated: length field");
}

TEST(reject_truncated_header)
{
	static const uint8_t	 b[] = { 0x04 };
	struct ber_tlv		 t;
	const char		*e;

	CHECK(read_one(b, 0, &t, &e) == -1);
	CHECK_STR(e, "truncated: missing tag");
	CHECK(read_one(b, 1, &t, &e) == -1);
	CHECK_STR(e, "truncated: missing length");
}

TEST(reject_high_tag_number_form)
{
	static const uint8_t	 u[] = { 0x1f, 0x20, 0x00 };
	static const uint8_t	 a[] = { 0x5f, 0x20, 0x00 };
	static const uint8_t	 c[] = { 0xbf, 0x20, 0x00 };
	struct ber_tlv		 t;
	const char		*e;

	CHECK(read_one(u, sizeof(u), &t, &e) == -1);
	CHECK_STR(e, "high tag number form not supported");
	CHECK(read_one(a, sizeof(a), &t, &e) == -1);
	CHECK_STR(e, "high tag number form not supported");
	CHECK(read_one(c, sizeof(c), &t, &e) == -1);
	CHECK_STR(e, "high tag number form not supported");
}

TEST(reject_end_of_contents)
{
	static const uint8_t	 b[] = { 0x00, 0x00 };
	struct ber_tlv		 t;
	const char		*e;

	CHECK(read_one(b, sizeof(b), &t, &e) == -1);
	CHECK_STR(e, "end-of-contents octets not allowed");
}

TEST(expect_leaves_reader_on_mismatch)
{
	static const uint8_t	 b[] = { 0x02, 0x01, 0x05 };
	struct ber_reader	 r;
	struct ber_tlv		 t;
	const char		*e;

	ber_reader_init(&r, b, sizeof(b));
	CHECK(ber_expect(&r, BER_TAG_OCTETS, &t, &e) == -1);
	CHECK_STR(e, "unexpected tag");
	CHECK(r.p == b);
	CHECK(ber_expect(&r, BER_TAG_INTEGER, &t, &e) == 0);
	CHECK(ber_done(&r));
}

/*
 * Nine nested SEQUENCEs around an empty one: entering them one after the
 * other works up to BER_MAX_DEPTH levels and fails at the next.
 */
TEST(nesting_depth_bounded)
{
	uint8_t			 b[2 * (BER_MAX_DEPTH + 1)];
	struct ber_reader	 r[BER_MAX_DEPTH + 2];
	struct ber_tlv		 t;
	const char		*e;
	size_t			 i, n = BER_MAX_DEPTH + 1;

	for (i = 0; i < n; i++) {
		b[2 * i] = BER_TAG_SEQUENCE;
		b[2 * i + 1] = 2 * (n - i - 1);
	}
	ber_reader_init(&r[0], b, sizeof(b));
	for (i = 0; i < BER_MAX_DEPTH; i++) {
		CHECK(ber_expect(&r[i], BER_TAG_SEQUENCE, &t, &e) == 0);
		CHECK(ber_done(&r[i]));
		CHECK(ber_enter(&r[i], &t, &r[i + 1], &e) == 0);
		CHECK_EQ_INT(r[i + 1].depth, i + 1);
	}
	CHECK(ber_expect(&r[i], BER_TAG_SEQUENCE, &t, &e) == 0);
	CHECK(ber_enter(&r[i], &t, &r[i + 1], &e) == -1);
	CHECK_STR(e, "nesting too deep");
}

TEST(enter_primitive_rejected)
{
	static const uint8_t	 b[] = { 0x04, 0x00 };
	struct ber_reader	 r, sub;
	struct ber_tlv		 t;
	const char		*e;

	ber_reader_init(&r, b, sizeof(b));
	CHECK(ber_read(&r, &t, &e) == 0);
	CHECK(ber_enter(&r, &t, &sub, &e) == -1);
	CHECK_STR(e, "primitive encoding where constructed expected");
}

TEST(enter_bounds_the_child)
{
	/* SEQUENCE { INTEGER 1 } followed by INTEGER 2 */
	static const uint8_t	 b[] = { 0x30, 0x03, 0x02, 0x01, 0x01,
	    0x02, 0x01, 0x02 };
	struct ber_reader	 r, sub;
	struct ber_tlv		 t;
	const char		*e;
	int32_t			 v;

	ber_reader_init(&r, b, sizeof(b));
	CHECK(ber_read(&r, &t, &e) == 0);
	CHECK(ber_enter(&r, &t, &sub, &e) == 0);
	CHECK(ber_read(&sub, &t, &e) == 0);
	CHECK(ber_get_int32(&t, &v, &e) == 0);
	CHECK_EQ_INT(v, 1);
	CHECK(ber_done(&sub));
	CHECK(ber_read(&sub, &t, &e) == -1);
	CHECK_STR(e, "truncated: missing tag");
	CHECK(ber_read(&r, &t, &e) == 0);
	CHECK(ber_get_int32(&t, &v, &e) == 0);
	CHECK_EQ_INT(v, 2);
	CHECK(ber_done(&r));
}

static int
dec_int(const uint8_t *v, size_t n, int32_t *out, const char **e)
{
	struct ber_tlv	 t = { BER_TAG_INTEGER, v, n };

	return ber_get_int32(&t, out, e);
}

TEST(int32_values)
{
	static const struct {
		uint8_t		 v[5];
		size_t		 n;
		int32_t		 want;
	} ok[] = {
		{ { 0x00 }, 1, 0 },
		{ { 0x7f }, 1, 127 },
		{ { 0x80 }, 1, -128 },
		{ { 0xff }, 1, -1 },
		{ { 0x00, 0x80 }, 2, 128 },
		{ { 0xff, 0x7f }, 2, -129 },
		{ { 0x7f, 0xff, 0xff, 0xff }, 4, INT32_MAX },
		{ { 0x80, 0x00, 0x00, 0x00 }, 4, INT32_MIN },
		/* non-minimal but in range: accepted */
		{ { 0x00, 0x00, 0x00, 0x05 }, 4, 5 },
		{ { 0x00, 0x7f, 0xff, 0xff, 0xff }, 5, INT32_MAX },
		{ { 0xff, 0x80, 0x00, 0x00, 0x00 }, 5, INT32_MIN },
		{ { 0xff, 0xff, 0xff, 0xff, 0xfd }, 5, -3 },
	};
	size_t		 i;
	int32_t		 v;
	const char	*e;

	for (i = 0; i < LEN(ok); i++) {
		v = 12345;
		CHECK(dec_int(ok[i].v, ok[i].n, &v, &e) == 0);
		CHECK_EQ_INT(v, ok[i].want);
	}
}

TEST(int32_rejections)
{
	static const uint8_t	 big[] = { 0x00, 0x80, 0x00, 0x00, 0x00 };
	static const uint8_t	 small[] = { 0xff, 0x7f, 0xff, 0xff, 0xff };
	static const uint8_t	 u32max[] = { 0x00, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t	 six[] = { 0, 0, 0, 0, 0, 1 };
	int32_t			 v;
	const char		*e;

	CHECK(dec_int(big, 0, &v, &e) == -1);
	CHECK_STR(e, "zero-length INTEGER");
	CHECK(dec_int(big, sizeof(big), &v, &e) == -1);
	CHECK_STR(e, "INTEGER out of range");
	CHECK(dec_int(small, sizeof(small), &v, &e) == -1);
	CHECK_STR(e, "INTEGER out of range");
	CHECK(dec_int(u32max, sizeof(u32max), &v, &e) == -1);
	CHECK_STR(e, "INTEGER out of range");
	CHECK(dec_int(six, sizeof(six), &v, &e) == -1);
	CHECK_STR(e, "INTEGER too long");
}

TEST(uint32_values)
{
	static const struct {
		uint8_t		 v[5];
		size_t		 n;
		uint32_t	 want;
	} ok[] = {
		{ { 0x00 }, 1, 0 },
		{ { 0x7f }, 1, 127 },
		{ { 0x00, 0x80 }, 2, 128 },
		{ { 0x00, 0xff, 0xff, 0xff, 0xff }, 5, UINT32_MAX },
		{ { 0x00, 0x00, 0x00, 0x00, 0x01 }, 5, 1 },
		/* the agent bug: high bit set without the leading 0x00 */
		{ { 0xff, 0xff, 0xff, 0xff }, 4, UINT32_MAX },
		{ { 0x80, 0x00, 0x00, 0x00 }, 4, 0x80000000U },
		{ { 0xbe, 0x75, 0x8a, 0xd6 }, 4, 3195374294U },
		{ { 0xc8 }, 1, 200 },
	};
	struct ber_tlv	 t;
	size_t		 i;
	uint32_t	 v;
	const char	*e;

	t.tag = 0x41;
	for (i = 0; i < LEN(ok); i++) {
		t.v = ok[i].v;
		t.len = ok[i].n;
		CHECK(ber_get_uint32(&t, &v, &e) == 0);
		CHECK_EQ_INT(v, ok[i].want);
	}
}

TEST(uint32_rejections)
{
	static const uint8_t	 five[] = { 0x01, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t	 six[] = { 0, 0, 0, 0, 0, 1 };
	struct ber_tlv		 t = { 0x41, five, 0 };
	uint32_t		 v;
	const char		*e;

	CHECK(ber_get_uint32(&t, &v, &e) == -1);
	CHECK_STR(e, "zero-length unsigned value");
	t.len = sizeof(five);
	CHECK(ber_get_uint32(&t, &v, &e) == -1);
	CHECK_STR(e, "unsigned value out of range");
	t.v = six;
	t.len = sizeof(six);
	CHECK(ber_get_uint32(&t, &v, &e) == -1);
	CHECK_STR(e, "unsigned value too long");
}

TEST(uint64_values_and_rejections)
{
	static const uint8_t	 max[] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff };
	static const uint8_t	 bug[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xfe };
	static const uint8_t	 nine[] = { 0x01, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t	 ten[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t	 zero[] = { 0x00 };
	struct ber_tlv		 t = { 0x46, max, sizeof(max) };
	uint64_t		 v;
	const char		*e;

	CHECK(ber_get_uint64(&t, &v, &e) == 0);
	CHECK(v == UINT64_MAX);
	t.v = bug;
	t.len = sizeof(bug);
	CHECK(ber_get_uint64(&t, &v, &e) == 0);
	CHECK(v == UINT64_MAX - 1);
	t.v = zero;
	t.len = 1;
	CHECK(ber_get_uint64(&t, &v, &e) == 0);
	CHECK(v == 0);
	t.len = 0;
	CHECK(ber_get_uint64(&t, &v, &e) == -1);
	CHECK_STR(e, "zero-length unsigned value");
	t.v = nine;
	t.len = sizeof(nine);
	CHECK(ber_get_uint64(&t, &v, &e) == -1);
	CHECK_STR(e, "unsigned value out of range");
	t.v = ten;
	t.len = sizeof(ten);
	CHECK(ber_get_uint64(&t, &v, &e) == -1);
	CHECK_STR(e, "unsigned value too long");
}

static int
dec_oid(const uint8_t *v, size_t n, uint32_t *sub, size_t max, size_t *nsub,
    const char **e)
{
	struct ber_tlv	 t = { BER_TAG_OID, v, n };

	return ber_get_oid(&t, sub, max, nsub, e);
}

TEST(oid_values)
{
	/* 1.3.6.1.4.1.2385.3: 2385 = 0x951 = 18 * 128 + 81 */
	static const uint8_t	 a[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x92,
	    0x51, 0x03 };
	/* 0.0, 0.39, 1.0, 1.39, 2.0 */
	static const uint8_t	 b[] = { 0x00 };
	static const uint8_t	 c[] = { 0x27 };
	static const uint8_t	 d[] = { 0x28 };
	static const uint8_t	 f[] = { 0x4f };
	static const uint8_t	 g[] = { 0x50 };
	/* 2.100.4294967295: 180 = 0x81 0x34; 2^32-1 = 0x8f ff ff ff 7f */
	static const uint8_t	 h[] = { 0x81, 0x34, 0x8f, 0xff, 0xff, 0xff,
	    0x7f };
	/* 2.4294967215: the largest first sub-identifier */
	static const uint8_t	 k[] = { 0x8f, 0xff, 0xff, 0xff, 0x7f };
	uint32_t		 sub[16];
	size_t			 n;
	const char		*e;

	CHECK(dec_oid(a, sizeof(a), sub, 16, &n, &e) == 0);
	CHECK_EQ_INT(n, 8);
	CHECK(sub[0] == 1 && sub[1] == 3 && sub[2] == 6 && sub[3] == 1 &&
	    sub[4] == 4 && sub[5] == 1 && sub[6] == 2385 && sub[7] == 3);
	CHECK(dec_oid(b, 1, sub, 16, &n, &e) == 0);
	CHECK(n == 2 && sub[0] == 0 && sub[1] == 0);
	CHECK(dec_oid(c, 1, sub, 16, &n, &e) == 0);
	CHECK(n == 2 && sub[0] == 0 && sub[1] == 39);
	CHECK(dec_oid(d, 1, sub, 16, &n, &e) == 0);
	CHECK(n == 2 && sub[0] == 1 && sub[1] == 0);
	CHECK(dec_oid(f, 1, sub, 16, &n, &e) == 0);
	CHECK(n == 2 && sub[0] == 1 && sub[1] == 39);
	CHECK(dec_oid(g, 1, sub, 16, &n, &e) == 0);
	CHECK(n == 2 && sub[0] == 2 && sub[1] == 0);
	CHECK(dec_oid(h, sizeof(h), sub, 16, &n, &e) == 0);
	CHECK(n == 3 && sub[0] == 2 && sub[1] == 100 && sub[2] == UINT32_MAX);
	CHECK(dec_oid(k, sizeof(k), sub, 16, &n, &e) == 0);
	CHECK(n == 2 && sub[0] == 2 && sub[1] == UINT32_MAX - 80);
}

TEST(oid_rejections)
{
	/* 2^32 as a sub-identifier */
	static const uint8_t	 big[] = { 0x2b, 0x90, 0x80, 0x80, 0x80, 0x00 };
	/* 2^32 + 80 as the first one */
	static const uint8_t	 big1[] = { 0x90, 0x80, 0x80, 0x80, 0x50 };
	/* 1.3.0 with an overlong encoding of 0, and of 5 */
	static const uint8_t	 lead[] = { 0x2b, 0x80, 0x00 };
	static const uint8_t	 lead2[] = { 0x2b, 0x80, 0x85, 0x05 };
	static const uint8_t	 lead1[] = { 0x80, 0x2b };
	/* the last sub-identifier does not end */
	static const uint8_t	 open[] = { 0x2b, 0x06, 0x81 };
	/* 1.3 followed by 127 more: 129 arcs */
	uint8_t			 many[128];
	uint32_t		 sub[128];
	size_t			 n;
	const char		*e;

	CHECK(dec_oid(big, 0, sub, 128, &n, &e) == -1);
	CHECK_STR(e, "empty OBJECT IDENTIFIER");
	CHECK(dec_oid(big, sizeof(big), sub, 128, &n, &e) == -1);
	CHECK_STR(e, "OID sub-identifier exceeds 32 bits");
	CHECK(dec_oid(big1, sizeof(big1), sub, 128, &n, &e) == -1);
	CHECK_STR(e, "OID sub-identifier exceeds 32 bits");
	CHECK(dec_oid(lead, sizeof(lead), sub, 128, &n, &e) == -1);
	CHECK_STR(e, "non-minimal OID sub-identifier");
	CHECK(dec_oid(lead2, sizeof(lead2), sub, 128, &n, &e) == -1);
	CHECK_STR(e, "non-minimal OID sub-identifier");
	CHECK(dec_oid(lead1, sizeof(lead1), sub, 128, &n, &e) == -1);
	CHECK_STR(e, "non-minimal OID sub-identifier");
	CHECK(dec_oid(open, sizeof(open), sub, 128, &n, &e) == -1);
	CHECK_STR(e, "truncated OID sub-identifier");

	memset(many, 0x01, sizeof(many));
	many[0] = 0x2b;
	CHECK(dec_oid(many, 127, sub, 128, &n, &e) == 0);
	CHECK_EQ_INT(n, 128);
	CHECK(dec_oid(many, 128, sub, 128, &n, &e) == -1);
	CHECK_STR(e, "too many OID sub-identifiers");
}

TEST(write_integers)
{
	static const uint8_t	 zero[] = { 0x02, 0x01, 0x00 };
	static const uint8_t	 i127[] = { 0x02, 0x01, 0x7f };
	static const uint8_t	 i128[] = { 0x02, 0x02, 0x00, 0x80 };
	static const uint8_t	 i256[] = { 0x02, 0x02, 0x01, 0x00 };
	static const uint8_t	 m1[] = { 0x02, 0x01, 0xff };
	static const uint8_t	 m128[] = { 0x02, 0x01, 0x80 };
	static const uint8_t	 m129[] = { 0x02, 0x02, 0xff, 0x7f };
	static const uint8_t	 imax[] = { 0x02, 0x04, 0x7f, 0xff, 0xff,
	    0xff };
	static const uint8_t	 imin[] = { 0x02, 0x04, 0x80, 0x00, 0x00,
	    0x00 };
	static const uint8_t	 lmax[] = { 0x02, 0x08, 0x7f, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff };
	static const uint8_t	 lmin[] = { 0x02, 0x08, 0x80, 0, 0, 0, 0, 0,
	    0, 0 };

	CHECK(int_enc_is(0, zero, sizeof(zero)));
	CHECK(int_enc_is(127, i127, sizeof(i127)));
	CHECK(int_enc_is(128, i128, sizeof(i128)));
	CHECK(int_enc_is(256, i256, sizeof(i256)));
	CHECK(int_enc_is(-1, m1, sizeof(m1)));
	CHECK(int_enc_is(-128, m128, sizeof(m128)));
	CHECK(int_enc_is(-129, m129, sizeof(m129)));
	CHECK(int_enc_is(INT32_MAX, imax, sizeof(imax)));
	CHECK(int_enc_is(INT32_MIN, imin, sizeof(imin)));
	CHECK(int_enc_is(INT64_MAX, lmax, sizeof(lmax)));
	CHECK(int_enc_is(INT64_MIN, lmin, sizeof(lmin)));
}

TEST(write_unsigned)
{
	static const uint8_t	 zero[] = { 0x41, 0x01, 0x00 };
	static const uint8_t	 u127[] = { 0x41, 0x01, 0x7f };
	static const uint8_t	 u128[] = { 0x41, 0x02, 0x00, 0x80 };
	static const uint8_t	 u255[] = { 0x42, 0x02, 0x00, 0xff };
	static const uint8_t	 u256[] = { 0x43, 0x02, 0x01, 0x00 };
	static const uint8_t	 umax[] = { 0x41, 0x05, 0x00, 0xff, 0xff, 0xff,
	    0xff };
	static const uint8_t	 u2g[] = { 0x41, 0x04, 0x7f, 0xff, 0xff,
	    0xff };
	static const uint8_t	 lmax[] = { 0x46, 0x09, 0x00, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t	 l2[] = { 0x46, 0x05, 0x01, 0x00, 0x00, 0x00,
	    0x00 };

	CHECK(uint_enc_is(0x41, 0, zero, sizeof(zero)));
	CHECK(uint_enc_is(0x41, 127, u127, sizeof(u127)));
	CHECK(uint_enc_is(0x41, 128, u128, sizeof(u128)));
	CHECK(uint_enc_is(0x42, 255, u255, sizeof(u255)));
	CHECK(uint_enc_is(0x43, 256, u256, sizeof(u256)));
	CHECK(uint_enc_is(0x41, UINT32_MAX, umax, sizeof(umax)));
	CHECK(uint_enc_is(0x41, INT32_MAX, u2g, sizeof(u2g)));
	CHECK(uint_enc_is(0x46, UINT64_MAX, lmax, sizeof(lmax)));
	CHECK(uint_enc_is(0x46, 1ULL << 32, l2, sizeof(l2)));
}

TEST(write_oids)
{
	static const uint32_t	 a[] = { 1, 3, 6, 1, 4, 1, 2385, 3 };
	static const uint8_t	 ea[] = { 0x06, 0x08, 0x2b, 0x06, 0x01, 0x04,
	    0x01, 0x92, 0x51, 0x03 };
	static const uint32_t	 b[] = { 2, 100, UINT32_MAX };
	static const uint8_t	 eb[] = { 0x06, 0x07, 0x81, 0x34, 0x8f, 0xff,
	    0xff, 0xff, 0x7f };
	static const uint32_t	 c[] = { 0, 0 };
	static const uint8_t	 ec[] = { 0x06, 0x01, 0x00 };
	static const uint32_t	 d[] = { 2, UINT32_MAX - 80 };
	static const uint8_t	 ed[] = { 0x06, 0x05, 0x8f, 0xff, 0xff, 0xff,
	    0x7f };
	static const uint32_t	 bad1[] = { 3, 1 };
	static const uint32_t	 bad2[] = { 1, 40 };
	static const uint32_t	 bad3[] = { 0, 40 };
	static const uint32_t	 bad4[] = { 2, UINT32_MAX - 79 };

	CHECK(oid_enc_is(a, LEN(a), ea, sizeof(ea)));
	CHECK(oid_enc_is(b, LEN(b), eb, sizeof(eb)));
	CHECK(oid_enc_is(c, LEN(c), ec, sizeof(ec)));
	CHECK(oid_enc_is(d, LEN(d), ed, sizeof(ed)));
	CHECK(!oid_enc_is(a, 1, ea, sizeof(ea)));	/* one arc */
	CHECK(!oid_enc_is(a, 0, ea, sizeof(ea)));
	CHECK(!oid_enc_is(bad1, 2, ec, sizeof(ec)));
	CHECK(!oid_enc_is(bad2, 2, ec, sizeof(ec)));
	CHECK(!oid_enc_is(bad3, 2, ec, sizeof(ec)));
	CHECK(!oid_enc_is(bad4, 2, ec, sizeof(ec)));
}

TEST(write_lengths)
{
	static uint8_t		 in[300], buf[310];
	struct ber_writer	 w;
	const uint8_t		*out;
	size_t			 len;

	memset(in, 'a', sizeof(in));
	ber_writer_init(&w, buf, sizeof(buf));
	ber_put_octets(&w, BER_TAG_OCTETS, in, 127);
	CHECK((out = ber_writer_data(&w, &len)) != NULL);
	CHECK(len == 129 && out[0] == 0x04 && out[1] == 0x7f);

	ber_writer_init(&w, buf, sizeof(buf));
	ber_put_octets(&w, BER_TAG_OCTETS, in, 128);
	CHECK((out = ber_writer_data(&w, &len)) != NULL);
	CHECK(len == 131 && out[1] == 0x81 && out[2] == 0x80);

	ber_writer_init(&w, buf, sizeof(buf));
	ber_put_octets(&w, BER_TAG_OCTETS, in, 256);
	CHECK((out = ber_writer_data(&w, &len)) != NULL);
	CHECK(len == 260 && out[1] == 0x82 && out[2] == 0x01 && out[3] == 0);
	CHECK(out[4] == 'a' && out + len == buf + sizeof(buf));

	ber_writer_init(&w, buf, sizeof(buf));
	ber_put_null(&w, BER_TAG_NULL);
	CHECK((out = ber_writer_data(&w, &len)) != NULL);
	CHECK(len == 2 && out[0] == 0x05 && out[1] == 0x00);
}

TEST(write_nested)
{
	/* SEQUENCE { INTEGER 1, OCTET STRING "ab" } */
	static const uint8_t	 exp[] = { 0x30, 0x07, 0x02, 0x01, 0x01, 0x04,
	    0x02, 'a', 'b' };
	uint8_t			 buf[32];
	struct ber_writer	 w;
	const uint8_t		*out;
	size_t			 mark, len;

	ber_writer_init(&w, buf, sizeof(buf));
	mark = ber_mark(&w);
	ber_put_octets(&w, BER_TAG_OCTETS, "ab", 2);
	ber_put_int(&w, BER_TAG_INTEGER, 1);
	ber_close(&w, BER_TAG_SEQUENCE, mark);
	CHECK((out = ber_writer_data(&w, &len)) != NULL);
	CHECK(len == sizeof(exp) && memcmp(out, exp, len) == 0);
}

TEST(write_out_of_space_never_overflows)
{
	static const uint8_t	 exp[] = { 0x30, 0x07, 0x02, 0x01, 0x01, 0x04,
	    0x02, 'a', 'b' };
	uint8_t			 buf[32 + 8];
	struct ber_writer	 w;
	size_t			 size, mark, len, i;

	for (size = 0; size <= sizeof(exp); size++) {
		memset(buf, 0xee, sizeof(buf));
		/* guard bytes on both sides of the writer's window */
		ber_writer_init(&w, buf + 4, size);
		mark = ber_mark(&w);
		ber_put_octets(&w, BER_TAG_OCTETS, "ab", 2);
		ber_put_int(&w, BER_TAG_INTEGER, 1);
		ber_close(&w, BER_TAG_SEQUENCE, mark);
		if (size < sizeof(exp))
			CHECK(ber_writer_data(&w, &len) == NULL);
		else
			CHECK(ber_writer_data(&w, &len) != NULL &&
			    len == sizeof(exp));
		for (i = 0; i < 4; i++)
			CHECK(buf[i] == 0xee);
		for (i = 4 + size; i < sizeof(buf); i++)
			CHECK(buf[i] == 0xee);
	}
}

TEST(write_refuses_bad_tags)
{
	uint8_t			 buf[8];
	struct ber_writer	 w;
	size_t			 len;

	ber_writer_init(&w, buf, sizeof(buf));
	ber_put_null(&w, 0x1f);
	CHECK(ber_writer_data(&w, &len) == NULL);
	ber_writer_init(&w, buf, sizeof(buf));
	ber_put_null(&w, 0x00);
	CHECK(ber_writer_data(&w, &len) == NULL);
	ber_writer_init(&w, buf, sizeof(buf));
	ber_put_octets(&w, BER_TAG_OCTETS, NULL, 1);
	CHECK(ber_writer_data(&w, &len) == NULL);
}

/* what the writer writes, the reader reads back, for many integers */
TEST(integer_round_trips)
{
	static const int64_t	 edge[] = { 0, 1, -1, 127, 128, -128, -129,
	    255, 256, 32767, 32768, -32768, -32769, 8388607, 8388608,
	    -8388608, -8388609, INT32_MAX, INT32_MIN, INT32_MAX - 1,
	    INT32_MIN + 1 };
	uint8_t			 buf[16];
	struct ber_writer	 w;
	struct ber_reader	 r;
	struct ber_tlv		 t;
	const uint8_t		*out;
	const char		*e;
	size_t			 len, i;
	int32_t			 v;
	uint32_t		 u, x = 0x12345678;
	uint64_t		 u64;

	for (i = 0; i < LEN(edge) + 2000; i++) {
		int64_t	 want;

		if (i < LEN(edge))
			want = edge[i];
		else {
			x = x * 1103515245 + 12345;	/* any spread will do */
			want = (int32_t)(x ^ (x >> 7));
		}
		ber_writer_init(&w, buf, sizeof(buf));
		ber_put_int(&w, BER_TAG_INTEGER, want);
		CHECK((out = ber_writer_data(&w, &len)) != NULL);
		ber_reader_init(&r, out, len);
		CHECK(ber_read(&r, &t, &e) == 0 && ber_done(&r));
		CHECK(ber_get_int32(&t, &v, &e) == 0);
		CHECK_EQ_INT(v, want);

		ber_writer_init(&w, buf, sizeof(buf));
		ber_put_uint(&w, 0x42, (uint32_t)want);
		CHECK((out = ber_writer_data(&w, &len)) != NULL);
		ber_reader_init(&r, out, len);
		CHECK(ber_read(&r, &t, &e) == 0 && ber_done(&r));
		CHECK(ber_get_uint32(&t, &u, &e) == 0);
		CHECK(u == (uint32_t)want);

		ber_writer_init(&w, buf, sizeof(buf));
		ber_put_uint(&w, 0x46, (uint64_t)want * 0x100000001ULL);
		CHECK((out = ber_writer_data(&w, &len)) != NULL);
		ber_reader_init(&r, out, len);
		CHECK(ber_read(&r, &t, &e) == 0 && ber_done(&r));
		CHECK(ber_get_uint64(&t, &u64, &e) == 0);
		CHECK(u64 == (uint64_t)want * 0x100000001ULL);
	}
}

TEST_MAIN_BEGIN("test_ber")
	RUN(read_short_and_long_lengths);
	RUN(read_long_length_128_and_65535);
	RUN(reject_indefinite_length);
	RUN(reject_length_of_five_octets);
	RUN(reject_length_beyond_input);
	RUN(reject_truncated_header);
	RUN(reject_high_tag_number_form);
	RUN(reject_end_of_contents);
	RUN(expect_leaves_reader_on_mismatch);
	RUN(nesting_depth_bounded);
	RUN(enter_primitive_rejected);
	RUN(enter_bounds_the_child);
	RUN(int32_values);
	RUN(int32_rejections);
	RUN(uint32_values);
	RUN(uint32_rejections);
	RUN(uint64_values_and_rejections);
	RUN(oid_values);
	RUN(oid_rejections);
	RUN(write_integers);
	RUN(write_unsigned);
	RUN(write_oids);
	RUN(write_lengths);
	RUN(write_nested);
	RUN(write_out_of_space_never_overflows);
	RUN(write_refuses_bad_tags);
	RUN(integer_round_trips);
TEST_MAIN_END
