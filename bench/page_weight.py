"""Page weight of each public page type, as a browser with an empty cache loads it.

The portal runs under gunicorn with production settings on a seeded database. For
each page type (home, funding index, a funding opportunity, a help resource, a news
item, what was funded, search results) the HTML is fetched, then every resource the
page itself asks for: ``<link rel=stylesheet|icon|preload|modulepreload|manifest>``,
``<script src>``, ``src``/``srcset`` of images and media, ``url()`` in ``style``
attributes, and ``url()``/``@import`` inside the stylesheets fetched. Figures:

- bytes: HTML + CSS + JS as served without compression (the target is < 100 KB);
  the note adds what other same-host resources (images, fonts) weigh, and the
  bytes sent when the client accepts gzip (whitenoise's precompressed files);
- requests: the page plus every same-host resource;
- other hosts: resources on any other host (must be 0). Plain links (``<a href>``)
  to other sites are not requests and are not counted.

    .venv/bin/python bench/page_weight.py
"""

import argparse
import gzip
import http.client
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common

TARGET_BYTES = 100 * 1024
FETCHED_LINK_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "preload",
    "modulepreload",
    "manifest",
    "mask-icon",
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


class Resources(HTMLParser):
    """The URLs a page makes the browser fetch, by kind."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []  # (kind, url)
        self.links_out = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            rels = set((attrs.get("rel") or "").lower().split())
            if rels & FETCHED_LINK_RELS:
                kind = "css" if "stylesheet" in rels else "other"
                if rels & {"preload", "modulepreload"} and attrs.get("as") == "script":
                    kind = "js"
                self.found.append((kind, attrs["href"]))
        elif tag == "script" and attrs.get("src"):
            self.found.append(("js", attrs["src"]))
        elif tag == "a" and attrs.get("href"):
            self.links_out.append(attrs["href"])
        else:
            for name in ("src", "poster", "data"):
                if attrs.get(name) and tag != "form":
                    self.found.append(("other", attrs[name]))
            if attrs.get("srcset"):
                for part in attrs["srcset"].split(","):
                    if part.strip():
                        self.found.append(("other", part.strip().split()[0]))
        if attrs.get("style"):
            for match in CSS_URL.finditer(attrs["style"]):
                self.found.append(("other", match.group(2) or match.group(4)))


def fetch(base, path, *, gzip_ok=False):
    """(status, bytes as decoded, bytes on the wire) of one GET."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"User-Agent": "portal-bench"}
    if gzip_ok:
        headers["Accept-Encoding"] = "gzip"
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        wire = len(body)
        if response.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, body, wire
    finally:
        connection.close()


def weigh(base, path):
    """Everything one page makes the browser download."""
    host = urlsplit(base).netloc
    status, html, html_wire = fetch(base, path, gzip_ok=True)
    page_url = base + path
    parser = Resources()
    parser.feed(html.decode("utf-8", "replace"))
    queue = [(kind, urljoin(page_url, url)) for kind, url in parser.found]
    seen, other_hosts, failed = set(), set(), []
    sizes = {"html": len(html), "css": 0, "js": 0, "other": 0}
    wire = html_wire
    requests = 1
    while queue:
        kind, url = queue.pop(0)
        parts = urlsplit(url)
        if parts.scheme == "data" or url.startswith("data:"):
            continue
        if parts.netloc != host:
            other_hosts.add(url)
            continue
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if target in seen:
            continue
        seen.add(target)
        requests += 1
        code, body, sent = fetch(base, target, gzip_ok=True)
        if code != 200:
            failed.append(f"{target} {code}")
            continue
        if kind == "other" and target.endswith(".css"):
            kind = "css"
        elif kind == "other" and target.endswith((".js", ".mjs")):
            kind = "js"
        sizes[kind] += len(body)
        wire += sent
        if kind == "css":
            text = body.decode("utf-8", "replace")
            for match in CSS_URL.finditer(text):
                found = match.group(2) or match.group(4)
                nested = "css" if match.group(4) else "other"
                queue.append((nested, urljoin(url, found)))
    links_out = sorted(
        {
            href
            for href in parser.links_out
            if urlsplit(urljoin(page_url, href)).netloc not in ("", host)
        }
    )
    return {
        "status": status,
        "sizes": sizes,
        "requests": requests,
        "other_hosts": sorted(other_hosts),
        "failed": failed,
        "wire": wire,
        "links_out": links_out,
    }


def first_child_link(base, index_path):
    """The first link to a page below ``index_path`` on that index page."""
    _status, html, _ = fetch(base, index_path)
    pattern = re.escape(index_path) + r"[a-z0-9-]+/"
    found = re.findall(r'href="(' + pattern + ')"', html.decode("utf-8", "replace"))
    if not found:
        raise RuntimeError(f"no page linked below {index_path}")
    return found[0]


def page_types(base):
    return [
        ("home", "/"),
        ("funding index", "/funding/"),
        ("funding page", first_child_link(base, "/funding/")),
        ("help resource", first_child_link(base, "/help/")),
        ("news page", first_child_link(base, "/news/")),
        ("what was funded", "/funded/"),
        ("search", "/search/?q=housing"),
    ]


def run(args) -> list[dict]:
    folder, env, redis_db = common.portal_env_for("weight")
    rows = []
    with common.Server(env, label="weight", log_folder=folder) as server:
        server.start("/healthz/")
        for label, path in page_types(server.base):
            item = weigh(server.base, path)
            sizes = item["sizes"]
            total = sizes["html"] + sizes["css"] + sizes["js"]
            problems = []
            if item["status"] != 200:
                problems.append(f"page answered {item['status']}")
            if item["failed"]:
                problems.append("failed: " + ", ".join(item["failed"][:3]))
            if item["other_hosts"]:
                problems.append("other hosts: " + ", ".join(item["other_hosts"][:3]))
            rows.append(
                common.row(
                    f"weight: {label} ({path})",
                    f"{total / 1024:.1f} KB, {item['requests']} req, "
                    f"{len(item['other_hosts'])} other",
                    ("under 100 KB: met" if total < TARGET_BYTES else "100 KB: NOT met")
                    + ("; 0 other hosts: met" if not item["other_hosts"] else "")
                    + f"; html {sizes['html'] / 1024:.1f} css "
                    f"{sizes['css'] / 1024:.1f} js {sizes['js'] / 1024:.1f}"
                    + (
                        f" img/font {sizes['other'] / 1024:.1f}"
                        if sizes["other"]
                        else ""
                    )
                    + f" KB; {item['wire'] / 1024:.1f} KB sent with gzip"
                    + (f"; {'; '.join(problems)}" if problems else ""),
                    bytes=total,
                    requests=item["requests"],
                    other_hosts=item["other_hosts"],
                    links_out=item["links_out"],
                )
            )
            common.log(
                f"  {label} {path}: {total:,} bytes, {item['requests']} requests"
            )
    common.flush_redis(redis_db)
    return rows


def main(argv=None):
    common.install_cleanup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.common_arguments(parser)
    args = parser.parse_args(argv)
    try:
        rows = run(args)
    finally:
        common.cleanup()
    common.print_table(rows)
    common.write_rows(rows, args.json)


if __name__ == "__main__":
    main()
