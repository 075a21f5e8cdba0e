#!/usr/bin/env bash
# Benchmark: `cargo guild site build` on a generated community of 10,000 docs and 2,000
# people (10,000 squash-merged pull requests with Reviewed-by trailers), against Hugo
# rendering the same 10,000 Markdown files with minimal templates.
#
#   bash bench/site.sh            # builds the release binary, generates, times both
#   DOCS=2000 PEOPLE=400 bash bench/site.sh   # smaller
#
# Needs: python3, git, hugo (Debian: apt-get install -y hugo). Prints one line per run.
set -euo pipefail
DOCS=${DOCS:-10000}
PEOPLE=${PEOPLE:-2000}
PRS=${PRS:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$(mktemp -d /tmp/guild-site-bench.XXXXXX)}
BIN=${BIN:-$ROOT/target/release/cargo-guild}

if [ -z "${NO_BUILD:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet)
fi

REPO=$WORK/repo
if [ ! -d "$REPO/.git" ]; then
  mkdir -p "$REPO"
  git -C "$REPO" init -q -b main
  python3 - "$REPO" "$DOCS" "$PEOPLE" "$PRS" <<'PY'
import os, random, subprocess, sys
repo, ndocs, npeople, nprs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(42)
first = ["Ada","Bo","Cy","Di","Eli","Fay","Gus","Hal","Ivy","Jo","Kai","Lu","Mo","Ned","Oz","Pia","Quin","Rae","Sol","Tao"]
people = [(f"{first[i % 20]} Person{i}", f"p{i}@example.com") for i in range(npeople)]
kinds = ["case-rounds", "retrospectives", "decisions", "micro-teach", "guides"]
domains = ["parser", "runtime", "docs", "ci", "ui", "storage", "network", "security"]
tags = ["bug", "performance", "onboarding", "testing", "design", "incident", "release", "api", "refactor", "learning"]
words = "the a review pull request parser token memory cache thread lock queue test build release learn team case round retro decision walkthrough mentor newcomer".split()
def para(n):
    return " ".join(rnd.choice(words) for _ in range(n)).capitalize() + "."
# History through git fast-import: one squash-merged PR per commit, with a reviewer.
out = []
t0 = 1_577_836_800  # 2020-01-01; PRs spread over five years like the docs
span = 157_000_000 // max(nprs, 1)
mark = 0
for n in range(1, nprs + 1):
    a = rnd.randrange(npeople) if n > npeople else n - 1
    r = rnd.randrange(npeople)
    if r == a: r = (r + 1) % npeople
    name, email = people[a]
    rname, remail = people[r]
    t = t0 + n * span
    msg = f"Change {n} in {rnd.choice(domains)} (#{n})\n\nReviewed-by: {rname} <{remail}>\n"
    mark += 1
    out.append(f"commit refs/heads/main\nmark :{mark}\nauthor {name} <{email}> {t} +0000\ncommitter GitHub <noreply@github.com> {t} +0000\ndata {len(msg.encode())}\n{msg}")
    if n > 1: out.append(f"from :{mark-1}\n")
    path = f"src/{rnd.choice(domains)}/f{n % 500}.rs"
    body = f"// change {n}\n"
    out.append(f"M 644 inline {path}\ndata {len(body.encode())}\n{body}\n")
# The docs and guild.yml, in one last commit.
msg = "Add the knowledge base\n"
t = t0 + (nprs + 1) * span
mark += 1
out.append(f"commit refs/heads/main\nmark :{mark}\nauthor {people[0][0]} <{people[0][1]}> {t} +0000\ncommitter {people[0][0]} <{people[0][1]}> {t} +0000\ndata {len(msg)}\n{msg}from :{mark-1}\n")
def doc_path(i):
    kind = kinds[i % len(kinds)]
    y, m, d = 2020 + i % 5, 1 + i % 12, 1 + i % 28
    return f"community/{kind}/{y}-{m:02d}-{d:02d}-topic-{i}.md"
cfg = "name: Example guild\n"
out.append(f"M 644 inline guild.yml\ndata {len(cfg)}\n{cfg}\n")
for i in range(ndocs):
    kind = kinds[i % len(kinds)]
    y, m, d = 2020 + i % 5, 1 + i % 12, 1 + i % 28
    slug = f"topic-{i}"
    authors = ", ".join(people[rnd.randrange(npeople)][1] for _ in range(1 + i % 3))
    tg = ", ".join(sorted({rnd.choice(tags) for _ in range(2)}))
    body = f"""---
title: "Topic {i}: {para(4)[:-1]}"
kind: {kind[:-1] if kind.endswith('s') else kind}
date: {y}-{m:02d}-{d:02d}
authors: [{authors}]
domain: {rnd.choice(domains)}
tags: [{tg}]
---
# Context

{para(40)}

## What we saw

- {para(8)}
- {para(8)}
- {para(8)}

```rust
fn example_{i}() -> u32 {{ {i} }}
```

## What we learned

{para(60)}

> {para(12)}

See also [the previous one](/{doc_path(max(i-1,0))}) and <https://example.org/{i}>.
"""
    data = body.encode()
    out.append(f"M 644 inline {doc_path(i)}\ndata {len(data)}\n")
    out.append(body + "\n")
stream = "".join(out).encode()
subprocess.run(["git", "-C", repo, "fast-import", "--quiet"], input=stream, check=True)
subprocess.run(["git", "-C", repo, "checkout", "-q", "-f", "main"], check=True)
PY
fi

ndocs=$(find "$REPO/community" -name '*.md' | wc -l)
echo "community: $ndocs docs, $(git -C "$REPO" rev-list --count HEAD) commits, $PEOPLE people"

timeit() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }; e=$(date +%s.%N); python3 -c "print(f'{$e-$s:.2f}')"; }

rm -rf "$REPO/.git/guild"
cold=$(timeit "$BIN" guild -C "$REPO" site build --out "$WORK/site")
echo "cargo guild site build (cold cache): ${cold}s  [$(cat "$WORK/err")]"
warm=$(timeit "$BIN" guild -C "$REPO" site build --out "$WORK/site")
echo "cargo guild site build (warm cache): ${warm}s  [$(cat "$WORK/err")]"
echo "site: $(find "$WORK/site" -name '*.html' | wc -l) pages, $(du -sh "$WORK/site" | cut -f1)"

if command -v hugo >/dev/null; then
  H=$WORK/hugo
  rm -rf "$H"; mkdir -p "$H/content" "$H/layouts/_default"
  cp -r "$REPO/community/." "$H/content/"
  # `kind` is Hugo's own page field; rename it in the copy.
  find "$H/content" -name '*.md' -exec sed -i 's/^kind:/category:/' {} +
  printf 'baseURL = "/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n' > "$H/hugo.toml"
  printf '<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><main><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>\n' > "$H/layouts/_default/single.html"
  printf '<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><main><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></main></body></html>\n' > "$H/layouts/_default/list.html"
  cp "$H/layouts/_default/list.html" "$H/layouts/index.html"
  hugo_t=$(cd "$H" && timeit hugo --quiet -d "$WORK/hugo-out")
  echo "hugo $(hugo version | awk '{print $2}') same docs, minimal templates: ${hugo_t}s"
fi
echo "work dir: $WORK"
