/*
 * Times as ISO 8601 in UTC, the form of xs:dateTime, the documents, the
 * receipts and callhomectl's JSON: "2026-01-02T00:00:00Z".
 */
#ifndef CALLHOME_ISOTIME_H
#define CALLHOME_ISOTIME_H

#include <stddef.h>
#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SSZ" and its NUL, for the years 1000 to 9999 */
#define ISO_TIME_LEN	21

/*
 * t, in unix seconds, into buf (cut to len, NUL-terminated): the same as
 * gmtime_r() and strftime("%Y-%m-%dT%H:%M:%SZ") for years of four
 * digits, earlier years zero-padded to four.  Returns buf.
 */
const char	*iso_time(int64_t t, char *buf, size_t len);

#endif /* CALLHOME_ISOTIME_H */
