/*
 * The workers that check uploaded documents (worker.c).  commsd never
 * gives libxml2 a document from the network in its own process: one
 * thread serves everybody there, and a document that keeps the parser
 * busy would keep everybody waiting.
 *
 *	spawner	forked by commsd at start-up, before the server's key is
 *		read and before the sandbox, and exec'd as commsd-check;
 *		it compiles the schema, enters
 *		its own sandbox (an empty network namespace, no file at
 *		all, the state directory as its root, the unprivileged
 *		user) and then only forks workers when the server asks,
 *		and kills them when it asks
 *	worker	one per document: a child of the spawner with a stricter
 *		sandbox still (no fork, no kill: only reading the document
 *		from its socket, computing and writing the answer), a CPU
 *		limit and an address-space limit.  It pre-scans, parses,
 *		validates and extracts (check.h), answers and exits
 *	pool	in the server: a fixed number of workers, a bounded queue of
 *		documents, a deadline for each; a worker that misses it is
 *		killed (SIGKILL, by the spawner) and replaced, and its
 *		document refused with 413
 *
 * The server -- spawner channel is a SOCK_SEQPACKET socket pair: each
 * message is a struct comms_spawn_msg, a new worker's socket passed with
 * it.  The server -- worker socket is a stream: a struct comms_job_head
 * and the document; the answer is a struct comms_result_head, the reason
 * and the extract.  The spawner and its workers are commsd-check, a
 * program of their own that commsd execs (commsd-check/commsd-check.c):
 * a fork of it is cheap, and it holds none of commsd's libraries but
 * libxml2 and none of its memory.
 */
#ifndef COMMSD_WORKER_H
#define COMMSD_WORKER_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "check.h"

#define COMMS_MAX_WORKERS	16
/* a worker's address space, by default: base + factor x max document */
#define COMMS_WORKER_MEMORY_BASE	(256ULL * 1024 * 1024)
#define COMMS_WORKER_MEMORY_FACTOR	16
#define COMMS_JOB_MAGIC		0x43484a31U	/* "CHJ1" */
#define COMMS_RESULT_MAGIC	0x43485231U	/* "CHR1" */
#define COMMS_REASON_MAX	512

enum comms_spawn_type {
	SPAWN_REQUEST = 1,	/* server: a new worker, please */
	SPAWN_KILL,		/* server: kill worker pid */
	SPAWN_WORKER,		/* spawner: here is one (and its socket) */
	SPAWN_FAILED,		/* spawner: fork failed (error) */
	SPAWN_EXITED		/* spawner: worker pid ended (status) */
};

struct comms_spawn_msg {
	uint32_t	 type;
	int32_t		 pid;
	int32_t		 status;	/* errno, or a wait status */
};

struct comms_job_head {
	uint32_t	 magic;
	uint32_t	 len;		/* the document's */
};

struct comms_result_head {
	uint32_t	 magic;
	int32_t		 status;	/* 0, or 400, 413, 500 */
	uint32_t	 reasonlen;	/* < COMMS_REASON_MAX; 0 with 0 */
	uint32_t	 extractlen;	/* 1 to the document's length with 0;
					   0 otherwise */
};

/* a result head as the server must find it: 0, or -1 */
int	comms_result_head_check(const struct comms_result_head *, size_t);

struct comms_conf;
struct comms_spawn_params {
	struct comms_conf		*conf;	/* freed in the spawner */
	const uint8_t			*xsd;
	size_t				 xsdlen;
	struct comms_check_limits	 limits;
	unsigned int			 cpu_seconds;	/* a worker's CPU */
	uint64_t			 max_memory;	/* its address space */
	unsigned int			 max_workers;
	uid_t				 uid;
	gid_t				 gid;
	const char			*root;		/* chroot */
	int				 quiet;	/* no standard error */
};

/*
 * Fork the spawner, which execs commsd-check (as root, before any secret
 * is read): the server's end of the channel.
 */
int	comms_spawner_start(const struct comms_spawn_params *);

/* len bytes read or written whole, a blocking descriptor: 0, or -1 */
int	comms_read_full(int, void *, size_t);
int	comms_write_full(int, const void *, size_t);

/*
 * What commsd-check gets: the channel on descriptor 3; on 4, this and
 * then the schema (xsdlen bytes), nothing more.
 */
#define COMMS_CHECK_CHAN_FD	3
#define COMMS_CHECK_PARAMS_FD	4
#define COMMS_CHECK_MAGIC	0x43484b31U	/* "CHK1" */
struct comms_check_params {
	uint32_t			 magic;
	uint32_t			 xsdlen;
	struct comms_check_limits	 limits;
	uint64_t			 max_memory;
	uint32_t			 cpu_seconds;
	uint32_t			 max_workers;
	uint32_t			 uid;
	uint32_t			 gid;
	uint32_t			 quiet;
	char				 root[256];	/* COMMS_STR_MAX */
};

struct event_base;
struct comms_pool;
struct comms_job;

/*
 * The outcome of a job: status 0 and the extract (to free(3)), or a
 * status (400, 413, 500) and its reason.  Never called from within
 * comms_pool_submit().
 */
typedef void	(*comms_job_done)(void *, int status, const char *reason,
		    uint8_t *extract, size_t extractlen);

struct comms_pool_stats {
	unsigned int	 workers;	/* ready or busy */
	unsigned int	 busy;
	unsigned int	 queued;
	uint64_t	 done;		/* jobs answered */
	uint64_t	 killed;	/* workers killed at their deadline */
	uint64_t	 died;		/* workers that ended, no answer */
	uint64_t	 avg_us;	/* a job's time, moving average */
};

/*
 * Admission to the queue (pool.c): a document waits only if the workers
 * can be expected to reach it within COMMS_QUEUE_WAIT_MS, at the
 * measured average time of a job (COMMS_JOB_GUESS_US until the first
 * answer; one job counts for at most COMMS_JOB_MAX_US).
 */
#define COMMS_QUEUE_WAIT_MS	1000
#define COMMS_JOB_GUESS_US	250000
#define COMMS_JOB_MAX_US	(3600ULL * 1000000)
#define COMMS_QUEUE_PER_WORKER	256	/* the most waiting, per worker */
uint64_t	 comms_pool_average(uint64_t avg_us, uint64_t job_us);
int		 comms_pool_admit(unsigned int queued, unsigned int workers,
		    unsigned int max_queue, uint64_t avg_us);

struct comms_pool *comms_pool_new(struct event_base *, int channel,
		    unsigned int workers, unsigned int timeout_ms,
		    unsigned int max_queue);
/*
 * Queue a document (it must stay until the job is done or cancelled);
 * owner names who sent it, so that one gateway does not hold every
 * worker while others wait.  NULL when the queue is full.
 */
struct comms_job *comms_pool_submit(struct comms_pool *, const uint8_t *,
		    size_t, const char *owner, comms_job_done, void *);
/* forget a job: its callback is not called; a worker on it is killed */
void		 comms_pool_cancel(struct comms_pool *, struct comms_job *);
void		 comms_pool_stats(const struct comms_pool *,
		    struct comms_pool_stats *);
void		 comms_pool_free(struct comms_pool *);

#endif /* COMMSD_WORKER_H */
