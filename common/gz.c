/*
 * gzip: see gz.h.
 */
#include <stdint.h>
#include <string.h>

#include <zlib.h>

#include "gz.h"

int
gz_deflate(const void *p, size_t len, struct wbuf *out)
{
	z_stream	 zs;
	gz_header	 h;
	uint8_t		 chunk[64 * 1024];
	int		 rc;

	memset(&zs, 0, sizeof(zs));
	memset(&h, 0, sizeof(h));
	h.os = 255;		/* "unknown": the same bytes everywhere */
	if (len > UINT32_MAX ||
	    deflateInit2(&zs, GZ_LEVEL, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	if (deflateSetHeader(&zs, &h) != Z_OK) {
		deflateEnd(&zs);
		return -1;
	}
	zs.next_in = (Bytef *)(uintptr_t)p;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		rc = deflate(&zs, Z_FINISH);
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			deflateEnd(&zs);
			return -1;
		}
		wbuf_bytes(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&zs);
	return 0;
}
