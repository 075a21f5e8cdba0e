#!/usr/bin/env python3
"""Generates a large, realistic Git repository through `git fast-import`, for benchmarks.

Usage: bench/gen-repo.py DIR [COMMITS]   (default 100000 commits)

The repository has ~2,400 files in a dozen folders (src/<area>/..., tests/, docs/, ...),
about 300 people whose activity follows a power law and who each favour two or three
areas, feature branches merged as GitHub pull requests (`Merge pull request #N from
user/branch`) with `Reviewed-by:` trailers on some, and direct commits in between.
Deterministic: the same arguments give the same repository.
"""

import os
import random
import subprocess
import sys

def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    rnd = random.Random(42)
    areas = ["parser", "lexer", "codegen", "runtime", "net", "ui", "storage", "cli",
             "plugins", "auth"]
    folders = [f"src/{a}" for a in areas] + [f"src/{a}/internal" for a in areas[:4]] + \
        ["tests", "tests/fixtures", "docs", "docs/guide", "scripts", ".github/workflows"]
    files = []
    for f in folders:
        ext = {"docs": "md", "scripts": "sh", ".github": "yml"}.get(f.split("/")[0], "rs")
        for i in range(rnd.randint(60, 180)):
            files.append(f"{f}/file_{i:03d}.{ext}")
    by_folder = {}
    for f in files:
        by_folder.setdefault(f.rsplit("/", 1)[0], []).append(f)
    people = [(f"Person {i}", f"person{i}@example.com") for i in range(300)]
    # Power law: a few people do most of the work.
    weights = [1.0 / (i + 1) ** 1.1 for i in range(len(people))]
    favourite = [rnd.sample(list(by_folder), 3) for _ in people]

    os.makedirs(out, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", out], check=True)
    fi = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=out,
                          stdin=subprocess.PIPE)
    w = fi.stdin.write
    t = 1_500_000_000  # 2017-07-14
    mark = 0
    existing = set()

    def data(b):
        w(b"data %d\n" % len(b))
        w(b)
        w(b"\n")

    def commit(ref, who, msg, parent_marks, changes, committer=None):
        nonlocal mark, t
        mark += 1
        t += rnd.randint(60, 2400)
        name, email = people[who]
        cname, cemail = people[committer if committer is not None else who]
        w(f"commit {ref}\nmark :{mark}\n".encode())
        w(f"author {name} <{email}> {t} +0000\n".encode())
        w(f"committer {cname} <{cemail}> {t} +0000\n".encode())
        data(msg.encode())
        for i, p in enumerate(parent_marks):
            w(f"{'from' if i == 0 else 'merge'} :{p}\n".encode())
        for path in changes:
            if path in existing and rnd.random() < 0.02:
                w(f"D {path}\n".encode())
                existing.discard(path)
            else:
                content = f"{path} changed at {t} by {name}\n".encode()
                w(f"M 100644 inline {path}\n".encode())
                data(content)
                existing.add(path)
        w(b"\n")
        return mark

    def changes_for(who):
        folder = rnd.choice(favourite[who]) if rnd.random() < 0.8 else rnd.choice(list(by_folder))
        n = rnd.choice([1, 1, 1, 2, 2, 3, 4, 6])
        picked = rnd.sample(by_folder[folder], min(n, len(by_folder[folder])))
        if rnd.random() < 0.15:
            picked.append(rnd.choice(files))
        return sorted(set(picked))

    # The first commit adds every file.
    head = commit("refs/heads/main", 0, "Initial import", [], files)
    made = 1
    pr = 0
    while made < total:
        who = rnd.choices(range(len(people)), weights)[0]
        if rnd.random() < 0.4 and made + 3 < total:
            pr += 1
            branch = f"refs/heads/pr-{pr}"
            tip = head
            n = rnd.choice([1, 1, 2, 3])
            for _ in range(n):
                trailer = ""
                if rnd.random() < 0.3:
                    r = rnd.choices(range(len(people)), weights)[0]
                    if r != who:
                        trailer = f"\n\nReviewed-by: {people[r][0]} <{people[r][1]}>"
                tip = commit(branch, who, f"Work on change {pr}{trailer}", [tip], changes_for(who))
                made += 1
            merger = rnd.choices(range(len(people)), weights)[0]
            head = commit("refs/heads/main", merger,
                          f"Merge pull request #{pr} from person{who}/pr-{pr}\n\nChange {pr}",
                          [head, tip], [], committer=merger)
            made += 1
            w(f"reset {branch}\nfrom 0000000000000000000000000000000000000000\n\n".encode())
        else:
            head = commit("refs/heads/main", who, f"Direct change {made}", [head], changes_for(who))
            made += 1
    w(b"done\n")
    fi.stdin.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=out, check=True)
    print(f"{out}: {made} commits, {pr} pull requests, {len(files)} files")

if __name__ == "__main__":
    main()
