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

int
ctl_live(struct ctl *ctl, int command, int64_t arg, int json)
{
	struct imsgbuf		 ib;
	struct imsg		 m;
	struct msg_ctl_request	 req;
	struct msg_ctl_reply	 rep;
	struct msg_ctl_end	 end;
	struct json		 js;
	struct wbuf		 w;
	int			 fd, r, code = -1;

	fd = ctl_connect(ctl->socket);
	imsgbuf_init(&ib, fd, &chan_control, PROC_CONTROL);
	req.command = (uint32_t)command;
	req.arg = arg;
	wbuf_init(&w);
	msg_ctl_request_encode(&w, &req);
	if (imsg_compose(&ib, IMSG_CTL_REQUEST, 0, -1, w.data, w.len) == -1)
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
