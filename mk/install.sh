#!/bin/sh
# Install callhome: run by "make install", after it has built
# BUILD/callhomed.install (a callhomed that runs its children from
# LIBEXECDIR and reads its schema from SHAREDIR/callhome.xsd) and
# BUILD/commsd.install (a commsd that execs LIBEXECDIR/commsd-check).
#
#   sh mk/install.sh BUILD DESTDIR SBINDIR LIBEXECDIR MANDIR SHAREDIR SYSCONFDIR
#
#   SBINDIR       callhomed, callhomectl, commsd                 0755
#   LIBEXECDIR    collectd auditd signerd uplinkd, commsd-check
#                 (not on PATH)                                  0755
#   MANDIR        man5/ and man8/: every page of the tree        0644
#   SHAREDIR      callhome.xsd; examples/ (callhome.conf,
#                 commsd.conf, rc.d/callhomed, rc.d/commsd)      0644
#   SYSCONFDIR    profiles/*.profile and profiles/README         0644
#   DESTDIR/lib/systemd/system/  callhomed.service, commsd.service
#
# Every path is prefixed with DESTDIR.  Nothing here writes a real
# configuration file: callhome.conf and commsd.conf are only installed as
# examples.  A vendor profile that was changed locally is kept, and the
# new one installed next to it as NAME.profile.new (which is not loaded).
# The units and rc.d scripts get SBINDIR in their command paths.
#
# With DESTDIR empty and run as root, the system users _callhome and
# _commsd are created when missing; never when DESTDIR is set (a package
# or a staging tree).  Running it again changes nothing that is already
# in place.

set -eu

if [ $# -ne 7 ]; then
	echo "usage: $0 build destdir sbindir libexecdir mandir sharedir" \
	    "sysconfdir" >&2
	exit 2
fi
BUILD=$1 DESTDIR=$2 SBINDIR=$3 LIBEXECDIR=$4 MANDIR=$5 SHAREDIR=$6
SYSCONFDIR=$7
TOP=$(cd "$(dirname "$0")/.." && pwd)
# BUILD may be relative to the top of the tree (make's directory)
case $BUILD in
/*)	;;
*)	BUILD=$TOP/$BUILD ;;
esac

for d in "$SBINDIR" "$LIBEXECDIR" "$MANDIR" "$SHAREDIR" "$SYSCONFDIR"; do
	case $d in
	/*)	;;
	*)	echo "install: $d: not an absolute path" >&2; exit 2 ;;
	esac
done

ROOT=0
[ "$(id -u)" -eq 0 ] && ROOT=1
# owned by root when we can; a staging tree of a user stays the user's
own() {
	if [ $ROOT -eq 1 ]; then
		echo "-o root -g 0"
	fi
}

say() { echo "install: $*"; }

# inst MODE SRC DST: install a file and say so; a file that is there
# already with the same bytes is left alone but for its mode and owner
inst() {
	if [ ! -f "$2" ]; then
		echo "install: $2 is missing (was everything built?)" >&2
		exit 1
	fi
	if [ -f "$3" ] && [ ! -L "$3" ] && cmp -s "$2" "$3"; then
		chmod "$1" "$3"
		[ $ROOT -eq 1 ] && chown root:0 "$3"
		return 0
	fi
	# shellcheck disable=SC2046
	install $(own) -m "$1" "$2" "$3"
	say "$3"
}

# instdir MODE DIR
instdir() {
	# shellcheck disable=SC2046
	install -d $(own) -m "$1" "$2"
}

# filtered FILE: the file with the command paths of the install layout
filtered() {
	sed -e "s|/usr/local/sbin/|$SBINDIR/|g" "$1"
}

# inst_filtered SRC MODE DST: inst of the filtered file
inst_filtered() {
	_tmp=$(mktemp "${TMPDIR:-/tmp}/callhome-install.XXXXXX")
	filtered "$1" >"$_tmp" || { rm -f "$_tmp"; exit 1; }
	shift
	inst "$1" "$_tmp" "$2" || { rm -f "$_tmp"; exit 1; }
	rm -f "$_tmp"
}

D=$DESTDIR

# has_string FILE STRING: FILE holds STRING as a whole C string
has_string() {
	tr '\000' '\n' <"$1" | grep -qxF "$2"
}

# The paths are compiled in, and make does not rebuild an object when only
# a variable changed: refuse a callhomed built for another layout.
if [ -f "$BUILD/callhomed.install" ] && \
    ! has_string "$BUILD/callhomed.install" "$LIBEXECDIR"; then
	echo "install: $BUILD/callhomed.install was built for another" \
	    "LIBEXECDIR than $LIBEXECDIR: remove it and run make install" \
	    "again" >&2
	exit 1
fi
if [ -f "$BUILD/commsd.install" ] && \
    ! has_string "$BUILD/commsd.install" "$LIBEXECDIR/commsd-check"; then
	echo "install: $BUILD/commsd.install was built for another" \
	    "LIBEXECDIR than $LIBEXECDIR: remove it and run make install" \
	    "again" >&2
	exit 1
fi

# --- programs -------------------------------------------------------
instdir 0755 "$D$SBINDIR"
instdir 0755 "$D$LIBEXECDIR"
# the callhomed relinked for this layout, not the in-tree one
inst 0755 "$BUILD/callhomed.install" "$D$SBINDIR/callhomed"
inst 0755 "$BUILD/callhomectl" "$D$SBINDIR/callhomectl"
# the commsd relinked for this layout: it execs LIBEXECDIR/commsd-check
inst 0755 "$BUILD/commsd.install" "$D$SBINDIR/commsd"
for p in collectd auditd signerd uplinkd commsd-check; do
	inst 0755 "$BUILD/$p" "$D$LIBEXECDIR/$p"
done

# --- manual pages ---------------------------------------------------
# every page of the tree, by the section its name ends with
find "$TOP" -path "$TOP/obj*" -prune -o -path "$TOP/.git" -prune -o \
    -type f -name '*.[1-9]' -print | sort | while read -r page; do
	sec=${page##*.}
	instdir 0755 "$D$MANDIR/man$sec"
	inst 0644 "$page" "$D$MANDIR/man$sec/$(basename "$page")"
done

# --- shared data and examples ---------------------------------------
instdir 0755 "$D$SHAREDIR"
instdir 0755 "$D$SHAREDIR/examples"
instdir 0755 "$D$SHAREDIR/examples/rc.d"
inst 0644 "$TOP/etc/callhome.xsd" "$D$SHAREDIR/callhome.xsd"
inst 0644 "$TOP/etc/callhome.conf.example" "$D$SHAREDIR/examples/callhome.conf"
inst 0644 "$TOP/etc/commsd.conf.example" "$D$SHAREDIR/examples/commsd.conf"
for s in callhomed commsd; do
	inst_filtered "$TOP/etc/rc.d/$s" 0755 "$D$SHAREDIR/examples/rc.d/$s"
done

# --- vendor profiles: configuration, so a local change is kept ------
instdir 0755 "$D$SYSCONFDIR"
instdir 0755 "$D$SYSCONFDIR/profiles"
inst 0644 "$TOP/etc/profiles/README" "$D$SYSCONFDIR/profiles/README"
for f in "$TOP"/etc/profiles/*.profile; do
	dst=$D$SYSCONFDIR/profiles/$(basename "$f")
	if [ -f "$dst" ] && ! cmp -s "$f" "$dst"; then
		inst 0644 "$f" "$dst.new"
		say "kept the locally changed $dst;" \
		    "the new version is $dst.new: merge it by hand"
	else
		inst 0644 "$f" "$dst"
	fi
done

# --- service manager --------------------------------------------------
instdir 0755 "$D/lib/systemd/system"
for u in callhomed commsd; do
	inst_filtered "$TOP/etc/$u.service" 0644 \
	    "$D/lib/systemd/system/$u.service"
done

# --- users ----------------------------------------------------------
if [ -n "$DESTDIR" ]; then
	say "DESTDIR is set: create the users _callhome and _commsd on the" \
	    "target system"
elif [ $ROOT -ne 1 ]; then
	say "not root: create the users _callhome and _commsd as root"
else
	for u in _callhome _commsd; do
		if getent passwd "$u" >/dev/null 2>&1; then
			continue
		fi
		useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin "$u"
		say "created the system user $u"
	done
fi

# --- what the defaults compiled in assume ---------------------------
if [ "$SYSCONFDIR" != /etc/callhome ]; then
	say "note: callhomed looks for /etc/callhome/callhome.conf and, by" \
	    "default, /etc/callhome/profiles: use -f, and set" \
	    "profiles \"$SYSCONFDIR/profiles\" in callhome.conf"
fi
if ! has_string "$BUILD/commsd" "$SHAREDIR/callhome.xsd"; then
	say "note: commsd was built with another default schema path than" \
	    "$SHAREDIR/callhome.xsd: set schema in commsd.conf, or" \
	    "rebuild it (make clean) for this layout"
fi
if [ -z "$DESTDIR" ] && [ ! -f /etc/callhome/callhome.conf ]; then
	say "next: write /etc/callhome/callhome.conf (example:" \
	    "$SHAREDIR/examples/callhome.conf), check it with" \
	    "callhomed -n, then systemctl enable --now callhomed"
fi
exit 0
