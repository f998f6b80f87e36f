/*
 * libFuzzer target: the server's reading of a worker's extract
 * (commsd/extract.c), which a compromised worker could make anything.
 *
 *	- comms_extract_check() accepts or refuses without reading outside
 *	  the input; a refusal says why;
 *	- an accepted extract decodes record by record to its very end, the
 *	  first record an upload, as many devices as counted, each record
 *	  with its required fields and no NUL in a field;
 *	- encoding the decoded records again gives the same bytes (there is
 *	  one encoding of each extract).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../commsd/check.h"
#include "buf.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct comms_record	 r;
	struct wbuf		 again;
	uint64_t		 ndev, seen = 0;
	size_t			 off = 0, n = 0, i;
	char			 err[256];

	err[0] = '\0';
	if (comms_extract_check(data, size, &ndev, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	wbuf_init(&again);
	while (comms_extract_next(data, size, &off, &r)) {
		if ((n++ == 0) != (r.tag == COMMS_REC_UPLOAD))
			abort();
		if (r.tag == COMMS_REC_DEVICE)
			seen++;
		for (i = 0; i < COMMS_REC_MAXCOLS; i++)
			if (r.f[i].s != NULL && (i >= comms_rec_ncols(r.tag) ||
			    memchr(r.f[i].s, '\0', r.f[i].len) != NULL))
				abort();
		comms_extract_put(&again, &r);
	}
	if (off != size || seen != ndev || n == 0 || again.len != size ||
	    memcmp(again.data, data, size) != 0)
		abort();
	wbuf_free(&again);
	return 0;
}
