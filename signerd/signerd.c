/*
 * signerd: verifies signed instruction bundles and packages.  It owns no
 * key that signs anything, touches no disk and no network: public keys
 * come from the parent, blobs from uplinkd, verdicts go to auditd and
 * verified instructions to the parent.
 *
 * What it remembers is what the verdicts need: the last accepted
 * sequence and the installed version of each package (auditd keeps both;
 * the parent passes them on at start and after each install), and the
 * package instructions of accepted bundles, so that a package is checked
 * against the signed instruction that asked for it and nothing else.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chan/parent_signerd.h"
#include "chan/signerd_auditd.h"
#include "chan/uplinkd_signerd.h"
#include "child.h"
#include "digest.h"
#include "log.h"
#include "signify.h"
#include "verify.h"

#define PENDING_MAX	16	/* package instructions waiting for a fetch */

struct signerd {
	struct child		 c;
	struct imsgev		 uplinkd;
	struct imsgev		 auditd;
	char			 gateway[BUNDLE_GATEWAY_MAX + 1];
	struct signify_keyring	 instr_keys;
	struct signify_keyring	 pkg_keys;
	struct gw_state		 state;
	struct bundle_package	 pending[PENDING_MAX];
	size_t			 npending;
	uint64_t		 bundles, accepted, packages, refused;
};

static void
keys_load(struct signify_keyring *ring, const uint8_t *k, size_t len,
    const char *what)
{
	char	 err[256];

	memset(ring, 0, sizeof(*ring));
	if (len > 0 && signify_parse_keys(k, len, ring, err, sizeof(err)) ==
	    -1)
		fatalx("the %s keys the parent sent: %s", what, err);
}

/* the installed version of a package name, 0 for none */
static uint64_t
installed(const struct signerd *sd, const char *name)
{
	uint32_t	 i;

	for (i = 0; i < sd->state.npkgs; i++)
		if (strcmp(sd->state.pkgs[i].name, name) == 0)
			return sd->state.pkgs[i].version;
	return 0;
}

static void
set_installed(struct signerd *sd, const struct pkg_id *id)
{
	uint32_t	 i;

	for (i = 0; i < sd->state.npkgs; i++)
		if (strcmp(sd->state.pkgs[i].name, id->name) == 0)
			break;
	if (i == PKG_STATE_MAX)
		fatalx("more than %d packages installed", PKG_STATE_MAX);
	if (i == sd->state.npkgs)
		sd->state.npkgs++;
	sd->state.pkgs[i] = *id;
}

/* a package instruction waits for its fetch; the oldest gives way */
static void
pending_add(struct signerd *sd, const struct bundle_package *p)
{
	if (sd->npending == PENDING_MAX) {
		log_debug("package instruction %s-%" PRIu64 " forgotten: more "
		    "than %d wait", sd->pending[0].name,
		    sd->pending[0].version, PENDING_MAX);
		memmove(&sd->pending[0], &sd->pending[1],
		    (PENDING_MAX - 1) * sizeof(sd->pending[0]));
		sd->npending--;
	}
	sd->pending[sd->npending++] = *p;
}

/* the pending instruction for a package; NULL when none asked for it */
static struct bundle_package *
pending_find(struct signerd *sd, const struct pkg_id *id)
{
	size_t	 i;

	for (i = 0; i < sd->npending; i++)
		if ((uint8_t)sd->pending[i].kind == id->kind &&
		    sd->pending[i].version == id->version &&
		    strcmp(sd->pending[i].name, id->name) == 0)
			return &sd->pending[i];
	return NULL;
}

static void
pending_del(struct signerd *sd, struct bundle_package *p)
{
	size_t	 i = (size_t)(p - sd->pending);

	memmove(p, p + 1, (sd->npending - i - 1) * sizeof(*p));
	sd->npending--;
}

static void
verdict_send(struct signerd *sd, struct msg_verdict *v, enum verdict vd,
    const char *err)
{
	v->ok = vd == V_OK;
	(void)strlcpy(v->reason, verdict_name(vd), sizeof(v->reason));
	(void)strlcpy(v->error, err, sizeof(v->error));
	if (vd != V_OK) {
		sd->refused++;
		log_warnx("%s refused: %s: %s", v->what == VERDICT_BUNDLE ?
		    "bundle" : "package", v->reason, err);
	}
	msg_verdict_send(&sd->auditd, v);
}

/* uplinkd passed one bundle of a check-in answer: is it to be obeyed? */
static void
bundle_check(struct signerd *sd, const struct msg_bundle *mb)
{
	struct bundle		*b;
	struct msg_instructions	*mi;
	struct msg_verdict	 v;
	enum verdict		 vd;
	char			 err[256];
	size_t			 i;

	sd->bundles++;
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (mi = calloc(1, sizeof(*mi))) == NULL)
		fatal(NULL);
	memset(&v, 0, sizeof(v));
	v.what = VERDICT_BUNDLE;
	if (sha256_hex(mb->data, mb->len, v.sha256) == -1)
		fatalx("SHA-256 failed");
	vd = verify_bundle(&sd->instr_keys, mb->data, mb->len, sd->gateway,
	    sd->state.last_seq, (int64_t)time(NULL), b, err, sizeof(err));
	if (vd == V_OK) {
		v.sequence = b->sequence;
		(void)snprintf(err, sizeof(err), "bundle %" PRIu64 ": %zu "
		    "instructions", b->sequence, b->nitems);
	}
	verdict_send(sd, &v, vd, err);
	if (vd == V_OK) {
		sd->accepted++;
		sd->state.last_seq = b->sequence;
		mi->sequence = b->sequence;
		mi->issued = b->issued;
		mi->expires = b->expires;
		mi->nitems = (uint32_t)b->nitems;
		for (i = 0; i < b->nitems; i++) {
			mi->items[i] = b->items[i];
			if (b->items[i].kind == BI_PACKAGE)
				pending_add(sd, &b->items[i].u.pkg);
		}
		log_info("bundle %" PRIu64 " accepted: %zu instructions",
		    b->sequence, b->nitems);
		msg_instructions_send(&sd->c.parent, mi);
	}
	explicit_bzero(b, sizeof(*b));
	free(b);
	free(mi);
}

/* a fetched package and its signature against the instruction */
static void
package_check(struct signerd *sd, const struct msg_package *mp)
{
	struct bundle_package		*want;
	struct msg_verdict		 v;
	struct msg_package_store	 ps;
	enum verdict			 vd;
	char				 err[256];

	if ((want = pending_find(sd, &mp->id)) == NULL)
		fatalx("uplinkd sent package %s-%" PRIu64 ", which no "
		    "accepted instruction asked for", mp->id.name,
		    mp->id.version);
	sd->packages++;
	memset(&v, 0, sizeof(v));
	v.what = VERDICT_PACKAGE;
	v.pkg = mp->id;
	if (sha256_hex(mp->file, mp->filelen, v.sha256) == -1)
		fatalx("SHA-256 failed");
	vd = verify_package(&sd->pkg_keys, mp->file, mp->filelen, mp->sig,
	    mp->siglen, want, installed(sd, mp->id.name), err, sizeof(err));
	if (vd == V_OK)
		(void)snprintf(err, sizeof(err), "%s package %s-%" PRIu64
		    ": %zu bytes", package_kind_name(want->kind), want->name,
		    want->version, mp->filelen);
	verdict_send(sd, &v, vd, err);
	pending_del(sd, want);
	if (vd != V_OK)
		return;
	memset(&ps, 0, sizeof(ps));
	ps.id = mp->id;
	(void)strlcpy(ps.sha256, v.sha256, sizeof(ps.sha256));
	ps.file = mp->file;
	ps.filelen = mp->filelen;
	msg_package_store_send(&sd->auditd, &ps);
	set_installed(sd, &mp->id);
	log_info("package %s-%" PRIu64 " verified", mp->id.name,
	    mp->id.version);
}

/* uplinkd got nothing to verify: that is the package's verdict */
static void
fetch_failed(struct signerd *sd, const struct msg_fetch_failed *mf)
{
	struct bundle_package	*want;
	struct msg_verdict	 v;

	if ((want = pending_find(sd, &mf->id)) == NULL)
		fatalx("uplinkd failed a fetch of %s-%" PRIu64 ", which no "
		    "accepted instruction asked for", mf->id.name,
		    mf->id.version);
	pending_del(sd, want);
	memset(&v, 0, sizeof(v));
	v.what = VERDICT_PACKAGE;
	v.pkg = mf->id;
	(void)strlcpy(v.reason, mf->reason, sizeof(v.reason));
	(void)strlcpy(v.error, mf->error, sizeof(v.error));
	sd->refused++;
	log_warnx("package %s-%" PRIu64 " not fetched: %s: %s", mf->id.name,
	    mf->id.version, mf->reason, mf->error);
	msg_verdict_send(&sd->auditd, &v);
}

/* parent -> signerd (the lifecycle messages are child.c's) */
static void
parent_msg(struct child *c, struct imsg *m)
{
	struct signerd		*sd = c->ctx;
	struct signer_conf	*conf;
	struct gw_state		 st;

	switch (m->hdr.type) {
	case IMSG_CONF_SIGNERD:
		if ((conf = malloc(sizeof(*conf))) == NULL)
			fatal(NULL);
		if (msg_conf_signerd_decode(m->data, m->len, conf) == -1)
			fatalx("bad CONF_SIGNERD from parent");
		(void)strlcpy(sd->gateway, conf->gateway,
		    sizeof(sd->gateway));
		keys_load(&sd->instr_keys, conf->instr_key,
		    conf->instr_keylen, "instruction");
		keys_load(&sd->pkg_keys, conf->pkg_key, conf->pkg_keylen,
		    "package");
		if (signify_keyrings_overlap(&sd->instr_keys, &sd->pkg_keys))
			fatalx("the instruction and package keys overlap");
		log_debug("configuration: %zu instruction keys, %zu package "
		    "keys", sd->instr_keys.nkeys, sd->pkg_keys.nkeys);
		free(conf);
		child_ready(c);
		break;
	case IMSG_SIGNER_STATE:
		if (msg_signer_state_decode(m->data, m->len, &st) == -1)
			fatalx("bad SIGNER_STATE from parent");
		/* what auditd has stored never takes back what was seen */
		if (st.last_seq < sd->state.last_seq)
			st.last_seq = sd->state.last_seq;
		sd->state = st;
		break;
	default:
		imsgev_unexpected(&c->parent, m);
	}
}

/* uplinkd -> signerd */
static void
uplinkd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct signerd		*sd = arg;
	struct msg_bundle	 mb;
	struct msg_package	 mp;
	struct msg_fetch_failed	 mf;

	switch (m->hdr.type) {
	case IMSG_BUNDLE:
		if (msg_bundle_decode(m->data, m->len, &mb) == -1)
			fatalx("bad BUNDLE from uplinkd");
		bundle_check(sd, &mb);
		break;
	case IMSG_PACKAGE:
		if (msg_package_decode(m->data, m->len, &mp) == -1)
			fatalx("bad PACKAGE from uplinkd");
		package_check(sd, &mp);
		break;
	case IMSG_FETCH_FAILED:
		if (msg_fetch_failed_decode(m->data, m->len, &mf) == -1)
			fatalx("bad FETCH_FAILED from uplinkd");
		fetch_failed(sd, &mf);
		break;
	default:
		imsgev_unexpected(iev, m);
	}
}

static void
state_line(struct child *c, char *buf, size_t len)
{
	struct signerd	*sd = c->ctx;

	(void)snprintf(buf, len, "%llu bundles (%llu accepted), %llu "
	    "packages, %llu refused, sequence %llu",
	    (unsigned long long)sd->bundles, (unsigned long long)sd->accepted,
	    (unsigned long long)sd->packages, (unsigned long long)sd->refused,
	    (unsigned long long)sd->state.last_seq);
}

int
main(int argc, char *argv[])
{
	static struct signerd	 sd;

	child_init(&sd.c, &chan_parent_signerd, argc, argv);
	sd.c.ctx = &sd;
	sd.c.dispatch = parent_msg;
	sd.c.state = state_line;
	child_peer(&sd.c, &sd.uplinkd, &chan_uplinkd_signerd, uplinkd_msg,
	    &sd);
	child_peer(&sd.c, &sd.auditd, &chan_signerd_auditd, NULL, &sd);
	signify_init();
	child_sandbox(&sd.c, &signerd_sandbox);
	return child_run(&sd.c);
}
