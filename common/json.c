/*
 * A small JSON writer: see json.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "log.h"

void
json_init(struct json *j, FILE *fp)
{
	memset(j, 0, sizeof(*j));
	j->fp = fp;
}

void
json_write_string(FILE *fp, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, run;

	putc('"', fp);
	for (i = 0; i < len; i += run) {
		/* the longest run that needs no escaping, written at once */
		for (run = 0; i + run < len; run++) {
			if (p[i + run] < 0x20 || p[i + run] == 0x7f ||
			    p[i + run] == '"' || p[i + run] == '\\')
				break;
		}
		if (run > 0) {
			fwrite(p + i, 1, run, fp);
			continue;
		}
		run = 1;
		if (p[i] == '"' || p[i] == '\\') {
			putc('\\', fp);
			putc(p[i], fp);
		} else {
			fputs("\\u00", fp);
			putc(hex[p[i] >> 4], fp);
			putc(hex[p[i] & 0xf], fp);
		}
	}
	putc('"', fp);
}

/* before any value: the comma, and whether a value may come here */
static int
json_value_start(struct json *j)
{
	if (j->failed)
		return -1;
	if (j->depth == 0) {
		/* one top-level value only */
		if (j->used[0]) {
			j->failed = 1;
			return -1;
		}
		j->used[0] = 1;
		return 0;
	}
	if (j->kind[j->depth] == '{') {
		if (j->want_key) {
			j->failed = 1;
			return -1;
		}
		j->want_key = 1;	/* the value completes the member */
		return 0;
	}
	if (j->used[j->depth])
		putc(',', j->fp);
	j->used[j->depth] = 1;
	return 0;
}

static void
json_open(struct json *j, int kind)
{
	if (json_value_start(j) == -1)
		return;
	if (j->depth + 1 >= JSON_MAX_DEPTH) {
		j->failed = 1;
		return;
	}
	j->depth++;
	j->kind[j->depth] = (uint8_t)kind;
	j->used[j->depth] = 0;
	j->want_key = kind == '{';
	putc(kind, j->fp);
}

static void
json_close(struct json *j, int kind)
{
	if (j->failed)
		return;
	if (j->depth == 0 || j->kind[j->depth] != kind ||
	    (kind == '{' && !j->want_key)) {
		j->failed = 1;
		return;
	}
	putc(kind == '{' ? '}' : ']', j->fp);
	j->depth--;
	/* back in the enclosing object: a key is due next */
	j->want_key = j->depth > 0 && j->kind[j->depth] == '{';
}

void
json_object_begin(struct json *j)
{
	json_open(j, '{');
}

void
json_object_end(struct json *j)
{
	json_close(j, '{');
}

void
json_array_begin(struct json *j)
{
	json_open(j, '[');
}

void
json_array_end(struct json *j)
{
	json_close(j, '[');
}

void
json_key(struct json *j, const char *key)
{
	if (j->failed)
		return;
	if (j->depth == 0 || j->kind[j->depth] != '{' || !j->want_key) {
		j->failed = 1;
		return;
	}
	if (j->used[j->depth])
		putc(',', j->fp);
	j->used[j->depth] = 1;
	json_write_string(j->fp, key, strlen(key));
	putc(':', j->fp);
	j->want_key = 0;
}

void
json_stringn(struct json *j, const char *s, size_t len)
{
	if (json_value_start(j) == -1)
		return;
	json_write_string(j->fp, s, len);
}

void
json_string(struct json *j, const char *s)
{
	json_stringn(j, s, strlen(s));
}

void
json_int(struct json *j, int64_t v)
{
	if (json_value_start(j) == -1)
		return;
	fprintf(j->fp, "%" PRId64, v);
}

void
json_uint(struct json *j, uint64_t v)
{
	if (json_value_start(j) == -1)
		return;
	fprintf(j->fp, "%" PRIu64, v);
}

void
json_null(struct json *j)
{
	if (json_value_start(j) == -1)
		return;
	fputs("null", j->fp);
}

void
json_bool(struct json *j, int v)
{
	if (json_value_start(j) == -1)
		return;
	fputs(v ? "true" : "false", j->fp);
}

int
json_finish(struct json *j)
{
	if (j->failed || j->depth != 0 || !j->used[0])
		return -1;
	if (fflush(j->fp) == EOF || ferror(j->fp))
		return -1;
	return 0;
}

void
json_kv_string(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	json_string(j, v);
}

void
json_kv_int(struct json *j, const char *k, int64_t v)
{
	json_key(j, k);
	json_int(j, v);
}

void
json_kv_uint(struct json *j, const char *k, uint64_t v)
{
	json_key(j, k);
	json_uint(j, v);
}

void
json_kv_null(struct json *j, const char *k)
{
	json_key(j, k);
	json_null(j);
}

void
json_kv_bool(struct json *j, const char *k, int v)
{
	json_key(j, k);
	json_bool(j, v);
}

void
json_kv_string_or_null(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	if (v == NULL || *v == '\0')
		json_null(j);
	else
		json_string(j, v);
}

void
json_raw(struct json *j, const char *text)
{
	if (json_value_start(j) == -1)
		return;
	fputs(text, j->fp);
}

void
json_mem_begin(struct json_mem *m)
{
	m->buf = NULL;
	m->len = 0;
	if ((m->fp = open_memstream(&m->buf, &m->len)) == NULL)
		fatal("open_memstream");
	json_init(&m->j, m->fp);
	json_object_begin(&m->j);
}

char *
json_mem_end(struct json_mem *m)
{
	json_object_end(&m->j);
	if (json_finish(&m->j) == -1 || fclose(m->fp) != 0)
		fatalx("a JSON object in memory");
	return m->buf;
}
