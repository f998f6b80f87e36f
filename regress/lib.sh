# Shell helpers for integration tests (regress/t/*.sh), sourced by each
# script.  regress/run.sh sets:
#   TOP      repository root            OBJ      build directory (absolute)
#   WALKS    ../shared/walks            T        this script's scratch dir
#   RESULTS  file collecting result lines
# A script reports each check with pass/fail/skip; it may run many checks.

: "${TOP:?run through regress/run.sh}"
: "${OBJ:=$TOP/obj}"
: "${WALKS:=$(cd "$TOP/../shared/walks" 2>/dev/null && pwd)}"
: "${T:=$(mktemp -d /tmp/callhome-t.XXXXXX)}"
: "${RESULTS:=$T/results}"
TNAME=$(basename "$0" .sh)
# the same script on commsd's PostgreSQL back end (regress/pg.sh)
[ "${COMMSD_DB:-sqlite}" = pg ] && TNAME="$TNAME[pg]"
PY=/usr/bin/python3
export TOP OBJ WALKS T

_cleanups=""
on_exit() { _cleanups="$*; $_cleanups"; }
_run_cleanups() { eval "$_cleanups" >/dev/null 2>&1; _cleanups=""; }
trap '_run_cleanups' EXIT
trap '_run_cleanups; exit 1' INT TERM

pass() { echo "ok $TNAME $1" | tee -a "$RESULTS"; }
fail() {
	echo "not ok $TNAME $1${2:+: $2}" | tee -a "$RESULTS"
}
skip() { echo "skip $TNAME $1${2:+: $2}" | tee -a "$RESULTS"; }

# check NAME CMD...: pass when CMD exits 0
check() {
	_ck_name=$1; shift
	if "$@" >"$T/check.out" 2>&1; then
		pass "$_ck_name"
	else
		fail "$_ck_name" "$(tail -n 3 "$T/check.out" | tr '\n' ' ')"
	fi
}

# check_fail NAME CMD...: pass when CMD exits non-zero
check_fail() {
	_cf_name=$1; shift
	if "$@" >"$T/check.out" 2>&1; then
		fail "$_cf_name" "command succeeded: $*"
	else
		pass "$_cf_name"
	fi
}

# milliseconds since boot: a clock that does not jump
now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# commsd_server PID: on PostgreSQL commsd is a keeper and its server the
# child named commsd (commsd/keeper.c): that child's pid, or nothing
commsd_server() {
	pgrep -P "$1" -x commsd | head -n 1
}

# wait_for SECONDS CMD...: run CMD until it succeeds, for at most SECONDS
wait_for() {
	_wf_end=$(( $(now_ms) + $1 * 1000 ))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(now_ms)" -lt $_wf_end ] || return 1
		sleep 0.05
	done
}

# results FILE: lines "PASS<TAB>name" or "FAIL<TAB>name<TAB>why" as checks
results() {
	while IFS="$(printf '\t')" read -r _rs_r _rs_n _rs_d; do
		case $_rs_r in
		PASS)	pass "$_rs_n" ;;
		FAIL)	fail "$_rs_n" "$_rs_d" ;;
		esac
	done <"$1"
}

# pyrun NAME ARGS...: a python check program; its lines become checks
pyrun() {
	_py_name=$1; shift
	$PY "$@" >"$T/py.out" 2>"$T/py.err"
	_py_rc=$?
	results "$T/py.out"
	[ $_py_rc -eq 0 ] ||
	    fail "$_py_name: ran" "$(tail -n 3 "$T/py.err" | tr '\n' ' ')"
}

# pycheck NAME ARGS... <<'EOF' python EOF: a check written in python
# (its stdin); passes when it exits 0, else fails with its last lines
pycheck() {
	_pc_name=$1; shift
	if $PY - "$@" >"$T/pycheck.out" 2>&1; then
		pass "$_pc_name"
	else
		fail "$_pc_name" "$(tail -n 3 "$T/pycheck.out" | tr '\n' ' ')"
	fi
}

# free_port tcp|udp [ADDR]: print a port nobody listens on now
free_port() {
	$PY - "$1" "${2:-127.0.0.1}" <<'EOF'
import socket, sys
t = socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM
fam = socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET
s = socket.socket(fam, t)
s.bind((sys.argv[2], 0))
print(s.getsockname()[1])
EOF
}

# pids of the processes whose parent is $1
children_of() {
	for _s in /proc/[0-9]*/stat; do
		_p=${_s#/proc/}; _p=${_p%/stat}
		_pp=$(awk '{print $4}' "$_s" 2>/dev/null) || continue
		[ "$_pp" = "$1" ] && echo "$_p"
	done
	return 0
}

# the pid of the child of $1 whose command is $2
child_named() {
	for _c in $(children_of "$1"); do
		[ "$(cat /proc/$_c/comm 2>/dev/null)" = "$2" ] && echo "$_c"
	done
	return 0
}

# the user the daemons drop to in tests; created when missing
ensure_user() {
	getent passwd _callhome >/dev/null 2>&1 || \
	    useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin _callhome
}

# mkconf FILE: write stdin to FILE with the permissions callhomed wants
mkconf() {
	cat >"$1"
	chmod 0640 "$1"
	chown root:root "$1"
}
