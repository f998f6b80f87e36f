/*
 * The control socket's channel: see control.h.
 */
#include "chan/control.h"

static const struct chan_msg client_to_parent[] = {
	{ IMSG_CTL_REQUEST, 0, 1024 },
	{ IMSG_CTL_INCIDENT, 0, INC_REQ_WIRE_MAX },
};
static const struct chan_msg parent_to_client[] = {
	{ IMSG_CTL_REPLY, 0, 8 * 1024 },
	{ IMSG_CTL_END, 0, 64 },
};

const struct chan_def chan_control = {
	"control", PROC_CONTROL, PROC_PARENT,
	CHAN_MSGS(client_to_parent), CHAN_MSGS(parent_to_client),
};

static const char *const ctl_names[CTL_COMMAND_MAX] = {
	[CTL_STATUS] = "status", [CTL_COLLECT] = "collect",
	[CTL_SEND] = "send", [CTL_CHECKIN] = "checkin",
	[CTL_RELOAD] = "reload", [CTL_OUTBOX_REQUEUE] = "outbox requeue",
	[CTL_OUTBOX_DROP] = "outbox drop",
};

const char *
ctl_command_name(int c)
{
	if (c <= 0 || c >= CTL_COMMAND_MAX)
		return "unknown";
	return ctl_names[c];
}

void
msg_ctl_request_encode(struct wbuf *w, const struct msg_ctl_request *r)
{
	wbuf_u32(w, r->command);
	wbuf_i64(w, r->arg);
}

int
msg_ctl_request_decode(const void *p, size_t len, struct msg_ctl_request *r)
{
	struct rbuf	 rb;

	rbuf_init(&rb, p, len);
	r->command = rbuf_u32(&rb);
	r->arg = rbuf_i64(&rb);
	if (rbuf_done(&rb) == -1 || r->command == 0 ||
	    r->command >= CTL_COMMAND_MAX)
		return -1;
	/* a document's id for the outbox's commands, nothing for others */
	if (r->command == CTL_OUTBOX_REQUEUE || r->command == CTL_OUTBOX_DROP)
		return r->arg > 0 ? 0 : -1;
	return r->arg == 0 ? 0 : -1;
}

void
msg_ctl_reply_encode(struct wbuf *w, const struct msg_ctl_reply *r)
{
	wbuf_str(w, r->key);
	wbuf_str(w, r->value);
}

int
msg_ctl_reply_decode(const void *p, size_t len, struct msg_ctl_reply *r)
{
	struct rbuf	 rb;

	rbuf_init(&rb, p, len);
	rbuf_str(&rb, r->key, sizeof(r->key));
	rbuf_str(&rb, r->value, sizeof(r->value));
	if (rbuf_done(&rb) == -1 || r->key[0] == '\0')
		return -1;
	return 0;
}

void
msg_ctl_reply_send(struct imsgev *iev, const struct msg_ctl_reply *r)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_ctl_reply_encode(w, r);
	imsgev_sendw(iev, IMSG_CTL_REPLY, 0, -1, w);
}

void
msg_ctl_end_encode(struct wbuf *w, const struct msg_ctl_end *e)
{
	wbuf_u32(w, (uint32_t)e->code);
}

int
msg_ctl_end_decode(const void *p, size_t len, struct msg_ctl_end *e)
{
	struct rbuf	 rb;

	rbuf_init(&rb, p, len);
	e->code = (int32_t)rbuf_u32(&rb);
	if (rbuf_done(&rb) == -1 || e->code < 0 || e->code > 255)
		return -1;
	return 0;
}

void
msg_ctl_end_send(struct imsgev *iev, const struct msg_ctl_end *e)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_ctl_end_encode(w, e);
	imsgev_sendw(iev, IMSG_CTL_END, 0, -1, w);
}
