/*
 * A strict, bounded subset of the Basic Encoding Rules (X.690), as much as
 * SNMP needs.
 *
 * Reader: single-octet tags only (the high tag number form is refused),
 * definite lengths only, long-form lengths of at most BER_MAX_LENOCTETS
 * octets and never beyond the input, at most BER_MAX_DEPTH nested
 * constructed encodings.  It never reads outside the buffer it was given,
 * never allocates, and returns pointers into that buffer.  Every function
 * that can fail returns -1 and sets *errstr to a static string.
 *
 * Writer: fills a caller's buffer from its end towards its start, so the
 * length of every constructed encoding is known when its header is written:
 * write the last element first, then close the enclosing encoding with
 * ber_close().  It always produces the canonical (DER-like) form: minimal
 * lengths and minimal integers.  Errors are sticky: check ber_writer_data()
 * once at the end.
 */
#ifndef CALLHOME_BER_H
#define CALLHOME_BER_H

#include <stddef.h>
#include <stdint.h>

#define BER_MAX_DEPTH		8	/* nested constructed encodings */
#define BER_MAX_LENOCTETS	4	/* octets of a long-form length */

#define BER_TAG_INTEGER		0x02
#define BER_TAG_OCTETS		0x04
#define BER_TAG_NULL		0x05
#define BER_TAG_OID		0x06
#define BER_TAG_SEQUENCE	0x30

#define BER_TAG_CONSTRUCTED	0x20	/* bit of the identifier octet */
#define BER_TAG_NUMBER_MASK	0x1f	/* all ones: high tag number form */

struct ber_reader {
	const uint8_t	*p;		/* next unread octet */
	const uint8_t	*end;		/* one past the last octet */
	int		 depth;		/* constructed encodings entered */
};

struct ber_tlv {
	uint8_t		 tag;		/* the identifier octet */
	const uint8_t	*v;		/* contents, in the reader's input */
	size_t		 len;		/* length of the contents */
};

struct ber_writer {
	uint8_t		*buf;
	size_t		 pos;		/* output is buf[pos .. size) */
	size_t		 size;
	int		 err;		/* sticky: out of space or bad input */
};

/* reading */
void		 ber_reader_init(struct ber_reader *, const void *, size_t);
/* read the next TLV and step over it */
int		 ber_read(struct ber_reader *, struct ber_tlv *, const char **);
/* same, but the tag must be the given one (errstr "unexpected tag") */
int		 ber_expect(struct ber_reader *, uint8_t, struct ber_tlv *,
		    const char **);
/* a reader over the contents of a constructed TLV, one level deeper */
int		 ber_enter(const struct ber_reader *, const struct ber_tlv *,
		    struct ber_reader *, const char **);
/* 1 when every octet of the reader's input has been consumed */
static inline int
ber_done(const struct ber_reader *r)
{
	return r->p == r->end;
}

/*
 * Contents decoders; they look at tlv->v and tlv->len, not at the tag.
 *
 * ber_get_int32: two's complement, 1 to 5 octets, value in int32 range.
 * Non-minimal encodings (e.g. 00 00 00 05) are accepted: agents send them.
 *
 * ber_get_uint32, ber_get_uint64: the SNMP application types Counter32,
 * Gauge32, TimeTicks (1 to 5 octets) and Counter64 (1 to 9 octets).  The
 * longest form is only accepted with a leading 0x00 octet.  Shorter forms
 * are read as unsigned big-endian numbers even when their first octet has
 * the high bit set: many agents encode e.g. 4294967295 as 41 04 ff ff ff
 * ff instead of 41 05 00 ff ff ff ff, and such a value is never meant to be
 * negative.
 *
 * ber_get_oid: at least one octet; every sub-identifier minimal (no leading
 * 0x80 octet) and at most 32 bits (the first one too, which holds the
 * first two arcs as 40 * x + y, X.690 8.19.4); at most max arcs.
 */
int		 ber_get_int32(const struct ber_tlv *, int32_t *,
		    const char **);
int		 ber_get_uint32(const struct ber_tlv *, uint32_t *,
		    const char **);
int		 ber_get_uint64(const struct ber_tlv *, uint64_t *,
		    const char **);
int		 ber_get_oid(const struct ber_tlv *, uint32_t *, size_t,
		    size_t *, const char **);

/* writing, back to front */
void		 ber_writer_init(struct ber_writer *, void *, size_t);
/* a position to pass to ber_close() after writing the contents */
size_t		 ber_mark(const struct ber_writer *);
/* prepend the tag and length of everything written since the mark */
void		 ber_close(struct ber_writer *, uint8_t, size_t);
void		 ber_put_raw(struct ber_writer *, const void *, size_t);
void		 ber_put_header(struct ber_writer *, uint8_t, size_t);
void		 ber_put_int(struct ber_writer *, uint8_t, int64_t);
void		 ber_put_uint(struct ber_writer *, uint8_t, uint64_t);
void		 ber_put_octets(struct ber_writer *, uint8_t, const void *,
		    size_t);
void		 ber_put_null(struct ber_writer *, uint8_t);
/* sets the error unless 2 <= n, x <= 2, y <= 39 when x < 2 (X.690) */
void		 ber_put_oid(struct ber_writer *, uint8_t, const uint32_t *,
		    size_t);
/* the output so far, or NULL after any error */
const uint8_t	*ber_writer_data(const struct ber_writer *, size_t *);

#endif /* CALLHOME_BER_H */
