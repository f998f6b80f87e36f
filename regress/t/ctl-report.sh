#!/bin/sh
# callhomectl's audit commands, straight from the database with the
# daemon stopped: log, show and report (html, csv, json).
#
# The state: two cycles (a second apart) of callhomed -1 over the
# hand-made walks (regress/walks/hm-*.snmprec), rep-html.snmprec (device
# strings with <script>, tags, quotes, ampersands, commas, CR and LF) and
# some of the real walks of $WALKS, served by snmpfleet; a gateway name
# with markup in it.
#
# Checked: log lines, -n, --since/--until in the past, future and between
# the cycles, refused dates (exit 2); log -j against the database; show
# (by record, outbox:N and cycle:N) pretty XML whose hash matches the
# outbox and the log, show -r bytes = the stored document; a tampered
# and a pruned document in a copy of the state, an upload and a check-in
# record appended by hand in another; report csv parsed with
# python's csv module (RFC 4180, CRLF, every row full, device strings
# exact); report json = devices -j and log -j; report html: one file,
# only allowed tags and attributes, nothing loaded, the device's markup
# only escaped, the chain status; -o refuses what is not a regular file.

. "$TOP/regress/lib.sh"

CALLHOMED="$OBJ/callhomed"
CTL="$OBJ/callhomectl"
FLEET="$OBJ/regress/tools/snmpfleet"
HM="$TOP/regress/walks"

if [ ! -x "$CALLHOMED" ] || [ ! -x "$CTL" ] || [ ! -x "$FLEET" ]; then
	fail setup "callhomed, callhomectl or snmpfleet not built in $OBJ"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (configuration owned by root, daemon user)"
	exit 0
fi
ensure_user

# world-searchable: callhomectl opens the state as the daemon's user
W=$(mktemp -d /tmp/callhome-rep.XXXXXX)
on_exit "rm -rf '$W'"
chmod 0755 "$W"

PORT=$(free_port udp 127.0.0.1)
: >"$W/fleet.map"
n=0
for f in "$HM"/hm-*.snmprec "$HM"/rep-html.snmprec \
    "$WALKS"/sharp.snmprec "$WALKS"/ricoh_mpc3002.snmprec \
    "$WALKS"/konica_c250i.snmprec "$WALKS"/xerox.snmprec; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	echo "127.24.1.$n $f" >>"$W/fleet.map"
	case $f in *rep-html*) HTMLDEV="127.24.1.$n:$PORT" ;; esac
done
ND=$n
"$FLEET" -p "$PORT" "$W/fleet.map" >"$T/fleet.out" 2>"$T/fleet.err" &
FLEETPID=$!
on_exit "kill $FLEETPID 2>/dev/null; wait $FLEETPID 2>/dev/null"
if wait_for 10 grep -qx ready "$T/fleet.out"; then
	pass "snmpfleet serves $ND walks"
else
	fail "snmpfleet serves $ND walks" "$(tail -n 3 "$T/fleet.err")"
	exit 1
fi

GATEWAY='gw <b>&"01"'
CONF="$T/rep.conf"
{
	echo 'user "_callhome"'
	echo "state \"$W/state\""
	echo 'gateway "gw <b>&\"01\""'
	echo "profiles \"$TOP/etc/profiles\""
	echo 'snmp version 2c'
	echo 'snmp timeout 1s retries 1'
	i=0
	while [ $i -lt $ND ]; do
		i=$((i + 1))
		echo "device 127.24.1.$i port $PORT"
	done
} | mkconf "$CONF"

for c in 1 2; do
	[ $c = 2 ] && sleep 1.2	# the cycles a second apart, for --since
	timeout 120 "$CALLHOMED" -1 -f "$CONF" >"$T/cycle$c.out" \
	    2>"$T/cycle$c.log"
	check "cycle $c: callhomed -1 exits 0" test $? -eq 0
done
check "cycle 2: $ND devices ok" grep -qxF \
    "cycle 2 (once): $ND devices: $ND ok" "$T/cycle2.out"
# the daemon is stopped: everything below reads the database alone
DB="$W/state/callhome.db"
check "no process has the database open" $PY -c "
import glob, os, sys
for fd in glob.glob('/proc/[0-9]*/fd/*'):
    try:
        if os.readlink(fd).startswith('$DB'):
            sys.exit(fd)
    except OSError:
        pass"
ctl() { "$CTL" -f "$CONF" "$@"; }
# q SQL: the one value the query gives, from the database read-only
q() {
	$PY -c 'import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(c.execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"
}

"$CTL" -f "$CONF" devices -j >"$T/devices.json" 2>"$T/devices.err"
check "devices -j" test -s "$T/devices.json"

# ---------------------------------------------------------------- log

ctl log >"$T/log.txt" 2>"$T/log.err"
check "log exits 0" test $? -eq 0
ctl log -j >"$T/log.json" 2>"$T/log.err"
check "log -j exits 0" test $? -eq 0

cat >"$T/log.py" <<'EOF'
import json, re, sqlite3, sys, time

db, txt, js = sys.argv[1], sys.argv[2], sys.argv[3]
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
rows = con.execute("SELECT seq, time, kind, summary, detail, hash FROM "
    "txlog ORDER BY seq").fetchall()

def res(ok, name, why=""):
    print("%s\t%s%s" % ("PASS" if ok else "FAIL", name,
        "\t" + why if why and not ok else ""))

lines = open(txt, encoding="utf-8").read().splitlines()
res(len(lines) == len(rows) and len(rows) >= 4, "log: one line per record",
    "%d lines, %d records" % (len(lines), len(rows)))
w = len(str(rows[-1][0]))
bad = []
for line, r in zip(lines, rows):
    want = "%*d  %s  %-14s  %s" % (w, r[0], time.strftime("%Y-%m-%d %H:%M:%S",
        time.localtime(r[1])), r[2], r[3])
    if line != want:
        bad.append((line, want))
res(not bad, "log: seq, local time, kind, summary, oldest first",
    "got %r, want %r" % bad[0] if bad else "")

try:
    j = json.load(open(js, encoding="utf-8"))
except Exception as e:
    res(False, "log -j: parses", str(e))
    sys.exit(0)
res(isinstance(j, list) and len(j) == len(rows), "log -j: an array of "
    "every record")
bad = []
for o, r in zip(j, rows):
    want = {"seq": r[0], "time": time.strftime("%Y-%m-%dT%H:%M:%SZ",
        time.gmtime(r[1])), "kind": r[2], "summary": r[3],
        "detail": json.loads(r[4]), "hash": r[5]}
    if o != want or list(o) != ["seq", "time", "kind", "summary", "detail",
        "hash"]:
        bad.append((o, want))
res(not bad, "log -j: seq, time (UTC), kind, summary, detail object, hash",
    "got %r, want %r" % bad[0] if bad else "")
res(all(isinstance(o["detail"], dict) for o in j),
    "log -j: every detail is an object")
EOF
pyrun "log" "$T/log.py" "$DB" "$T/log.txt" "$T/log.json"

NREC=$(wc -l <"$T/log.txt")
ctl log -n 2 >"$T/log-n2.txt"
check "log -n 2: the last two lines" sh -c \
    "tail -n 2 '$T/log.txt' | cmp -s - '$T/log-n2.txt'"
ctl log -n2 >"$T/log-n2b.txt"
check "log -n2 = log -n 2" cmp -s "$T/log-n2.txt" "$T/log-n2b.txt"
ctl log -n 0 >"$T/log-n0.txt"
check "log -n 0: nothing" test ! -s "$T/log-n0.txt"
ctl log -n 1000 >"$T/log-nbig.txt"
check "log -n 1000: everything" cmp -s "$T/log.txt" "$T/log-nbig.txt"
ctl log -j -n 1 >"$T/log-j1.json"
check "log -j -n 1: the last record" $PY -c "
import json, sys
a = json.load(open('$T/log-j1.json')); b = json.load(open('$T/log.json'))
sys.exit(0 if a == b[-1:] else 1)"
ctl log --since 2000-01-01 >"$T/log-past.txt"
check "log --since 2000-01-01: everything" cmp -s "$T/log.txt" \
    "$T/log-past.txt"
ctl log --since "2999-12-31 23:59" >"$T/log-future.txt"
check "log --since the future: exit 0" test $? -eq 0
check "log --since the future: nothing" test ! -s "$T/log-future.txt"
ctl log --until 2000-01-01 >"$T/log-until.txt"
check "log --until 2000-01-01: nothing" test ! -s "$T/log-until.txt"

# between the cycles: the start of cycle 2 (its devices were collected
# from then on, its records written after; a busy machine may take more
# than a second over them, so not the time of its collect record)
T2=$(q "SELECT started FROM cycles ORDER BY id LIMIT 1 OFFSET 1")
N2=$(q "SELECT count(*) FROM txlog WHERE time >= $T2")
ctl log --since "@$T2" >"$T/log-since2.txt"
check "log --since @<cycle 2>: the $N2 records from then on" sh -c \
    "tail -n $N2 '$T/log.txt' | cmp -s - '$T/log-since2.txt'"
ctl log --until "@$T2" >"$T/log-until2.txt"
check "log --until @<cycle 2>: the records before" sh -c \
    "head -n $((NREC - N2)) '$T/log.txt' | cmp -s - '$T/log-until2.txt'"
DAY=$(date -d "@$T2" '+%Y-%m-%d')
ctl log --since "$DAY" >"$T/log-day.txt"
check "log --since <today, local>: everything" cmp -s "$T/log.txt" \
    "$T/log-day.txt"
ctl log --since "$(date -d "@$T2" '+%Y-%m-%d %H:%M:%S')" >"$T/log-ymdhms.txt"
check "log --since \"YYYY-MM-DD HH:MM:SS\" (local) = @seconds" \
    cmp -s "$T/log-since2.txt" "$T/log-ymdhms.txt"

for d in 2026-13-01 2026-02-30 "2026-01-02 25:00" yesterday @x "" \
    "2026-1-2" "@-1"; do
	ctl log --since "$d" >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	check "log --since \"$d\": exit 2" test $rc -eq 2
	check "log --since \"$d\": says why" grep -q -- '--since' "$T/bad.err"
done
ctl report json --until 2020-01-01 --since 2021-01-01 >/dev/null 2>&1
check "report with an empty period: exit 2" test $? -eq 2
ctl log -n x >/dev/null 2>&1
check "log -n x: exit 2" test $? -eq 2
ctl log --bogus >/dev/null 2>&1
check "log --bogus: exit 2" test $? -eq 2

# ---------------------------------------------------------------- show

DOCSEQ=$(q "SELECT seq FROM txlog WHERE kind = 'document' ORDER BY seq
    DESC LIMIT 1")
ctl show "$DOCSEQ" >"$T/show.txt" 2>"$T/show.err"
check "show $DOCSEQ (a document record): exit 0" test $? -eq 0
ctl show -r "$DOCSEQ" >"$T/show.raw" 2>"$T/show-r.err"
check "show -r $DOCSEQ: exit 0" test $? -eq 0

cat >"$T/show.py" <<'EOF'
import hashlib, json, re, sqlite3, sys
import xml.dom.minidom

db, seq, txt, raw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)

def res(ok, name, why=""):
    print("%s\t%s%s" % ("PASS" if ok else "FAIL", name,
        "\t" + why if why and not ok else ""))

detail = json.loads(con.execute("SELECT detail FROM txlog WHERE seq = ?",
    (seq,)).fetchone()[0])
oid, sha, doc = con.execute("SELECT id, sha256, document FROM outbox WHERE "
    "id = ?", (detail["outbox"],)).fetchone()
rawb = open(raw, "rb").read()
res(rawb == doc, "show -r: the exact bytes stored")
res(hashlib.sha256(rawb).hexdigest() == sha == detail["sha256"],
    "show -r: sha256 = the outbox's = the log's")
t = open(txt, "rb").read().decode("utf-8")
lines = t.split("\n")
res(lines[0].startswith("document of cycle %d (outbox:%d, log record %d): "
    "%d bytes" % (detail["cycle"], oid, seq, len(doc))),
    "show: a header names cycle, outbox, record, size", lines[0])
res(lines[-2] == "hash: %s (matches the log)" % sha,
    "show: hash recomputed, matches the log", lines[-2])
body = "\n".join(lines[1:-2])
try:
    pretty = xml.dom.minidom.parseString(body.encode("utf-8"))
    orig = xml.dom.minidom.parseString(doc)
    ok = True
except Exception as e:
    ok = False
    res(False, "show: the XML parses", str(e))
if ok:
    res(True, "show: the XML parses")
    # pretty-printing changed whitespace between elements only
    def canon(d):
        for n in list(d.getElementsByTagName("*")):
            for c in list(n.childNodes):
                if c.nodeType == c.TEXT_NODE and not c.data.strip() and \
                   any(x.nodeType == x.ELEMENT_NODE for x in n.childNodes):
                    n.removeChild(c)
        return d.documentElement.toxml()
    res(canon(pretty) == canon(orig), "show: the same document as stored")
    res(re.search(r"\n    <ch:Upload", body) is not None and
        len(lines) > doc.count(b"\n"), "show: indented, an element a line")
EOF
pyrun "show" "$T/show.py" "$DB" "$DOCSEQ" "$T/show.txt" "$T/show.raw"

OID=$(q "SELECT json_extract(detail, '\$.outbox') FROM txlog
    WHERE seq = $DOCSEQ")
CYC=$(q "SELECT cycle_id FROM outbox WHERE id = $OID")
ctl show -r "outbox:$OID" >"$T/show-o.raw"
check "show -r outbox:$OID = show -r $DOCSEQ" cmp -s "$T/show.raw" \
    "$T/show-o.raw"
ctl show -r "cycle:$CYC" >"$T/show-c.raw"
check "show -r cycle:$CYC = show -r $DOCSEQ" cmp -s "$T/show.raw" \
    "$T/show-c.raw"
COLSEQ=$(q "SELECT txseq FROM cycles WHERE id = $CYC")
ctl show -r "$COLSEQ" >"$T/show-col.raw"
check "show -r $COLSEQ (its collect record) = its document" \
    cmp -s "$T/show.raw" "$T/show-col.raw"
SHA=$(q "SELECT sha256 FROM outbox WHERE id = $OID")
check "show -r | sha256sum = the outbox's sha256" test \
    "$(sha256sum <"$T/show.raw" | cut -d' ' -f1)" = "$SHA"
ctl show 99999 >/dev/null 2>"$T/show-none.err"
check "show 99999: exit 1" test $? -eq 1
check "show 99999: no such record" grep -q "no record 99999" \
    "$T/show-none.err"
ctl show outbox:99999 >/dev/null 2>&1
check "show outbox:99999: exit 1" test $? -eq 1
for id in abc 0 -1 "outbox:" "cycle:x" "3 4"; do
	ctl show $id >/dev/null 2>&1
	check "show \"$id\": exit 2" test $? -eq 2
done

# a copy of the state with one document changed and another pruned
cp -a "$W/state" "$W/state2"
sed "s#$W/state\"#$W/state2\"#" "$CONF" | mkconf "$T/rep2.conf"
$PY - "$W/state2/callhome.db" "$OID" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
oid = int(sys.argv[2])
doc = c.execute("SELECT document FROM outbox WHERE id = ?",
    (oid,)).fetchone()[0]
doc = doc.replace(b"<ch:Devices>", b"<ch:Devices><!-- changed -->", 1)
c.execute("UPDATE outbox SET document = ?, size = ? WHERE id = ?",
    (doc, len(doc), oid))
c.execute("UPDATE outbox SET state = 'pruned', document = NULL, pruned = 1, "
    "prune_reason = 'spool limit' "
    "WHERE id = (SELECT min(id) FROM outbox)")
c.commit()
EOF
chown -R --reference="$W/state" "$W/state2"
"$CTL" -f "$T/rep2.conf" show "outbox:$OID" >"$T/tamper.out" 2>&1
check "show of a changed document: exit 1" test $? -eq 1
check "show of a changed document: MISMATCH" grep -q "MISMATCH" \
    "$T/tamper.out"
"$CTL" -f "$T/rep2.conf" show -r "outbox:$OID" >"$T/tamper.raw" \
    2>"$T/tamper-r.err"
check "show -r of a changed document: exit 1" test $? -eq 1
check "show -r of a changed document: the bytes, MISMATCH on stderr" sh -c \
    "grep -q MISMATCH '$T/tamper-r.err' && grep -q 'changed' '$T/tamper.raw'"
"$CTL" -f "$T/rep2.conf" show outbox:1 >"$T/pruned.out" 2>&1
check "show of a pruned document: exit 1" test $? -eq 1
SHA1=$(q "SELECT sha256 FROM outbox WHERE id = 1")
check "show of a pruned document: says so, with its hash" sh -c "
	grep -q 'was pruned' '$T/pruned.out' &&
	grep -q 'hash: $SHA1' '$T/pruned.out'"
"$CTL" -f "$T/rep2.conf" report html -o "$T/broken.html" 2>"$T/broken.err"
check "report on a broken chain: exit 1" test $? -eq 1
check "report on a broken chain: the HTML says BROKEN" grep -q \
    'class="broken">BROKEN: record' "$T/broken.html"

# a copy with an "upload" and a "checkin" record appended (no server
# here: written by hand, so the chain ends there, which show ignores)
cp -a "$W/state" "$W/state3"
sed "s#$W/state\"#$W/state3\"#" "$CONF" | mkconf "$T/rep3.conf"
$PY - "$W/state3/callhome.db" "$OID" "$CYC" <<'EOF2'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
seq = c.execute("SELECT max(seq) FROM txlog").fetchone()[0]
c.execute("INSERT INTO txlog VALUES (?, strftime('%s'), 'upload', "
    "'upload of cycle', ?, 'x', 'y')", (seq + 1, '{"cycle":%s,"outbox":%s,'
    '"attempt":1,"result":"ok"}' % (sys.argv[3], sys.argv[2])))
c.execute("INSERT INTO txlog VALUES (?, strftime('%s'), 'checkin', "
    "'check-in', '{}', 'x', 'y')", (seq + 2,))
c.commit()
EOF2
chown -R --reference="$W/state" "$W/state3"
USEQ=$(q "SELECT max(seq) + 1 FROM txlog")
"$CTL" -f "$T/rep3.conf" show -r "$USEQ" >"$T/show-up.raw" 2>"$T/show-up.err"
check "show -r <an upload record> = its document" cmp -s "$T/show.raw" \
    "$T/show-up.raw"
"$CTL" -f "$T/rep3.conf" show "$((USEQ + 1))" >/dev/null 2>"$T/show-ci.err"
check "show <a checkin record>: exit 1" test $? -eq 1
check "show <a checkin record>: it has no document" grep -q \
    '"checkin" record: only document, upload, prune and collect' \
    "$T/show-ci.err"

# ---------------------------------------------------------------- report

ctl report csv >"$T/report.csv" 2>"$T/csv.err"
check "report csv: exit 0" test $? -eq 0
ctl report json >"$T/report.json" 2>"$T/json.err"
check "report json: exit 0" test $? -eq 0
ctl report json --since "@$T2" >"$T/report-since.json"
ctl report json --until "@$T2" >"$T/report-until.json"
ctl report json --since 2999-01-01 >"$T/report-future.json"
rm -f "$T/report.html"
ctl report html -o "$T/report.html" 2>"$T/html.err"
check "report html -o: exit 0" test $? -eq 0
check "report html -o: a regular file, mode 0644" sh -c \
    "test -f '$T/report.html' && test \"\$(stat -c %a '$T/report.html')\" = 644"

cat >"$T/report.py" <<'EOF'
import csv, html.parser, io, json, re, sqlite3, sys

(db, devj, logj, csvf, jsonf, since, until, future, htmlf, gateway, htmldev,
    t2) = sys.argv[1:13]
t2 = int(t2)
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
devices = json.load(open(devj, encoding="utf-8"))["devices"]
log = json.load(open(logj, encoding="utf-8"))
nrec = con.execute("SELECT count(*) FROM txlog").fetchone()[0]

def res(ok, name, why=""):
    print("%s\t%s%s" % ("PASS" if ok else "FAIL", name,
        "\t" + why if why and not ok else ""))

# ---- CSV
raw = open(csvf, "rb").read()
res(raw.endswith(b"\r\n") and raw.count(b"\n") == raw.count(b"\r\n"),
    "csv: CRLF line ends (RFC 4180)")
rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
head = rows[0]
res(head[:5] == ["section", "address", "serial", "vendor", "model"] and
    len(set(head)) == len(head), "csv: a header row", repr(head[:5]))
bad = [r for r in rows if len(r) != len(head)]
res(not bad, "csv: every row has the header's %d columns" % len(head),
    "%d rows differ, first %r" % (len(bad), bad[:1]))
rec = [dict(zip(head, r)) for r in rows[1:]]
secs = set(r["section"] for r in rec)
res(secs <= {"device", "meter", "supply", "alert", "transaction"} and
    "transaction" in secs, "csv: sections", repr(secs))
ok = True
why = ""
for d in devices:
    mine = [r for r in rec if r["address"] == d["address"]]
    n = {s: sum(1 for r in mine if r["section"] == s) for s in
        ("device", "meter", "supply", "alert")}
    want = {"device": 1, "meter": len(d["meters"]),
        "supply": len(d["supplies"]), "alert": len(d["alerts"])}
    if n != want:
        ok, why = False, "%s: %r, want %r" % (d["address"], n, want)
        break
    for r in mine:
        for k in ("serial", "vendor", "model", "firmware"):
            if r[k] != (d[k] or ""):
                ok, why = False, "%s: %s %r, want %r" % (d["address"], k,
                    r[k], d[k])
    dev = [r for r in mine if r["section"] == "device"][0]
    if dev["description"] != (d["sysdescr"] or "") or dev["status"] != \
        d["status"] or dev["cycle"] != str(d["cycle"]):
        ok, why = False, "%s: device row %r" % (d["address"], dev)
    for r, s in zip([r for r in mine if r["section"] == "supply"],
        d["supplies"]):
        got = (r["index"], r["description"], r["class"], r["type"],
            r["color"], r["unit"], r["max"], r["level"], r["percent"])
        want = tuple("" if s[k] is None else str(s[k]) for k in ("index",
            "description", "class", "type", "color", "unit", "max", "level",
            "percent"))
        if got != want:
            ok, why = False, "%s: supply %r, want %r" % (d["address"], got,
                want)
        words = {-1: "other", -2: "unknown", -3: "some remaining"}
        if r["level_text"] != words.get(s["level"], ""):
            ok, why = False, "%s: level_text %r for level %r" % (
                d["address"], r["level_text"], s["level"])
    for r, a in zip([r for r in mine if r["section"] == "alert"],
        d["alerts"]):
        got = (r["index"], r["severity"], r["group"], r["code"],
            r["description"], r["time"])
        want = tuple("" if a[k] is None else str(a[k]) for k in ("index",
            "severity", "group", "code", "description", "time"))
        if got != want:
            ok, why = False, "%s: alert %r, want %r" % (d["address"], got,
                want)
    for r, m in zip([r for r in mine if r["section"] == "meter"],
        d["meters"]):
        got = (r["name"], r["unit"], r["value"], r["source"])
        want = tuple("" if m[k] is None else str(m[k]) for k in ("name",
            "unit", "value", "source"))
        if got != want:
            ok, why = False, "%s: meter %r, want %r" % (d["address"], got,
                want)
res(ok, "csv: every device's rows equal devices -j", why)
hd = [d for d in devices if d["address"] == htmldev]
weird = [r for r in rec if r["address"] == htmldev]
res(len(hd) == 1 and "<script>alert(1)</script>" in hd[0]["sysdescr"] and
    any(r["description"] == hd[0]["sysdescr"] for r in weird) and
    any(r["serial"] == 'SN,"1"&<2>\'3\'' for r in weird) and
    any(r["description"] == 'Waste, "box" & <bin>' for r in weird) and
    any(r["description"].startswith('Jam "tray 2", <img src=x onerror=') and
        r["description"].endswith("\\x0d\\x0a<script>alert(1)</script>")
        for r in weird),
    "csv: the device's <script>, quotes, commas, &, CR/LF round-trip exactly")
tx = [r for r in rec if r["section"] == "transaction"]
try:
    got = [(int(r["seq"]), r["kind"], r["summary"], r["hash"], r["time"],
        json.loads(r["detail"])) for r in tx]
except Exception as e:
    got = repr(e)
res(got == [(o["seq"], o["kind"], o["summary"], o["hash"], o["time"],
    o["detail"]) for o in log], "csv: the transactions = log -j")

# ---- JSON
try:
    rep = json.load(open(jsonf, encoding="utf-8"))
    res(True, "json: parses")
except Exception as e:
    res(False, "json: parses", str(e))
    sys.exit(0)
res(list(rep) == ["gateway", "generated", "since", "until", "chain",
    "devices", "transactions"], "json: the top-level keys", repr(list(rep)))
res(rep["gateway"] == gateway, "json: the gateway's name", rep["gateway"])
res(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rep["generated"])
    is not None and rep["since"] is None and rep["until"] is None,
    "json: generated (UTC), no period")
res(rep["chain"] == {"intact": True, "records": nrec, "first_broken": None,
    "reason": None}, "json: the chain is intact", repr(rep["chain"]))
res(rep["devices"] == devices, "json: devices = devices -j")
res(rep["transactions"] == log, "json: transactions = log -j")

s = json.load(open(since, encoding="utf-8"))
u = json.load(open(until, encoding="utf-8"))
f = json.load(open(future, encoding="utf-8"))
res(s["transactions"] == [o for o in log if o["seq"] >= 1 and
    o in s["transactions"]] and len(s["transactions"]) > 0 and
    all(d["cycle"] == 2 for d in s["devices"]) and
    len(s["devices"]) == len(devices) and s["since"] is not None and
    s["until"] is None,
    "json --since <cycle 2>: cycle 2's devices, the later records")
res(len(u["transactions"]) + len(s["transactions"]) == len(log) and
    all(d["cycle"] == 1 for d in u["devices"]) and
    len(u["devices"]) == len(devices),
    "json --until <cycle 2>: cycle 1's devices, the earlier records")
res(f["devices"] == [] and f["transactions"] == [] and
    f["chain"]["intact"], "json --since the future: empty, chain intact")

# ---- HTML
h = open(htmlf, "rb").read()
try:
    text = h.decode("utf-8")
    res(True, "html: UTF-8")
except UnicodeDecodeError as e:
    res(False, "html: UTF-8", str(e))
    text = h.decode("utf-8", "replace")
low = text.lower()
res(text.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in text,
    "html: a doctype, <meta charset>")
res("<script" not in low, "html: no <script at all")
for bad in ("http://", "https://", "<link", "@import", "src=", "url(",
    "<img", "<iframe", "<object", "<embed", "@font-face", "//"):
    if bad == "//":
        # nothing protocol-relative in an attribute
        hit = re.search(r"=\s*\"//", text)
    elif bad == "src=":
        # in a tag: a '<' in the text would be escaped
        hit = re.search(r"<[^>]*\ssrc\s*=", low)
    else:
        hit = bad in low
    res(not hit, "html: no %s" % bad)
res("&lt;script&gt;alert(1)&lt;/script&gt;" in text,
    "html: the device's <script> is there, escaped")
res("&lt;img src=x onerror=alert(1)&gt;" in text and
    "&lt;b&gt;bold&lt;/b&gt;" in text, "html: the device's tags, escaped")
res("gw &lt;b&gt;&amp;&quot;01&quot;" in text,
    "html: the gateway's name, escaped")
res("intact: %d records" % nrec in text, "html: the chain: intact: N records")
res(text.count('<section class="device"') == len(devices),
    "html: a section per device")
res("some remaining" in text and ">unknown<" in text and ">other<" in text,
    "html: special levels as words")
res("70% full" in text and "width:70%" in text,
    "html: the waste toner box drawn filling (70% full)")
res("@media print" in text and "break-before: page" in text,
    "html: print rules, a page per device")

TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1",
    "h2", "h3", "table", "thead", "tbody", "tr", "th", "td", "span",
    "section", "a", "p", "i", "footer"}
ATTRS = {"class", "id", "href", "style", "charset", "http-equiv", "content",
    "name", "lang"}
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.bad = []
        self.data = []
    def handle_starttag(self, tag, attrs):
        if tag not in TAGS:
            self.bad.append("tag %s" % tag)
        for k, v in attrs:
            if k not in ATTRS:
                self.bad.append("attribute %s on %s" % (k, tag))
            elif k == "href" and not re.fullmatch(r"#dev-\d+", v or ""):
                self.bad.append("href %r" % v)
            elif k == "style" and not re.fullmatch(
                r"display:block;width:\d{1,3}%", v or ""):
                self.bad.append("style %r" % v)
    def handle_data(self, d):
        self.data.append(d)
p = P()
p.feed(text)
p.close()
res(not p.bad, "html: only the tags and attributes it writes",
    "; ".join(p.bad[:5]))
alltext = "".join(p.data)
res(hd and hd[0]["sysdescr"] in alltext and
    'Jam "tray 2", <img src=x onerror=alert(1)> & more' in alltext,
    "html: the device's strings come back exactly as text")
res(p.getpos()[0] > 100, "html: parsed whole")
EOF
pyrun "report" "$T/report.py" "$DB" "$T/devices.json" "$T/log.json" \
    "$T/report.csv" "$T/report.json" "$T/report-since.json" \
    "$T/report-until.json" "$T/report-future.json" "$T/report.html" \
    "$GATEWAY" "$HTMLDEV" "$T2"

ctl report html >"$T/report-stdout.html"
check "report html to stdout: the same but for the time" sh -c "
	sed '/Generated/d' '$T/report.html' >'$T/a.html'
	sed '/Generated/d' '$T/report-stdout.html' >'$T/b.html'
	cmp -s '$T/a.html' '$T/b.html'"
ctl report pdf >/dev/null 2>&1
check "report pdf: exit 2" test $? -eq 2
ctl report >/dev/null 2>&1
check "report without a format: exit 2" test $? -eq 2

# -o: a regular file is replaced; nothing else is written to
echo old >"$T/old.csv"
chmod 0600 "$T/old.csv"
ctl report csv -o "$T/old.csv"
check "report -o an existing file: replaced" cmp -s "$T/old.csv" \
    "$T/report.csv"
mkfifo "$T/fifo"
timeout 10 "$CTL" -f "$CONF" report csv -o "$T/fifo" >/dev/null 2>"$T/fifo.err"
check "report -o a FIFO: refused (exit 1, no hang)" test $? -eq 1
ln -s "$T/target.csv" "$T/link.csv"
ctl report csv -o "$T/link.csv" >/dev/null 2>&1
check "report -o a symbolic link: exit 1" test $? -eq 1
check "report -o a symbolic link: its target not created" \
    test ! -e "$T/target.csv"
ctl report csv -o /dev/null >/dev/null 2>&1
check "report -o /dev/null (a device): exit 1" test $? -eq 1
mkdir "$T/adir"
ctl report csv -o "$T/adir" >/dev/null 2>&1
check "report -o a directory: exit 1" test $? -eq 1
ctl report csv -o "$DB" >/dev/null 2>&1
check "report -o the database: exit 1" test $? -eq 1
ctl report csv -o "$W/state/report.csv" >/dev/null 2>&1
check "report -o into the state directory: exit 1" test $? -eq 1
ln "$DB" "$W/db-link"
ctl report csv -o "$W/db-link" >/dev/null 2>&1
check "report -o another link to the database: exit 1" test $? -eq 1
rm -f "$W/db-link"
ctl verify >"$T/verify.out" 2>&1
check "the database is untouched: verify exits 0" test $? -eq 0
exit 0
