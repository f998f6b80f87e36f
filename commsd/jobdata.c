/*
 * commsd -q jobdata: the sealed job data the server stored as it came
 * (ch:JobData of a device), read-only from the database.  The server
 * cannot read it: it holds no key.  An operator who has the vendor's
 * private job-data key opens one here:
 *
 *	-q jobdata [-j]		every one: id, document, gateway, device
 *				key, received, size and SHA-256 of the
 *				sealed form (what the gateway's callhomectl
 *				show names)
 *	-q jobdata ID		the sealed form's bytes (callhome-jobdata(5))
 *	-q jobdata ID -k FILE	opened with the private key in FILE (PEM,
 *				openssl genpkey -algorithm X25519): the
 *				plaintext, a JSON object; any other key, or
 *				a changed byte, fails with why
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "commsd.h"
#include "digest.h"
#include "file.h"
#include "isotime.h"
#include "jobseal.h"
#include "json.h"
#include "storage.h"
#include "txlog.h"

#define Q_ERROR		1

/* the text of ch:JobData (xs:base64Binary: white space may be in it) */
static uint8_t *
sealed_bytes(const unsigned char *text, size_t *lenp)
{
	char	*c;
	uint8_t	*out;
	size_t	 i, n = 0, len = strlen((const char *)text);

	if ((c = malloc(len + 1)) == NULL)
		err(Q_ERROR, NULL);
	for (i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
		    text[i] != '\r')
			c[n++] = (char)text[i];
	if ((out = malloc(B64_DECODED_MAX(n) + 1)) == NULL)
		err(Q_ERROR, NULL);
	if (b64_decode_strict(c, n, out, B64_DECODED_MAX(n), lenp) == -1) {
		free(out);
		out = NULL;
	}
	free(c);
	return out;
}

static struct comms_q *
qopen(struct comms_db *db, enum comms_query q, const struct comms_qarg *a,
    size_t n)
{
	struct comms_q	*r;

	if ((r = db->ops->q_open(db, q, a, n)) == NULL)
		errx(Q_ERROR, "reading the database: %s", comms_db_errmsg(db));
	return r;
}

/* 1 with a row, 0 at the end */
static int
qnext(struct comms_db *db, struct comms_q *r)
{
	int	 rc;

	if ((rc = db->ops->q_next(r)) == -1)
		errx(Q_ERROR, "reading the database: %s", comms_db_errmsg(db));
	return rc;
}

static const unsigned char *
col_ustr(struct comms_db *db, struct comms_q *r, int i)
{
	return (const unsigned char *)db->ops->q_text(r, i);
}

static void
print_safe(const unsigned char *s)
{
	if (s == NULL)
		s = (const unsigned char *)"-";
	for (; *s != '\0'; s++)
		putchar(*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static int
q_list(struct comms_db *db, int json)
{
	struct comms_q	*st;
	struct json	 j;
	uint8_t		*b;
	size_t		 len;
	char		 t[32], sha[SHA256_HEX];

	st = qopen(db, CQ_JOBDATA, NULL, 0);
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	} else
		printf("%-6s %-8s %-20s %-20s %8s %-64s %s\n", "ID", "DOCUMENT",
		    "RECEIVED", "GATEWAY", "BYTES", "SHA256", "DEVICE");
	while (qnext(db, st)) {
		(void)iso_time(db->ops->q_int(st, 4), t, sizeof(t));
		len = 0;
		(void)strlcpy(sha, "-", sizeof(sha));
		if ((b = sealed_bytes(col_ustr(db, st, 5), &len)) != NULL &&
		    sha256_hex(b, len, sha) == -1)
			errx(Q_ERROR, "SHA-256 failed");
		free(b);
		if (json) {
			json_object_begin(&j);
			json_kv_int(&j, "id", db->ops->q_int(st, 0));
			json_kv_int(&j, "document", db->ops->q_int(st, 1));
			json_kv_string_or_null(&j, "gateway",
			    db->ops->q_text(st, 2));
			json_kv_string_or_null(&j, "device",
			    db->ops->q_text(st, 3));
			json_kv_string(&j, "received", t);
			json_kv_uint(&j, "bytes", len);
			json_kv_string(&j, "sha256", sha);
			json_object_end(&j);
			continue;
		}
		printf("%-6" PRId64 " %-8" PRId64 " %-20s ",
		    db->ops->q_int(st, 0), db->ops->q_int(st, 1), t);
		print_safe(col_ustr(db, st, 2));
		printf(" %8zu %-64s ", len, sha);
		print_safe(col_ustr(db, st, 3));
		putchar('\n');
	}
	db->ops->q_close(st);
	if (json) {
		json_array_end(&j);
		putchar('\n');
		if (json_finish(&j) == -1)
			errx(Q_ERROR, "writing the JSON output failed");
	}
	return 0;
}

/* the private key of a PEM file; exits on any failure */
static void
load_key(const char *path, uint8_t priv[JOBSEAL_KEY_LEN])
{
	uint8_t		 pub[JOBSEAL_KEY_LEN];
	uint8_t		*pem;
	size_t		 len;
	char		 why[256];
	int		 error;

	if ((pem = file_read(path, JOBSEAL_PEM_MAX, FILE_FOLLOW | FILE_SECRET,
	    &len, NULL, &error)) == NULL) {
		if (error == FILE_EOPEN || error == FILE_EREAD)
			err(Q_ERROR, "%s", path);
		errx(Q_ERROR, "%s: %s", path, file_strerror(error));
	}
	if (jobseal_private_pem(pem, len, priv, pub, why, sizeof(why)) == -1) {
		explicit_bzero(pem, len);
		errx(Q_ERROR, "%s: %s", path, why);
	}
	explicit_bzero(pem, len);
	free(pem);
}

static int
q_one(struct comms_db *db, const char *arg, const char *keyfile)
{
	struct comms_q		*st;
	struct comms_qarg	 a;
	struct wbuf		 out;
	const char		*errstr;
	uint8_t			 priv[JOBSEAL_KEY_LEN], *b;
	size_t			 len;
	long long		 id;
	char			 why[256];
	enum jobseal_error	 e;

	id = strtonum(arg, 1, INT64_MAX, &errstr);
	if (errstr != NULL)
		errx(Q_ERROR, "job data id %s is %s", arg, errstr);
	if (keyfile != NULL)
		load_key(keyfile, priv);
	memset(&a, 0, sizeof(a));
	a.i = id;
	st = qopen(db, CQ_JOBDATA_ONE, &a, 1);
	if (!qnext(db, st))
		errx(Q_ERROR, "no job data %lld", id);
	if ((b = sealed_bytes(col_ustr(db, st, 0), &len)) == NULL)
		errx(Q_ERROR, "job data %lld: not base64", id);
	db->ops->q_close(st);
	wbuf_init(&out);
	if (keyfile == NULL) {
		/* the sealed form itself, for another tool */
		wbuf_bytes(&out, b, len);
	} else if ((e = jobseal_open(priv, b, len, &out, why,
	    sizeof(why))) != JOBSEAL_OK) {
		explicit_bzero(priv, sizeof(priv));
		errx(Q_ERROR, "job data %lld: %s", id, why);
	}
	explicit_bzero(priv, sizeof(priv));
	free(b);
	if (out.len > 0 && fwrite(out.data, 1, out.len, stdout) != out.len)
		err(Q_ERROR, "writing job data");
	if (keyfile != NULL && out.len > 0 && out.data[out.len - 1] != '\n')
		putchar('\n');
	wbuf_free(&out);
	if (fflush(stdout) == EOF)
		err(Q_ERROR, "writing job data");
	return 0;
}

int
comms_query_jobdata(const struct comms_conf *conf, const char *arg,
    const char *keyfile, int json)
{
	struct comms_db	 db;
	char		 err[512];
	int		 r;

	if (arg == NULL && keyfile != NULL)
		errx(Q_ERROR, "-k opens one job data: -q jobdata ID -k FILE");
	if (arg != NULL && json)
		errx(Q_ERROR, "usage: -q jobdata ID [-k FILE]");
	if (jobseal_init() == -1)
		errx(Q_ERROR, "libcrypto lacks X25519, HKDF or an AEAD");
	txlog_init();
	if (comms_db_open(&db, conf->database, COMMS_DB_READONLY, err,
	    sizeof(err)) == -1)
		errx(Q_ERROR, "%s", err);
	r = arg == NULL ? q_list(&db, json) : q_one(&db, arg, keyfile);
	comms_db_close(&db);
	return r;
}
