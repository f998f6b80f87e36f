/*
 * A small JSON writer (RFC 8259) to a stdio stream: objects, arrays, keys,
 * strings, integers, null and booleans, with the commas placed for the
 * caller.  Strings are escaped: quote and backslash, every control
 * character as \u00XX; other bytes, UTF-8 included, pass through.
 *
 *	struct json	 j;
 *
 *	json_init(&j, stdout);
 *	json_object_begin(&j);
 *	json_key(&j, "devices");
 *	json_array_begin(&j);
 *	...
 *	json_array_end(&j);
 *	json_object_end(&j);
 *	if (json_finish(&j) == -1)
 *		(misuse, or a write error on the stream)
 *
 * Misuse (a value where a key is due, unbalanced ends, nesting deeper
 * than JSON_MAX_DEPTH) marks the writer failed; json_finish() says so.
 */
#ifndef CALLHOME_JSON_H
#define CALLHOME_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	32

struct json {
	FILE		*fp;
	int		 depth;
	int		 failed;
	int		 want_key;	/* in an object, before a key */
	uint8_t		 kind[JSON_MAX_DEPTH];	/* '{' or '[' */
	uint8_t		 used[JSON_MAX_DEPTH];	/* not empty */
};

void	json_init(struct json *, FILE *);
void	json_object_begin(struct json *);
void	json_object_end(struct json *);
void	json_array_begin(struct json *);
void	json_array_end(struct json *);
void	json_key(struct json *, const char *);
void	json_string(struct json *, const char *);
void	json_stringn(struct json *, const char *, size_t);
void	json_int(struct json *, int64_t);
void	json_uint(struct json *, uint64_t);
void	json_null(struct json *);
void	json_bool(struct json *, int);
/* a value given as JSON text the caller checked to be one whole value */
void	json_raw(struct json *, const char *);
/* 0 when the document is complete and was written, else -1 */
int	json_finish(struct json *);

/* key and value in one call */
void	json_kv_string(struct json *, const char *, const char *);
void	json_kv_int(struct json *, const char *, int64_t);
void	json_kv_uint(struct json *, const char *, uint64_t);
void	json_kv_null(struct json *, const char *);
void	json_kv_bool(struct json *, const char *, int);
/* null when the string is NULL or empty */
void	json_kv_string_or_null(struct json *, const char *, const char *);

/*
 * One JSON object written into memory: json_mem_begin(), the members on
 * m.j, then json_mem_end() gives the malloc'd text (the caller frees it).
 * Misuse is a bug: fatal.
 */
struct json_mem {
	struct json	 j;
	FILE		*fp;
	char		*buf;
	size_t		 len;
};
void	json_mem_begin(struct json_mem *);
char	*json_mem_end(struct json_mem *);

/* the escaped form of one string, quotes included, to a stream */
void	json_write_string(FILE *, const char *, size_t);

#endif /* CALLHOME_JSON_H */
