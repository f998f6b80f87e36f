/*
 * The live commands: one request to callhomed over its control socket,
 * reply lines printed as "key: value" (or one JSON object with -j).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "callhomectl.h"
#include "chan/control.h"
#include "imsg.h"
#include "json.h"

static int
ctl_connect(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		errx(CTL_ERROR, "socket path too long: %s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(CTL_ERROR, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			errx(CTL_ERROR, "%s: callhomed is not running", path);
		if (errno == EACCES)
			errx(CTL_ERROR, "%s: permission denied (root or the "
			    "socket's group only)", path);
		err(CTL_ERROR, "%s", path);
	}
	return fd;
}

/* one message to callhomed, its replies printed: its exit status */
static int
exchange(struct ctl *ctl, uint32_t type, struct wbuf *wp, int json)
{
	struct imsgbuf		 ib;
	struct imsg		 m;
	struct msg_ctl_reply	 rep;
	struct msg_ctl_end	 end;
	struct json		 js;
	struct wbuf		 w = *wp;
	int			 fd, r, code = -1;

	fd = ctl_connect(ctl->socket);
	imsgbuf_init(&ib, fd, &chan_control, PROC_CONTROL);
	if (imsg_compose(&ib, type, 0, -1, w.data, w.len) == -1)
		err(CTL_ERROR, "sending to callhomed");
	if (imsgbuf_flush(&ib) == -1) {
		/* it refused us (not root, not in its group) or stopped */
		if (errno == EPIPE || errno == ECONNRESET)
			errx(CTL_ERROR, "callhomed closed the connection");
		err(CTL_ERROR, "sending to callhomed");
	}
	wbuf_free(&w);
	if (json) {
		json_init(&js, stdout);
		json_object_begin(&js);
	}
	while (code == -1) {
		if ((r = imsg_read_one(&ib, &m)) == 0)
			errx(CTL_ERROR, "callhomed closed the connection");
		if (r == -1 && ib.err == NULL && errno == ECONNRESET)
			errx(CTL_ERROR, "callhomed closed the connection");
		if (r == -1)
			errx(CTL_ERROR, "reading from callhomed: %s",
			    ib.err ? ib.err : strerror(errno));
		switch (m.hdr.type) {
		case IMSG_CTL_REPLY:
			if (msg_ctl_reply_decode(m.data, m.len, &rep) == -1)
				errx(CTL_ERROR, "bad reply from callhomed");
			if (json)
				json_kv_string(&js, rep.key, rep.value);
			else {
				ctl_print_safe(stdout, rep.key, 0);
				fputs(": ", stdout);
				ctl_print_safe(stdout, rep.value, 0);
				putchar('\n');
			}
			break;
		case IMSG_CTL_END:
			if (msg_ctl_end_decode(m.data, m.len, &end) == -1)
				errx(CTL_ERROR, "bad reply from callhomed");
			code = end.code;
			break;
		default:
			errx(CTL_ERROR, "unexpected %s from callhomed",
			    imsg_type_name(m.hdr.type));
		}
		imsg_free(&m);
	}
	if (json) {
		json_object_end(&js);
		if (json_finish(&js) == -1)
			err(CTL_ERROR, "writing JSON");
		putchar('\n');
	}
	imsgbuf_clear(&ib);
	close(fd);
	return code;
}

int
ctl_live(struct ctl *ctl, int command, int64_t arg, int json)
{
	struct msg_ctl_request	 req;
	struct wbuf		 w;

	req.command = (uint32_t)command;
	req.arg = arg;
	wbuf_init(&w);
	msg_ctl_request_encode(&w, &req);
	return exchange(ctl, IMSG_CTL_REQUEST, &w, json);
}

/*
 * An incident; while auditd stores a cycle (exit 75 from callhomed) it is
 * asked again, every second, for at most CTL_INCIDENT_TRIES seconds.
 */
#define CTL_INCIDENT_TRIES	120
int
ctl_incident(struct ctl *ctl, const struct incident_req *r)
{
	struct wbuf	 w;
	int		 code, tries = 0;

	for (;;) {
		wbuf_init(&w);
		wbuf_incident_req(&w, r);
		code = exchange(ctl, IMSG_CTL_INCIDENT, &w, 0);
		if (code != 75 || ++tries >= CTL_INCIDENT_TRIES)
			break;
		sleep(1);
	}
	return code == 75 ? CTL_ERROR : code;
}
