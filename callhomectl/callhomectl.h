/*
 * callhomectl: the control and audit tool.
 */
#ifndef CALLHOME_CALLHOMECTL_H
#define CALLHOME_CALLHOMECTL_H

#include <stdio.h>

#include <sqlite3.h>

/* exit statuses */
#define CTL_OK		0
#define CTL_ERROR	1	/* also: the log is broken (verify) */
#define CTL_USAGE	2

struct ctl {
	const char	*conffile;
	const char	*sockopt;	/* -s: the control socket */
	char		 state[256];	/* the state directory */
	char		 socket[256];	/* the control socket */
	sqlite3		*db;		/* read-only, once opened */
};

/* read the configuration for the state directory; exits on error */
void	ctl_load_config(struct ctl *);
/*
 * Become the state directory's owner (when root) and open its database
 * read-only; exits with a clear message when there is none.
 */
void	ctl_open_db(struct ctl *);
void	ctl_close_db(struct ctl *);

/* the commands that read the database (ctl_db.c): exit statuses */
int	ctl_devices(struct ctl *, int json);
int	ctl_verify(struct ctl *);

/* a live command through callhomed's control socket (ctl_live.c) */
int	ctl_live(struct ctl *, int command, int json);

/*
 * A string for a terminal: control characters shown as '?', cut and
 * padded to width columns (when width > 0) on UTF-8 character boundaries.
 */
void	ctl_print_safe(FILE *, const char *, int width);
int	ctl_width(const char *);	/* columns of a string */

#endif /* CALLHOME_CALLHOMECTL_H */
