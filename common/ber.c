#include <stdint.h>
#include <string.h>

#include "ber.h"

#define FAIL(msg) do {							\
	*errstr = (msg);						\
	return -1;							\
} while (0)

void
ber_reader_init(struct ber_reader *r, const void *buf, size_t len)
{
	r->p = buf;
	r->end = len > 0 ? r->p + len : r->p;	/* buf may be NULL */
	r->depth = 0;
}

int
ber_read(struct ber_reader *r, struct ber_tlv *t, const char **errstr)
{
	const uint8_t	*p = r->p;
	size_t		 avail, len, n, i;

	if (p >= r->end)
		FAIL("truncated: missing tag");
	t->tag = *p++;
	if ((t->tag & BER_TAG_NUMBER_MASK) == BER_TAG_NUMBER_MASK)
		FAIL("high tag number form not supported");
	if (t->tag == 0x00)
		FAIL("end-of-contents octets not allowed");
	if (p >= r->end)
		FAIL("truncated: missing length");
	len = *p++;
	if (len & 0x80) {
		n = len & 0x7f;
		if (n == 0)
			FAIL("indefinite length not allowed");
		if (n > BER_MAX_LENOCTETS)
			FAIL("length field too long");
		if ((size_t)(r->end - p) < n)
			FAIL("truncated: length field");
		for (len = 0, i = 0; i < n; i++)
			len = (len << 8) | *p++;
	}
	avail = r->end - p;
	if (len > avail)
		FAIL("length exceeds input");
	t->v = p;
	t->len = len;
	r->p = p + len;
	return 0;
}

int
ber_expect(struct ber_reader *r, uint8_t tag, struct ber_tlv *t,
    const char **errstr)
{
	const uint8_t	*save = r->p;

	if (ber_read(r, t, errstr) == -1)
		return -1;
	if (t->tag != tag) {
		r->p = save;
		FAIL("unexpected tag");
	}
	return 0;
}

int
ber_enter(const struct ber_reader *r, const struct ber_tlv *t,
    struct ber_reader *sub, const char **errstr)
{
	if ((t->tag & BER_TAG_CONSTRUCTED) == 0)
		FAIL("primitive encoding where constructed expected");
	if (r->depth >= BER_MAX_DEPTH)
		FAIL("nesting too deep");
	sub->p = t->v;
	sub->end = t->v + t->len;
	sub->depth = r->depth + 1;
	return 0;
}

int
ber_get_int32(const struct ber_tlv *t, int32_t *out, const char **errstr)
{
	uint64_t	 u = 0;
	int64_t		 v;
	size_t		 i;

	if (t->len == 0)
		FAIL("zero-length INTEGER");
	if (t->len > 5)
		FAIL("INTEGER too long");
	for (i = 0; i < t->len; i++)
		u = (u << 8) | t->v[i];
	v = (int64_t)u;			/* at most 40 bits: no overflow */
	if (t->v[0] & 0x80)
		v -= (int64_t)1 << (8 * t->len);
	if (v < INT32_MIN || v > INT32_MAX)
		FAIL("INTEGER out of range");
	*out = (int32_t)v;
	return 0;
}

static int
get_unsigned(const struct ber_tlv *t, size_t max, uint64_t *out,
    const char **errstr)
{
	uint64_t	 u = 0;
	size_t		 i;

	if (t->len == 0)
		FAIL("zero-length unsigned value");
	if (t->len > max)
		FAIL("unsigned value too long");
	if (t->len == max && t->v[0] != 0x00)
		FAIL("unsigned value out of range");
	for (i = 0; i < t->len; i++)
		u = (u << 8) | t->v[i];
	*out = u;
	return 0;
}

int
ber_get_uint32(const struct ber_tlv *t, uint32_t *out, const char **errstr)
{
	uint64_t	 u;

	if (get_unsigned(t, 5, &u, errstr) == -1)
		return -1;
	*out = (uint32_t)u;		/* at most 32 significant bits */
	return 0;
}

int
ber_get_uint64(const struct ber_tlv *t, uint64_t *out, const char **errstr)
{
	return get_unsigned(t, 9, out, errstr);
}

int
ber_get_oid(const struct ber_tlv *t, uint32_t *sub, size_t max, size_t *n,
    const char **errstr)
{
	const uint8_t	*p = t->v, *end = t->v + t->len;
	uint32_t	 v;
	size_t		 k = 0;

	if (t->len == 0)
		FAIL("empty OBJECT IDENTIFIER");
	if (max < 2)
		FAIL("too many OID sub-identifiers");
	while (p < end) {
		if (*p < 0x80 && k >= 2) {	/* the common case: one octet */
			if (k >= max)
				FAIL("too many OID sub-identifiers");
			sub[k++] = *p++;
			continue;
		}
		if (*p == 0x80)
			FAIL("non-minimal OID sub-identifier");
		v = 0;
		for (;;) {
			if (p >= end)
				FAIL("truncated OID sub-identifier");
			if (v > (UINT32_MAX >> 7))
				FAIL("OID sub-identifier exceeds 32 bits");
			v = (v << 7) | (*p & 0x7f);
			if ((*p++ & 0x80) == 0)
				break;
		}
		if (k == 0) {
			/* the first sub-identifier holds two arcs */
			if (v < 40) {
				sub[0] = 0;
				sub[1] = v;
			} else if (v < 80) {
				sub[0] = 1;
				sub[1] = v - 40;
			} else {
				sub[0] = 2;
				sub[1] = v - 80;
			}
			k = 2;
		} else {
			if (k >= max)
				FAIL("too many OID sub-identifiers");
			sub[k++] = v;
		}
	}
	*n = k;
	return 0;
}

void
ber_writer_init(struct ber_writer *w, void *buf, size_t size)
{
	w->buf = buf;
	w->size = size;
	w->pos = size;
	w->err = 0;
}

size_t
ber_mark(const struct ber_writer *w)
{
	return w->pos;
}

static inline void
put_byte(struct ber_writer *w, uint8_t b)
{
	if (w->err)
		return;
	if (w->pos == 0) {
		w->err = 1;
		return;
	}
	w->buf[--w->pos] = b;
}

void
ber_put_raw(struct ber_writer *w, const void *p, size_t n)
{
	if (w->err)
		return;
	if (n > w->pos) {
		w->err = 1;
		return;
	}
	w->pos -= n;
	if (n > 0)
		memcpy(w->buf + w->pos, p, n);
}

void
ber_put_header(struct ber_writer *w, uint8_t tag, size_t len)
{
	int	 n = 0;

	if (w->err)
		return;
	if ((tag & BER_TAG_NUMBER_MASK) == BER_TAG_NUMBER_MASK ||
	    tag == 0x00 || len > UINT32_MAX) {
		w->err = 1;
		return;
	}
	if (len < 0x80 && w->pos >= 2) {		/* the common case */
		w->buf[--w->pos] = (uint8_t)len;
		w->buf[--w->pos] = tag;
		return;
	}
	if (len < 0x80)
		put_byte(w, (uint8_t)len);
	else {
		do {
			put_byte(w, len & 0xff);
			len >>= 8;
			n++;
		} while (len != 0);
		put_byte(w, 0x80 | n);
	}
	put_byte(w, tag);
}

void
ber_close(struct ber_writer *w, uint8_t tag, size_t mark)
{
	if (w->err)
		return;
	if (mark < w->pos || mark > w->size) {
		w->err = 1;
		return;
	}
	ber_put_header(w, tag, mark - w->pos);
}

/* prepend the n low octets of u, most significant first in the output */
static void
put_be(struct ber_writer *w, uint64_t u, size_t n)
{
	while (n-- > 0) {
		put_byte(w, u & 0xff);
		u >>= 8;
	}
}

void
ber_put_int(struct ber_writer *w, uint8_t tag, int64_t v)
{
	size_t	 n = 1;

	/* fewest octets whose two's complement holds v */
	while (n < 8 && (v < -((int64_t)1 << (8 * n - 1)) ||
	    v >= ((int64_t)1 << (8 * n - 1))))
		n++;
	put_be(w, (uint64_t)v, n);
	ber_put_header(w, tag, n);
}

void
ber_put_uint(struct ber_writer *w, uint8_t tag, uint64_t u)
{
	size_t	 n = 1;

	while (n < 8 && (u >> (8 * n)) != 0)
		n++;
	put_be(w, u, n);
	if ((u >> (8 * n - 1)) & 1) {	/* keep it positive */
		put_byte(w, 0x00);
		n++;
	}
	ber_put_header(w, tag, n);
}

void
ber_put_octets(struct ber_writer *w, uint8_t tag, const void *p, size_t n)
{
	if (n > 0 && p == NULL) {
		w->err = 1;
		return;
	}
	ber_put_raw(w, p, n);
	ber_put_header(w, tag, n);
}

void
ber_put_null(struct ber_writer *w, uint8_t tag)
{
	ber_put_header(w, tag, 0);
}

static void
put_subid(struct ber_writer *w, uint32_t v)
{
	if (v < 0x80 && w->pos > 0 && !w->err) {	/* the common case */
		w->buf[--w->pos] = v;
		return;
	}
	put_byte(w, v & 0x7f);
	v >>= 7;
	while (v != 0) {
		put_byte(w, 0x80 | (v & 0x7f));
		v >>= 7;
	}
}

void
ber_put_oid(struct ber_writer *w, uint8_t tag, const uint32_t *sub, size_t n)
{
	size_t	 mark = ber_mark(w), i;

	if (n < 2 || sub[0] > 2 || (sub[0] < 2 && sub[1] > 39) ||
	    sub[1] > UINT32_MAX - 80) {
		w->err = 1;
		return;
	}
	for (i = n; i > 2 && !w->err; i--)
		put_subid(w, sub[i - 1]);
	put_subid(w, sub[0] * 40 + sub[1]);
	ber_close(w, tag, mark);
}

const uint8_t *
ber_writer_data(const struct ber_writer *w, size_t *len)
{
	if (w->err) {
		*len = 0;
		return NULL;
	}
	*len = w->size - w->pos;
	return w->buf + w->pos;
}
