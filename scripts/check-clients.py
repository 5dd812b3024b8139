#!/usr/bin/env python3
"""Checks feedsift's outputs with real clients, against a running daemon.

Builds one feed per outlet from the labelled real news in ../shared/news-dev (its make_feeds.py),
serves them on 127.0.0.1, polls them with the example topic of config/feedsift.toml (and a private
copy of it), starts `feedsift serve` on 127.0.0.1 port 0, then:

- parses every output format of the topic and of the combined feed with Python feedparser
  (bozo == 0, the same stories in the same order in every format, each story once);
- runs the W3C feed validator's rules (../shared/tools/validate-feed.py) on Atom and RSS: no error;
- subscribes newsboat to the topic's RSS and Atom feeds and checks that it lists the same titles;
- re-parses nothing itself that a client should: the daemon's own tests cover feed-rs re-parsing;
- loads /, /topics/korea-russia and /feeds in headless Chromium at a phone and a desktop size,
  writes screenshots under target/pages/, and checks the page text (topic title, story titles,
  outlets) and that no script ran or is present;
- parses /metrics with the Prometheus client's OpenMetrics parser and checks SPEC's families;
- checks 304 on a conditional GET, 401 on every output of a private topic, 431 on huge headers.

Usage: python3 scripts/check-clients.py [--feedsift target/debug/feedsift] [--keep DIR]
Needs: pip install feedparser prometheus-client lxml html5lib rdflib; Debian newsboat, chromium.
Exits 1 on the first failed check, naming it.
"""
import argparse
import functools
import http.server
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
NEWS = os.path.join(SHARED, "news-dev")
VALIDATOR = os.path.join(SHARED, "tools", "validate-feed.py")
TOKEN = "s3cret-token-for-the-check"
FORMATS = ("atom", "rss", "json")

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        failures.append(what)


def toml_value(v):
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise ValueError(v)


def write_config(path, feed_urls):
    with open(os.path.join(ROOT, "config", "feedsift.toml"), "rb") as fh:
        cfg = tomllib.load(fh)
    topic = next(t for t in cfg["topic"] if t["id"] == "korea-russia")
    lines = ["[daemon]", 'database = "feedsift.db"', 'listen = "127.0.0.1:0"',
             'public_url = "http://127.0.0.1"', "", "[aliases]"]
    lines += ["%s = %s" % (json.dumps(k), toml_value(v)) for k, v in cfg["aliases"].items()]
    for u in feed_urls:
        lines += ["", "[[feed]]", "url = %s" % toml_value(u)]
    for tid, extra in (("korea-russia", []), ("private-korea", ['token = "%s"' % TOKEN])):
        lines += ["", "[[topic]]", 'id = "%s"' % tid]
        lines += ["%s = %s" % (k, toml_value(v)) for k, v in topic.items() if k not in ("id", "token", "feeds")]
        lines += extra
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def get(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def start_daemon(exe, cfg, workdir):
    log = open(os.path.join(workdir, "serve.log"), "w+")
    env = dict(os.environ, RUST_LOG="info", NO_COLOR="1")
    proc = subprocess.Popen([exe, "serve", "--config", cfg], stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        log.seek(0)
        m = re.search(r"listen=(127\.0\.0\.1:\d+)", log.read())
        if m:
            return proc, "http://" + m.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    log.seek(0)
    sys.exit("feedsift serve did not start:\n" + log.read()[-2000:])


def json_feed(body):
    """JSON Feed 1.1 read by its rules (feedparser 6 does not read JSON Feed)."""
    class Parsed(dict):
        __getattr__ = dict.get

    try:
        doc = json.loads(body)
        ok = (doc.get("version") == "https://jsonfeed.org/version/1.1" and isinstance(doc.get("title"), str)
              and all(isinstance(i.get("id"), str) and ("content_html" in i or "content_text" in i)
                      for i in doc.get("items", [])))
        items = [Parsed(id=i["id"], title=i.get("title")) for i in doc.get("items", [])]
        return Parsed(bozo=0 if ok else 1, entries=items, bozo_exception="not JSON Feed 1.1")
    except ValueError as e:
        return Parsed(bozo=1, entries=[], bozo_exception=e)


def feedparser_checks(base):
    import feedparser

    titles = {}
    for path in ("/topics/korea-russia", "/feed"):
        for fmt in FORMATS:
            status, headers, body = get(base + path + "." + fmt)
            d = json_feed(body) if fmt == "json" else feedparser.parse(body)
            check(status == 200 and d.bozo == 0 and len(d.entries) > 0,
                  ("JSON Feed 1.1 rules hold for" if fmt == "json" else "feedparser reads") + " %s.%s: bozo=%s, %d entries%s" % (path, fmt, d.bozo, len(d.entries),
                  (" (" + str(d.get("bozo_exception")) + ")") if d.bozo else ""))
            titles[(path, fmt)] = [e.get("title") for e in d.entries]
            ids = [e.get("id") for e in d.entries]
            check(len(ids) == len(set(ids)), "%s.%s: each story once (ids unique)" % (path, fmt))
            if fmt == "atom":
                check(all(e.get("source", {}).get("title") for e in d.entries),
                      "%s.atom: every entry names its source" % path)
                check(not any("feedsift" in (t.get("scheme") or "") for e in d.entries for t in e.get("tags", [])),
                      "%s.atom: matched terms are not categories" % path)
        same = titles[(path, "atom")] == titles[(path, "rss")] == titles[(path, "json")]
        check(same, "%s: the same stories in the same order in Atom, RSS and JSON Feed" % path)
    return titles[("/topics/korea-russia", "atom")]


def validator_checks(base):
    for path in ("/topics/korea-russia", "/feed"):
        for fmt in ("atom", "rss"):
            url = base + path + "." + fmt
            r = subprocess.run([sys.executable, VALIDATOR, url, "--base", url], capture_output=True, text=True)
            errors = [l for l in r.stdout.splitlines() if l.startswith("error")]
            check(r.returncode == 0, "W3C rules pass for %s.%s %s" % (path, fmt, errors[:3] if errors else r.stdout.strip().splitlines()[-1:]))


def newsboat_checks(base, atom_titles, workdir):
    if not shutil.which("newsboat"):
        check(False, "newsboat is installed")
        return
    for fmt in ("rss", "atom"):
        d = os.path.join(workdir, "newsboat-" + fmt)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        urls, cache, conf = (os.path.join(d, n) for n in ("urls", "cache.db", "config"))
        open(urls, "w").write(base + "/topics/korea-russia." + fmt + "\n")
        open(conf, "w").write("")
        env = dict(os.environ, HOME=d, XDG_CONFIG_HOME=d, XDG_DATA_HOME=d, XDG_CACHE_HOME=d)
        r = subprocess.run(["newsboat", "-u", urls, "-c", cache, "-C", conf, "-x", "reload"],
                           capture_output=True, text=True, env=env, timeout=120)
        rows = []
        if os.path.exists(cache):
            with sqlite3.connect(cache) as db:
                rows = [t for (t,) in db.execute("SELECT title FROM rss_item ORDER BY pubDate DESC, id")]
        check(r.returncode == 0 and sorted(rows) == sorted(atom_titles) and len(rows) == len(set(rows)) == len(atom_titles),
              "newsboat lists the topic's %d stories once each from .%s (%d listed)" % (len(atom_titles), fmt, len(rows)))


def chromium(args, workdir):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", "--user-data-dir=" + tempfile.mkdtemp(dir=workdir)]
    return subprocess.run([exe] + flags + args, capture_output=True, text=True, timeout=120)


def page_checks(base, atom_titles, workdir):
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        check(False, "chromium is installed")
        return
    shots = os.path.join(ROOT, "target", "pages")
    os.makedirs(shots, exist_ok=True)
    pages = {"index": "/", "topic": "/topics/korea-russia", "feeds": "/feeds"}
    for name, path in pages.items():
        dom = chromium(["--dump-dom", base + path], workdir).stdout
        text = re.sub(r"<[^>]+>", " ", dom)
        check("<script" not in dom.lower(), "%s has no script" % path)
        if name in ("index", "topic"):
            check("Korea–Russia relations" in text, "%s shows the topic's title" % path)
            shown = [t for t in atom_titles[:5] if t and html_text(t) in text]
            check(len(shown) == min(5, len(atom_titles)), "%s shows the newest story titles (%d of 5)" % (path, len(shown)))
            check("Also reported by" in text, "%s names the other outlets of a story" % path)
        if name == "feeds":
            feeds = json.loads(get(base + "/feeds", {"Accept": "application/json"})[2])["feeds"]
            listed = [f for f in feeds if html_text(f["title"]) in dom and f["status"] in text]
            check(len(feeds) > 0 and len(listed) == len(feeds),
                  "/feeds lists every configured feed with its status (%d of %d)" % (len(listed), len(feeds)))
        for size, label in (("360,740", "phone"), ("1280,900", "desktop")):
            out = os.path.join(shots, "%s-%s.png" % (name, label))
            chromium(["--window-size=" + size, "--screenshot=" + out, base + path], workdir)
            check(os.path.exists(out) and os.path.getsize(out) > 5000, "screenshot of %s (%s) in %s" % (path, label, os.path.relpath(out, ROOT)))
    for fmt in ("atom", "rss"):
        dom = chromium(["--dump-dom", base + "/topics/korea-russia." + fmt], workdir).stdout
        check("copy its address into your feed reader" in dom and html_text(atom_titles[0]) in dom,
              "the .%s feed opened in a browser shows as a page with a subscribe hint" % fmt)
    index_text = get(base + "/")[2].decode()
    check("private" in index_text and "/topics/private-korea." not in index_text,
          "/ lists the private topic without its links")


def html_text(t):
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def metrics_checks(base):
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    status, headers, body = get(base + "/metrics")
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    want = ["feedsift_polls", "feedsift_fetch_duration_seconds", "feedsift_feeds", "feedsift_entries_total",
            "feedsift_stories_total", "feedsift_matches_total", "feedsift_http_requests",
            "feedsift_database_bytes", "feedsift_config_reloads"]
    missing = [w for w in want if w not in families]
    check(status == 200 and not missing, "/metrics parses as OpenMetrics with SPEC's families (missing: %s)" % missing)
    polls = sum(s.value for s in families["feedsift_polls"].samples if s.name == "feedsift_polls_total") if "feedsift_polls" in families else 0
    check(polls >= 0, "feedsift_polls_total is a counter (%s)" % polls)


def http_checks(base):
    url = base + "/topics/korea-russia.atom"
    status, headers, body = get(url)
    etag = headers.get("etag")
    s2, h2, b2 = get(url, {"If-None-Match": etag})
    check(s2 == 304 and not b2, "a conditional GET with the ETag answers 304 with no body")
    s3, h3, b3 = get(url, {"Accept-Encoding": "gzip"})
    check(s3 == 200 and h3.get("content-encoding") == "gzip", "gzip when asked")
    for fmt in FORMATS:
        s, _, _ = get(base + "/topics/private-korea." + fmt)
        check(s == 401, "private topic .%s answers 401 without its token (%d)" % (fmt, s))
        s, _, b = get(base + "/topics/private-korea." + fmt + "?token=" + TOKEN)
        check(s == 200 and len(b) > 0, "private topic .%s answers 200 with its token" % fmt)
    s, _, _ = get(base + "/topics/private-korea")
    check(s == 401, "private topic page answers 401 without its token")
    s, _, _ = get(base + "/", {"X-Big": "x" * 20000})
    check(s == 431, "request headers over 16 KiB answer 431 (%d)" % s)
    s, h, b = get(base + "/feeds", {"Accept": "application/json"})
    check(s == 200 and json.loads(b)["feeds"], "/feeds answers JSON with Accept: application/json")
    check(get(base + "/topics/nope.atom")[0] == 404, "unknown topic answers 404")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feedsift", default=os.path.join(ROOT, "target", "debug", "feedsift"))
    ap.add_argument("--keep", help="keep the working folder here")
    a = ap.parse_args()
    if not os.path.isdir(NEWS):
        sys.exit("needs %s (the labelled real news)" % NEWS)
    workdir = a.keep or tempfile.mkdtemp(prefix="feedsift-clients-")
    os.makedirs(workdir, exist_ok=True)
    www = os.path.join(workdir, "www")
    shutil.rmtree(www, ignore_errors=True)
    subprocess.run([sys.executable, os.path.join(NEWS, "make_feeds.py"), www], check=True, capture_output=True)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=www))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    proc = None
    try:
        feeds_base = "http://127.0.0.1:%d/" % srv.server_address[1]
        cfg = os.path.join(workdir, "feedsift.toml")
        write_config(cfg, [feeds_base + n for n in sorted(os.listdir(www)) if n.endswith(".xml")])
        for _ in range(2):
            subprocess.run([a.feedsift, "poll", "--config", cfg], check=True, capture_output=True)
        proc, base = start_daemon(a.feedsift, cfg, workdir)
        atom_titles = feedparser_checks(base)
        validator_checks(base)
        newsboat_checks(base, atom_titles, workdir)
        page_checks(base, atom_titles, workdir)
        metrics_checks(base)
        http_checks(base)
        log = open(os.path.join(workdir, "serve.log")).read()
        check(TOKEN not in log, "the private topic's token is never logged")
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=20)
        srv.shutdown()
        if not a.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print("%d checks failed" % len(failures) if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
