#!/bin/sh
# "make install" into a staging tree: the exact layout and modes, the
# children outside PATH, the installed callhomed built for the installed
# layout, no user created, nothing changed by a second run, a locally
# changed profile kept, and the installed programs accepting the
# installed example configurations.
. "$TOP/regress/lib.sh"

R=$T/root
P=/usr/local
SBIN=$R$P/sbin
LIBEXEC=$R$P/libexec/callhome
SHARE=$R$P/share/callhome
ETC=$R/etc/callhome

# make's BUILD: the build directory, relative to the tree when inside it
case $OBJ in
"$TOP"/*)	BUILD=${OBJ#"$TOP"/} ;;
*)		BUILD=$OBJ ;;
esac

# the users and groups, to see that none is created
cat /etc/passwd /etc/group >"$T/users.before" 2>/dev/null

# install_once NAME: make install, a check of its own; the status of make
install_once() {
	if make -C "$TOP" --no-print-directory BUILD="$BUILD" PREFIX="$P" \
	    DESTDIR="$R" install >"$T/install.log" 2>&1; then
		pass "$1"
		return 0
	fi
	fail "$1" "$(tail -n 3 "$T/install.log" | tr '\n' ' ')"
	return 1
}

# nothing else can be checked without it
install_once "make install DESTDIR=\$T/root PREFIX=$P" || exit 0

# --- the exact layout -------------------------------------------------
{
	for f in callhomed callhomectl commsd; do echo "$P/sbin/$f"; done
	for f in collectd auditd signerd uplinkd commsd-check; do
		echo "$P/libexec/callhome/$f"
	done
	find "$TOP" -path "$TOP/obj*" -prune -o -path "$TOP/.git" -prune -o \
	    -type f -name '*.[1-9]' -print | while read -r page; do
		echo "$P/share/man/man${page##*.}/${page##*/}"
	done
	echo "$P/share/callhome/callhome.xsd"
	echo "$P/share/callhome/examples/callhome.conf"
	echo "$P/share/callhome/examples/commsd.conf"
	echo "$P/share/callhome/examples/rc.d/callhomed"
	echo "$P/share/callhome/examples/rc.d/commsd"
	echo "/etc/callhome/profiles/README"
	for f in "$TOP"/etc/profiles/*.profile; do
		echo "/etc/callhome/profiles/${f##*/}"
	done
	echo "/lib/systemd/system/callhomed.service"
	echo "/lib/systemd/system/commsd.service"
} | sort >"$T/expected"
(cd "$R" && find . ! -type d | sed 's/^\.//' | sort) >"$T/installed"
check "the installed files are exactly the expected ones" \
    diff -u "$T/expected" "$T/installed"

# mode of every file: programs and rc.d scripts 0755, the rest 0644
modes_ok() {
	_bad=0
	while read -r f; do
		case $f in
		$P/sbin/*|$P/libexec/*|*/rc.d/*)	_want=755 ;;
		*)					_want=644 ;;
		esac
		_have=$(stat -c %a "$R$f")
		if [ "$_have" != "$_want" ]; then
			echo "$f: mode $_have, want $_want"
			_bad=1
		fi
		if [ "$(id -u)" -eq 0 ] && [ "$(stat -c %u "$R$f")" != 0 ]; then
			echo "$f: not owned by root"
			_bad=1
		fi
	done <"$T/installed"
	return $_bad
}
check "modes: programs and scripts 0755, data 0644, owned by root" modes_ok

for c in collectd auditd signerd uplinkd commsd-check; do
	check_fail "$c is not in sbin" test -e "$SBIN/$c"
	check "$c is in libexec" test -x "$LIBEXEC/$c"
done

# --- the installed callhomed is the one built for this layout ---------
check "installed callhomed runs its children from $P/libexec/callhome" \
    sh -c "strings '$SBIN/callhomed' | grep -qx '$P/libexec/callhome'"
check "installed callhomed reads $P/share/callhome/callhome.xsd" \
    sh -c "strings '$SBIN/callhomed' | grep -qx '$P/share/callhome/callhome.xsd'"
check_fail "installed callhomed does not name the build directory" \
    sh -c "strings '$SBIN/callhomed' | grep -qF '$OBJ'"
check "installed commsd execs $P/libexec/callhome/commsd-check" \
    sh -c "strings '$SBIN/commsd' | grep -qx '$P/libexec/callhome/commsd-check'"
check_fail "installed commsd does not name the build directory" \
    sh -c "strings '$SBIN/commsd' | grep -qF '$OBJ'"

# --- service files point at the installed programs --------------------
for u in callhomed commsd; do
	check "installed $u.service starts $P/sbin/$u" \
	    grep -qx "ExecStart=$P/sbin/$u -d" "$R/lib/systemd/system/$u.service"
	check "installed rc.d/$u names $P/sbin/$u" \
	    grep -qx "daemon=\"$P/sbin/$u\"" "$SHARE/examples/rc.d/$u"
done

# --- no user created ----------------------------------------------------
cat /etc/passwd /etc/group >"$T/users.after" 2>/dev/null
check "no user or group was created" cmp -s "$T/users.before" \
    "$T/users.after"
check "the log says the users are to be created on the target" \
    grep -q "DESTDIR is set" "$T/install.log"

# --- the installed programs take the installed examples -----------------
if [ "$(id -u)" -eq 0 ]; then
	# as callhomed wants it: root's, not writable by group or others
	cp "$SHARE/examples/callhome.conf" "$T/callhome.conf"
	chown root:root "$T/callhome.conf"
	chmod 0600 "$T/callhome.conf"
	check "installed callhomed -n -f (installed example)" sh -c \
	    "'$SBIN/callhomed' -n -f '$T/callhome.conf' | grep -qx 'configuration OK'"
	cp "$SHARE/examples/commsd.conf" "$T/commsd.conf"
	chmod 0600 "$T/commsd.conf"
	check "installed commsd -n -f (installed example)" sh -c \
	    "'$SBIN/commsd' -n -f '$T/commsd.conf' | grep -qx 'configuration OK'"
else
	skip "installed callhomed -n" "needs root: the file must be root's"
fi

# --- a second run changes nothing ---------------------------------------
ls -l --time-style=+%s -R "$R" >"$T/tree.before"
install_once "make install again" || exit 0
check "the second run installs nothing new" \
    sh -c "! grep '^install: /' '$T/install.log'"
ls -l --time-style=+%s -R "$R" >"$T/tree.after"
check "the second run leaves the tree as it was" \
    cmp -s "$T/tree.before" "$T/tree.after"

# --- a locally changed profile is kept ----------------------------------
hp=$ETC/profiles/hp.profile
echo "# changed by the site" >>"$hp"
cp "$hp" "$T/hp.local"
install_once "make install with a changed profile" || exit 0
check "the changed profile is kept" cmp -s "$hp" "$T/hp.local"
check "the new profile is installed next to it as hp.profile.new" \
    cmp -s "$hp.new" "$TOP/etc/profiles/hp.profile"
check "the log names the kept profile" grep -q "kept the locally changed" \
    "$T/install.log"
