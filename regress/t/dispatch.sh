#!/bin/sh
# One dispatch function per peer in every receiver; every message type a
# channel lets that peer send has its case; default: is fatal (read from
# the sources by regress/dispatch.py).
. "$TOP/regress/lib.sh"

pyrun "dispatch" "$TOP/regress/dispatch.py" "$TOP"

# the checker is not blind: a receiver that lost a case is caught
mkdir -p "$T/tree"
(cd "$TOP" && tar cf - common/chan common/child.c callhomed collectd auditd \
    signerd uplinkd callhomectl/ctl_live.c) | (cd "$T/tree" && tar xf -)
sed -i 's/\tcase IMSG_DIAL_REQ:/\tcase IMSG_NONE:/' "$T/tree/callhomed/callhomed.c"
$PY "$TOP/regress/dispatch.py" "$T/tree" >"$T/mutant.out" 2>&1
check "a parent without its DIAL_REQ case fails the check" \
    grep -q "^FAIL.*uplinkd_msg() handles every type" "$T/mutant.out"
