#!/bin/sh
# The service files: the systemd units etc/callhomed.service and
# etc/commsd.service pass "systemd-analyze verify" (offline: systemd need
# not be running) and start the programs where "make install" puts them;
# commsd starts with its unit's capability bounding set (setpriv);
# the OpenBSD rc.d scripts parse and name the same programs.
. "$TOP/regress/lib.sh"

# the Makefile's default install layout: SBINDIR = $(PREFIX)/sbin
prefix=$(sed -n 's/^PREFIX[[:space:]]*?=[[:space:]]*//p' "$TOP/Makefile")
sbindir=$(sed -n 's/^SBINDIR[[:space:]]*?=[[:space:]]*//p' "$TOP/Makefile")
sbindir=$(echo "$sbindir" | sed "s|\$(PREFIX)|$prefix|")
check "the Makefile's SBINDIR is known ($sbindir)" \
    test -n "$prefix" -a "$sbindir" = "$prefix/sbin"

# exec_paths UNIT: the programs of its Exec*= lines, without the prefixes
# of systemd ("+", "-", "@", "!", ":")
exec_paths() {
	sed -n 's/^Exec[A-Za-z]*=[-+@!:]*\([^ ]*\).*/\1/p' "$1"
}

for u in callhomed commsd; do
	unit=$TOP/etc/$u.service
	if [ ! -f "$unit" ]; then
		fail "$u.service exists"
		continue
	fi
	check "$u.service: ExecStart is $sbindir/$u in the foreground" \
	    grep -qx "ExecStart=$sbindir/$u -d" "$unit"
	check "$u.service: Type=simple, which -d needs" \
	    grep -qx "Type=simple" "$unit"
	check "$u.service: Restart=on-failure" \
	    grep -qx "Restart=on-failure" "$unit"
	# every other command must be a program of the system
	for p in $(exec_paths "$unit" | sort -u); do
		[ "$p" = "$sbindir/$u" ] && continue
		check "$u.service: $p exists" test -x "$p"
	done
	# each setting is explained by the comment right above it
	# shellcheck disable=SC2016
	check "$u.service: every setting has a comment above it" awk '
	    /^[A-Za-z]+=/ && prev !~ /^#/ {
		    print FILENAME ":" NR ": " $0; bad = 1 }
	    { prev = $0 } END { exit bad }' "$unit"
done

# rc.d scripts
for s in callhomed commsd; do
	script=$TOP/etc/rc.d/$s
	check "rc.d/$s parses" sh -n "$script"
	check "rc.d/$s: daemon is $sbindir/$s" \
	    grep -qx "daemon=\"$sbindir/$s\"" "$script"
	check "rc.d/$s: uses rc.subr and rc_cmd" \
	    sh -c "grep -qx '. /etc/rc.d/rc.subr' '$script' &&
		grep -qx 'rc_cmd \$1' '$script'"
done

# commsd starts with the unit's capability bounding set and nothing more
# (setpriv(1)): its spawner's empty network namespace needs CAP_SYS_ADMIN,
# which an earlier unit left out
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$TOP/etc/commsd.service" |
    tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
nosys=$(echo "$caps" | sed 's/,+sys_admin//; s/+sys_admin,//')
if ! command -v setpriv >/dev/null 2>&1; then
	skip "commsd starts with the unit's capabilities" "setpriv is missing"
elif [ ! -x "$OBJ/commsd" ]; then
	fail "commsd starts with the unit's capabilities" "$OBJ/commsd not built"
else
	. "$TOP/regress/pki.sh"
	pki_all "$T/pki" >/dev/null 2>&1
	cport=$(free_port tcp)
	mkconf "$T/caps.conf" <<EOF
listen on 127.0.0.1 port $cport
certificate "$T/pki/server.crt"
key "$T/pki/server.key"
client ca "$T/pki/ca.crt"
database "$T/caps/commsd.db"
schema "$TOP/etc/callhome.xsd"
user "nobody"
EOF
	setpriv --bounding-set "-all,$caps" "$OBJ/commsd" -d \
	    -f "$T/caps.conf" >"$T/caps.log" 2>&1 &
	cpid=$!
	check "commsd starts with the unit's capabilities ($caps)" \
	    wait_for 15 grep -q 'startup complete' "$T/caps.log"
	kill "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	check "without CAP_SYS_ADMIN: unshare(CLONE_NEWNET) refused" sh -c \
	    "setpriv --bounding-set '-all,$nosys' timeout 15 '$OBJ/commsd' -d \
	    -f '$T/caps.conf' 2>&1 | grep -q 'unshare(CLONE_NEWNET)'"
fi

if ! command -v systemd-analyze >/dev/null 2>&1; then
	skip "systemd-analyze verify" \
	    "systemd-analyze is not installed (apt-get install systemd)"
	exit 0
fi

# verify copies whose ExecStart= runs the programs just built: verify
# wants the programs to exist.  Documentation= names pages, which man(1)
# must find: a manual tree of this tree's pages comes first in MANPATH.
mkdir -p "$T/units" "$T/man/man5" "$T/man/man8"
find "$TOP" -path "$TOP/obj*" -prune -o -path "$TOP/.git" -prune -o \
    -type f -name '*.[58]' -print | while read -r page; do
	cp "$page" "$T/man/man${page##*.}/"
done
manopt=""
if ! command -v man >/dev/null 2>&1; then
	manopt="--man=no"
	echo "# man(1) is not installed: Documentation= is not checked"
fi
for u in callhomed commsd; do
	if [ ! -x "$OBJ/$u" ]; then
		fail "systemd-analyze verify $u.service" "$OBJ/$u not built"
		continue
	fi
	sed "s|^ExecStart=$sbindir/$u |ExecStart=$OBJ/$u |" \
	    "$TOP/etc/$u.service" >"$T/units/$u.service"
	# clean means no message at all, not only a zero exit status
	# shellcheck disable=SC2016
	check "systemd-analyze verify $u.service" sh -c '
	    MANPATH="$1/man:" systemd-analyze verify $2 "$3" >"$1/verify.out" 2>&1
	    rc=$?
	    cat "$1/verify.out"
	    [ $rc -eq 0 ] && [ ! -s "$1/verify.out" ]' sh "$T" "$manopt" \
	    "$T/units/$u.service"
done
