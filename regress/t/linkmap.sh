#!/bin/sh
# What each program links (mk/linkmap.sh, from the linker's own map), and
# the design's rules on it: uplinkd and signerd link no BER, SNMP or
# vendor-profile code, the root parent no SQLite, uplinkd stays small.
. "$TOP/regress/lib.sh"

sh "$TOP/mk/linkmap.sh" "$OBJ" >"$T/linkmap.out" 2>&1
rc=$?
sed 's/^/# /' "$T/linkmap.out" | cut -c1-160
check "mk/linkmap.sh exits 0 (every rule holds)" test $rc -eq 0
for p in callhomed collectd auditd signerd uplinkd callhomectl commsd \
    commsd-check; do
	check "$p has a line count" grep -q "^$p  *[0-9][0-9]* lines" "$T/linkmap.out"
done
grep '^  rule ok:' "$T/linkmap.out" | sed 's/^  rule ok: *//' |
while IFS= read -r r; do pass "$r"; done
grep '^  RULE BROKEN:' "$T/linkmap.out" | sed 's/^  RULE BROKEN: *//' |
while IFS= read -r r; do fail "$r"; done
check "the rules were checked (5 of them)" \
    test "$(grep -c '^  rule ok:' "$T/linkmap.out")" -eq 5

# the checker is not blind: a program that links snmp.o is caught
sed 's/libcommon\.a(xmlsafe\.o)/libcommon.a(snmp.o)/' "$OBJ/uplinkd.map" \
    >"$T/uplinkd.map"
mkdir -p "$T/obj"
for p in callhomed collectd auditd signerd callhomectl commsd commsd-check; do
	cp "$OBJ/$p.map" "$T/obj/"
	cp "$OBJ/$p" "$T/obj/"
done
cp "$T/uplinkd.map" "$T/obj/uplinkd.map"
cp "$OBJ/uplinkd" "$T/obj/"
check_fail "a map in which uplinkd links snmp.o breaks a rule" \
    sh "$TOP/mk/linkmap.sh" "$T/obj"
# and a commsd-check that needs libpq (commsd's own binary in its place)
cp "$OBJ/uplinkd.map" "$T/obj/uplinkd.map"
cp "$OBJ/commsd" "$T/obj/commsd-check"
sh "$TOP/mk/linkmap.sh" "$T/obj" >"$T/pq.out" 2>&1
check "a commsd-check that needs libpq breaks its rule" \
    grep -q 'RULE BROKEN: *commsd-check: needs .*libpq' "$T/pq.out"
