#!/usr/bin/python3
"""End-to-end tests of `tldb serve`: the real binary on an ephemeral port on
127.0.0.1, spoken to by real clients -- Python's http.client, raw sockets for
what clients do wrong or in bulk (pipelining, oversized heads, 200 connections
at once), curl, and every .ics body checked by ical.js (with python3-icalendar
and python3-vobject) through tests/plugins/ical_validate.sh.

Run by CTest with TLDB_BIN, TLDB_SOURCE_DIR, TLDB_BUILD_DIR and
TLDB_FIXTURE_DIR in the environment.
"""
import gzip
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

TLDB = os.environ["TLDB_BIN"]
SRC = os.environ["TLDB_SOURCE_DIR"]
BUILD = os.environ["TLDB_BUILD_DIR"]
FIXTURES = os.environ["TLDB_FIXTURE_DIR"]
BUNDLED = os.path.join(SRC, "timelines", "russia-china-2022.json")
VALIDATOR = os.path.join(SRC, "tests", "plugins", "ical_validate.sh")
NAME = "russia-china-2022"

_validated = set()


def validate_ics(body):
    """Fails unless ical.js, python3-icalendar and python3-vobject accept
    the .ics body (each distinct body is checked once)."""
    digest = hashlib.sha256(body).hexdigest()
    if digest in _validated:
        return
    with tempfile.NamedTemporaryFile(suffix=".ics", delete=False) as f:
        f.write(body)
        path = f.name
    try:
        env = dict(os.environ, TLDB_BUILD_DIR=BUILD, TLDB_SOURCE_DIR=SRC)
        p = subprocess.run(["sh", VALIDATOR, path], env=env,
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError("validators reject the feed:\n" +
                                 p.stdout + p.stderr)
    finally:
        os.unlink(path)
    _validated.add(digest)


def check_ics(status, content_type, encoding, body):
    """Every calendar the tests fetch goes through the validators."""
    if status != 200 or not content_type.startswith("text/calendar"):
        return
    if encoding == "gzip":
        body = gzip.decompress(body)
    validate_ics(body)


def tldb(db, *args, check=True):
    p = subprocess.run([TLDB, "--db", db] + list(args), capture_output=True,
                       text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError("tldb %s failed: %s" % (" ".join(args),
                                                      p.stderr))
    return p


def events_jsonl(n, timeline, start_year=2000):
    lines = []
    for i in range(n):
        y = start_year + (i // 365) % 50
        d = 1 + i % 28
        m = 1 + (i // 28) % 12
        lines.append(json.dumps({
            "uid": "%s-%d" % (timeline, i), "timeline": timeline,
            "title": "Event %d with a title long enough to fold" % i,
            "start": "%04d-%02d-%02d" % (y, m, d),
            "tags": ["t%d" % (i % 5)],
            "body": "Body of event %d; commas, semicolons\\ and more." % i}))
    return "\n".join(lines) + "\n"


class Server:
    """A running `tldb serve`; stop() sends SIGTERM and returns the exit
    status."""

    def __init__(self, db, *args, env=None):
        self.log = db + ".access.log"
        cmd = [TLDB, "--db", db] + list(env or []) + [
            "serve", "--listen", "127.0.0.1:0", "--access-log",
            self.log] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"serving (http://127\.0\.0\.1:(\d+))/", line)
        if not m:
            self.proc.kill()
            raise AssertionError("no serving line: %r %s" % (
                line, self.proc.stderr.read()))
        self.base = m.group(1)
        self.port = int(m.group(2))
        self.banner = line

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def get(self, path, headers=None, method="GET"):
        c = self.conn()
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        c.close()
        if method != "HEAD":
            check_ics(r.status, r.getheader("Content-Type", ""),
                      r.getheader("Content-Encoding"), body)
        return r, body

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)


def raw(port, data, timeout=10, half_close=False):
    """Sends bytes on a fresh connection (then shuts down its sending side
    with half_close) and reads until the server closes it (or timeout)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    if half_close:
        s.shutdown(socket.SHUT_WR)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        pass
    s.close()
    return out


def read_all(sock):
    """Reads until the server closes the connection."""
    data = b""
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            return data
        data += chunk


def split_responses(data):
    """Splits a byte stream into (status, headers, body) responses."""
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for l in lines[1:]:
            k, _, v = l.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0"))
        if status == 304:
            n = 0
        out.append((status, headers, rest[:n]))
        check_ics(status, headers.get("content-type", ""),
                  headers.get("content-encoding"), rest[:n])
        data = rest[n:]
    return out


class ServeTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tldb-serve-")
        self.db = os.path.join(self.dir, "tldb.db")
        tldb(self.db, "import", BUNDLED)
        self.servers = []

    def tearDown(self):
        # Every server must stop cleanly: exit 0 on SIGTERM, and nothing
        # from the sanitizers (make sanitize runs this suite too).
        problems = []
        for s in self.servers:
            if s.proc.poll() is None:
                try:
                    code = s.stop(timeout=30)
                except subprocess.TimeoutExpired:
                    s.proc.kill()
                    code = "hung on SIGTERM"
            else:
                code = s.proc.returncode
            err = s.proc.stderr.read()
            s.proc.stdout.close()
            s.proc.stderr.close()
            if code != 0 or "Sanitizer" in err or "runtime error" in err:
                problems.append("server exit %s: %s" % (code, err[-3000:]))
        shutil.rmtree(self.dir, ignore_errors=True)
        if problems:
            self.fail("\n".join(problems))

    def serve(self, *args, env=None):
        s = Server(self.db, *args, env=env)
        self.servers.append(s)
        return s

    def feed(self, s, path="/t/%s.ics" % NAME, headers=None):
        return s.get(path, headers)


class Routes(ServeTest):
    def test_index_lists_timelines_with_subscribe_links(self):
        s = self.serve("--base-url", "https://feeds.example.org/")
        self.assertIn("https://feeds.example.org/t/%s.ics" % NAME,
                      s.proc.stdout.readline())
        self.assertIn("webcal://feeds.example.org/t/%s.ics" % NAME,
                      s.proc.stdout.readline())
        r, body = s.get("/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Content-Type"),
                         "text/html; charset=utf-8")
        page = body.decode()
        self.assertIn("Russia and China, 2022", page)
        self.assertIn('href="webcal://feeds.example.org/t/%s.ics"' % NAME,
                      page)
        self.assertIn('href="https://feeds.example.org/t/%s.ics"' % NAME,
                      page)
        for app in ("Google", "Apple", "Outlook", "Thunderbird"):
            self.assertIn(app, page)
        self.assertEqual(s.stop(), 0)

    def test_timelines_json(self):
        s = self.serve()
        r, body = s.get("/timelines.json")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.getheader("Content-Type").startswith(
            "application/json"))
        doc = json.loads(body)
        (tl,) = doc["timelines"]
        self.assertEqual(tl["name"], NAME)
        self.assertEqual(tl["events"], 9)
        self.assertEqual(tl["feeds"]["ics"], s.base + "/t/%s.ics" % NAME)
        self.assertTrue(tl["webcal"].startswith("webcal://127.0.0.1:"))

    def test_every_exporter_by_extension(self):
        s = self.serve()
        r, body = self.feed(s)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Content-Type"),
                         "text/calendar; charset=utf-8")
        self.assertEqual(body.count(b"BEGIN:VEVENT"), 9)
        r, body = s.get("/t/%s.json" % NAME)
        self.assertEqual(r.status, 200)
        self.assertEqual(len(json.loads(body)["events"]), 9)
        r, body = s.get("/t/%s.jsonl" % NAME)
        self.assertEqual(len(body.splitlines()), 9)
        r, body = s.get("/t/%s.csv" % NAME)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.getheader("Content-Type").startswith("text/csv"))
        self.assertEqual(len(body.splitlines()), 10)  # header + 9

    def test_the_html_page_and_its_links(self):
        s = self.serve()
        r, body = s.get("/t/%s.html?from=2022-09&to=2022-09" % NAME)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Content-Type"),
                         "text/html; charset=utf-8")
        page = body.decode()
        self.assertIn("Putin and Xi meet at the SCO summit in Samarkand", page)
        self.assertNotIn("Gazprom", page)  # the filter applies
        self.assertIn('href="%s.ics"' % NAME, page)
        self.assertIn('href="%s.json"' % NAME, page)
        self.assertIn('href="webcal://127.0.0.1:%d/t/%s.ics"' % (s.port, NAME),
                      page)
        # the links resolve next to the page
        self.assertEqual(s.get("/t/%s.json" % NAME)[0].status, 200)
        self.assertIn('href="%s/t/%s.html"' % (s.base, NAME),
                      s.get("/")[1].decode())
        # a private timeline's page links feeds that carry its token
        out = tldb(self.db, "timeline", "share", NAME).stdout
        token = re.search(r"token=([0-9a-f]{32})", out).group(1)
        self.assertEqual(s.get("/t/%s.html" % NAME)[0].status, 404)
        r, body = s.get("/t/%s.html?token=%s" % (NAME, token))
        self.assertEqual(r.status, 200)
        self.assertIn('href="%s.ics?token=%s"' % (NAME, token), body.decode())

    def test_unknown_things_are_404(self):
        s = self.serve()
        for path in ("/t/nope.ics", "/t/%s.nosuchformat" % NAME, "/nope",
                     "/t/", "/t/Bad..Name.ics", "/t/a%2Fb.ics"):
            r, body = s.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertEqual(r.getheader("Cache-Control"), "no-store")

    def test_filters(self):
        s = self.serve()

        def titles(query):
            r, body = s.get("/t/%s.json?%s" % (NAME, query))
            self.assertEqual(r.status, 200, (query, body))
            return sorted(e["title"] for e in json.loads(body)["events"])

        sept = titles("from=2022-09&to=2022-09")
        self.assertEqual(len(sept), 3, sept)
        self.assertTrue(all("Samarkand" in t or "military" in t
                            for t in sept), sept)
        self.assertEqual(titles("tag=sco"), titles("tag=sco&tag=sco"))
        self.assertEqual(len(titles("tag=sco")), 3)
        self.assertEqual(len(titles("tag=sco&tag=summit")), 2)
        self.assertEqual(titles("q=Gazprom"),
                         ["Gazprom: China agrees to pay for Russian gas "
                          "in rubles and yuan"])
        self.assertEqual(len(titles("min-precision=day")), 5)
        # 2022-02 overlaps 2022-02-10..12; within it does not
        self.assertIn("Xi and Putin meet at the Beijing Winter Olympics "
                      "and announce a \"no limits\" friendship",
                      titles("from=2022-02-10&to=2022-02-12"))
        self.assertEqual(titles("from=2022-02-10&to=2022-02-12&within=1"),
                         [])
        # unknown parameters (cache busters) are ignored
        self.assertEqual(titles("x=1&from=2022-09&to=2022-09"), sept)
        for bad in ("from=2022-13", "to=yesterdayish",
                    "min-precision=hour", "within=maybe",
                    "from=2022-09&to=2022-08", "tag=%zz"):
            r, body = s.get("/t/%s.ics?%s" % (NAME, bad))
            self.assertEqual(r.status, 400, bad)
            self.assertTrue(body, bad)

    def test_coarse_dates_in_the_feed(self):
        """A month event is one day by default (a span is listed on every
        day of it); ?coarse= chooses span, first-day or skip."""
        s = self.serve()

        def olympics(query):
            r, body = s.get("/t/%s.ics%s" % (NAME, query))
            self.assertEqual(r.status, 200, (query, body))
            text = body.decode().replace("\r\n ", "")
            for block in text.split("BEGIN:VEVENT")[1:]:
                if "Winter Olympics" in block:
                    return [ln for ln in block.split("\r\n")
                            if ln.startswith(("DTSTART", "DTEND",
                                              "X-TLDB-EDTF"))]
            return None

        first_day = ["DTSTART;VALUE=DATE:20220201",
                     "DTEND;VALUE=DATE:20220202", "X-TLDB-EDTF:2022-02"]
        self.assertEqual(olympics(""), first_day)
        self.assertEqual(olympics("?coarse=first-day"), first_day)
        self.assertEqual(olympics("?coarse=span"),
                         ["DTSTART;VALUE=DATE:20220201",
                          "DTEND;VALUE=DATE:20220301",
                          "X-TLDB-EDTF:2022-02"])
        self.assertIsNone(olympics("?coarse=skip"))
        r, body = s.get("/t/%s.ics?coarse=maybe" % NAME)
        self.assertEqual(r.status, 400)
        self.assertIn(b"coarse", body)

    def test_a_series_feed_keeps_series_as_series(self):
        """The .ics feed writes a series once with its RRULE and a change as
        a RECURRENCE-ID VEVENT, so the subscriber's app expands it; ?from/to
        select a series that has an occurrence in the range; the JSON feed
        lists occurrences (issue 14, part 4)."""
        cal = os.path.join(self.dir, "weekly.ics")
        with open(cal, "w", newline="") as f:
            f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN"
                    "\r\nBEGIN:VEVENT\r\nUID:w\r\nDTSTAMP:20240101T000000Z"
                    "\r\nDTSTART;TZID=Europe/Berlin:20240108T090000\r\n"
                    "DTEND;TZID=Europe/Berlin:20240108T100000\r\n"
                    "RRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Weekly\r\n"
                    "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:w\r\n"
                    "DTSTAMP:20240101T000000Z\r\nRECURRENCE-ID;TZID="
                    "Europe/Berlin:20240115T090000\r\nDTSTART;TZID="
                    "Europe/Berlin:20240115T150000\r\nSUMMARY:Moved\r\n"
                    "END:VEVENT\r\nEND:VCALENDAR\r\n")
        tldb(self.db, "import", cal, "--timeline", "weekly")
        s = self.serve()

        def ics(query=""):
            r, body = s.get("/t/weekly.ics" + query)
            self.assertEqual(r.status, 200, (query, body))
            return body.decode().replace("\r\n ", "")

        whole = ics()
        self.assertEqual(whole.count("BEGIN:VEVENT"), 2, whole)
        self.assertIn("\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n", whole)
        self.assertIn("\r\nRECURRENCE-ID;TZID=Europe/Berlin:"
                      "20240115T090000\r\n", whole)
        self.assertEqual(ics("?from=2024-01-22&to=2024-01-22")
                         .count("RRULE:FREQ=WEEKLY"), 1)
        # a Wednesday between two Mondays, and a day after the last one
        self.assertNotIn("FREQ=WEEKLY",
                         ics("?from=2024-01-24&to=2024-01-24"))
        self.assertNotIn("FREQ=WEEKLY",
                         ics("?from=2024-02-01&to=2024-02-28"))
        r, body = s.get("/t/weekly.json")
        starts = [e["start"] for e in json.loads(body)["events"]]
        self.assertEqual(starts, ["2024-01-08T09:00", "2024-01-15T15:00",
                                  "2024-01-22T09:00", "2024-01-29T09:00"])

    def test_head_has_the_headers_and_no_body(self):
        s = self.serve()
        g, gbody = s.get("/t/%s.ics" % NAME)
        h, hbody = s.get("/t/%s.ics" % NAME, method="HEAD")
        self.assertEqual(h.status, 200)
        self.assertEqual(hbody, b"")
        self.assertEqual(h.getheader("Content-Length"), str(len(gbody)))
        self.assertEqual(h.getheader("ETag"), g.getheader("ETag"))

    def test_curl_fetches_the_feed(self):
        s = self.serve()
        p = subprocess.run(["curl", "-sS", "--fail", "--compressed",
                            s.base + "/t/%s.ics" % NAME],
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        validate_ics(p.stdout)
        _, plain = s.get("/t/%s.ics" % NAME)
        self.assertEqual(p.stdout, plain)


class Conditional(ServeTest):
    def test_if_none_match_and_if_modified_since(self):
        s = self.serve()
        r, body = self.feed(s)
        etag, lm = r.getheader("ETag"), r.getheader("Last-Modified")
        self.assertRegex(etag, r'^"[^"]+"$')  # strong
        self.assertTrue(lm.endswith(" GMT"))
        self.assertEqual(r.getheader("Cache-Control"),
                         "public, max-age=300")
        r2, b2 = s.get("/t/%s.ics" % NAME, {"If-None-Match": etag})
        self.assertEqual((r2.status, b2), (304, b""))
        self.assertEqual(r2.getheader("ETag"), etag)
        self.assertEqual(r2.getheader("Last-Modified"), lm)
        r3, _ = s.get("/t/%s.ics" % NAME,
                      {"If-None-Match": '"other", ' + etag})
        self.assertEqual(r3.status, 304)
        r4, b4 = s.get("/t/%s.ics" % NAME, {"If-None-Match": '"other"'})
        self.assertEqual((r4.status, b4), (200, body))
        # If-Modified-Since: equal or later -> 304, earlier -> 200
        self.assertEqual(s.get("/t/%s.ics" % NAME,
                               {"If-Modified-Since": lm})[0].status, 304)
        self.assertEqual(s.get("/t/%s.ics" % NAME, {
            "If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"})[0].status,
            200)
        self.assertEqual(s.get("/t/%s.ics" % NAME, {
            "If-Modified-Since": "Friday, 01-Jan-38 00:00:00 GMT"})[0].status,
            304)
        # a malformed date is ignored
        self.assertEqual(s.get("/t/%s.ics" % NAME, {
            "If-Modified-Since": "yesterday at noon"})[0].status, 200)
        # If-None-Match wins over If-Modified-Since
        self.assertEqual(s.get("/t/%s.ics" % NAME, {
            "If-None-Match": '"other"', "If-Modified-Since": lm})[0].status,
            200)
        # an unchanged database keeps body and ETag
        r5, b5 = s.get("/t/%s.ics" % NAME)
        self.assertEqual((r5.getheader("ETag"), b5), (etag, body))


class Gzip(ServeTest):
    def test_gzip_when_asked_and_vary(self):
        s = self.serve()
        r, plain = s.get("/t/%s.ics" % NAME)
        self.assertIsNone(r.getheader("Content-Encoding"))
        self.assertEqual(r.getheader("Vary"), "Accept-Encoding")
        for ae in ("gzip", "deflate, gzip;q=0.8", "*"):
            rz, z = s.get("/t/%s.ics" % NAME, {"Accept-Encoding": ae})
            self.assertEqual(rz.getheader("Content-Encoding"), "gzip", ae)
            self.assertEqual(rz.getheader("Vary"), "Accept-Encoding")
            self.assertEqual(gzip.decompress(z), plain)
            self.assertNotEqual(rz.getheader("ETag"), r.getheader("ETag"))
        rz, z = s.get("/t/%s.ics" % NAME, {"Accept-Encoding": "gzip"})
        r304, _ = s.get("/t/%s.ics" % NAME, {"Accept-Encoding": "gzip",
                                             "If-None-Match":
                                             rz.getheader("ETag")})
        self.assertEqual(r304.status, 304)
        r0, b0 = s.get("/t/%s.ics" % NAME, {"Accept-Encoding": "gzip;q=0"})
        self.assertIsNone(r0.getheader("Content-Encoding"))
        self.assertEqual(b0, plain)

    def test_no_gzip_switch(self):
        s = self.serve("--no-gzip")
        r, body = s.get("/t/%s.ics" % NAME, {"Accept-Encoding": "gzip"})
        self.assertIsNone(r.getheader("Content-Encoding"))
        self.assertIsNone(r.getheader("Vary"))
        validate_ics(body)


class Connections(ServeTest):
    def test_100_requests_on_one_keep_alive_connection(self):
        s = self.serve()
        c = s.conn()
        sock = None
        for i in range(100):
            path = ["/t/%s.ics" % NAME, "/", "/timelines.json",
                    "/t/nope.ics"][i % 4]
            c.request("GET", path)
            r = c.getresponse()
            check_ics(r.status, r.getheader("Content-Type", ""), None,
                      r.read())
            self.assertEqual(r.status, 404 if i % 4 == 3 else 200)
            if sock is None:
                sock = c.sock
            self.assertIs(c.sock, sock, "reconnected at request %d" % i)
        c.close()

    def test_pipelined_requests_answered_in_order(self):
        s = self.serve()
        reqs = b"".join(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % p for p in (
            b"/t/%s.json" % NAME.encode(), b"/nope", b"/timelines.json",
            b"/t/%s.ics" % NAME.encode()))
        reqs += b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        resp = split_responses(raw(s.port, reqs))
        self.assertEqual([r[0] for r in resp], [200, 404, 200, 200, 200])
        self.assertIn(b'"events"', resp[0][2])
        self.assertIn(b'"timelines"', resp[2][2])
        self.assertTrue(resp[3][2].startswith(b"BEGIN:VCALENDAR"))
        validate_ics(resp[3][2])
        self.assertIn(b"<!DOCTYPE html>", resp[4][2])
        self.assertEqual(resp[4][1].get("connection"), "close")

    def test_a_client_that_stops_sending_still_gets_its_answers(self):
        s = self.serve()
        reqs = b"GET /t/%s.ics HTTP/1.1\r\nHost: x\r\n\r\n" % NAME.encode()
        resp = split_responses(raw(s.port, reqs * 3, half_close=True))
        self.assertEqual([r[0] for r in resp], [200] * 3)
        self.assertTrue(all(r[2].endswith(b"END:VCALENDAR\r\n")
                            for r in resp))

    def test_many_pipelined_requests(self):
        s = self.serve()
        n = 200
        reqs = b"GET /timelines.json HTTP/1.1\r\nHost: x\r\n\r\n" * n
        reqs += b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        resp = split_responses(raw(s.port, reqs, timeout=30))
        self.assertEqual(len(resp), n + 1)
        self.assertTrue(all(r[0] == 200 for r in resp))

    def test_200_concurrent_connections(self):
        s = self.serve()
        socks = [socket.create_connection(("127.0.0.1", s.port), timeout=30)
                 for _ in range(200)]
        for i, so in enumerate(socks):
            path = "/t/%s.ics?tag=t%d" % (NAME, i % 7) if i % 2 else "/"
            so.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close"
                        "\r\n\r\n" % path).encode())
        statuses = []
        for so in socks:
            data = read_all(so)
            so.close()
            statuses.append(split_responses(data)[0][0])
        self.assertEqual(statuses, [200] * 200)

    def test_connection_cap(self):
        s = self.serve("--max-connections", "5")
        held = [socket.create_connection(("127.0.0.1", s.port))
                for _ in range(5)]
        time.sleep(0.3)
        resp = split_responses(raw(s.port, b""))
        self.assertEqual(resp[0][0], 503)
        held.pop().close()
        time.sleep(0.3)
        self.assertEqual(s.get("/")[0].status, 200)
        for h in held:
            h.close()

    def test_idle_and_slow_header_timeouts(self):
        s = self.serve("--idle-timeout", "1", "--header-timeout", "1")
        idle = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        slow = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # never finished
        t0 = time.time()
        self.assertEqual(idle.recv(100), b"")  # closed by the server
        self.assertLess(time.time() - t0, 5)
        data = read_all(slow)
        self.assertEqual(split_responses(data)[0][0], 408)
        self.assertEqual(s.get("/")[0].status, 200)


class BadRequests(ServeTest):
    """Each bad request gets its status and the connection closed; a
    healthy request afterwards succeeds."""

    def check(self, s, data, status, closes=True):
        out = raw(s.port, data)
        resp = split_responses(out)
        self.assertTrue(resp, out[:200])
        self.assertEqual(resp[0][0], status, out[:300])
        if closes:
            self.assertEqual(resp[0][1].get("connection"), "close")
        r, _ = s.get("/")
        self.assertEqual(r.status, 200)
        return resp

    def test_limits_and_malformed(self):
        s = self.serve()
        self.check(s, b"GARBAGE\r\n\r\n", 400)
        self.check(s, b"GET / HTTP/9.9x\r\n\r\n", 400)
        self.check(s, b"GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400)
        big = b"X-Fill: " + b"a" * 17000 + b"\r\n"
        self.check(s, b"GET / HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n", 431)
        many = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 100)
                        for i in range(200))
        self.check(s, b"GET / HTTP/1.1\r\n" + many + b"\r\n", 431)
        self.check(s, b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n", 414)
        self.check(s, b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
                   413)
        self.check(s, b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"5\r\nhello\r\n0\r\n\r\n", 413)
        resp = self.check(s, b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n"
                          b"a=b", 405)
        self.assertEqual(resp[0][1].get("allow"), "GET, HEAD")

    def test_random_bytes_never_take_the_server_down(self):
        import random
        rnd = random.Random(20221915)
        s = self.serve()
        good = b"GET /t/%s.ics?tag=sco HTTP/1.1\r\nHost: x\r\n" % NAME.encode()
        for i in range(150):
            if i % 3 == 0:  # noise
                data = bytes(rnd.randrange(256) for _ in range(
                    rnd.randrange(1, 3000)))
            else:  # a valid request with bytes flipped or cut
                data = bytearray(good + b"X-A: " + b"b" * rnd.randrange(100)
                                 + b"\r\n\r\n")
                for _ in range(rnd.randrange(1, 4)):
                    data[rnd.randrange(len(data))] = rnd.randrange(256)
                data = bytes(data[:rnd.randrange(1, len(data) + 1)])
            so = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            try:
                so.sendall(data)
                so.shutdown(socket.SHUT_WR)
                while so.recv(65536):
                    pass
            except OSError:
                pass
            so.close()
        self.assertEqual(s.get("/t/%s.ics" % NAME)[0].status, 200)

    def test_405_without_a_body_keeps_the_connection(self):
        s = self.serve()
        data = (b"DELETE /t/%s.ics HTTP/1.1\r\nHost: x\r\n\r\n"
                b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                % NAME.encode())
        resp = split_responses(raw(s.port, data))
        self.assertEqual([r[0] for r in resp], [405, 200])
        self.assertEqual(resp[0][1].get("allow"), "GET, HEAD")
        self.assertEqual(tldb(self.db, "query").stdout.count("\n"), 9)

    def test_requests_before_a_bad_one_are_answered(self):
        s = self.serve()
        data = b"GET /timelines.json HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP\r\n\r\n"
        resp = split_responses(raw(s.port, data))
        self.assertEqual([r[0] for r in resp], [200, 400])


class Changes(ServeTest):
    def test_an_import_by_another_process_shows_at_once(self):
        s = self.serve()
        r1, b1 = self.feed(s)
        r1b, b1b = self.feed(s)  # from the cache: same bytes
        self.assertEqual((r1.getheader("ETag"), b1),
                         (r1b.getheader("ETag"), b1b))
        extra = os.path.join(self.dir, "extra.jsonl")
        with open(extra, "w") as f:
            f.write(json.dumps({"uid": "extra-1", "timeline": NAME,
                                "title": "A later meeting",
                                "start": "2022-10-20"}) + "\n")
        tldb(self.db, "import", extra)
        r2, b2 = self.feed(s)
        self.assertNotEqual(r2.getheader("ETag"), r1.getheader("ETag"))
        self.assertIn(b"SUMMARY:A later meeting", b2)
        r3, _ = s.get("/t/%s.ics" % NAME,
                      {"If-None-Match": r1.getheader("ETag")})
        self.assertEqual(r3.status, 200)
        # a removal shows too, and the calendar is still a calendar
        tldb(self.db, "rm", "extra-1")
        r4, b4 = self.feed(s)
        self.assertEqual(b4, b1)
        tldb(self.db, "timeline", "create", "empty")
        r5, b5 = self.feed(s, "/t/empty.ics")
        self.assertEqual(r5.status, 200)
        self.assertIn(b"BEGIN:VCALENDAR", b5)
        self.assertNotIn(b"BEGIN:VEVENT", b5)


class Private(ServeTest):
    def test_share_and_unshare(self):
        s = self.serve()
        out = tldb(self.db, "timeline", "share", NAME, "--base-url",
                   s.base).stdout
        m = re.search(r"/t/%s\.ics\?token=([0-9a-f]{32})\n" % NAME, out)
        self.assertTrue(m, out)
        token = m.group(1)
        self.assertIn("webcal://127.0.0.1:%d/t/%s.ics?token=%s" % (
            s.port, NAME, token), out)
        # sharing again keeps the token
        self.assertIn(token, tldb(self.db, "timeline", "share", NAME).stdout)
        for path in ("/t/%s.ics" % NAME, "/t/%s.ics?token=" % NAME,
                     "/t/%s.ics?token=%s" % (NAME, "0" * 32),
                     "/t/%s.ics?token=%s" % (NAME, token[:-1]),
                     "/t/%s.json?token=%sx" % (NAME, token)):
            self.assertEqual(s.get(path)[0].status, 404, path)
        self.assertNotIn(NAME.encode(), s.get("/")[1])
        self.assertEqual(json.loads(s.get("/timelines.json")[1]),
                         {"timelines": []})
        r, body = self.feed(s, "/t/%s.ics?token=%s" % (NAME, token))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Cache-Control"),
                         "private, max-age=300")
        self.assertIn(NAME.encode(), s.get("/?token=%s" % token)[1])
        listed = json.loads(s.get("/timelines.json?token=%s" % token)[1])
        self.assertEqual(listed["timelines"][0]["feeds"]["ics"],
                         s.base + "/t/%s.ics?token=%s" % (NAME, token))
        # the access log never shows the token
        tldb(self.db, "timeline", "unshare", NAME)
        self.assertEqual(s.get("/t/%s.ics?token=%s" % (NAME, token))[0]
                         .status, 200)  # public again: the token is moot
        self.assertEqual(s.get("/t/%s.ics" % NAME)[0].status, 200)
        self.assertEqual(s.stop(), 0)
        with open(s.log) as f:
            log = f.read()
        self.assertNotIn(token, log)
        self.assertIn("token=...", log)
        share2 = tldb(self.db, "timeline", "share", NAME).stdout
        self.assertNotIn(token, share2)  # unshare + share: a new token


class Failures(ServeTest):
    def test_an_exporter_failing_half_way_is_a_503(self):
        plugdir = os.path.join(self.dir, "plugins")
        os.mkdir(plugdir)
        shutil.copy(os.path.join(FIXTURES, "halfway.so"), plugdir)
        s = Server(self.db, env=["--plugin-dir", plugdir])
        self.servers.append(s)
        r, body = s.get("/t/%s.halfway" % NAME)
        self.assertEqual(r.status, 503)
        self.assertEqual(r.getheader("Retry-After"), "30")
        self.assertNotIn(b"first event", body)
        # not cached: it is tried again, and other feeds still work
        self.assertEqual(s.get("/t/%s.halfway" % NAME)[0].status, 503)
        self.assertEqual(s.get("/t/%s.ics" % NAME)[0].status, 200)

    def test_requests_that_miss_together_share_one_render(self):
        plugdir = os.path.join(self.dir, "plugins")
        os.mkdir(plugdir)
        shutil.copy(os.path.join(FIXTURES, "slowcount.so"), plugdir)
        counter = os.path.join(self.dir, "renders")
        os.environ["TLDB_TEST_COUNT_FILE"] = counter
        try:  # one loop: each loop renders a key once per generation
            s = Server(self.db, "--loops", "1", env=["--plugin-dir", plugdir])
        finally:
            del os.environ["TLDB_TEST_COUNT_FILE"]
        self.servers.append(s)

        def renders():
            return os.path.getsize(counter) if os.path.exists(counter) else 0

        def burst(n):
            socks = [socket.create_connection(("127.0.0.1", s.port),
                                              timeout=30) for _ in range(n)]
            for so in socks:  # all sent before the first render ends
                so.sendall(b"GET /t/%s.slowcount HTTP/1.1\r\nHost: x\r\n"
                           b"Connection: close\r\n\r\n" % NAME.encode())
            bodies = []
            for so in socks:
                data = read_all(so)
                so.close()
                bodies.append(split_responses(data)[0])
            return bodies

        got = burst(32)
        self.assertEqual([b[0] for b in got], [200] * 32)
        self.assertTrue(all(b[2] == b"9 events\n" for b in got), got[0])
        self.assertEqual(renders(), 1)
        # after a change, again one render for the whole burst
        tldb(self.db, "add", "--timeline", NAME, "--title", "later",
             "--start", "2022-12-01")
        time.sleep(0.3)
        got = burst(32)
        self.assertTrue(all(b[2] == b"10 events\n" for b in got), got[0])
        self.assertEqual(renders(), 2)

    def test_a_corrupt_database_is_a_503_not_an_empty_feed(self):
        big = os.path.join(self.dir, "big.jsonl")
        with open(big, "w") as f:
            f.write(events_jsonl(3000, NAME))
        tldb(self.db, "import", big)
        # Everything into the main file, so the garbage below hits it.
        subprocess.run(["sqlite3", self.db, "PRAGMA wal_checkpoint(TRUNCATE)"],
                       check=True, capture_output=True)
        s = self.serve()  # no request yet: no worker has read a page
        size = os.path.getsize(self.db)
        with open(self.db, "r+b") as f:  # garbage over every page but one
            f.seek(4096)
            f.write(os.urandom(size - 4096))
        for path in ("/t/%s.ics" % NAME, "/t/%s.json?tag=t1" % NAME,
                     "/timelines.json"):
            r, body = s.get(path)
            self.assertEqual(r.status, 503, (path, body[:200]))
            self.assertEqual(r.getheader("Retry-After"), "30")

    def test_no_database_is_an_error_at_start(self):
        p = subprocess.run([TLDB, "--db", os.path.join(self.dir, "none.db"),
                            "serve", "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("tldb: error:", p.stderr)

    def test_bad_options(self):
        for args in (["--listen", "nowhere"], ["--listen", "127.0.0.1:99999"],
                     ["--threads", "0"], ["--idle-timeout", "-1"]):
            p = subprocess.run([TLDB, "--db", self.db, "serve"] + args,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn("tldb: error:", p.stderr)


class Shutdown(ServeTest):
    def test_sigterm_finishes_the_request_in_flight(self):
        # The slowcount exporter takes 300 ms: the signal comes while the
        # render is surely on the pool.
        plugdir = os.path.join(self.dir, "plugins")
        os.mkdir(plugdir)
        shutil.copy(os.path.join(FIXTURES, "slowcount.so"), plugdir)
        s = Server(self.db, env=["--plugin-dir", plugdir])
        self.servers.append(s)
        so = socket.create_connection(("127.0.0.1", s.port), timeout=60)
        so.sendall(b"GET /t/%s.slowcount HTTP/1.1\r\nHost: x\r\n\r\n"
                   % NAME.encode())
        time.sleep(0.1)
        s.proc.send_signal(signal.SIGTERM)
        data = read_all(so)
        so.close()
        (status, headers, body), = split_responses(data)
        self.assertEqual(status, 200)
        self.assertEqual(body, b"9 events\n")
        self.assertEqual(headers.get("connection"), "close")
        self.assertEqual(s.proc.wait(timeout=30), 0)
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", s.port), timeout=5)

    def test_sigterm_with_a_big_feed_being_written(self):
        big = os.path.join(self.dir, "big.jsonl")
        with open(big, "w") as f:
            f.write(events_jsonl(20000, "big"))
        tldb(self.db, "import", big)
        s = self.serve()
        so = socket.create_connection(("127.0.0.1", s.port), timeout=60)
        so.sendall(b"GET /t/big.ics HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.05)  # rendering, or already being written
        s.proc.send_signal(signal.SIGTERM)
        data = read_all(so)
        so.close()
        (status, headers, body), = split_responses(data)
        self.assertEqual(status, 200)
        self.assertEqual(int(headers["content-length"]), len(body))
        self.assertEqual(body.count(b"BEGIN:VEVENT"), 20000)
        self.assertTrue(body.endswith(b"END:VCALENDAR\r\n"))
        self.assertEqual(s.proc.wait(timeout=30), 0)

    def test_sigint_with_idle_connections(self):
        s = self.serve()
        idle = [socket.create_connection(("127.0.0.1", s.port))
                for _ in range(3)]
        s.get("/")
        s.proc.send_signal(signal.SIGINT)
        self.assertEqual(s.proc.wait(timeout=30), 0)
        for so in idle:
            so.close()


class AccessLog(ServeTest):
    def test_one_line_per_request_in_common_log_format(self):
        s = self.serve()
        s.get("/")
        s.get("/t/nope.ics")
        s.get("/t/%s.ics" % NAME, method="HEAD")
        self.assertEqual(s.stop(), 0)
        with open(s.log) as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), 3, lines)
        pat = (r'^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d '
               r'\+0000\] "(GET|HEAD) (\S+) HTTP/1\.1" (\d{3}) (\d+) '
               r'(\d+\.\d{6})$')
        got = [re.match(pat, l) for l in lines]
        self.assertTrue(all(got), lines)
        # (each event loop buffers its own lines: across connections the
        # order is not the order of the requests)
        self.assertEqual(sorted((g.group(2), g.group(3)) for g in got),
                         sorted([("/", "200"), ("/t/nope.ics", "404"),
                                 ("/t/%s.ics" % NAME, "200")]))


def rss_kib(pid):
    """The process's resident set (VmRSS) in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def read_response(sock, buf):
    """Reads one response from sock (buf: bytes already read, a one-item
    list); returns (status, headers, body)."""
    while b"\r\n\r\n" not in buf[0]:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise AssertionError("closed before a response head")
        buf[0] += chunk
    head, _, rest = buf[0].partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise AssertionError("closed inside a body")
        rest += chunk
    buf[0] = rest[n:]
    return int(lines[0].split()[1]), headers, rest[:n]


class Port(ServeTest):
    def test_a_second_server_on_the_same_port_fails(self):
        # Before: both started (SO_REUSEPORT) and requests alternated
        # between the two databases.
        s = self.serve("--loops", "2")
        other = os.path.join(self.dir, "other.db")
        tldb(other, "timeline", "create", "other")
        for loops in ("1", "2"):
            p = subprocess.Popen([TLDB, "--db", other, "serve", "--listen",
                                  "127.0.0.1:%d" % s.port, "--loops", loops],
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            try:
                out, err = p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate()
                self.fail("a second server started on port %d" % s.port)
            self.assertEqual(p.returncode, 1, err)
            self.assertRegex(err, r"(?i)^tldb: error: .*127\.0\.0\.1:%d.*"
                             r"address already in use" % s.port)
            self.assertNotIn("serving", out)
        # the first one still answers, from its own database, every time
        for _ in range(20):
            doc = json.loads(s.get("/timelines.json")[1])
            self.assertEqual([t["name"] for t in doc["timelines"]], [NAME])


class AbuseTest(ServeTest):
    def big_timeline(self, n=3000):
        big = os.path.join(self.dir, "big.jsonl")
        with open(big, "w") as f:
            f.write(events_jsonl(n, "big"))
        tldb(self.db, "import", big)


class Upgrade(ServeTest):
    def test_requests_behind_an_upgrade_are_answered(self):
        # Before: http_parser stopped at the Upgrade request and the rest
        # of the read was dropped; the client waited for the idle timeout.
        s = self.serve()
        reqs = (b"GET /timelines.json HTTP/1.1\r\nHost: x\r\n"
                b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                b"Sec-WebSocket-Version: 13\r\n\r\n"
                b"GET /t/%s.json HTTP/1.1\r\nHost: x\r\n\r\n"
                b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n"
                b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
                b"Connection: Upgrade, HTTP2-Settings\r\n\r\n"
                b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                b"\r\n" % NAME.encode())
        t0 = time.time()
        resp = split_responses(raw(s.port, reqs, timeout=10))
        self.assertEqual([r[0] for r in resp], [200, 200, 200, 404])
        self.assertLess(time.time() - t0, 5)
        self.assertIn(b'"timelines"', resp[0][2])
        self.assertIn(b'"events"', resp[1][2])
        self.assertIn(b"<!DOCTYPE html>", resp[2][2])
        # the same with each request in its own write
        so = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        for part in re.split(b"(?<=\r\n\r\n)", reqs):
            if part:
                so.sendall(part)
                time.sleep(0.05)
        resp = split_responses(read_all(so))
        so.close()
        self.assertEqual([r[0] for r in resp], [200, 200, 200, 404])

    def test_connect_is_refused_and_closes(self):
        s = self.serve()
        resp = split_responses(raw(s.port, b"CONNECT example.org:443 HTTP/1.1"
                                   b"\r\nHost: example.org\r\n\r\n"
                                   b"\x16\x03\x01 tunnel bytes\r\n\r\n"))
        self.assertEqual([r[0] for r in resp], [405])
        self.assertEqual(resp[0][1].get("connection"), "close")
        self.assertEqual(s.get("/")[0].status, 200)


class MaskedToken(ServeTest):
    def test_a_percent_encoded_token_name_is_masked(self):
        # Before: the route decoded %74oken to token, and the log, which
        # looked for the literal "token=", wrote the token in clear.
        s = self.serve()
        out = tldb(self.db, "timeline", "share", NAME).stdout
        token = re.search(r"token=([0-9a-f]{32})", out).group(1)
        for q in ("%%74oken=%s", "tok%%65n=%s", "%%74%%6F%%6B%%65%%6E=%s",
                  "x=1&%%74oken=%s&y=2"):
            r, body = s.get("/t/%s.ics?%s" % (NAME, q % token))
            self.assertEqual(r.status, 200, q)  # the route reads the name
        enc = "".join("%%%02X" % ord(ch) for ch in token)
        self.assertEqual(s.get("/t/%s.ics?%%74oken=%s" % (NAME, enc))[0]
                         .status, 200)
        for q in ("TOKEN=%s", "token%%00=%s", "my_token=%s"):
            s.get("/t/%s.ics?%s" % (NAME, q % token))  # not ours, masked
        self.assertEqual(s.stop(), 0)
        with open(s.log) as f:
            log = f.read()
        self.assertEqual(log.count("\n"), 8, log)
        self.assertNotIn(token, log)
        self.assertNotIn(enc, log)
        self.assertIn("%74oken=...", log)
        self.assertIn("x=1&%74oken=...&y=2", log)


class Limits(AbuseTest):
    def test_a_text_query_over_the_term_limit_is_a_400(self):
        # Before: 1,600 terms took seconds of a render thread and then
        # answered 200.
        s = self.serve()
        many = "+".join(chr(97 + i % 26) for i in range(1600))
        t0 = time.time()
        r, body = s.get("/t/%s.ics?q=%s" % (NAME, many))
        self.assertEqual(r.status, 400, body[:300])
        self.assertIn(b"1600 terms", body)
        self.assertIn(b"at most 64", body)
        self.assertLess(time.time() - t0, 2)
        at_limit = "+".join("Gazprom" if i == 0 else "OR+w%d" % i
                            for i in range(32))
        r, body = s.get("/t/%s.json?q=%s" % (NAME, at_limit))
        self.assertEqual(r.status, 200, body[:300])
        self.assertEqual(len(json.loads(body)["events"]), 1)
        # the library's check: the command line gets it too
        p = tldb(self.db, "query", "--text", many.replace("+", " "),
                 check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("tldb: error:", p.stderr)
        self.assertIn("at most 64", p.stderr)

    def test_a_bad_text_query_is_a_400_with_the_query_error(self):
        # Before: the exporter replaced the store's TLDB_EINVAL with its
        # own failure and the server answered 503 with Retry-After, which
        # tells a calendar app to retry forever.
        s = self.serve()
        for ext in ("ics", "json", "csv"):
            r, body = s.get("/t/%s.%s?q=%%22unterminated" % (NAME, ext))
            self.assertEqual(r.status, 400, body[:300])
            self.assertIsNone(r.getheader("Retry-After"))
            p = tldb(self.db, "query", "--text", '"unterminated',
                     check=False)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(body.decode().strip(),
                             p.stderr.replace("tldb: error: ", "").strip())

    def test_a_render_past_its_time_budget_is_a_503(self):
        # The slowcount exporter sleeps 300 ms before it reads its events.
        plugdir = os.path.join(self.dir, "plugins")
        os.mkdir(plugdir)
        shutil.copy(os.path.join(FIXTURES, "slowcount.so"), plugdir)
        s = Server(self.db, "--render-timeout", "0.1",
                   env=["--plugin-dir", plugdir])
        self.servers.append(s)
        r, body = s.get("/t/%s.slowcount" % NAME)
        self.assertEqual(r.status, 503, body)
        self.assertEqual(r.getheader("Retry-After"), "30")
        self.assertIn(b"limit of 100 ms", body)
        # not cached, and quick renders are not affected
        self.assertEqual(s.get("/t/%s.slowcount" % NAME)[0].status, 503)
        r, body = self.feed(s)
        self.assertEqual((r.status, body.count(b"BEGIN:VEVENT")), (200, 9))
        # within the default budget the same feed renders
        s2 = Server(self.db, env=["--plugin-dir", plugdir])
        self.servers.append(s2)
        r, body = s2.get("/t/%s.slowcount" % NAME)
        self.assertEqual((r.status, body), (200, b"9 events\n"))
        p = subprocess.run([TLDB, "--db", self.db, "serve",
                            "--render-timeout", "0"], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(p.returncode, 2)

    def test_pipeline_flood_keeps_memory_bounded(self):
        # A client pipelines thousands of requests -- /timelines.json and
        # feeds of about 1 MB that each miss the cache -- and does not read.
        # Before: every response was queued for writing, so the server grew
        # by the whole answer (hundreds of MB); now it stops reading the
        # connection while 1 MiB waits unsent and renders two at a time.
        self.big_timeline(3000)
        # Under AddressSanitizer (make sanitize) freed blocks wait in a
        # quarantine of 256 MiB, which would be counted as growth.
        saved = os.environ.get("ASAN_OPTIONS")
        os.environ["ASAN_OPTIONS"] = (saved + ":" if saved else "") + \
            "quarantine_size_mb=1:thread_local_quarantine_size_kb=64"
        try:
            s = self.serve("--cache-mb", "4", "--loops", "1")
        finally:
            if saved is None:
                del os.environ["ASAN_OPTIONS"]
            else:
                os.environ["ASAN_OPTIONS"] = saved
        r, feed = s.get("/t/big.ics?from=1900-01-01")
        self.assertEqual(r.status, 200)
        self.assertGreater(len(feed), 900000)
        for _ in range(3):  # warm: a few renders on the pool
            s.get("/t/big.ics?from=1901-01-01")
            s.get("/timelines.json")
        base = rss_kib(s.proc.pid)
        nfeeds, njson = 150, 3000
        reqs, f = [], 0
        for i in range(njson + nfeeds):
            if f < nfeeds and (i % 21 == 20 or
                               njson + nfeeds - i <= nfeeds - f):
                f += 1  # a key of its own: every one misses the cache
                reqs.append((True, "/t/big.ics?from=1800-01-01T%02d:%02d"
                             % (f // 60, f % 60)))
            else:
                reqs.append((False, "/timelines.json"))
        data = b"".join(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % p.encode()
                        for _, p in reqs)
        so = socket.create_connection(("127.0.0.1", s.port), timeout=60)
        so.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sent = []

        def sender():
            try:
                so.sendall(data)
                sent.append(True)
            except OSError as e:
                sent.append(e)

        t = threading.Thread(target=sender, daemon=True)
        t.start()
        peak = base
        deadline = time.time() + 6
        served = []
        while time.time() < deadline:
            peak = max(peak, rss_kib(s.proc.pid))
            if not served:  # another client is served meanwhile
                t0 = time.time()
                r, body = self.feed(s)
                served.append((r.status, time.time() - t0))
            time.sleep(0.1)
        self.assertEqual(served[0][0], 200)
        self.assertLess(served[0][1], 3)
        grown = (peak - base) // 1024
        self.assertLess(grown, 48, "the server grew by %d MiB" % grown)
        # now the client reads: everything arrives, in order
        buf = [b""]
        t0 = time.time()
        for i, (is_feed, path) in enumerate(reqs):
            status, headers, body = read_response(so, buf)
            self.assertEqual(status, 200, (i, path))
            if is_feed:
                self.assertEqual(len(body), len(feed), (i, path))
            else:
                self.assertIn(b'"timelines"', body)
            peak = max(peak, rss_kib(s.proc.pid)) if i % 200 == 0 else peak
        self.assertLess(time.time() - t0, 120)
        t.join(30)
        self.assertEqual(sent, [True])
        so.close()
        grown = (peak - base) // 1024
        self.assertLess(grown, 48, "the server grew by %d MiB" % grown)
        self.assertEqual(s.get("/")[0].status, 200)
        print("flood: %d KiB at rest, %d KiB at most" % (base, peak))

    def test_slowloris_does_not_starve_a_normal_client(self):
        s = self.serve("--header-timeout", "5")
        slow = []
        for i in range(300):
            so = socket.create_connection(("127.0.0.1", s.port), timeout=10)
            so.sendall(b"GET /t/%s.ics HTTP/1.1\r\n" % NAME.encode())
            slow.append(so)
        t_end = time.time() + 4.5
        worst = 0
        while time.time() < t_end:
            for so in slow:  # a byte each, every 1.5 s
                try:
                    so.sendall(b"X")
                except OSError:
                    pass
            for path in ("/", "/t/%s.ics" % NAME, "/timelines.json"):
                t0 = time.time()
                c = s.conn()
                c.request("GET", path)
                r = c.getresponse()
                r.read()
                c.close()
                worst = max(worst, time.time() - t0)
                self.assertEqual(r.status, 200)
            time.sleep(1.5)
        self.assertLess(worst, 2)
        # past --header-timeout each slow head gets a 408 and is closed
        closed = 0
        for so in slow:
            so.settimeout(10)
            try:
                data = read_all(so)
                if data.startswith(b"HTTP/1.1 408"):
                    closed += 1
            except OSError:
                pass
            so.close()
        self.assertEqual(closed, len(slow))
        self.assertEqual(s.get("/")[0].status, 200)

    def test_mutated_requests_never_crash_or_wedge(self):
        import random
        rnd = random.Random(12122026)
        s = self.serve("--header-timeout", "2", "--idle-timeout", "2")
        seeds = [
            b"GET /t/%s.ics?tag=sco&from=2022-01 HTTP/1.1\r\nHost: x\r\n"
            b"Accept-Encoding: gzip\r\n\r\n" % NAME.encode(),
            b"HEAD /timelines.json HTTP/1.1\r\nHost: x\r\n"
            b"If-None-Match: \"x\", W/\"y\"\r\n\r\n",
            b"GET /?token=abc HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            b"GET /t/%s.json?q=Gazprom+OR+Xi HTTP/1.1\r\n"
            b"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"
            % NAME.encode(),
            b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\n\r\n",
            b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\n0\r\n\r\n",
        ]
        tokens = [b"\r\n", b"\r\n\r\n", b"%", b"%00", b"%zz", b"?", b"&",
                  b"=", b" ", b":", b"\x00", b"\xff", b"Content-Length: 9\r\n",
                  b"Transfer-Encoding: chunked\r\n", b"Upgrade: x\r\n",
                  b"Connection: close\r\n", b"HTTP/1.0", b"/t/", b".ics",
                  b"token=", b"q=a*", b"A" * 300]

        def mutate(req):
            b = bytearray(req)
            for _ in range(rnd.randrange(1, 5)):
                op = rnd.randrange(4)
                pos = rnd.randrange(len(b) + 1)
                if op == 0 and b:
                    b[min(pos, len(b) - 1)] = rnd.randrange(256)
                elif op == 1:
                    b[pos:pos] = rnd.choice(tokens)
                elif op == 2 and b:
                    del b[pos:pos + rnd.randrange(1, 20)]
                else:
                    b[pos:pos] = b[rnd.randrange(len(b) + 1):][:40]
            return bytes(b)

        t0 = time.time()
        n = 0
        while n < 3000:
            k = rnd.randrange(1, 12)  # pipelined on one connection
            batch = b"".join(mutate(rnd.choice(seeds)) for _ in range(k))
            n += k
            so = socket.create_connection(("127.0.0.1", s.port), timeout=10)
            try:
                so.sendall(batch)
                so.shutdown(socket.SHUT_WR)
                while so.recv(1 << 16):
                    pass
            except OSError:
                pass
            so.close()
            self.assertLess(time.time() - t0, 120, "the loop is wedged")
        self.assertIsNone(s.proc.poll())
        r, body = self.feed(s)
        self.assertEqual(r.status, 200)
        self.assertEqual(body.count(b"BEGIN:VEVENT"), 9)


if __name__ == "__main__":
    unittest.main(verbosity=2)
