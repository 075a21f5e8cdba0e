#!/usr/bin/env python3
"""Generates a realistic Git repository for benchmarks with `git fast-import`.

Usage: gen_repo.py DIR [COMMITS]   (default 100000 commits)

History shape: a `main` branch whose first-parent line is made of
- GitHub merge commits ("Merge pull request #N from login/branch") of 1-3 commit branches,
- squash merges ("Title (#N)") committed by GitHub,
- direct commits with trailers (Reviewed-by, Acked-by, Signed-off-by, Co-authored-by...),
by 600 people (some with noreply addresses, some with two spellings of their name), touching
files in a dozen folders. Deterministic (fixed seed)."""

import os
import random
import subprocess
import sys

def main():
    out = sys.argv[1]
    target = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    rnd = random.Random(42)
    people = []
    for i in range(600):
        login = f"dev{i:03d}"
        name = f"Developer {i:03d}"
        email = f"{i}+{login}@users.noreply.github.com" if i % 3 == 0 else f"{login}@example.com"
        people.append((name, email, login))
    folders = ["src/core", "src/net", "src/parser", "src/ui", "src/db", "docs", "tests", "bench",
               "tools", "src/auth", "src/api", "community/case-round"]
    files = [f"{f}/file{j}.rs" for f in folders for j in range(40)]
    os.makedirs(out, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", out], check=True)
    p = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=out, stdin=subprocess.PIPE)
    w = p.stdin
    t = 1_400_000_000
    mark = 0
    count = 0
    pr = 0
    main_tip = None

    def commit(ref, author, committer, when, msg, parents, path):
        nonlocal mark
        mark += 1
        data = msg.encode()
        content = f"{mark}\n".encode()
        w.write(f"commit {ref}\nmark :{mark}\n".encode())
        w.write(f"author {author[0]} <{author[1]}> {when} +0000\n".encode())
        w.write(f"committer {committer[0]} <{committer[1]}> {when} +0000\n".encode())
        w.write(f"data {len(data)}\n".encode() + data + b"\n")
        if parents:
            w.write(f"from :{parents[0]}\n".encode())
            for extra in parents[1:]:
                w.write(f"merge :{extra}\n".encode())
        if path:
            w.write(f"M 644 inline {path}\ndata {len(content)}\n".encode() + content + b"\n")
        w.write(b"\n")
        return mark

    # A few people do most of the work, as in real projects (Zipf-like weights).
    cum, acc = [], 0.0
    for i in range(len(people)):
        acc += 1.0 / (i + 1) ** 0.9
        cum.append(acc)

    def person():
        i = rnd.choices(range(len(people)), cum_weights=cum)[0]
        name, email, login = people[i]
        if i % 10 == 1 and rnd.random() < 0.3:
            name = name.upper()
        return (name, email, login)

    github = ("GitHub", "noreply@github.com")
    while count < target:
        t += rnd.randrange(60, 3600)
        style = rnd.random()
        pr += 1
        author = person()
        if style < 0.6 and main_tip is not None:
            k = rnd.randrange(1, 4)
            tip = main_tip
            for j in range(k):
                t += 30
                msg = f"Work on feature {pr} part {j}\n\nDetails of the change.\n"
                if rnd.random() < 0.2:
                    co = person()
                    msg += f"\nCo-authored-by: {co[0]} <{co[1]}>\n"
                tip = commit("refs/heads/main", author[:2], author[:2], t, msg, [tip], rnd.choice(files))
                count += 1
            merger = person()
            t += 60
            msg = f"Merge pull request #{pr} from {author[2]}/feature-{pr}\n\nFeature {pr}: improve things\n"
            main_tip = commit("refs/heads/main", merger[:2], merger[:2], t, msg, [main_tip, tip], None)
            count += 1
        elif style < 0.85:
            msg = f"Fix bug number {pr} (#{pr})\n\nSquashed.\n"
            parents = [main_tip] if main_tip else []
            main_tip = commit("refs/heads/main", author[:2], github, t, msg, parents, rnd.choice(files))
            count += 1
        else:
            rev = person()
            msg = f"Direct change {pr}\n\nA body line.\n\nReviewed-by: {rev[0]} <{rev[1]}>\n"
            if rnd.random() < 0.5:
                acker = person()
                msg += f"Acked-by: {acker[0]} <{acker[1]}>\n"
            msg += f"Signed-off-by: {author[0]} <{author[1]}>\n"
            parents = [main_tip] if main_tip else []
            main_tip = commit("refs/heads/main", author[:2], author[:2], t, msg, parents, rnd.choice(files))
            count += 1
    w.write(b"done\n")
    w.close()
    if p.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=out, check=True)
    print(f"{out}: {count} commits, {pr} pull requests/changes")

if __name__ == "__main__":
    main()
