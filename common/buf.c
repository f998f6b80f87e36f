#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"

#define WBUF_MAX	(256U * 1024 * 1024)

void
wbuf_init(struct wbuf *w)
{
	memset(w, 0, sizeof(*w));
}

void
wbuf_free(struct wbuf *w)
{
	if (w->data != NULL)
		explicit_bzero(w->data, w->cap);
	free(w->data);
	memset(w, 0, sizeof(*w));
}

void
wbuf_reset(struct wbuf *w)
{
	if (w->data != NULL)
		explicit_bzero(w->data, w->len);
	w->len = 0;
}

static uint8_t *
wbuf_reserve(struct wbuf *w, size_t n)
{
	uint8_t	*p;
	size_t	 ncap;

	if (n > WBUF_MAX || w->len > WBUF_MAX - n)
		fatalx("wbuf: %zu bytes exceed the buffer limit", n);
	if (w->len + n > w->cap) {
		ncap = w->cap ? w->cap : 256;
		while (ncap < w->len + n)
			ncap *= 2;
		/* copy rather than realloc: the old block is wiped */
		if ((p = malloc(ncap)) == NULL)
			fatal("wbuf");
		if (w->data != NULL) {
			memcpy(p, w->data, w->len);
			explicit_bzero(w->data, w->cap);
			free(w->data);
		}
		w->data = p;
		w->cap = ncap;
	}
	p = w->data + w->len;
	w->len += n;
	return p;
}

void
wbuf_u8(struct wbuf *w, uint8_t v)
{
	*wbuf_reserve(w, 1) = v;
}

void
wbuf_u16(struct wbuf *w, uint16_t v)
{
	uint8_t	*p = wbuf_reserve(w, 2);

	p[0] = v >> 8;
	p[1] = v;
}

void
wbuf_u32(struct wbuf *w, uint32_t v)
{
	uint8_t	*p = wbuf_reserve(w, 4);

	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

void
wbuf_u64(struct wbuf *w, uint64_t v)
{
	wbuf_u32(w, v >> 32);
	wbuf_u32(w, (uint32_t)v);
}

void
wbuf_i64(struct wbuf *w, int64_t v)
{
	wbuf_u64(w, (uint64_t)v);
}

void
wbuf_bytes(struct wbuf *w, const void *b, size_t n)
{
	if (n == 0)
		return;
	memcpy(wbuf_reserve(w, n), b, n);
}

void
wbuf_blob(struct wbuf *w, const void *b, size_t n)
{
	if (n > UINT32_MAX)
		fatalx("wbuf_blob: %zu bytes", n);
	wbuf_u32(w, (uint32_t)n);
	wbuf_bytes(w, b, n);
}

void
wbuf_str(struct wbuf *w, const char *s)
{
	wbuf_blob(w, s, strlen(s));
}

void
rbuf_init(struct rbuf *r, const void *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->off = 0;
	r->err = 0;
}

const uint8_t *
rbuf_bytes(struct rbuf *r, size_t n)
{
	const uint8_t	*p;

	if (r->err || n > r->len - r->off) {
		r->err = 1;
		return NULL;
	}
	p = r->data + r->off;
	r->off += n;
	return p;
}

uint8_t
rbuf_u8(struct rbuf *r)
{
	const uint8_t	*p = rbuf_bytes(r, 1);

	return p ? p[0] : 0;
}

uint16_t
rbuf_u16(struct rbuf *r)
{
	const uint8_t	*p = rbuf_bytes(r, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t
rbuf_u32(struct rbuf *r)
{
	const uint8_t	*p = rbuf_bytes(r, 4);

	if (p == NULL)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

uint64_t
rbuf_u64(struct rbuf *r)
{
	uint64_t	 hi = rbuf_u32(r);

	return hi << 32 | rbuf_u32(r);
}

int64_t
rbuf_i64(struct rbuf *r)
{
	return (int64_t)rbuf_u64(r);
}

const uint8_t *
rbuf_blob(struct rbuf *r, size_t *lenp, size_t max)
{
	uint32_t	 n = rbuf_u32(r);

	*lenp = 0;
	if (r->err || n > max) {
		r->err = 1;
		return NULL;
	}
	*lenp = n;
	return rbuf_bytes(r, n);
}

void
rbuf_str(struct rbuf *r, char *dst, size_t dstsz)
{
	const uint8_t	*p;
	size_t		 n;

	if (dstsz == 0) {
		r->err = 1;
		return;
	}
	dst[0] = '\0';
	p = rbuf_blob(r, &n, dstsz - 1);
	if (p == NULL)
		return;
	if (memchr(p, '\0', n) != NULL) {
		r->err = 1;
		return;
	}
	memcpy(dst, p, n);
	dst[n] = '\0';
}

int
rbuf_done(const struct rbuf *r)
{
	return (r->err || r->off != r->len) ? -1 : 0;
}
