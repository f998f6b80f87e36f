#!/bin/sh
# Check the Debian packages a target needs; install the missing ones with
# apt-get when run as root, otherwise name them and stop.
#
#   sh mk/deps.sh build|regress|demo

set -u

BUILD_PKGS="gcc make pkg-config byacc libevent-dev libtls-dev libxml2-dev zlib1g-dev
	libsqlite3-dev libssl-dev libbsd-dev libpq-dev"
RUN_PKGS="openssl sqlite3 procps iproute2 util-linux passwd python3 curl"
REGRESS_PKGS="clang libclang-rt-14-dev snmpsim snmp snmpd signify-openbsd
	tinyproxy mandoc libxml2-utils chromium systemd man-db manpages
	manpages-dev postgresql"
DEMO_PKGS="signify-openbsd"

case "${1:-build}" in
build)		want="$BUILD_PKGS" ;;
regress)	want="$BUILD_PKGS $RUN_PKGS $REGRESS_PKGS" ;;
demo)		want="$BUILD_PKGS $RUN_PKGS $DEMO_PKGS" ;;
*)		echo "usage: $0 build|regress|demo" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$st" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing Debian packages:$missing" >&2
	echo "install them as root: apt-get install$missing" >&2
	exit 1
fi

echo "installing missing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# an old or empty package index cannot find anything: refresh it once
if ! apt-get install -y -q --no-install-recommends $missing; then
	apt-get update -q && \
	    apt-get install -y -q --no-install-recommends $missing || {
		echo "apt-get could not install:$missing" >&2
		exit 1
	}
fi
# Debian starts some daemons on installation; the tests start their own
for svc in snmpd tinyproxy; do
	if command -v service >/dev/null 2>&1; then
		service "$svc" stop >/dev/null 2>&1 || true
	fi
done
exit 0
