#!/bin/sh
# Supervision: a child that dies takes the whole daemon down (fail
# closed) within 2 s, leaving no process behind; signals; reload.
. "$TOP/regress/lib.sh"

ensure_user
mkdir -p "$T/state"
mkconf "$T/callhome.conf" <<EOF
gateway "supervise-test"
user "_callhome"
state "$T/state"
socket "$T/callhome.sock"
EOF

# start the daemon; sets DPID
start() {
	: >"$T/daemon.log"
	"$OBJ/callhomed" -d -f "$T/callhome.conf" >"$T/daemon.log" 2>&1 &
	DPID=$!
	wait_for 5 grep -q "startup complete" "$T/daemon.log" || return 1
	KIDS=$(children_of "$DPID" | tr '\n' ' ')
}

# any process of the daemon left?  Its children by the pids they had
# (other tests' daemons may run children of the same names meanwhile)
KIDS=""
leftovers() {
	for _k in $KIDS; do
		[ -d /proc/$_k ] && ! grep -q '^State:.*Z' /proc/$_k/status \
		    2>/dev/null && return 0
	done
	kill -0 "$DPID" 2>/dev/null
}

for name in collectd auditd signerd uplinkd; do
	if ! start; then
		fail "start before killing $name" "$(tail -n 3 "$T/daemon.log")"
		kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null
		continue
	fi
	cpid=$(child_named "$DPID" $name)
	t0=$(now_ms)
	kill -9 "$cpid"
	# wait for the daemon, bounded
	i=0
	while kill -0 "$DPID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	t1=$(now_ms)
	if kill -0 "$DPID" 2>/dev/null; then
		fail "kill -9 $name: callhomed exits" "still running after 5 s"
		kill -9 "$DPID"
	fi
	wait "$DPID"
	rc=$?
	ms=$((t1 - t0))
	check "kill -9 $name: callhomed exits non-zero" test "$rc" -ne 0
	check "kill -9 $name: within 2 s (took ${ms} ms)" test "$ms" -le 2000
	check "kill -9 $name: the log names $name and the signal" \
	    grep -q "$name (pid $cpid) was killed by signal 9" "$T/daemon.log"
	if leftovers; then
		fail "kill -9 $name: no process of the daemon is left" \
		    "$(pgrep -a -u _callhome)"
		kill -9 $KIDS 2>/dev/null
	else
		pass "kill -9 $name: no process of the daemon is left"
	fi
done

# callhomed itself killed: its children go with it (they asked the
# kernel for SIGKILL at its death), even children too busy to notice
# that their channel closed (stopped here, the surest kind of busy), and
# a restart at once finds the state directory free
if start; then
	kill -STOP $KIDS
	t0=$(now_ms)
	kill -9 "$DPID"
	wait "$DPID" 2>/dev/null
	i=0
	while leftovers && [ $i -lt 100 ]; do
		sleep 0.02; i=$((i + 1))
	done
	t1=$(now_ms)
	if leftovers; then
		fail "kill -9 callhomed: the children die with it" \
		    "still running after 2 s: $KIDS"
		kill -9 $KIDS 2>/dev/null
	else
		pass "kill -9 callhomed: the children die with it ($((t1 - t0)) ms)"
	fi
	if start; then
		pass "kill -9 callhomed: a restart at once starts"
		n=0
		for p in $(pgrep -x auditd); do
			[ "$(readlink /proc/$p/root)" = "$(cd "$T/state" && pwd -P)" ] &&
			    n=$((n + 1))
		done
		check "kill -9 callhomed: one auditd on the state directory" \
		    test "$n" -eq 1
		# a second daemon on the same state directory is refused by
		# auditd's lock, and the first one runs on
		sed "s|socket \"$T/callhome.sock\"|socket \"$T/second.sock\"|" \
		    "$T/callhome.conf" >"$T/second.conf"
		chmod 600 "$T/second.conf"
		timeout 20 "$OBJ/callhomed" -d -f "$T/second.conf" \
		    >"$T/second.log" 2>&1
		rc=$?
		check "a second daemon on the same state: refused (exit $rc)" \
		    test $rc -ne 0 -a $rc -ne 124
		check "a second daemon on the same state: says why" \
		    grep -q "state directory .* is in use" "$T/second.log"
		check "the first daemon runs on" kill -0 "$DPID"
		kill -TERM "$DPID"; wait "$DPID"
	else
		fail "kill -9 callhomed: a restart at once starts" \
		    "$(tail -n 3 "$T/daemon.log")"
	fi
else
	fail "start for kill -9 callhomed"
fi

# SIGTERM: orderly shutdown, status 0, nothing left
if start; then
	kill -TERM "$DPID"
	wait "$DPID"
	rc=$?
	check "SIGTERM: exit status 0" test "$rc" -eq 0
	check "SIGTERM: logged" grep -q "shutting down on signal 15" "$T/daemon.log"
	if leftovers; then fail "SIGTERM: nothing left"; else pass "SIGTERM: nothing left"; fi
else
	fail "start for SIGTERM"
fi

# SIGHUP with a broken configuration keeps the old one running
if start; then
	cp "$T/callhome.conf" "$T/good.conf"
	pids_before=$(children_of "$DPID" | sort | tr '\n' ' ')
	printf 'gateway "x"\nthis is not valid\n' >>"$T/callhome.conf"
	kill -HUP "$DPID"
	wait_for 3 grep -q "keeping the running configuration" "$T/daemon.log"
	check "SIGHUP broken config: error with its line number" \
	    grep -q "callhome.conf:6: " "$T/daemon.log"
	check "SIGHUP broken config: keeps running" \
	    grep -q "reload failed: keeping the running configuration" "$T/daemon.log"
	sleep 0.3
	check "SIGHUP broken config: daemon alive" kill -0 "$DPID"
	pids_after=$(children_of "$DPID" | sort | tr '\n' ' ')
	check "SIGHUP broken config: the same four children" \
	    test "$pids_before" = "$pids_after" -a -n "$pids_before"
	# and a good configuration is taken
	cp "$T/good.conf" "$T/callhome.conf"
	sed -i 's/supervise-test/supervise-test-2/' "$T/callhome.conf"
	kill -HUP "$DPID"
	check "SIGHUP good config: reloaded" \
	    wait_for 3 grep -q "configuration reloaded" "$T/daemon.log"
	check "SIGHUP good config: daemon alive" kill -0 "$DPID"
	kill -TERM "$DPID"; wait "$DPID"
else
	fail "start for SIGHUP"
fi

# refusals
check "-n prints configuration OK" \
    sh -c "'$OBJ/callhomed' -n -f '$T/callhome.conf' | grep -qx 'configuration OK'"
if command -v setpriv >/dev/null 2>&1; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$OBJ/callhomed" -d -f "$T/callhome.conf" >"$T/nonroot.out" 2>&1
	rc=$?
	check "not root: refused" test $rc -ne 0
	check "not root: clear message" grep -q "must be started as root" "$T/nonroot.out"
fi
mkconf "$T/nouser.conf" <<EOF
user "no-such-user-callhome"
state "$T/state"
EOF
"$OBJ/callhomed" -d -f "$T/nouser.conf" >"$T/nouser.out" 2>&1
check "unknown user: refused with its name" grep -q 'user "no-such-user-callhome" does not exist' "$T/nouser.out"
