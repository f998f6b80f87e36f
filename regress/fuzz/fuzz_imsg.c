/*
 * libFuzzer target: the imsg receiver and the decoders behind it.
 *
 * Input: byte 0 picks the receiving end (self, peer) from pairs[];
 * byte 1 how the bytes reach the socket (0: all at once, n: n bytes at
 * a time, each followed by a read); the rest is what the peer sent.
 * The bytes go through a real socketpair into an imsgbuf; imsg_get()
 * runs until it needs more bytes or fails, and every message it returns
 * goes through the decoder of its type (its channel's module).  Whatever
 * decodes must encode again to the very same bytes.
 *
 * No leaks (ASan's leak check is on) and no descriptors left open: the
 * target counts its own descriptors before and after and aborts if they
 * differ.  FUZZ_IMSG_VERBOSE=1 prints each message (for checking seeds).
 */
#include <sys/socket.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "regress/unit/chans.h"
#include "report.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct {
	enum proc_id	 self;
	enum proc_id	 peer;
} pairs[] = {
	{ PROC_COLLECTD, PROC_PARENT },
	{ PROC_AUDITD, PROC_PARENT },
	{ PROC_SIGNERD, PROC_PARENT },
	{ PROC_UPLINKD, PROC_PARENT },
	{ PROC_PARENT, PROC_COLLECTD },
	{ PROC_PARENT, PROC_UPLINKD },
	{ PROC_AUDITD, PROC_COLLECTD },
	{ PROC_UPLINKD, PROC_AUDITD },
	{ PROC_SIGNERD, PROC_UPLINKD },
	{ PROC_AUDITD, PROC_SIGNERD },
	{ PROC_PARENT, PROC_CONTROL },
	{ PROC_AUDITD, PROC_UPLINKD },
	{ PROC_PARENT, PROC_AUDITD },
	{ PROC_PARENT, PROC_SIGNERD },
	{ PROC_CONTROL, PROC_PARENT },
};
#define NPAIRS	(sizeof(pairs) / sizeof(pairs[0]))

static int	 verbose;

static int
count_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		abort();
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* the re-encoding must give back exactly the decoded bytes */
static void
same(struct wbuf *w, const uint8_t *p, size_t n, const char *what)
{
	if (w->len != n || (n > 0 && memcmp(w->data, p, n) != 0)) {
		fprintf(stderr, "fuzz_imsg: %s: re-encoding differs "
		    "(%zu bytes, was %zu)\n", what, w->len, n);
		abort();
	}
	wbuf_free(w);
}

/* collectd's part again, as the parent encoded it (its keys, not passwords) */
static void
encode_collectd(struct wbuf *w, struct collectd_conf *cc)
{
	collectd_conf_encode(w, cc);
}

/*
 * The parent encodes other configuration parts from the whole
 * configuration: put a decoded part back into one.
 */
static void
encode_auditd(struct wbuf *w, const struct auditd_conf *ac)
{
	struct callhome_conf	*c;

	if ((c = config_new_default()) == NULL)
		abort();
	memcpy(c->gateway, ac->gateway, sizeof(c->gateway));
	memcpy(c->site, ac->site, sizeof(c->site));
	memcpy(c->server.name, ac->server, sizeof(c->server.name));
	c->server.port = ac->port;
	c->authorize_upload = ac->authorize_upload;
	c->send = ac->send;
	c->retention_days = ac->retention_days;
	c->spool_limit = ac->spool_limit;
	c->checkin_every = ac->checkin_every;
	msg_conf_auditd_encode(w, c, ac->xsd, ac->xsdlen);
	config_free(c);
}

/* decode one message of the given type; 1 decoded, 0 refused, -1 none */
static int
decode(uint32_t type, const uint8_t *p, size_t n)
{
	struct msg_sandbox	 sb;
	struct msg_ping		 pi;
	struct msg_pong		 po;
	struct signer_conf	 sc;
	struct uplink_conf	 uc;
	struct collectd_conf	*cc;
	struct auditd_conf	 ac;
	static union {
		struct msg_collect_start	 cs;
		struct rpt_cycle		 cy;
		struct rpt_device		 dv;
		struct rpt_meter		 me;
		struct rpt_supply		 su;
		struct rpt_alert		 al;
		struct rpt_jobdata		 jd;
		struct msg_upload_job		 uj;
		struct msg_upload_result	 ur;
		struct msg_dial_req		 dq;
		struct msg_dial_result		 dr;
		struct msg_outbox_status	 os;
		struct msg_audit_event		 ae;
		struct msg_ctl_request		 cq;
		struct msg_ctl_reply		 cr;
		struct msg_ctl_end		 ce;
		struct gw_state			 gs;
		struct msg_instructions		 in;
		struct msg_instruction_done	 id;
		struct msg_profile_package	 pp;
		struct msg_fetch		 fe;
		struct msg_bundle		 bu;
		struct msg_package		 pk;
		struct msg_fetch_failed		 ff;
		struct msg_verdict		 ve;
		struct msg_package_store	 ps;
		struct msg_outbox_op		 oo;
		struct msg_outbox_op_done	 od;
		struct incident_req		 ir;
		struct incident_done		 idn;
	} u;
	struct wbuf		 w;
	int			 ok;

	wbuf_init(&w);
	switch (type) {
	case IMSG_SANDBOX:
		if ((ok = msg_sandbox_decode(p, n, &sb) == 0))
			msg_sandbox_encode(&w, &sb);
		break;
	case IMSG_PING:
		if ((ok = msg_ping_decode(p, n, &pi) == 0))
			msg_ping_encode(&w, &pi);
		break;
	case IMSG_PONG:
		if ((ok = msg_pong_decode(p, n, &po) == 0))
			msg_pong_encode(&w, &po);
		break;
	case IMSG_READY:
		ok = msg_empty_decode(p, n) == 0;
		break;
	case IMSG_CONF_COLLECTD:
		cc = collectd_conf_new();
		if ((ok = msg_conf_collectd_decode(p, n, cc) == 0))
			encode_collectd(&w, cc);
		collectd_conf_free(cc);
		break;
	case IMSG_CONF_AUDITD:
		if ((ok = msg_conf_auditd_decode(p, n, &ac) == 0)) {
			encode_auditd(&w, &ac);
			auditd_conf_clear(&ac);
		}
		break;
	case IMSG_CONF_SIGNERD:
		if ((ok = msg_conf_signerd_decode(p, n, &sc) == 0))
			msg_conf_signerd_encode(&w, &sc);
		break;
	case IMSG_CONF_UPLINKD:
		if ((ok = msg_conf_uplinkd_decode(p, n, &uc) == 0)) {
			msg_conf_uplinkd_encode(&w, &uc);
			uplink_conf_clear(&uc);
		}
		break;
#define ROUND_TRIP(T, dec, enc, field)					\
	case T:								\
		if ((ok = dec(p, n, &u.field) == 0))			\
			enc(&w, &u.field);				\
		break
	ROUND_TRIP(IMSG_COLLECT_START, msg_collect_start_decode,
	    msg_collect_start_encode, cs);
	ROUND_TRIP(IMSG_CYCLE_BEGIN, msg_cycle_decode, msg_cycle_encode, cy);
	ROUND_TRIP(IMSG_CYCLE_END, msg_cycle_decode, msg_cycle_encode, cy);
	ROUND_TRIP(IMSG_CYCLE_STORED, msg_cycle_decode, msg_cycle_encode, cy);
	ROUND_TRIP(IMSG_DEV_BEGIN, msg_device_decode, msg_device_encode, dv);
	ROUND_TRIP(IMSG_DEV_METER, msg_meter_decode, msg_meter_encode, me);
	ROUND_TRIP(IMSG_DEV_SUPPLY, msg_supply_decode, msg_supply_encode, su);
	ROUND_TRIP(IMSG_DEV_ALERT, msg_alert_decode, msg_alert_encode, al);
	ROUND_TRIP(IMSG_DEV_JOBDATA, msg_jobdata_decode, msg_jobdata_encode,
	    jd);
	ROUND_TRIP(IMSG_UPLOAD_JOB, msg_upload_job_decode,
	    msg_upload_job_encode, uj);
	ROUND_TRIP(IMSG_UPLOAD_RESULT, msg_upload_result_decode,
	    msg_upload_result_encode, ur);
	ROUND_TRIP(IMSG_DIAL_REQ, msg_dial_req_decode, msg_dial_req_encode,
	    dq);
	ROUND_TRIP(IMSG_DIAL_RESULT, msg_dial_result_decode,
	    msg_dial_result_encode, dr);
	ROUND_TRIP(IMSG_OUTBOX_STATUS, msg_outbox_status_decode,
	    msg_outbox_status_encode, os);
	ROUND_TRIP(IMSG_AUDIT_EVENT, msg_audit_event_decode,
	    msg_audit_event_encode, ae);
	ROUND_TRIP(IMSG_CTL_REQUEST, msg_ctl_request_decode,
	    msg_ctl_request_encode, cq);
	ROUND_TRIP(IMSG_CTL_REPLY, msg_ctl_reply_decode, msg_ctl_reply_encode,
	    cr);
	ROUND_TRIP(IMSG_CTL_END, msg_ctl_end_decode, msg_ctl_end_encode, ce);
	/* check-in and packages */
	ROUND_TRIP(IMSG_SIGNER_STATE, msg_signer_state_decode,
	    msg_signer_state_encode, gs);
	ROUND_TRIP(IMSG_GATEWAY_STATE, msg_gateway_state_decode,
	    msg_gateway_state_encode, gs);
	ROUND_TRIP(IMSG_INSTRUCTIONS, msg_instructions_decode,
	    msg_instructions_encode, in);
	ROUND_TRIP(IMSG_INSTRUCTION_DONE, msg_instruction_done_decode,
	    msg_instruction_done_encode, id);
	ROUND_TRIP(IMSG_PROFILE_PACKAGE, msg_profile_package_decode,
	    msg_profile_package_encode, pp);
	ROUND_TRIP(IMSG_FETCH, msg_fetch_decode, msg_fetch_encode, fe);
	ROUND_TRIP(IMSG_BUNDLE, msg_bundle_decode, msg_bundle_encode, bu);
	ROUND_TRIP(IMSG_PACKAGE, msg_package_decode, msg_package_encode, pk);
	ROUND_TRIP(IMSG_FETCH_FAILED, msg_fetch_failed_decode,
	    msg_fetch_failed_encode, ff);
	ROUND_TRIP(IMSG_VERDICT, msg_verdict_decode, msg_verdict_encode, ve);
	ROUND_TRIP(IMSG_PACKAGE_STORE, msg_package_store_decode,
	    msg_package_store_encode, ps);
	/* the operator's requeue and drop */
	ROUND_TRIP(IMSG_OUTBOX_OP, msg_outbox_op_decode, msg_outbox_op_encode,
	    oo);
	ROUND_TRIP(IMSG_OUTBOX_OP_DONE, msg_outbox_op_done_decode,
	    msg_outbox_op_done_encode, od);
	/* incidents: typed in (control), to auditd, and its answer */
	ROUND_TRIP(IMSG_CTL_INCIDENT, msg_incident_req_decode,
	    wbuf_incident_req, ir);
	ROUND_TRIP(IMSG_INCIDENT_NEW, msg_incident_req_decode,
	    wbuf_incident_req, ir);
	ROUND_TRIP(IMSG_INCIDENT_DONE, msg_incident_done_decode,
	    msg_incident_done_encode, idn);
#undef ROUND_TRIP
	case IMSG_DEV_END:
	case IMSG_OUTBOX_KICK:
	case IMSG_OUTBOX_STATUS_REQ:
	case IMSG_CHECKIN_NOW:
		ok = msg_empty_decode(p, n) == 0;
		break;
	default:
		return -1;
	}
	if (ok && type != IMSG_READY && type != IMSG_DEV_END &&
	    type != IMSG_OUTBOX_KICK && type != IMSG_OUTBOX_STATUS_REQ &&
	    type != IMSG_CHECKIN_NOW)
		same(&w, p, n, imsg_type_name(type));
	wbuf_free(&w);
	return ok;
}

/* take every complete message; 0 to go on, -1 when the stream failed */
static int
drain(struct imsgbuf *ib)
{
	struct imsg	 m;
	int		 rv, d;

	while ((rv = imsg_get(ib, &m)) == 1) {
		/* what imsg_get() promises about what it returns */
		if (!test_chan_allows(ib->peer, ib->self, m.hdr.type) ||
		    m.len > test_msgtype(m.hdr.type)->max ||
		    m.fd != -1)
			abort();
		d = decode(m.hdr.type, m.data, m.len);
		if (verbose)
			fprintf(stderr, "fuzz_imsg: %s <- %s: %s, %zu bytes%s: "
			    "%s\n", proc_name(ib->self), proc_name(ib->peer),
			    imsg_type_name(m.hdr.type), m.len,
			    (m.hdr.flags & IMSGF_STREAMED) ? " (stream)" : "",
			    d == 1 ? "decoded" : d == 0 ? "REFUSED" :
			    "no codec");
		imsg_free(&m);
	}
	if (rv == -1) {
		if (ib->err == NULL)
			abort();
		if (verbose)
			fprintf(stderr, "fuzz_imsg: error: %s\n", ib->err);
		return -1;
	}
	return 0;
}

/* one read and what it completes: 1 at EOF or failure, else 0 */
static int
pump(struct imsgbuf *ib)
{
	ssize_t	 n;

	n = imsgbuf_read(ib);
	if (n == 0)
		return 1;
	if (n == -1 && errno != EAGAIN && errno != ENOBUFS) {
		if (verbose)
			fprintf(stderr, "fuzz_imsg: read: %s\n",
			    ib->err ? ib->err : strerror(errno));
		return 1;
	}
	return drain(ib) == -1;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*v;

	log_init("fuzz_imsg", LOG_TO_STDERR, 0);
	v = getenv("FUZZ_IMSG_VERBOSE");
	verbose = v != NULL && *v != '\0' && *v != '0';
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imsgbuf	 ib;
	size_t		 off, n, chunk;
	ssize_t		 w;
	int		 sv[2], done = 0, before;

	if (size < 2)
		return 0;
	before = count_fds();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1)
		abort();
	imsgbuf_init(&ib, sv[1], test_chan(pairs[data[0] % NPAIRS].self,
	    pairs[data[0] % NPAIRS].peer), pairs[data[0] % NPAIRS].self);
	chunk = data[1];
	data += 2;
	size -= 2;
	for (off = 0; off < size && !done; ) {
		n = size - off;
		if (chunk > 0 && n > chunk)
			n = chunk;
		w = send(sv[0], data + off, n, MSG_NOSIGNAL);
		if (w > 0)
			off += (size_t)w;
		else if (w == -1 && errno != EAGAIN && errno != EINTR)
			abort();
		done = pump(&ib);
	}
	close(sv[0]);
	while (!done)
		done = pump(&ib);
	imsgbuf_clear(&ib);
	close(sv[1]);
	if (count_fds() != before) {
		fprintf(stderr, "fuzz_imsg: descriptors leaked\n");
		abort();
	}
	return 0;
}
