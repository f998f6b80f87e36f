#!/usr/bin/python3
"""walkcheck.py: what callhome should report for an snmprec walk, computed
independently of callhome's code, compared with "callhomectl devices -j".

	walkcheck.py check [options] DEVICES.json
	    -m MAP          lines "ADDRESS:PORT WALKFILE [NAME]" (NAME defaults
	                    to the file name without .snmprec)
	    -M MANIFEST     MANIFEST.tsv: vendor column, and counts that this
	                    reader must agree with
	    -p PROFILES     the profiles directory (data: the serial, model and
	                    firmware fallbacks and the vendor meters)
	    -I EXPECTED     regress/identity/expected.tsv: the vendor, model,
	                    serial and printer verdict a person reading each
	                    walk writes down (then the MANIFEST's vendor is
	                    not checked)
	    -l LABEL        prefix of every check name (v2c, v1, ...)
	    -1              the agent speaks SNMPv1: no Counter64 values
	    -P              "send pii yes": sysName, sysContact, sysLocation
	                    expected; else they must be absent
	    -o              other devices may be in the output
	walkcheck.py same -m MAP [-n MAP-B] [-l LABEL] A.json B.json
	    per walk: B (v1, or another agent) reports what A reports but for
	    address, time, requests and cycle; meters from Counter64 values,
	    which v1 cannot see, are left out
	walkcheck.py sorted FILE...
	    the records of each file are in OID order
	walkcheck.py expect [-1] [-p PROFILES] [-r PROFILE] WALKFILE
	    print the expected report (JSON) of one walk, for debugging

Output, one line per check: "PASS<TAB>name" or "FAIL<TAB>name<TAB>why".
Exit status 0 when the output is complete (failed checks included), 1 on
a usage or input error.

The snmprec format (snmpsim 0.4.5): one record "OID|TAG|VALUE" a line,
each line stripped of surrounding white space; '#' lines and empty lines
skipped; TAG decimal with an optional trailing 'x' (VALUE in hex) or 'e'
(VALUE with Python escapes); the first of duplicate OIDs is served.

What callhome reports (the spec this file implements):
  * strings are cleaned: trailing NUL bytes dropped, valid UTF-8 kept,
    control characters (C0, DEL and C1) and bytes that are not valid UTF-8
    written as \\xNN (each byte), a backslash doubled; at most 1023 bytes
    (63 for a colour), cut between characters and escapes, never inside
    one.  An empty string is reported as null.
  * sysDescr, sysObjectID, sysUpTime: the first instance under each.
  * the printer's hrDeviceIndex: the index of hrPrinterStatus, else that of
    prtGeneralSerialNumber, else the first index of the first supplies row,
    else 1.
  * vendor, model, serial: with -I, those of regress/identity/expected.tsv
    (a person's reading of each walk, common/identity.c's rules), each
    source an OID of the walk whose value holds the text; a walk the
    table calls not-a-printer is reported as such.  Without -I (walks
    outside the table): serial is prtGeneralSerialNumber (first instance)
    when not blank, else the profile's serial OIDs in order; a model is
    held by the value at its source.  Firmware: the profile's OIDs, the first that is not blank.
    A value made of spaces only is blank.
  * errors: the first two octets of hrPrinterDetectedErrorState.<printer>,
    bit 0 the high bit of the first octet.
  * supplies: every row of prtMarkerSuppliesTable by its index after the
    column ("1.1"); enumerations by name, an unknown value as its number;
    color: prtMarkerColorantValue.<hrDeviceIndex>.<prtMarkerSuppliesColorantIndex>;
    percent: level * 100 / max rounded half up, capped at 100, only when
    max > 0 and level >= 0.
  * meters: the profile's meters (OIDs present with a counter value >= 0),
    its meter tables (every row with a value and a name: the map's name, or
    "x-" and a slug), then prtMarkerLifeCount: one marker is "total" (or
    "lifecount" when a vendor meter is "total"), several are
    "lifecount.<index>" plus a summed "total".
  * alerts: every row of prtAlertTable with severity, group, code names.
"""

import bisect
import json
import os
import re
import sys
import unicodedata

# ------------------------------------------------------------------------
# snmprec

T_INTEGER, T_OCTETS, T_NULL, T_OID = 2, 4, 5, 6
T_IPADDR, T_COUNTER32, T_GAUGE32, T_TIMETICKS, T_OPAQUE, T_COUNTER64 = \
    64, 65, 66, 67, 68, 70
INT_TAGS = (T_INTEGER, T_COUNTER32, T_GAUGE32, T_TIMETICKS, T_COUNTER64)
KNOWN_TAGS = (2, 4, 5, 6, 64, 65, 66, 67, 68, 70, 128, 129, 130)

PY_ESCAPES = {"\\": 92, "'": 39, '"': 34, "a": 7, "b": 8, "f": 12, "n": 10,
    "r": 13, "t": 9, "v": 11}


def unescape(s):
    out, i = bytearray(), 0
    while i < len(s):
        c = s[i]
        if c != "\\" or i + 1 >= len(s):
            out += c.encode("latin-1")
            i += 1
            continue
        n = s[i + 1]
        if n == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(PY_ESCAPES[n])
            i += 2
    return bytes(out)


class Walk:
    """the records of one snmprec file: oid tuple -> (tag, value)"""

    def __init__(self, path, v1=False):
        self.path = path
        self.name = os.path.basename(path)
        if self.name.endswith(".snmprec"):
            self.name = self.name[:-len(".snmprec")]
        recs = {}
        with open(path, "rb") as f:
            for raw in f:
                line = raw.strip()
                if not line or line.startswith(b"#"):
                    continue
                parts = line.decode("latin-1").split("|", 2)
                if len(parts) != 3 or not parts[0] or not parts[1]:
                    continue
                oid, tag, val = parts
                enc = ""
                if tag[-1] in "xe":
                    tag, enc = tag[:-1], tag[-1]
                try:
                    key = tuple(int(x) for x in oid.split(".") if x)
                    tag = int(tag)
                    v = self._value(tag, enc, val)
                except (ValueError, KeyError, IndexError):
                    continue
                if tag not in KNOWN_TAGS or len(key) < 2 or key in recs:
                    continue
                if v1 and (tag == T_COUNTER64 or tag >= 128):
                    continue
                recs[key] = (tag, v)
        self.recs = recs
        self.keys = sorted(recs)

    @staticmethod
    def _value(tag, enc, v):
        if tag in (T_OCTETS, T_OPAQUE, T_IPADDR):
            if enc == "x":
                return bytes.fromhex(v)
            if enc == "e":
                return unescape(v)
            return v.encode("latin-1")
        if enc:
            raise ValueError("encoded non-string")
        if tag in INT_TAGS:
            return int(v)
        if tag == T_OID:
            return tuple(int(x) for x in v.split(".") if x)
        return v

    def get(self, oid):
        return self.recs.get(tuple(oid))

    def under(self, prefix):
        """[(index tuple, (tag, value))] of every record under prefix"""
        prefix = tuple(prefix)
        i = bisect.bisect_right(self.keys, prefix)
        out = []
        while i < len(self.keys) and self.keys[i][:len(prefix)] == prefix:
            k = self.keys[i]
            out.append((k[len(prefix):], self.recs[k]))
            i += 1
        return out

    def first(self, prefix):
        """(index, (tag, value)) of the first record under prefix, or None"""
        u = self.under(prefix)
        return u[0] if u else None


def O(s):
    return tuple(int(x) for x in s.split("."))


def otext(t):
    return ".".join(str(x) for x in t)


# ------------------------------------------------------------------------
# the string rule

STR_MAX = 1023		# report strings: 1024 bytes with the NUL
NAME_MAX = 63		# names (colour): 64 bytes with the NUL


def clean(b, limit=STR_MAX):
    """callhome's cleaning of an OCTET STRING, from the rule in the docs;
    a string cut to fit is cut between characters and escapes"""
    while b and b[-1] == 0:
        b = b[:-1]
    out, size, i = [], 0, 0
    while i < len(b):
        piece, n = None, 1
        for n in (1, 2, 3, 4):
            if i + n > len(b):
                break
            try:
                ch = b[i:i + n].decode("utf-8", errors="strict")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                piece = ch
                break
        if piece is None:
            n = 1
            text = "\\x%02x" % b[i]
        elif unicodedata.category(piece) == "Cc":
            text = "".join("\\x%02x" % c for c in b[i:i + n])
        elif piece == "\\":
            text = "\\\\"
        else:
            text = piece
        tl = len(text.encode("utf-8"))
        if size + tl > limit:
            break
        out.append(text)
        size += tl
        i += n
    return "".join(out)


def selftest():
    assert clean(b"abc\0\0") == "abc"
    assert clean(b"a\0b") == "a\\x00b"
    assert clean(b"a\\b") == "a\\\\b"
    assert clean(b"\t\x7f") == "\\x09\\x7f"
    assert clean(b"\xff\xc3") == "\\xff\\xc3"
    assert clean("\u65e5\u672c".encode()) == "\u65e5\u672c"
    assert clean(b"\xc2\x85x") == "\\xc2\\x85x"
    assert clean(b"\xed\xa0\x80") == "\\xed\\xa0\\x80"	# a surrogate
    assert clean(b"\xc0\xaf") == "\\xc0\\xaf"		# overlong
    assert clean("a\u00e9".encode(), 2) == "a"
    assert clean(b"a\x01", 4) == "a"


def nz(s):
    """callhomectl prints an empty string as null"""
    return None if s is None or s == "" else s


def blank(s):
    return s is None or s.strip(" ") == ""


# ------------------------------------------------------------------------
# MIB enumerations (RFC 3805, RFC 2790)

HR_DEVICE_STATUS = {1: "unknown", 2: "running", 3: "warning", 4: "testing",
    5: "down"}
HR_PRINTER_STATUS = {1: "other", 2: "unknown", 3: "idle", 4: "printing",
    5: "warmup"}
PRT_ERRORS = ["lowPaper", "noPaper", "lowToner", "noToner", "doorOpen",
    "jammed", "offline", "serviceRequested", "inputTrayMissing",
    "outputTrayMissing", "markerSupplyMissing", "outputNearFull",
    "outputFull", "inputTrayEmpty", "overduePreventMaint"]
MARKER_UNITS = {3: "tenThousandthsOfInches", 4: "micrometers",
    5: "characters", 6: "lines", 7: "impressions", 8: "sheets", 9: "dotRow",
    11: "hours", 16: "feet", 17: "meters"}
SUPPLY_UNITS = {1: "other", 2: "unknown", 3: "tenThousandthsOfInches",
    4: "micrometers", 7: "impressions", 8: "sheets", 11: "hours",
    12: "thousandthsOfOunces", 13: "tenthsOfGrams",
    14: "hundrethsOfFluidOunces", 15: "tenthsOfMilliliters", 16: "feet",
    17: "meters", 18: "items", 19: "percent"}
SUPPLY_CLASSES = {1: "other", 3: "consumed", 4: "receptacle"}
SUPPLY_TYPES = dict(enumerate(["other", "unknown", "toner", "wasteToner",
    "ink", "inkCartridge", "inkRibbon", "wasteInk", "opc", "developer",
    "fuserOil", "solidWax", "ribbonWax", "wasteWax", "fuser", "coronaWire",
    "fuserOilWick", "cleanerUnit", "fuserCleaningPad", "transferUnit",
    "tonerCartridge", "fuserOiler", "water", "wasteWater",
    "glueWaterAdditive", "wastePaper", "bindingSupply", "bandingSupply",
    "stitchingWire", "shrinkWrap", "paperWrap", "staples", "inserts",
    "covers", "matteToner", "matteInk"], start=1))
ALERT_SEVERITIES = {1: "other", 3: "critical", 4: "warning",
    5: "warningBinaryChangeEvent"}
ALERT_GROUPS = {1: "other", 3: "hostResourcesMIBStorageTable",
    4: "hostResourcesMIBDeviceTable", 5: "generalPrinter", 6: "cover",
    7: "localization", 8: "input", 9: "output", 10: "marker",
    11: "markerSupplies", 12: "markerColorant", 13: "mediaPath",
    14: "channel", 15: "interpreter", 16: "consoleDisplayBuffer",
    17: "consoleLights", 18: "alert", 30: "finDevice", 31: "finSupply",
    32: "finSupplyMediaInput", 33: "finAttribute"}
ALERT_CODES = {1: "other", 2: "unknown", 3: "coverOpen", 4: "coverClosed",
    5: "interlockOpen", 6: "interlockClosed", 7: "configurationChange",
    8: "jam", 9: "subunitMissing", 10: "subunitLifeAlmostOver",
    11: "subunitLifeOver", 12: "subunitAlmostEmpty", 13: "subunitEmpty",
    14: "subunitAlmostFull", 15: "subunitFull", 501: "doorOpen",
    502: "doorClosed", 503: "poweredUp", 504: "poweredDown",
    801: "inputMediaTrayMissing", 807: "inputMediaSupplyLow",
    808: "inputMediaSupplyEmpty", 901: "outputMediaTrayMissing",
    902: "outputMediaTrayAlmostFull", 903: "outputMediaTrayFull",
    1001: "markerFuserUnderTemperature", 1101: "markerTonerEmpty", 1102: "markerInkEmpty",
    1104: "markerTonerAlmostEmpty", 1105: "markerInkAlmostEmpty",
    1107: "markerWasteTonerReceptacleAlmostFull",
    1109: "markerWasteTonerReceptacleFull", 1111: "markerOpcLifeAlmostOver",
    1112: "markerOpcLifeOver", 1115: "markerTonerCartridgeMissing"}


def enum_text(table, v):
    if v is None:
        return None
    return table.get(v, str(v))


# ------------------------------------------------------------------------
# profiles (data files: etc/profiles/README)

def load_profile(path):
    p = {"serial": [], "model": [], "firmware": [], "meter": [], "table": []}
    text = open(path, encoding="utf-8").read()
    lines, cur = [], ""
    for raw in text.split("\n"):
        line = strip_comment(raw).rstrip()
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        lines.append(cur + line)
        cur = ""
    table = None
    for line in lines:
        w = line.split()
        if not w:
            continue
        if table is not None:
            if w[0] == "}":
                table = None
                continue
            m = re.match(r'^\s*"((?:[^"\\]|\\.)*)"\s+(\S+)\s*$', line)
            if m:
                txt = re.sub(r"\\(.)", r"\1", m.group(1))
                table["map"][txt.strip(" \t").lower()] = m.group(2)
            continue
        if w[0] in ("serial", "model", "firmware"):
            p[w[0]].append(O(w[1]))
        elif w[0] == "meter":
            unit = w[w.index("unit") + 1] if "unit" in w else ""
            p["meter"].append((w[1], O(w[2]), unit))
        elif w[0] == "meter-table":
            unit = w[w.index("unit") + 1] if "unit" in w else ""
            table = {"values": O(w[1]), "names": O(w[w.index("names") + 1]),
                "unit": unit, "map": {}}
            p["table"].append(table)
            if "{" not in w:
                table = None
    return p


def strip_comment(line):
    q = False
    for i, c in enumerate(line):
        if c == '"':
            q = not q
        elif c == "#" and not q:
            return line[:i]
    return line


def slug(text):
    s = re.sub(r"[^a-z0-9]+", "-", text.lower())
    return ("x-" + s)[:63]


# ------------------------------------------------------------------------
# the expected report

SYSDESCR, SYSOID, SYSUPTIME = O("1.3.6.1.2.1.1.1"), O("1.3.6.1.2.1.1.2"), \
    O("1.3.6.1.2.1.1.3")
SYSCONTACT, SYSNAME, SYSLOCATION = O("1.3.6.1.2.1.1.4"), \
    O("1.3.6.1.2.1.1.5"), O("1.3.6.1.2.1.1.6")
HRDEVTYPE = O("1.3.6.1.2.1.25.3.2.1.2")
HRDEVDESCR = O("1.3.6.1.2.1.25.3.2.1.3")
HRDEVSTATUS = O("1.3.6.1.2.1.25.3.2.1.5")
HRPRTSTATUS = O("1.3.6.1.2.1.25.3.5.1.1")
HRPRTERR = O("1.3.6.1.2.1.25.3.5.1.2")
PRTSERIAL = O("1.3.6.1.2.1.43.5.1.1.17")
SUPPLY = O("1.3.6.1.2.1.43.11.1.1")	# .3 colorant .4 class .5 type
					# .6 descr .7 unit .8 max .9 level
COLORANT_VALUE = O("1.3.6.1.2.1.43.12.1.1.4")
MARKER_UNIT = O("1.3.6.1.2.1.43.10.2.1.3")
MARKER_LIFE = O("1.3.6.1.2.1.43.10.2.1.4")
ALERT = O("1.3.6.1.2.1.43.18.1.1")	# .2 sev .4 group .7 code .8 descr
					# .9 time
ENTERPRISES = O("1.3.6.1.4.1")


def scalar_str(walk, oid):
    r = walk.get(oid)
    if r is None or r[0] != T_OCTETS:
        return None
    return clean(r[1])


def column(walk, col, want_int, limit=STR_MAX):
    """{index: value} of one column, values of the right kind only"""
    out = {}
    for idx, (tag, v) in walk.under(col):
        if want_int and tag in INT_TAGS and -2**63 <= v < 2**63:
            out[idx] = v
        elif not want_int and tag == T_OCTETS:
            out[idx] = clean(v, limit)
    return out


def percent(level, mx):
    if level is None or mx is None or mx <= 0 or level < 0:
        return None
    if level >= mx:
        return 100
    return min(100, (level * 200 + mx) // (2 * mx))


def printer_index(walk):
    f = walk.first(HRPRTSTATUS)
    if f:
        return f[0][0]
    f = walk.first(PRTSERIAL)
    if f:
        return f[0][0]
    rows = supply_rows(walk)
    if rows:
        return min(rows)[0]
    return 1


def supply_rows(walk):
    rows = set()
    for c in range(3, 10):
        for idx, (tag, v) in walk.under(SUPPLY + (c,)):
            ok = tag == T_OCTETS if c == 6 else tag in INT_TAGS
            if ok:
                rows.add(idx)
    return rows


def expected(walk, profile=None, pii=False):
    """the expected report of a walk, as callhomectl devices -j prints it,
    with each identity value's source and the candidate sources"""
    e = {}
    f = walk.first(SYSDESCR)
    e["sysdescr"] = nz(clean(f[1][1])) if f and f[1][0] == T_OCTETS else None
    f = walk.first(SYSOID)
    soid = f[1][1] if f and f[1][0] == T_OID else None
    e["sysobjectid"] = otext(soid) if soid else None
    e["enterprise"] = soid[6] if soid and len(soid) > 6 and \
        soid[:6] == ENTERPRISES else None
    f = walk.first(SYSUPTIME)
    e["uptime"] = f[1][1] if f and f[1][0] in INT_TAGS else None
    for key, col in (("syscontact", SYSCONTACT), ("sysname", SYSNAME),
            ("syslocation", SYSLOCATION)):
        f = walk.first(col)
        v = clean(f[1][1]) if f and f[1][0] == T_OCTETS else None
        e[key] = nz(v) if pii else None
    prt = printer_index(walk)
    e["printer_index"] = prt
    prof = profile or {"serial": [], "model": [], "firmware": [],
        "meter": [], "table": []}

    # identity: the candidates in order, the first non-blank wins
    cands = []
    f = walk.first(PRTSERIAL)
    if f and f[1][0] == T_OCTETS:
        cands.append((PRTSERIAL + f[0], clean(f[1][1])))
    for o in prof["serial"]:
        cands.append((o, scalar_str(walk, o)))
    e["serial_candidates"] = cands
    cands = [(o, scalar_str(walk, o)) for o in prof["model"]]
    cands.append((HRDEVDESCR + (prt,), scalar_str(walk, HRDEVDESCR + (prt,))))
    f = walk.first(SYSDESCR)
    if f and f[1][0] == T_OCTETS:
        cands.append((SYSDESCR + f[0], clean(f[1][1])))
    e["model_candidates"] = cands
    e["firmware_candidates"] = [(o, scalar_str(walk, o))
        for o in prof["firmware"]]
    for k in ("serial", "model", "firmware"):
        e[k] = e[k + "_source"] = None
        for o, v in e[k + "_candidates"]:
            if not blank(v):
                e[k], e[k + "_source"] = v, otext(o)
                break

    # status
    r = walk.get(HRDEVSTATUS + (prt,))
    e["device_status"] = HR_DEVICE_STATUS.get(r[1]) \
        if r and r[0] == T_INTEGER else None
    f = walk.first(HRPRTSTATUS)
    e["printer_status"] = HR_PRINTER_STATUS.get(f[1][1]) \
        if f and f[1][0] == T_INTEGER else None
    f = walk.first(HRPRTERR)
    e["errors"] = None
    if f and f[1][0] == T_OCTETS and f[0] == (prt,):
        b = f[1][1] + b"\0\0"
        word = b[0] << 8 | b[1]
        e["errors"] = [PRT_ERRORS[n] for n in range(15)
            if word >> (15 - n) & 1]

    # supplies
    cols = {c: column(walk, SUPPLY + (c,), c != 6) for c in range(3, 10)}
    colorants = column(walk, COLORANT_VALUE, False, NAME_MAX)
    sup = []
    for idx in sorted(supply_rows(walk)):
        ci = cols[3].get(idx)
        color = None
        if ci is not None and ci > 0 and len(idx) >= 1:
            color = colorants.get((idx[0], ci))
        mx, lv = cols[8].get(idx), cols[9].get(idx)
        sup.append({"index": otext(idx),
            "description": nz(cols[6].get(idx)),
            "class": enum_text(SUPPLY_CLASSES, cols[4].get(idx)),
            "type": enum_text(SUPPLY_TYPES, cols[5].get(idx)),
            "color": nz(color),
            "unit": enum_text(SUPPLY_UNITS, cols[7].get(idx)),
            "max": mx, "level": lv, "percent": percent(lv, mx)})
    e["supplies"] = sup

    # meters
    meters, names = [], set()

    def add(m, idx):
        if m["name"] in names:
            if idx is None:
                return
            m["name"] = "%s.%s" % (m["name"][:30], otext(idx))
            if m["name"] in names:
                return
        names.add(m["name"])
        meters.append(m)

    vendor_total = False
    for name, oid, unit in prof["meter"]:
        r = walk.get(oid)
        if r is None or r[0] not in INT_TAGS or r[1] < 0 or r[1] >= 2**63:
            continue
        add({"name": name, "unit": nz(unit), "value": r[1],
            "source": otext(oid)}, None)
        vendor_total = vendor_total or name == "total"
    for t in prof["table"]:
        vals = column(walk, t["values"], True)
        tnames = column(walk, t["names"], False)
        for idx in sorted(vals):
            if vals[idx] < 0 or idx not in tnames:
                continue
            text = tnames[idx]
            name = t["map"].get(text.strip(" \t").lower()) or slug(text)
            add({"name": name, "unit": nz(t["unit"]), "value": vals[idx],
                "source": otext(t["values"] + idx)}, idx)
            vendor_total = vendor_total or name == "total"
    life = {i: v for i, v in column(walk, MARKER_LIFE, True).items()
        if v >= 0}
    units = column(walk, MARKER_UNIT, True)
    e["marker_names"] = []
    for idx in sorted(life):
        if len(life) == 1:
            name = "lifecount" if vendor_total else "total"
        else:
            name = "lifecount." + otext(idx)
        add({"name": name, "unit": MARKER_UNITS.get(units.get(idx)),
            "value": life[idx], "source": otext(MARKER_LIFE + idx)}, idx)
        e["marker_names"].append(name)
    if len(life) > 1 and not vendor_total:
        first = min(life)
        add({"name": "total", "unit": MARKER_UNITS.get(units.get(first)),
            "value": sum(life.values()), "source": otext(MARKER_LIFE)}, None)
        e["marker_names"].append("total")
    e["meters"] = meters

    # alerts
    acol = {c: column(walk, ALERT + (c,), c != 8) for c in (2, 4, 7, 8, 9)}
    rows = set()
    for c in acol:
        rows |= set(acol[c])
    e["alerts"] = [{"index": otext(i),
        "severity": enum_text(ALERT_SEVERITIES, acol[2].get(i)),
        "group": enum_text(ALERT_GROUPS, acol[4].get(i)),
        "code": enum_text(ALERT_CODES, acol[7].get(i)),
        "description": nz(acol[8].get(i)), "time": acol[9].get(i)}
        for i in sorted(rows)]

    # what this reader finds, for the MANIFEST's counts
    e["n_supplies"] = len(sup)
    e["n_markers"] = len(column(walk, MARKER_LIFE, True))
    e["total_lifecount"] = sum(column(walk, MARKER_LIFE, True).values())
    f = walk.first(PRTSERIAL)
    e["has_serial"] = bool(f and f[1][0] == T_OCTETS and
        not blank(clean(f[1][1])))
    e["n_alerts"] = len(e["alerts"])
    return e


# ------------------------------------------------------------------------
# comparing

class Out:
    def __init__(self, label):
        self.label = label
        self.failed = 0

    def res(self, walk, aspect, ok, why=""):
        name = "%s%s: %s" % (self.label + " " if self.label else "", walk,
            aspect)
        if ok:
            print("PASS\t%s" % name)
        else:
            self.failed += 1
            why = why.replace("\t", " ").replace("\n", " ")
            print("FAIL\t%s\t%s" % (name, why[:1000]))


def short(v):
    s = json.dumps(v, ensure_ascii=True, sort_keys=True)
    return s if len(s) < 300 else s[:300] + "..."


def diff_lists(key, want, got):
    """why two lists of row objects differ, or '' when equal as sets"""
    gk = [g.get(key) for g in got]
    dup = sorted(set(k for k in gk if gk.count(k) > 1), key=str)
    if dup:
        return "%s repeated: %s" % (key, short(dup))
    wm = {w[key]: w for w in want}
    gm = {g.get(key): g for g in got}
    missing = [k for k in wm if k not in gm]
    extra = [k for k in gm if k not in wm]
    if missing:
        return "missing %s %s" % (key, short(missing))
    if extra:
        return "unexpected %s %s" % (key, short(extra))
    why = []
    for k in wm:
        for f in wm[k]:
            if gm[k].get(f) != wm[k][f]:
                why.append("%s %s: %s is %s, want %s" % (key, k, f,
                    short(gm[k].get(f)), short(wm[k][f])))
        for f in gm[k]:
            if f not in wm[k]:
                why.append("%s %s: unexpected field %s" % (key, k, f))
    if len(why) > 3:
        why = why[:3] + ["and %d more" % (len(why) - 3)]
    return "; ".join(why)


def read_map(path):
    m = []
    for line in open(path):
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        name = w[2] if len(w) > 2 else os.path.basename(w[1])[:-8]
        m.append((w[0], w[1], name))
    return m


def read_identity(path):
    """expected.tsv: file vendor model serial printer stub, '-' none"""
    rows = {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) != 6:
            raise SystemExit("walkcheck: %s: bad line %r" % (path, line))
        v = [None if x == "-" else x for x in f]
        rows[f[0][:-len(".snmprec")]] = {"vendor": v[1], "model": v[2],
            "serial": v[3], "printer": f[4]}
    return rows


def squash(s):
    return " ".join((s or "").split()).lower()


def holds(walk, src, text):
    """the walk's value at OID src holds text (blanks and case aside,
    a binary type/length prefix of a vendor value ignored)"""
    try:
        r = walk.get(O(src))
    except ValueError:
        return False
    if r is None or r[0] != T_OCTETS:
        return False
    raw = r[1].decode("utf-8", errors="replace")
    return squash(text) in squash(raw)


def read_manifest(path):
    rows = {}
    lines = open(path).read().split("\n")
    head = lines[0].split("\t")
    for line in lines[1:]:
        if line.strip():
            v = dict(zip(head, line.split("\t")))
            rows[v["file"][:-len(".snmprec")]] = v
    return rows


def load_devices(path):
    """the devices by address; bytes that are not UTF-8 become lone
    surrogates, so that they differ from every expected value"""
    data = open(path, "rb").read()
    doc = json.loads(data.decode("utf-8", errors="surrogateescape"))
    return {d["address"]: d for d in doc["devices"]}


def utf8_error(path):
    try:
        open(path, "rb").read().decode("utf-8")
        return ""
    except UnicodeDecodeError as e:
        return str(e)


def check_one(out, name, walk, dev, manifest, profdir, pii, ident=None):
    res = lambda a, ok, why="": out.res(name, a, ok, why)
    want = ident.get(name) if ident is not None else None
    if ident is not None and want is None:
        res("identity (expected.tsv)", False, "walk not in expected.tsv")
    prof = None
    if dev.get("profile"):
        path = os.path.join(profdir or "", dev["profile"] + ".profile")
        if profdir and os.path.exists(path):
            prof = load_profile(path)
    e = expected(walk, prof, pii)

    if want is not None and want["printer"] == "not-a-printer":
        res("status not-a-printer (expected.tsv)",
            dev.get("status") == "not-a-printer", "status %s, reason %s" %
            (dev.get("status"), dev.get("reason")))
    else:
        res("status ok", dev.get("status") == "ok" and
            dev.get("reason") is None, "status %s, reason %s" %
            (dev.get("status"), dev.get("reason")))

    for k in ("sysdescr", "sysobjectid", "enterprise"):
        res(k, dev.get(k) == e[k], "got %s, want %s" % (short(dev.get(k)),
            short(e[k])))

    if manifest is not None:
        mv = manifest.get(name)
        if mv is None:
            res("vendor (MANIFEST)", False, "walk not in MANIFEST.tsv")
        else:
            if want is None:
                res("vendor (MANIFEST)", dev.get("vendor") ==
                    mv["vendor"], "got %s, want %s" % (
                    short(dev.get("vendor")), short(mv["vendor"])))
            why = []
            for k in ("n_supplies", "n_markers", "total_lifecount",
                    "n_alerts"):
                if k in mv and str(e[k]) != mv[k]:
                    why.append("%s %s, MANIFEST %s" % (k, e[k], mv[k]))
            if "has_serial" in mv and \
                    ("yes" if e["has_serial"] else "no") != mv["has_serial"]:
                why.append("has_serial %s, MANIFEST %s" % (e["has_serial"],
                    mv["has_serial"]))
            res("walkcheck reader agrees with MANIFEST counts", not why,
                "; ".join(why))
    if dev.get("profile") and prof is None and profdir:
        res("profile file", False, "no %s.profile in %s" %
            (dev["profile"], profdir))

    # identity: the table's, each from a source that holds it
    if want is not None:
        res("vendor (expected.tsv)", dev.get("vendor") == want["vendor"],
            "got %s, want %s" % (short(dev.get("vendor")),
            short(want["vendor"])))
        for k in ("serial", "model"):
            got, src = dev.get(k), dev.get(k + "_source")
            why = ""
            if got != want[k]:
                why = "got %s from %s, want %s" % (short(got), short(src),
                    short(want[k]))
            elif got is not None and not holds(walk, src or "", got):
                why = "%s %s is not in the walk's value at %s" % (k,
                    short(got), short(src))
            res(k + " (expected.tsv)", not why, why)
    # serial: the value at its source; prtGeneralSerialNumber first
    if want is None:
        got, src = dev.get("model"), dev.get("model_source")
        res("model (from its source)", got is None or
            holds(walk, src or "", got), "model %s is not in the walk's "
            "value at %s" % (short(got), short(src)))
    for k in ("serial", "model", "firmware"):
        if (want is not None and k != "firmware") or k == "model":
            continue
        got, src = dev.get(k), dev.get(k + "_source")
        why = ""
        if got != nz(e[k]) or src != e[k + "_source"]:
            why = "got %s from %s, want %s from %s" % (short(got),
                short(src), short(e[k]), short(e[k + "_source"]))
        elif src is not None:
            r = walk.get(O(src))
            if r is None or r[0] != T_OCTETS or clean(r[1]) != got:
                why = "%s is not the walk's value at %s" % (k, src)
        if k == "serial" and e["has_serial"] and \
                not (src or "").startswith(otext(PRTSERIAL) + "."):
            why = why or "the walk has prtGeneralSerialNumber, source %s" % \
                src
        res(k, not why, why)

    for k in ("device_status", "printer_status", "uptime"):
        res(k, dev.get(k) == e[k], "got %s, want %s" % (short(dev.get(k)),
            short(e[k])))
    res("errors (hrPrinterDetectedErrorState)", dev.get("errors") ==
        e["errors"], "got %s, want %s" % (short(dev.get("errors")),
        short(e["errors"])))

    got = dev.get("supplies") or []
    why = diff_lists("index", e["supplies"], got)
    res("supplies (%d rows)" % len(e["supplies"]), not why, why)

    gm = dev.get("meters") or []
    wm = e["meters"]
    mk = set(e["marker_names"])
    why = diff_lists("name", [m for m in wm if m["name"] in mk],
        [m for m in gm if m.get("name") in mk])
    res("marker life counts (%d meters)" % len(mk), not why, why)
    why = diff_lists("name", [m for m in wm if m["name"] not in mk],
        [m for m in gm if m.get("name") not in mk])
    if not why:
        for m in gm:
            s = m.get("source") or ""
            if s.startswith("1.3.6.1.4.1."):
                r = walk.get(O(s))
                if r is None or r[0] not in INT_TAGS or r[1] != m["value"]:
                    why = "meter %s: %s is not the walk's value at %s" % (
                        m["name"], m["value"], s)
                    break
    res("vendor meters (%d)" % (len(wm) - len(mk)), not why, why)

    why = diff_lists("index", e["alerts"], dev.get("alerts") or [])
    res("alerts (%d)" % len(e["alerts"]), not why, why)

    why = ""
    for k in ("sysname", "syscontact", "syslocation"):
        if dev.get(k) != e[k]:
            why = "%s is %s, want %s" % (k, short(dev.get(k)), short(e[k]))
            break
    res("pii fields (%s)" % ("sent" if pii else "not sent"), not why, why)


VOLATILE = ("address", "collected", "requests", "cycle", "state_since")


def cmd_check(args):
    opts = {"-m": None, "-M": None, "-p": None, "-l": "", "-I": None}
    v1 = pii = others = False
    while args and args[0].startswith("-"):
        a = args.pop(0)
        if a == "-1":
            v1 = True
        elif a == "-P":
            pii = True
        elif a == "-o":
            others = True
        elif a in opts:
            opts[a] = args.pop(0)
        else:
            raise SystemExit("walkcheck: unknown option " + a)
    if len(args) != 1 or not opts["-m"]:
        raise SystemExit("usage: walkcheck.py check -m MAP [-M MANIFEST] "
            "[-I EXPECTED] [-p PROFILES] [-l LABEL] [-1] [-P] [-o] "
            "DEVICES.json")
    out = Out(opts["-l"])
    try:
        devs = load_devices(args[0])
        out.res("output", "JSON", True)
    except (ValueError, KeyError) as e:
        out.res("output", "JSON", False, str(e))
        return 0
    why = utf8_error(args[0])
    out.res("output", "valid UTF-8", not why, why)
    manifest = read_manifest(opts["-M"]) if opts["-M"] else None
    ident = read_identity(opts["-I"]) if opts["-I"] else None
    mapped = set()
    for addr, path, name in read_map(opts["-m"]):
        mapped.add(addr)
        walk = Walk(path, v1)
        dev = devs.get(addr)
        if dev is None:
            out.res(name, "reported", False, "no device %s in the output" %
                addr)
            continue
        check_one(out, name, walk, dev, manifest, opts["-p"], pii, ident)
    extra = sorted(set(devs) - mapped)
    if not others:
        out.res("output", "no other devices", not extra, "unexpected %s" %
            short(extra))
    return 0


def cmd_same(args):
    """B reports what A reports, walk by walk (matched by name)"""
    opts = {"-m": None, "-n": None, "-l": "same"}
    while args and args[0] in opts:
        a = args.pop(0)
        opts[a] = args.pop(0)
    if len(args) != 2 or not opts["-m"]:
        raise SystemExit("usage: walkcheck.py same -m MAP [-n MAP-B] "
            "[-l LABEL] A.json B.json")
    out = Out(opts["-l"])
    a, b = load_devices(args[0]), load_devices(args[1])
    bmap = {name: addr for addr, path, name in
        read_map(opts["-n"] or opts["-m"])}
    for addr, path, name in read_map(opts["-m"]):
        walk = Walk(path)
        c64 = set(otext(k) for k, (t, v) in walk.recs.items()
            if t == T_COUNTER64)
        x, y = a.get(addr), b.get(bmap.get(name))
        if x is None or y is None:
            out.res(name, "same report", False, "missing in %s" %
                (args[0] if x is None else args[1]))
            continue
        x = {k: v for k, v in x.items() if k not in VOLATILE}
        y = {k: v for k, v in y.items() if k not in VOLATILE}
        # what SNMPv1 cannot see (RFC 3584: no Counter64)
        x["meters"] = [m for m in x["meters"] if m.get("source") not in c64]
        y["meters"] = [m for m in y["meters"] if m.get("source") not in c64]
        why = []
        for k in sorted(set(x) | set(y)):
            if x.get(k) != y.get(k):
                why.append("%s: %s, %s" % (k, short(x.get(k)),
                    short(y.get(k))))
        out.res(name, "same report", not why, "; ".join(why))
    return 0


def cmd_sorted(args):
    """each file's records are in OID order, without duplicates"""
    out = Out("")
    for path in args:
        prev, why = None, ""
        for n, raw in enumerate(open(path, "rb"), 1):
            line = raw.strip()
            if not line or line.startswith(b"#"):
                continue
            try:
                k = tuple(int(x) for x in
                    line.split(b"|", 1)[0].split(b".") if x)
            except ValueError:
                why = "line %d: not an OID" % n
                break
            if prev is not None and k <= prev:
                why = "line %d: not after the line before" % n
                break
            prev = k
        out.res(os.path.basename(path), "sorted by OID", not why, why)
    return 0


def cmd_expect(args):
    v1, profdir, pname = False, None, None
    while args and args[0].startswith("-"):
        a = args.pop(0)
        if a == "-1":
            v1 = True
        elif a == "-p":
            profdir = args.pop(0)
        elif a == "-r":
            pname = args.pop(0)
    prof = load_profile(os.path.join(profdir, pname + ".profile")) \
        if profdir and pname else None
    e = expected(Walk(args[0], v1), prof, True)
    for k in list(e):
        if k.endswith("_candidates"):
            e[k] = [(otext(o), v) for o, v in e[k]]
    print(json.dumps(e, indent=1, ensure_ascii=False))
    return 0


def main():
    selftest()
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "check":
        return cmd_check(args)
    if cmd == "same":
        return cmd_same(args)
    if cmd == "sorted":
        return cmd_sorted(args)
    if cmd == "expect":
        return cmd_expect(args)
    raise SystemExit("walkcheck: unknown command " + cmd)


if __name__ == "__main__":
    sys.exit(main())
