#!/bin/sh
# Lighthouse and axe-core over a built site: one page of each kind.
#   bench/site-audit.sh SITE_DIR [NODE_MODULES]
# SITE_DIR is a folder written by `cargo guild site build` (built with base URL `/`);
# NODE_MODULES is a folder with lighthouse@12, axe-core@4 and puppeteer-core@23 installed
# (default /tmp/lh/node_modules: `mkdir /tmp/lh && cd /tmp/lh && npm install lighthouse@12
# axe-core@4 puppeteer-core@23`). Needs python3 (to serve the folder gzip-compressed, as
# GitHub Pages does: bench/serve-gzip.py) and Chromium.
set -eu
site=$1
modules=${2:-/tmp/lh/node_modules}
port=${PORT:-8765}
here=$(cd "$(dirname "$0")" && pwd)
python3 "$here/serve-gzip.py" "$port" "$site" >/dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
sleep 1
# The first person, doc and domain of the site, whatever their names.
person=$(cd "$site" && ls people/*.html | grep -v -e '/index.html' -e '/page-' | head -1)
doc=$(cd "$site" && ls docs/*.html 2>/dev/null | grep -v '/index.html' | head -1 || true)
domain=$(cd "$site" && ls domains/*.html 2>/dev/null | grep -v '/index.html' | head -1 || true)
pages="  people/ $person network.html docs/ newcomers.html search.html?q=a"
[ -n "$doc" ] && pages="$pages $doc"
[ -d "$site/domains" ] && pages="$pages domains/ $domain"
# ES modules resolve packages next to the script: run a copy beside node_modules.
cp "$here/site-audit.mjs" "$(dirname "$modules")/site-audit.mjs"
cd "$(dirname "$modules")"
NODE_PATH=$modules node site-audit.mjs "http://127.0.0.1:$port/" "" $pages
