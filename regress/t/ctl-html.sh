#!/bin/sh
# callhomectl report html rendered by a real browser: Debian's headless
# Chromium draws the report (a screenshot that is not blank), and its DOM
# (--dump-dom, after the page ran whatever it would run) holds no script
# element, the device's "<script>alert(1)</script>" being text; the title
# is the report's own.
#
# Negative controls, so that these checks can fail: a blank page's
# screenshot counts as blank; a page with a script shows the script
# element and the title it set ("pwned"); the report with a script
# injected shows the script element, and its Content-Security-Policy
# keeps the script from running (the title stays).

. "$TOP/regress/lib.sh"

CALLHOMED="$OBJ/callhomed"
CTL="$OBJ/callhomectl"
FLEET="$OBJ/regress/tools/snmpfleet"
HM="$TOP/regress/walks"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$CHROMIUM" ]; then
	skip all "no Chromium at $CHROMIUM (Debian package chromium)"
	exit 0
fi
if [ ! -x "$CALLHOMED" ] || [ ! -x "$CTL" ] || [ ! -x "$FLEET" ]; then
	fail setup "callhomed, callhomectl or snmpfleet not built in $OBJ"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (configuration owned by root, daemon user)"
	exit 0
fi
ensure_user

W=$(mktemp -d /tmp/callhome-html.XXXXXX)
on_exit "rm -rf '$W'"
chmod 0755 "$W"

# the state: the strings of rep-html.snmprec, and a few more devices
PORT=$(free_port udp 127.0.0.1)
: >"$W/fleet.map"
n=0
for f in "$HM"/rep-html.snmprec "$HM"/hm-alerts.snmprec \
    "$HM"/hm-supplies.snmprec "$WALKS"/sharp.snmprec; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	echo "127.25.1.$n $f" >>"$W/fleet.map"
done
ND=$n
"$FLEET" -p "$PORT" "$W/fleet.map" >"$T/fleet.out" 2>"$T/fleet.err" &
FLEETPID=$!
on_exit "kill $FLEETPID 2>/dev/null; wait $FLEETPID 2>/dev/null"
if ! wait_for 10 grep -qx ready "$T/fleet.out"; then
	fail "snmpfleet serves $ND walks" "$(tail -n 3 "$T/fleet.err")"
	exit 1
fi
CONF="$T/html.conf"
{
	echo 'user "_callhome"'
	echo "state \"$W/state\""
	echo 'gateway "html-test"'
	echo "profiles \"$TOP/etc/profiles\""
	echo 'snmp timeout 1s retries 1'
	i=0
	while [ $i -lt $ND ]; do
		i=$((i + 1))
		echo "device 127.25.1.$i port $PORT"
	done
} | mkconf "$CONF"
timeout 120 "$CALLHOMED" -1 -f "$CONF" >"$T/cycle.out" 2>"$T/cycle.log"
check "callhomed -1 exits 0" test $? -eq 0
kill "$FLEETPID" 2>/dev/null

# the report, in a directory the browser may read
R="$W/www"
mkdir -m 0755 "$R"
"$CTL" -f "$CONF" report html -o "$R/report.html" 2>"$T/report.err"
check "report html exits 0" test $? -eq 0
check "the device's <script> is in the report, escaped" \
    grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$R/report.html"

# chrome MODE FILE OUT: one headless run, bounded; nothing but the file
chrome() {
	_mode=$1; _file=$2; _out=$3
	rm -rf "$W/chrome"
	case $_mode in
	shot)	set -- --screenshot="$_out" --window-size=1280,2000 ;;
	pdf)	set -- --no-pdf-header-footer --print-to-pdf="$_out" ;;
	dom)	set -- --dump-dom ;;
	esac
	if [ "$_mode" = dom ]; then
		timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		    --disable-quic --no-first-run \
		    --disable-background-networking \
		    --disable-component-update --disable-sync \
		    --user-data-dir="$W/chrome" "$@" "file://$_file" \
		    >"$_out" 2>"$T/chrome.err"
	else
		timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		    --disable-quic --no-first-run \
		    --disable-background-networking \
		    --disable-component-update --disable-sync \
		    --user-data-dir="$W/chrome" "$@" "file://$_file" \
		    >/dev/null 2>"$T/chrome.err"
	fi
}

# distinct colours and the share of non-background pixels of a PNG,
# decoded here (zlib and the five PNG filters): "<colours> <permille>"
cat >"$T/png.py" <<'EOF'
import struct, sys, zlib

def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB",
                body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise SystemExit("unexpected PNG: depth %d type %d" % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif f == 3:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((a + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                c = prev[i - bpp] if i >= bpp else 0
                b = prev[i]
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows

w, h, bpp, rows = decode(sys.argv[1])
colours = {}
for line in rows:
    for x in range(0, len(line), bpp):
        px = line[x:x + 3]
        colours[px] = colours.get(px, 0) + 1
bg = max(colours, key=colours.get)
other = w * h - colours[bg]
print(len(colours), other * 1000 // (w * h))
EOF

printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>blank' \
    >"$R/blank.html"
printf '</title></head><body></body></html>\n' >>"$R/blank.html"
chrome shot "$R/blank.html" "$W/blank.png"
if [ ! -s "$W/blank.png" ]; then
	fail "chromium renders a blank page" "$(tail -n 3 "$T/chrome.err")"
	exit 1
fi
set -- $($PY "$T/png.py" "$W/blank.png")
echo "# blank page: $1 colours, $2 permille not background"
check "control: a blank page counts as blank" \
    test "${1:-0}" -le 2 -a "${2:-1000}" -eq 0

chrome shot "$R/report.html" "$W/report.png"
check "the report renders (a screenshot)" test -s "$W/report.png"
set -- $($PY "$T/png.py" "$W/report.png")
echo "# report: $1 colours, $2 permille not background"
check "the screenshot is not blank (> 16 colours, >= 1% drawn)" \
    test "${1:-0}" -gt 16 -a "${2:-0}" -ge 10

# printed: a page for the header and overview, one per device, one for
# the log; without the print rules (the control) fewer pages
pages() {
	grep -ac '/Type /Page\b' "$1" 2>/dev/null || echo 0
}
chrome pdf "$R/report.html" "$W/report.pdf"
P1=$(pages "$W/report.pdf")
sed 's/break-before: page; page-break-before: always;//' \
    "$R/report.html" >"$R/nobreak.html"
chrome pdf "$R/nobreak.html" "$W/nobreak.pdf"
P0=$(pages "$W/nobreak.pdf")
echo "# printed: $P1 pages; without the page breaks $P0"
check "printed: at least a page per device, and two more" \
    test "$P1" -ge $((ND + 2))
check "control: without the print rules, fewer pages" test "$P0" -gt 0 -a \
    "$P0" -lt "$P1"

# the DOM once the page has run
chrome dom "$R/report.html" "$W/report.dom"
check "the report's DOM is dumped" grep -q '</html>' "$W/report.dom"
check "the DOM has no script element" sh -c \
    "! grep -qi '<script' '$W/report.dom'"
check "the device's <script>alert(1)</script> is text in the DOM" \
    grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$W/report.dom"
check "the device's <img onerror> is text in the DOM" \
    grep -qF '&lt;img src=x onerror=alert(1)&gt;' "$W/report.dom"
check "no img element in the DOM" sh -c "! grep -qi '<img' '$W/report.dom'"
check "the title is the report's" \
    grep -qF '<title>callhome report: html-test</title>' "$W/report.dom"

# negative controls: a script is seen, and would run without the policy
printf '<!DOCTYPE html><html><head><title>control</title></head><body>' \
    >"$R/control.html"
printf "<script>document.title='pwned'</script></body></html>\n" \
    >>"$R/control.html"
chrome dom "$R/control.html" "$W/control.dom"
check "control: a script element shows in the DOM" \
    grep -qi '<script' "$W/control.dom"
check "control: scripts run in this browser (title pwned)" \
    grep -qF '<title>pwned</title>' "$W/control.dom"

sed "s#<body>#<body><script>document.title='pwned'</script>#" \
    "$R/report.html" >"$R/injected.html"
chrome dom "$R/injected.html" "$W/injected.dom"
check "control: a script injected in the report shows in the DOM" \
    grep -qi '<script' "$W/injected.dom"
check "control: the report's Content-Security-Policy stops it" sh -c \
    "grep -qF '<title>callhome report: html-test</title>' '$W/injected.dom' &&
    ! grep -qF 'pwned</title>' '$W/injected.dom'"
exit 0
