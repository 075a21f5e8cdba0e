"""Serves a built site on 127.0.0.1 the way GitHub Pages does: HTML, JSON, JS, CSS, SVG
and XML gzip-compressed when the browser accepts it (Lighthouse then measures what a
visitor downloads, not the raw files). Used by bench/site-audit.sh.

usage: python3 bench/serve-gzip.py PORT SITE_DIR
"""
import gzip
import http.server
import io
import os
import sys

COMPRESSED = (".html", ".json", ".js", ".css", ".svg", ".xml")


class Handler(http.server.SimpleHTTPRequestHandler):
    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and os.path.isfile(path) and path.endswith(COMPRESSED)):
            return super().send_head()
        with open(path, "rb") as f:
            data = gzip.compress(f.read(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

    def log_message(self, *args):
        pass


port, site = int(sys.argv[1]), sys.argv[2]
server = http.server.ThreadingHTTPServer(
    ("127.0.0.1", port), lambda *a, **k: Handler(*a, directory=site, **k)
)
server.serve_forever()
