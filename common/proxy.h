/*
 * The one piece of network data the parent reads: an HTTP proxy's answer
 * to CONNECT.  Only the status line is interpreted; the header block must
 * end within the bytes given and nothing may follow it.
 */
#ifndef CALLHOME_PROXY_H
#define CALLHOME_PROXY_H

#include <stddef.h>

#define PROXY_MAX_RESPONSE	8192

/*
 * 0: the header block is not complete yet; -1: malformed (or too long, or
 * bytes after it); else the status code (100..599).
 */
int	proxy_response_status(const char *, size_t);

#endif /* CALLHOME_PROXY_H */
