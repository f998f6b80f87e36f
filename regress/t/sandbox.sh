#!/bin/sh
# Sandboxes, proven from outside the running daemon (/proc) and from
# inside (sandbox-probe applies each child's real declaration, then tries
# one forbidden or allowed operation per forked process).
. "$TOP/regress/lib.sh"

ensure_user
mkdir -p "$T/state"
mkconf "$T/callhome.conf" <<EOF
gateway "sandbox-test"
user "_callhome"
state "$T/state"
socket "$T/callhome.sock"
EOF

"$OBJ/callhomed" -d -f "$T/callhome.conf" >"$T/daemon.log" 2>&1 &
DPID=$!
on_exit "kill $DPID 2>/dev/null; wait $DPID 2>/dev/null"
if ! wait_for 5 grep -q "startup complete" "$T/daemon.log"; then
	fail "daemon starts" "$(tail -n 5 "$T/daemon.log")"
	exit 1
fi
pass "daemon starts with four children"

# ---- the parent confines itself once the children run
st=/proc/$DPID/status
check "callhomed Seccomp is 2 (filter)" grep -qx 'Seccomp:[[:space:]]*2' $st
check "callhomed NoNewPrivs is 1" grep -qx 'NoNewPrivs:[[:space:]]*1' $st

parent_net=$(readlink /proc/$DPID/ns/net)
for name in collectd auditd signerd uplinkd; do
	pid=$(child_named $DPID $name)
	if [ -z "$pid" ]; then
		fail "$name is running"
		continue
	fi
	st=/proc/$pid/status
	check "$name Seccomp is 2 (filter)" grep -qx 'Seccomp:[[:space:]]*2' $st
	check "$name NoNewPrivs is 1" grep -qx 'NoNewPrivs:[[:space:]]*1' $st
	uids=$(awk '/^Uid:/{print $2,$3,$4,$5}' $st)
	gids=$(awk '/^Gid:/{print $2,$3,$4,$5}' $st)
	want_uid=$(id -u _callhome)
	if [ "$uids" = "$want_uid $want_uid $want_uid $want_uid" ] &&
	    ! echo " $gids " | grep -q ' 0 '; then
		pass "$name runs as _callhome, no root uid or gid"
	else
		fail "$name runs as _callhome, no root uid or gid" "Uid $uids Gid $gids"
	fi
	check "$name has no capabilities" grep -qx 'CapEff:[[:space:]]*0000000000000000' $st
	root=$(readlink /proc/$pid/root)
	case $name in
	auditd)	want_root=$(cd "$T/state" && pwd -P) ;;
	*)	want_root=/var/empty ;;
	esac
	if [ "$root" = "$want_root" ]; then
		pass "$name chroot is $want_root"
	else
		fail "$name chroot is $want_root" "got $root"
	fi
	net=$(readlink /proc/$pid/ns/net)
	case $name in
	collectd)
		if [ "$net" = "$parent_net" ]; then
			pass "$name keeps the host network (it must reach printers)"
		else
			fail "$name keeps the host network" "$net"
		fi ;;
	*)
		if [ -n "$net" ] && [ "$net" != "$parent_net" ]; then
			pass "$name is in its own network namespace"
		else
			fail "$name is in its own network namespace" "$net vs $parent_net"
		fi ;;
	esac
	nproc=$(awk '/^Max processes/{print $3}' /proc/$pid/limits)
	check "$name may not fork (RLIMIT_NPROC 0)" test "$nproc" = 0
	fsize=$(awk '/^Max file size/{print $4}' /proc/$pid/limits)
	if [ $name = auditd ]; then
		check "$name may grow files" test "$fsize" = unlimited
	else
		check "$name may not grow files (RLIMIT_FSIZE 0)" test "$fsize" = 0
	fi
done

# ---- from inside: the real declarations, one forked probe per operation
mkdir -p "$T/empty" "$T/pstate"
chown _callhome "$T/pstate"
chmod 0700 "$T/pstate"
mkdir -p "$T/pconf"
echo 'gateway "probe"' >"$T/pconf/callhome.conf"
PROBE="$OBJ/sandbox-probe -u _callhome -e $T/empty -s $T/pstate -c $T/pconf"
$PROBE >"$T/probe.out" 2>"$T/probe.err"
cat "$T/probe.out"

# expected outcome of each operation in each sandbox
expect() {
	got=$(awk -v p="$1" -v o="$2" '$1==p && $2==o {$1="";$2=""; sub(/^  /,""); print}' "$T/probe.out")
	if [ "$got" = "$3" ]; then
		pass "probe $1 $2: $3"
	else
		fail "probe $1 $2: $3" "got '$got'"
	fi
}
for p in collectd signerd uplinkd; do
	expect $p open_passwd "killed SYS"
	expect $p create_file "killed SYS"
done
expect auditd open_passwd "denied ENOENT"	# its root holds no /etc
expect auditd create_file "allowed"		# its state directory
for p in collectd auditd signerd uplinkd; do
	expect $p tcp_socket "killed SYS"
	expect $p tcp_connect "killed SYS"
	expect $p bind "killed SYS"
	expect $p fork "killed SYS"
	expect $p execve "killed SYS"
	expect $p ptrace "killed SYS"
done
expect collectd udp_sendto "allowed received"	# SNMP: the datagram arrived
# the parent: what is left of its job, and nothing else
expect callhomed execve "killed SYS"
expect callhomed ptrace "killed SYS"
expect callhomed fork "killed SYS"
expect callhomed open_passwd "denied EACCES"	# outside its configuration
expect callhomed read_config "allowed"
expect callhomed write_config "killed SYS"	# open for writing
expect callhomed create_file "killed SYS"
expect callhomed listen "killed SYS"		# no listening INET socket
expect callhomed bind "killed SYS"
expect callhomed tcp_connect "allowed"		# the server's port
expect callhomed tcp_connect_other "denied EACCES"	# any other port
for p in auditd signerd uplinkd; do
	expect $p udp_sendto "killed SYS"
done
# the work each one does still works inside: signerd verifies (and a
# changed byte fails), auditd installs a package (temporary file, fsync,
# rename, directory fsync); nobody else may
expect signerd verify "allowed"
expect auditd store_package "allowed"
for p in collectd signerd uplinkd callhomed; do
	expect $p store_package "killed SYS"
done

# ---- each layer alone denies what it is there for
abi=$("$OBJ/sandbox-probe" -A)
if [ "${abi:-0}" -ge 4 ]; then
	$PROBE -l landlock >"$T/ll.out" 2>&1
	for p in collectd signerd uplinkd; do
		check "landlock alone: $p cannot open files" \
		    grep -qx "$p open_passwd denied EACCES" "$T/ll.out"
	done
	for p in collectd auditd signerd uplinkd; do
		check "landlock alone: $p cannot connect TCP" \
		    grep -qx "$p tcp_connect denied EACCES" "$T/ll.out"
		check "landlock alone: $p cannot bind TCP" \
		    grep -qx "$p bind denied EACCES" "$T/ll.out"
	done
	check "landlock alone: collectd still sends UDP" \
	    grep -qx "collectd udp_sendto allowed received" "$T/ll.out"
	check "landlock alone: callhomed cannot read outside its files" \
	    grep -qx "callhomed open_passwd denied EACCES" "$T/ll.out"
	check "landlock alone: callhomed cannot write its configuration" \
	    grep -qx "callhomed write_config denied EACCES" "$T/ll.out"
	check "landlock alone: callhomed reads its configuration" \
	    grep -qx "callhomed read_config allowed" "$T/ll.out"
	check "landlock alone: callhomed cannot exec" \
	    grep -qx "callhomed execve denied EACCES" "$T/ll.out"
	check "landlock alone: callhomed dials only the server's port" \
	    grep -qx "callhomed tcp_connect_other denied EACCES" "$T/ll.out"
	check "landlock alone: callhomed dials the server's port" \
	    grep -qx "callhomed tcp_connect allowed" "$T/ll.out"
else
	skip "landlock alone" "the kernel offers Landlock ABI ${abi:-0} (<4)"
fi
$PROBE -l netns >"$T/ns.out" 2>&1
for p in auditd signerd uplinkd; do
	check "empty network namespace alone: $p reaches nothing" \
	    grep -qx "$p udp_sendto denied ENETUNREACH" "$T/ns.out"
done
$PROBE -l chroot,creds >"$T/cr.out" 2>&1
for p in collectd signerd uplinkd; do
	check "chroot alone: $p sees no /etc/passwd" \
	    grep -qx "$p open_passwd denied ENOENT" "$T/cr.out"
	check "credentials alone: $p cannot write its root" \
	    grep -qx "$p create_file denied EACCES" "$T/cr.out"
done
check "rlimit alone: fork fails" grep -qx "collectd fork denied EAGAIN" "$T/cr.out"
check "credentials alone: ptrace fails" grep -qx "collectd ptrace denied EPERM" "$T/cr.out"
