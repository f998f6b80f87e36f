#!/bin/sh
# callhome.conf: the parser, through "callhomed -n[v] -f file".
#
#   good-*.conf   parse; "callhomed -nv" prints exactly good-*.out, nothing
#                 on stderr; the printout (secrets masked) is itself a
#                 valid configuration that prints the same again
#   bad-*.conf    refused (status 1, nothing on stdout); stderr is exactly
#                 bad-*.out: every error, as "file:line: message"
#   warn-*.conf   parse; "callhomed -nv" prints exactly warn-*.out, and
#                 stderr is exactly warn-*.err: every warning, with its
#                 line (weak SNMPv3 algorithms allowed for a user)
#   frag-*.conf   included by the others, never run alone
#   permissions   a file (or an included file) that is not a regular file,
#                 not owned by root, or writable by group or others is
#                 refused
#
# The files are copied to $T, owned by root and not writable by others, and
# callhomed runs in that directory so that the names in messages are short.

. "$TOP/regress/lib.sh"

CALLHOMED="$OBJ/callhomed"
# conftest [-v] FILE: callhomed's configuration check
conftest() {
	if [ "$1" = "-v" ]; then
		shift
		"$CALLHOMED" -nv -f "$@"
	else
		"$CALLHOMED" -n -f "$@"
	fi
}
CONFTEST=conftest
SRC="$TOP/regress/config"
D="$T/config"

if [ ! -x "$CALLHOMED" ]; then
	fail setup "$CALLHOMED not built"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (configuration files must be owned by root)"
	exit 0
fi

rm -rf "$D"
mkdir -p "$D"
chmod 0755 "$D"
for f in "$SRC"/*.conf; do
	mkconf "$D/$(basename "$f")" <"$f"
done
on_exit "rm -rf '$D'"

# diff_to NAME EXPECTED GOT: pass when the files are equal
diff_to() {
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1" "differs from $(basename "$2")"
		diff -u "$2" "$3" | head -n 40
	fi
}

cd "$D" || exit 1

for f in "$SRC"/good-*.conf; do
	name=$(basename "$f" .conf)
	if $CONFTEST -v "$name.conf" >"$T/$name.stdout" 2>"$T/$name.stderr"
	then
		pass "$name: accepted"
	else
		fail "$name: refused" \
		    "$(head -n 3 "$T/$name.stderr" | tr '\n' ' ')"
		continue
	fi
	if [ -s "$T/$name.stderr" ]; then
		fail "$name: quiet" \
		    "$(head -n 3 "$T/$name.stderr" | tr '\n' ' ')"
	else
		pass "$name: quiet"
	fi
	diff_to "$name: output" "$SRC/$name.out" "$T/$name.stdout"

	# the printout, secrets masked, is a configuration printing the same
	grep -v '^configuration OK$' "$T/$name.stdout" | \
	    mkconf "$D/printed-$name.conf"
	if $CONFTEST -v "printed-$name.conf" >"$T/printed-$name.stdout" \
	    2>"$T/printed-$name.stderr"; then
		diff_to "$name: printout parses to itself" "$T/$name.stdout" \
		    "$T/printed-$name.stdout"
	else
		fail "$name: printout parses to itself" \
		    "$(head -n 3 "$T/printed-$name.stderr" | tr '\n' ' ')"
	fi

	# without -v: one line
	if [ "$($CONFTEST "$name.conf" 2>&1)" = "configuration OK" ]; then
		pass "$name: without -v"
	else
		fail "$name: without -v"
	fi
done

for f in "$SRC"/bad-*.conf; do
	name=$(basename "$f" .conf)
	$CONFTEST -v "$name.conf" >"$T/$name.stdout" 2>"$T/$name.stderr"
	rc=$?
	if [ "$rc" -eq 1 ]; then
		pass "$name: refused"
	else
		fail "$name: refused" "exit status $rc"
	fi
	if [ -s "$T/$name.stdout" ]; then
		fail "$name: nothing on stdout" "$(head -n 1 "$T/$name.stdout")"
	else
		pass "$name: nothing on stdout"
	fi
	diff_to "$name: errors" "$SRC/$name.out" "$T/$name.stderr"
done

for f in "$SRC"/warn-*.conf; do
	name=$(basename "$f" .conf)
	if $CONFTEST -v "$name.conf" >"$T/$name.stdout" 2>"$T/$name.stderr"
	then
		pass "$name: accepted"
	else
		fail "$name: refused" \
		    "$(head -n 3 "$T/$name.stderr" | tr '\n' ' ')"
		continue
	fi
	diff_to "$name: output" "$SRC/$name.out" "$T/$name.stdout"
	diff_to "$name: warnings" "$SRC/$name.err" "$T/$name.stderr"
done

# refused_as NAME FILE: conftest refuses FILE with exactly the message
# "callhomed: FILE: <why>" (the remaining arguments)
refused_as() {
	_name=$1; _file=$2; shift 2
	printf 'callhomed: %s\n' "$*" >"$T/expected"
	if $CONFTEST -v "$_file" >"$T/perm.stdout" 2>"$T/perm.stderr"; then
		fail "$_name" "accepted"
		return
	fi
	if [ -s "$T/perm.stdout" ]; then
		fail "$_name" "printed something"
		return
	fi
	diff_to "$_name" "$T/expected" "$T/perm.stderr"
}

PERM="must be owned by root and not writable by group or others"

mkconf perm.conf <"$SRC/good-example.conf"
check "permissions: 0640 root:root accepted" $CONFTEST perm.conf

chmod 0660 perm.conf
refused_as "permissions: group-writable refused" perm.conf "perm.conf: $PERM"
chmod 0602 perm.conf
refused_as "permissions: world-writable refused" perm.conf "perm.conf: $PERM"
chmod 0644 perm.conf
chown nobody perm.conf
refused_as "permissions: owned by nobody refused" perm.conf "perm.conf: $PERM"
chown root perm.conf
chgrp nogroup perm.conf 2>/dev/null || chgrp nobody perm.conf
check "permissions: other group, not writable, accepted" $CONFTEST perm.conf
chown root:root perm.conf

# an included file is held to the same rules
printf 'include "perm.conf"\n' | mkconf perm-main.conf
check "permissions: include of a good file accepted" $CONFTEST perm-main.conf
chmod 0664 perm.conf
refused_as "permissions: group-writable include refused" perm-main.conf \
    "perm-main.conf:1: perm.conf: $PERM"
chmod 0640 perm.conf
chown nobody perm.conf
refused_as "permissions: include owned by nobody refused" perm-main.conf \
    "perm-main.conf:1: perm.conf: $PERM"
chown root perm.conf

# not a regular file; no file
mkdir -p adir
refused_as "permissions: a directory refused" adir "adir: not a regular file"
refused_as "permissions: a missing file refused" nothere.conf \
    "nothere.conf: No such file or directory"
mkfifo afifo
refused_as "permissions: a fifo refused" afifo "afifo: not a regular file"

# a symbolic link is followed: the file it names is checked
ln -s perm.conf alink.conf
check "permissions: symlink to a good file accepted" $CONFTEST alink.conf
chmod 0666 perm.conf
refused_as "permissions: symlink to a writable file refused" alink.conf \
    "alink.conf: $PERM"
chmod 0640 perm.conf

# a megabyte of one repeated mistake: the first 25 errors, then a count
$PY -c "print('device 127.0.0.1 port 1 ' + 'port 2 ' * 150000)" >flood.conf
chmod 600 flood.conf
"$CALLHOMED" -n -f flood.conf >"$T/flood.out" 2>&1
rc=$?
check "a 1 MB line of repeated options: refused" test $rc -ne 0
check "... with at most 26 lines of errors ($(wc -l <"$T/flood.out"))" \
    test "$(wc -l <"$T/flood.out")" -le 26
check "... the first ones with their line" \
    grep -q "flood.conf:1: port given twice" "$T/flood.out"
check "... and a count of the rest" \
    grep -q "flood.conf: 149975 more errors not shown (150000 in all)" \
    "$T/flood.out"

# usage
"$CALLHOMED" -n -f >"$T/usage.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q "^usage: callhomed" "$T/usage.out"; then
	pass "usage: no file"
else
	fail "usage: no file" "exit status $rc"
fi
exit 0
