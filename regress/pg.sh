# A PostgreSQL cluster of a test's own, for commsd's PostgreSQL back end:
# initdb and pg_ctl of Debian's postgresql package, run as its
# unprivileged "postgres" user, in a directory of /tmp, listening on a
# Unix socket in that directory only (no TCP), on a free port number.
# One cluster per script: start it once, make a database per server.
# Sourced after regress/lib.sh.
#
#	pg_start		start it (skip when PostgreSQL is missing: 1);
#				stopped at the script's end (pg_ctl, by its
#				data directory: that cluster's postmaster
#				only)
#	pg_createdb NAME	an empty database
#	pg_uri NAME		its URI for commsd.conf's "database"
#	pg_sql NAME SQL		psql's unaligned answer
#	pg_restart		stop it and start it again
#	pg_down, pg_up		stop it; start it again
#	PGSOCK, PGPORT		the socket's directory and port
#
# With COMMSD_DB=pg, commsd_database NAME DIR prints the statements of a
# commsd.conf for a PostgreSQL database NAME and the state directory DIR,
# else (SQLite, the default) the database file in DIR.

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PGSOCK=${PGSOCK:-}
PGPORT=${PGPORT:-}
PG_OWN=0	# this script started the cluster

pg_start() {
	# the cluster of the script that ran this one
	if [ -n "$PGSOCK" ] && [ -S "$PGSOCK/.s.PGSQL.$PGPORT" ]; then
		return 0
	fi
	if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] ||
	    ! getent passwd postgres >/dev/null 2>&1; then
		echo "PostgreSQL is not installed (apt-get install postgresql)"
		return 1
	fi
	PGSOCK=$(mktemp -d /tmp/callhome-pg.XXXXXX) || return 1
	chown postgres: "$PGSOCK"
	PGPORT=$(free_port tcp)
	if ! runuser -u postgres -- "$PGBIN/initdb" -D "$PGSOCK/data" \
	    -A trust -U postgres -E UTF8 --no-locale --no-sync \
	    >"$PGSOCK/initdb.log" 2>&1; then
		tail -n 5 "$PGSOCK/initdb.log"
		return 1
	fi
	PG_OWN=1
	on_exit pg_stop
	# no TCP; fsync off: a test's cluster never outlives a crash
	if ! pg_up; then
		tail -n 5 "$PGSOCK/server.log"
		return 1
	fi
	export PGSOCK PGPORT
	return 0
}

pg_stop() {
	[ "$PG_OWN" = 1 ] && [ -n "$PGSOCK" ] && [ -d "$PGSOCK/data" ] || return 0
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGSOCK/data" -m fast \
	    -w stop >/dev/null 2>&1
	rm -rf "$PGSOCK"
	PGSOCK=""
}

# pg_restart: stop the cluster (its connections cut) and start it again
pg_restart() {
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGSOCK/data" -m fast \
	    -w -t 60 restart >>"$PGSOCK/pg_ctl.log" 2>&1
}

# pg_down, pg_up: the cluster stopped (its connections cut), started again
pg_down() {
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGSOCK/data" -m fast \
	    -w -t 60 stop >>"$PGSOCK/pg_ctl.log" 2>&1
}
pg_up() {
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGSOCK/data" \
	    -l "$PGSOCK/server.log" -w -t 60 -o "-k $PGSOCK -p $PGPORT \
	    -c listen_addresses='' -c fsync=off -c full_page_writes=off \
	    -c max_connections=40 -c shared_buffers=32MB" start \
	    >>"$PGSOCK/pg_ctl.log" 2>&1
}

pg_sql() {
	runuser -u postgres -- "$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 \
	    -h "$PGSOCK" -p "$PGPORT" -U postgres -d "$1" -c "$2"
}

pg_createdb() {
	pg_sql postgres "CREATE DATABASE \"$1\" ENCODING 'UTF8' \
	    TEMPLATE template0" >/dev/null
}

pg_uri() {
	echo "postgresql://postgres@/$1?host=$PGSOCK&port=$PGPORT"
}

# commsd_database NAME DIR: commsd.conf's database statements
commsd_database() {
	if [ "${COMMSD_DB:-sqlite}" = pg ]; then
		# one cluster, several scripts: the script's name in it
		_cd_db=$(echo "${TNAME:-t}_$1" | tr -c 'a-zA-Z0-9_\n' '_')
		if [ -z "$(pg_sql postgres "SELECT 1 FROM pg_database WHERE \
		    datname = '$_cd_db'")" ]; then
			pg_createdb "$_cd_db" || return 1
		fi
		echo "database \"$(pg_uri "$_cd_db")\""
		echo "state directory \"$2\""
	else
		echo "database \"$2/commsd.db\""
	fi
}
