#!/bin/sh
# What each program links (mk/linkmap.sh, from the linker's own map), and
# the design's rules on it: uplinkd and signerd link no BER, SNMP or
# vendor-profile code, the root parent no SQLite, uplinkd stays small.
. "$TOP/regress/lib.sh"

sh "$TOP/mk/linkmap.sh" "$OBJ" >"$T/linkmap.out" 2>&1
rc=$?
sed 's/^/# /' "$T/linkmap.out" | cut -c1-160
check "mk/linkmap.sh exits 0 (every rule holds)" test $rc -eq 0
for p in callhomed collectd auditd signerd uplinkd callhomectl commsd; do
	check "$p has a line count" grep -q "^$p  *[0-9][0-9]* lines" "$T/linkmap.out"
done
grep '^  rule ok:' "$T/linkmap.out" | sed 's/^  rule ok: *//' |
while IFS= read -r r; do pass "$r"; done
grep '^  RULE BROKEN:' "$T/linkmap.out" | sed 's/^  RULE BROKEN: *//' |
while IFS= read -r r; do fail "$r"; done
check "the rules were checked (4 of them)" \
    test "$(grep -c '^  rule ok:' "$T/linkmap.out")" -eq 4

# the checker is not blind: a program that links snmp.o is caught
sed 's/libcommon\.a(xmlsafe\.o)/libcommon.a(snmp.o)/' "$OBJ/uplinkd.map" \
    >"$T/uplinkd.map"
mkdir -p "$T/obj"
for p in callhomed collectd auditd signerd callhomectl commsd; do
	cp "$OBJ/$p.map" "$T/obj/"
	cp "$OBJ/$p" "$T/obj/"
done
cp "$T/uplinkd.map" "$T/obj/uplinkd.map"
cp "$OBJ/uplinkd" "$T/obj/"
check_fail "a map in which uplinkd links snmp.o breaks a rule" \
    sh "$TOP/mk/linkmap.sh" "$T/obj"
