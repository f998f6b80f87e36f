#!/usr/bin/python3
"""Hostile clients against commsd, all at once, and a legitimate gateway
among them (regress/t/commsd-hostile.sh).

usage: hostile.py PORT PKI DOCS PID SECONDS RSS_BOUND_KB MAX_DOCUMENT

PKI holds ca.crt, client.* (CN gw1, the gateway), evil.* and evil2.*
(two other gateways, hostile); DOCS the sample documents.  PID is
commsd's, whose memory is sampled from /proc.  For SECONDS:

  idle       64 TCP connections from 16 addresses (127.0.0.2-17), no
             TLS: each one closed is opened again a second later
  slowhello  a TLS record header, then a byte a second (127.0.0.18)
  garbage    2 KiB of random bytes, then closed, again and again
  attributes evil: a document of 1.8 MB with 160,000 attributes on one
             element (libxml2's quadratic case), over and over
  gzipbomb   evil: 64 MiB of zeros in a gzip body of 64 KiB
  sha        evil: a valid document under another SHA-256
  barelf     evil: a request head whose lines end with LF alone
  memory     evil2: eight connections, each with the head of a body of
             MAX_DOCUMENT, all but its last byte sent at once, then
             nothing until the body's deadline
  gateway    gw1 (127.0.0.1), with curl: a new document every 1.5 s,
             each one answered with its receipt within 5 s; a connection
             closed before TLS within a second is dialled again once, as
             a gateway would: the hostile requests from four addresses
             may for a moment hold all 16 handshakes, each young and
             active, and then a new connection is closed at once

The hostile requests may also find their connection closed before TLS
(their address's share of handshakes): a refusal as good as any.

Each outcome is a line "PASS<TAB>name" or "FAIL<TAB>name<TAB>why".
"""

import gzip
import hashlib
import os
import re
import select
import socket
import ssl
import subprocess
import sys
import threading
import time

PORT = int(sys.argv[1])
PKI = sys.argv[2]
DOCS = sys.argv[3]
PID = int(sys.argv[4])
SECONDS = float(sys.argv[5])
RSS_BOUND_KB = int(sys.argv[6])
MAX_DOCUMENT = int(sys.argv[7])
PATH = "/callhome/1/upload"
stop = threading.Event()
lock = threading.Lock()
seen = {}           # name -> list of (status, seconds, detail)


def note(name, status, secs, detail=""):
    with lock:
        seen.setdefault(name, []).append((status, secs, detail))


def ctx_for(who):
    ctx = ssl.create_default_context(cafile=PKI + "/ca.crt")
    ctx.load_cert_chain(PKI + "/%s.crt" % who, PKI + "/%s.key" % who)
    return ctx


def tls_connect(who, src, timeout):
    raw = socket.create_connection(("127.0.0.1", PORT), timeout=timeout,
                                   source_address=(src, 0))
    try:
        return ctx_for(who).wrap_socket(raw, server_hostname="localhost")
    except Exception:
        raw.close()
        raise


def head(body_len, extra=b""):
    # the answer is read to the end of the connection: ask for that end
    return (b"POST " + PATH.encode() + b" HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/soap+xml; charset=utf-8\r\n"
            b"Connection: close\r\n"
            b"Content-Length: %d\r\n" % body_len + extra + b"\r\n")


def read_answer(s, deadline):
    data = b""
    while time.monotonic() < deadline:
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            b = s.recv(65536)
        except (socket.timeout, ssl.SSLError, OSError):
            break
        if not b:
            break
        data += b
    m = re.match(rb"HTTP/1\.1 (\d{3}) ", data)
    return (int(m.group(1)) if m else 0), data


def post(who, src, body, extra=b"", timeout=30.0, raw_head=None):
    """One request; (status, seconds, answer). 0: no answer."""
    t0 = time.monotonic()
    try:
        s = tls_connect(who, src, timeout)
    except Exception as e:
        return 0, time.monotonic() - t0, str(e).encode()
    try:
        s.settimeout(timeout)
        s.sendall(raw_head if raw_head is not None else
                  head(len(body), extra) + body)
        st, data = read_answer(s, t0 + timeout)
    except Exception as e:
        st, data = 0, str(e).encode()
    finally:
        s.close()
    return st, time.monotonic() - t0, data


def loop(fn):
    def run():
        while not stop.is_set():
            try:
                fn()
            except Exception as e:
                note("exception", 0, 0, repr(e))
                time.sleep(0.2)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


# --- unauthenticated

def idle(addr):
    socks = [None] * 4

    def one_round():
        for i, s in enumerate(socks):
            if s is not None:
                r, _, _ = select.select([s], [], [], 0)
                if r:
                    try:
                        gone = s.recv(1, socket.MSG_DONTWAIT) == b""
                    except OSError:
                        gone = True
                    if gone:
                        s.close()
                        socks[i] = None
            if socks[i] is None:
                try:
                    socks[i] = socket.create_connection(
                        ("127.0.0.1", PORT), timeout=2,
                        source_address=(addr, 0))
                    note("idle opened", 1, 0)
                except OSError:
                    pass
        stop.wait(1.0)
    return one_round


def slowhello():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=2,
                                 source_address=("127.0.0.18", 0))
    try:
        s.sendall(b"\x16\x03\x01\x02\x00")
        while not stop.is_set():
            stop.wait(1.0)
            s.sendall(b"\x01")
    except OSError:
        pass
    s.close()


def garbage():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=2,
                                 source_address=("127.0.0.19", 0))
    try:
        s.sendall(os.urandom(2048))
    except OSError:
        pass
    s.close()
    stop.wait(0.1)


# --- authenticated, hostile

ATTRS = (b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">'
         b'<env:Body><ch:Upload xmlns:ch="urn:callhome:protocol:1" ' +
         b" ".join(b'a%d="x"' % i for i in range(160000)) +
         b'/></env:Body></env:Envelope>')
BOMB = gzip.compress(b"\0" * (64 << 20), 9)
FULL = open(DOCS + "/upload-full.xml", "rb").read()


def attributes():
    st, secs, data = post("evil", "127.0.0.20", ATTRS)
    note("attributes", st, secs, data[-300:].decode(errors="replace"))


def gzipbomb():
    st, secs, data = post("evil", "127.0.0.20", BOMB,
                          b"Content-Encoding: gzip\r\n")
    note("gzipbomb", st, secs, data[-300:].decode(errors="replace"))
    stop.wait(0.5)


def sha():
    st, secs, data = post("evil", "127.0.0.20", FULL,
                          b"X-Callhome-Document-Sha256: " + b"0" * 64 +
                          b"\r\n")
    note("sha", st, secs, data[-300:].decode(errors="replace"))
    stop.wait(0.5)


def barelf():
    st, secs, data = post("evil", "127.0.0.20", b"", raw_head=(
        b"POST " + PATH.encode() + b" HTTP/1.1\nHost: localhost\n\n"))
    note("barelf", st, secs, data[-300:].decode(errors="replace"))
    stop.wait(0.5)


def memory():
    try:
        s = tls_connect("evil2", "127.0.0.21", 10)
    except Exception as e:
        note("memory", 0, 0, repr(e))
        stop.wait(1)
        return
    t0 = time.monotonic()
    try:
        s.settimeout(10)
        s.sendall(head(MAX_DOCUMENT))
        # all but the last byte, unless the server answers first (503)
        left = MAX_DOCUMENT - 1
        while left > 0 and not select.select([s], [], [], 0)[0]:
            n = min(left, 64 * 1024)
            s.sendall(b" " * n)
            left -= n
        # refused (503), or held until the body's deadline
        st, data = read_answer(s, t0 + 90)
        note("memory", st, time.monotonic() - t0,
             data.split(b"\r\n\r\n")[0].decode(errors="replace"))
    except Exception as e:
        note("memory", 0, time.monotonic() - t0, repr(e))
    finally:
        s.close()


# --- the gateway: a process of its own, as a gateway is (curl)

def gateway():
    n = len(seen.get("gateway", []))
    # a new document each time: another cycle id
    doc = FULL.replace(b'<ch:Cycle id="7"', b'<ch:Cycle id="%d"' % (1000 + n))
    want = hashlib.sha256(doc).hexdigest().encode()
    t0 = time.monotonic()
    for attempt in (1, 2):
        r = subprocess.run(
            ["curl", "-sS", "--max-time", "5", "--resolve",
             "localhost:%d:127.0.0.1" % PORT, "--cacert", PKI + "/ca.crt",
             "--cert", PKI + "/client.crt", "--key", PKI + "/client.key",
             "-H", "Content-Type: application/soap+xml; charset=utf-8",
             "--data-binary", "@-", "-w", "\n%{http_code}",
             "https://localhost:%d%s" % (PORT, PATH)],
            input=doc, capture_output=True, timeout=10)
        body, _, code = r.stdout.rpartition(b"\n")
        st = int(code) if code.isdigit() else 0
        # a connection closed before TLS within a second: the handshakes'
        # budget was full of young ones that had all sent something
        # (commsd.conf(5), "max handshakes"); a gateway dials again, once
        if st != 0 or time.monotonic() - t0 > 1.0 or attempt == 2:
            break
        note("gateway dialled again", 1, 0)
        time.sleep(0.2)
    secs = time.monotonic() - t0
    ok = st == 200 and b"<ch:DocumentSha256>" + want in body
    note("gateway", st if ok else -st, secs,
         (body[-200:] + r.stderr[-200:]).decode(errors="replace"))
    stop.wait(1.5)


def rss_kb():
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    threads = []
    for i in range(16):
        threads.append(loop(idle("127.0.0.%d" % (2 + i))))
    for _ in range(4):
        threads.append(loop(slowhello))
    threads.append(loop(garbage))
    for _ in range(2):
        threads.append(loop(attributes))
    for fn in (gzipbomb, sha, barelf):
        threads.append(loop(fn))
    for _ in range(8):
        threads.append(loop(memory))
    time.sleep(2)           # the load first
    threads.append(loop(gateway))
    peak = 0
    end = time.monotonic() + SECONDS
    while time.monotonic() < end:
        try:
            peak = max(peak, rss_kb())
        except OSError:
            break
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join(timeout=15)
    report(peak)


def report(peak):
    def result(name, ok, why=""):
        if ok:
            print("PASS\t%s" % name)
        else:
            print("FAIL\t%s\t%s" % (name, why[:400]))

    gw = seen.get("gateway", [])
    # a failure says what curl said
    slow = [(st, round(s, 2), d[-120:] if st != 200 else "")
            for st, s, d in gw if st != 200 or s > 5.0]
    result("the gateway: every upload answered with its receipt within 5 s "
           "(%d uploads, slowest %.2f s, %d dialled again)" %
           (len(gw), max([s for _, s, _ in gw] or [0]),
            len(seen.get("gateway dialled again", []))),
           len(gw) >= 5 and not slow, "%r %r" % (slow, gw[-1:]))
    # the hostile gateway's own requests compete for its share (503) and
    # for the handshakes of its address (closed: 0)
    def refused(name, status, text):
        got = seen.get(name, [])
        return (got and all(st in (status, 503, 0) for st, _, _ in got) and
                any(st == status and text in d for st, _, d in got)), \
            repr([x for x in got if x[0] not in (status, 503, 0)][:2] or
                 got[:2])
    ok, why = refused("attributes", 400, "more than 64 attributes")
    result("160,000 attributes: refused (400) before the parser", ok, why)
    ok, why = refused("gzipbomb", 413, "inflated document is larger")
    result("gzip bomb: 413", ok, why)
    ok, why = refused("sha", 400, "does not match")
    result("a document under another SHA-256: 400", ok, why)
    ok, why = refused("barelf", 400, "bare CR or LF")
    lf = seen.get("barelf", [])
    result("bare LF: 400 at once, not 408 at the deadline",
           ok and all(s < 3 for _, s, _ in lf), why)
    mem = seen.get("memory", [])
    busy = [d for st, _, d in mem if st == 503]
    result("more bodies than max inflight: 503 with Retry-After",
           busy and all(re.search(r"(?mi)^Retry-After: \d+\r?$", d)
                        for d in busy),
           repr([m for m in mem if m[0] != 0][:3] or mem[:3]))
    idl = len(seen.get("idle opened", []))
    result("idle connections kept coming (%d opened)" % idl, idl >= 64)
    result("commsd's memory: at most %d KiB (peak %d KiB)" %
           (RSS_BOUND_KB, peak), 0 < peak <= RSS_BOUND_KB)
    exc = seen.get("exception", [])
    if exc:
        print("# exceptions in the load: %r" % exc[:5])


if __name__ == "__main__":
    main()
