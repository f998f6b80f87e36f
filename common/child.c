#include <sys/resource.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "log.h"
#include "net.h"
#include "chan/lifecycle.h"

static void
usage(const char *name)
{
	fprintf(stderr, "usage: %s [-v]\n"
	    "%s is started by callhomed, never by hand.\n", name, name);
	exit(1);
}

static void
parent_eof(struct imsgev *iev, void *arg)
{
	struct child	*c = arg;

	log_debug("parent closed the channel, exiting");
	event_base_loopexit(c->base, NULL);
}

/*
 * The process's own peak resident size since exec: VmHWM of the status
 * file opened before the sandbox.  (getrusage's ru_maxrss would count
 * the parent's pages at fork, before the exec.)  0 when unknown.
 */
static uint64_t
peak_rss(const struct child *c)
{
	char		 buf[2048], *p;
	ssize_t		 n;
	unsigned long long v;

	if (c->statusfd == -1)
		return 0;
	if ((n = pread(c->statusfd, buf, sizeof(buf) - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	if ((p = strstr(buf, "\nVmHWM:")) == NULL ||
	    sscanf(p + 8, "%llu", &v) != 1)
		return 0;
	return v;
}

static void
handle_ping(struct child *c, struct imsg *m)
{
	struct msg_ping	 pi;
	struct msg_pong	 po;

	if (msg_ping_decode(m->data, m->len, &pi) == -1)
		fatalx("bad PING from parent");
	memset(&po, 0, sizeof(po));
	po.seq = pi.seq;
	po.proc = c->self;
	po.pid = getpid();
	po.uptime = (uint64_t)(time(NULL) - c->started);
	po.rss_kb = peak_rss(c);
	if (c->state != NULL)
		c->state(c, po.state, sizeof(po.state));
	else
		(void)strlcpy(po.state, c->configured ? "running" :
		    "waiting for configuration", sizeof(po.state));
	msg_pong_send(&c->parent, m->hdr.peerid, &po);
}

static void
parent_dispatch(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct child	*c = arg;

	/* the lifecycle messages here, the child's own in its dispatch */
	switch (m->hdr.type) {
	case IMSG_PING:
		handle_ping(c, m);
		break;
	case IMSG_SANDBOX:
		fatalx("second SANDBOX message from parent");
	default:
		c->dispatch(c, m);
		break;
	}
}

static void
on_term(evutil_socket_t sig, short ev, void *arg)
{
	struct child	*c = arg;

	log_debug("terminating on signal %d", (int)sig);
	event_base_loopexit(c->base, NULL);
}

void
child_init(struct child *c, const struct chan_def *chan, int argc,
    char **argv)
{
	struct msg_sandbox	 sb;
	struct imsg		 m;
	enum proc_id		 self = chan->b;
	int			 ch, verbose = 0, r;

	memset(c, 0, sizeof(*c));
	c->self = self;
	c->statusfd = -1;
	c->started = time(NULL);
	log_init(proc_name(self), LOG_TO_STDERR, 0);
	while ((ch = getopt(argc, argv, "v")) != -1) {
		switch (ch) {
		case 'v':
			verbose++;
			break;
		default:
			usage(proc_name(self));
		}
	}
	if (argc != optind)
		usage(proc_name(self));
	log_setverbose(verbose);
	/* the parent's channel must be a socket on its known descriptor */
	{
		int		 type;
		socklen_t	 tl = sizeof(type);

		if (getsockopt(PROC_PARENT_FD, SOL_SOCKET, SO_TYPE, &type,
		    &tl) == -1 || type != SOCK_STREAM)
			usage(proc_name(self));
	}
	set_nonblock(PROC_PARENT_FD);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);	/* the parent coordinates shutdown */
	signal(SIGHUP, SIG_IGN);
	if ((c->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if (chan->a != PROC_PARENT)
		fatalx("child_init: %s is not a parent channel", chan->name);
	imsgev_init(&c->parent, c->base, PROC_PARENT_FD, chan, self,
	    parent_dispatch, parent_eof, c);
	c->ev_term = evsignal_new(c->base, SIGTERM, on_term, c);
	if (c->ev_term == NULL || event_add(c->ev_term, NULL) == -1)
		fatalx("evsignal_new");

	/* the one message read before the sandbox: where to go and as whom */
	r = imsg_read_one(&c->parent.ibuf, &m);
	if (r == 0)
		fatalx("parent closed the channel before sandboxing");
	if (r == -1)
		fatalx("reading the sandbox message: %s",
		    c->parent.ibuf.err ? c->parent.ibuf.err : "read error");
	if (m.hdr.type != IMSG_SANDBOX ||
	    msg_sandbox_decode(m.data, m.len, &sb) == -1)
		fatalx("first message from parent is not a valid SANDBOX");
	imsg_free(&m);
	c->sbp.uid = sb.uid;
	c->sbp.gid = sb.gid;
	c->ppid = getppid();
	/* for the peak RSS in PONG; the sandbox keeps it readable */
	c->statusfd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (strlcpy(c->sbp.root, sb.root, sizeof(c->sbp.root)) >=
	    sizeof(c->sbp.root))
		fatalx("sandbox root too long");
}

void
child_sandbox(struct child *c, const struct sandbox *sb)
{
	struct sandbox_params	 p;

	memset(&p, 0, sizeof(p));
	p.uid = c->sbp.uid;
	p.gid = c->sbp.gid;
	p.root = c->sbp.root;
	p.ppid = c->ppid;
	sandbox_enter(sb, &p);
	log_debug("sandboxed in %s as uid %u", c->sbp.root,
	    (unsigned)c->sbp.uid);
}

/* a sibling went away: the parent reports it and stops everyone */
static void
peer_eof(struct imsgev *iev, void *arg)
{
	log_debug("%s closed its channel", imsgev_peer(iev));
}

void
child_peer(struct child *c, struct imsgev *iev, const struct chan_def *chan,
    imsgev_dispatch dispatch, void *arg)
{
	enum proc_id	 peer = chan_peer(chan, c->self);
	int		 fd;

	if ((fd = chan_fd(c->self, peer)) == -1)
		fatalx("no channel from %s to %s", proc_name(c->self),
		    proc_name(peer));
	set_nonblock(fd);
	imsgev_init(iev, c->base, fd, chan, c->self, dispatch, peer_eof, arg);
	/* one-way channels: close the direction this side must not use */
	if (!chan_sends(chan, c->self))
		(void)shutdown(fd, SHUT_WR);
	if (!chan_sends(chan, peer)) {
		(void)shutdown(fd, SHUT_RD);
		imsgev_sendonly(iev);
	}
}

void
child_ready(struct child *c)
{
	if (!c->configured) {
		c->configured = 1;
		msg_ready_send(&c->parent);
	}
}

int
child_run(struct child *c)
{
	struct imsg	 m;
	int		 r;

	/*
	 * child_init() read the SANDBOX message with imsg_read_one(), which
	 * reads all there is: what the parent sent right after it (the
	 * configuration) waits in the buffer, and no read event will
	 * announce it.  Dispatch it now, in the sandbox.
	 */
	while (c->parent.active &&
	    (r = imsg_get(&c->parent.ibuf, &m)) != 0) {
		if (r == -1)
			fatalx("from parent: %s", c->parent.ibuf.err ?
			    c->parent.ibuf.err : "bad message");
		parent_dispatch(&c->parent, &m, c);
		imsg_free(&m);
	}
	if (event_base_dispatch(c->base) == -1)
		fatalx("event loop failed");
	return 0;
}
