/*
 * Bounded serialisation for imsg payloads.  Writers grow (fatal on
 * allocation failure); readers never read past their input and carry a
 * sticky error, so a decoder reads every field and checks once at the end
 * with rbuf_done(), which also requires that the input is used up exactly.
 * Integers are big-endian; strings are a u32 length and the bytes, without
 * NUL, and must not contain one.
 */
#ifndef CALLHOME_BUF_H
#define CALLHOME_BUF_H

#include <stddef.h>
#include <stdint.h>

struct wbuf {
	uint8_t		*data;
	size_t		 len;
	size_t		 cap;
};

struct rbuf {
	const uint8_t	*data;
	size_t		 len;
	size_t		 off;
	int		 err;
};

void		 wbuf_init(struct wbuf *);
void		 wbuf_free(struct wbuf *);	/* wipes: may hold secrets */
void		 wbuf_reset(struct wbuf *);
void		 wbuf_u8(struct wbuf *, uint8_t);
void		 wbuf_u16(struct wbuf *, uint16_t);
void		 wbuf_u32(struct wbuf *, uint32_t);
void		 wbuf_u64(struct wbuf *, uint64_t);
void		 wbuf_i64(struct wbuf *, int64_t);
void		 wbuf_bytes(struct wbuf *, const void *, size_t);
void		 wbuf_str(struct wbuf *, const char *);
void		 wbuf_blob(struct wbuf *, const void *, size_t); /* u32 len + bytes */

void		 rbuf_init(struct rbuf *, const void *, size_t);
uint8_t		 rbuf_u8(struct rbuf *);
uint16_t	 rbuf_u16(struct rbuf *);
uint32_t	 rbuf_u32(struct rbuf *);
uint64_t	 rbuf_u64(struct rbuf *);
int64_t		 rbuf_i64(struct rbuf *);
const uint8_t	*rbuf_bytes(struct rbuf *, size_t);
/* copy a string into dst (NUL-terminated); error if it does not fit */
void		 rbuf_str(struct rbuf *, char *, size_t);
/* a u32-length blob of at most max bytes; returns a pointer into input */
const uint8_t	*rbuf_blob(struct rbuf *, size_t *, size_t max);
/* 0 when no error occurred and every byte was consumed, else -1 */
int		 rbuf_done(const struct rbuf *);

#endif /* CALLHOME_BUF_H */
