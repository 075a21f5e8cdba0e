#!/usr/bin/env python3
"""Writes REPOS exported ledgers (schema version 2, JSON Lines) with EVENTS events in all,
for the organisation-scale benchmark (bench/org.sh). People overlap across repositories: each
repository draws its people from one pool of logins, so the merge has real joins to make.
Each commit changes two of the repository's 1,000 files (a `commit` row), and a `files` row
lists them all, as `cargo guild export` writes them.

Usage: gen_ledgers.py OUT_DIR [REPOS] [EVENTS] [PEOPLE]
"""
import hashlib
import json
import random
import sys

SALT = "cargo-guild/ledger/v1:"


def commit_id(*parts):
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


def main():
    out = sys.argv[1]
    repos = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    events = int(sys.argv[3]) if len(sys.argv) > 3 else 2_000_000
    pool = int(sys.argv[4]) if len(sys.argv) > 4 else 5_000
    per_repo = events // repos
    rnd = random.Random(18)
    # Paths from their own generator: the people and events stay those of version 1.
    prnd = random.Random(2)
    files = [f"src/m{m:02}/f{f:02}.rs" for m in range(20) for f in range(50)]
    import os

    os.makedirs(out, exist_ok=True)
    for r in range(repos):
        name = f"repo{r:04}"
        start = 1_500_000_000 + r * 3600
        people = sorted(rnd.sample(range(pool), min(pool, 40 + rnd.randrange(120))))
        rows = [
            {"table": "ledger", "schema_version": 2, "repository": name,
             "head": commit_id(name, "head"), "as_of": start + per_repo * 600,
             "generator": "bench/gen_ledgers.py"}
        ]
        for p in people:
            mail = hashlib.sha256((SALT + f"user{p}@example.com").encode()).hexdigest()
            rows.append({"table": "person", "repository": name, "id": f"user{p}",
                         "name": f"User {p}", "names": [[f"User {p}", 1]],
                         "logins": [f"user{p}"], "email_hashes": [mail],
                         "is_bot": False, "opted_out": False, "events": 1})
        t = start
        n = 0
        pr = 0
        prs = []
        changed = []
        while n < per_repo:
            pr += 1
            author = f"user{rnd.choice(people)}"
            merge = commit_id(name, pr)
            t += 600
            base = {"repository": name, "source": "git", "state": None,
                    "pr_number": pr, "pr_merge": merge, "target_pr_number": None,
                    "target_pr_merge": None, "target_commit": None, "target_doc": None,
                    "domains": []}
            commits = []
            for c in range(2):
                cid = commit_id(name, pr, c)
                commits.append(cid)
                changed.append({"table": "commit", "repository": name, "commit": cid,
                                "paths": sorted(prnd.sample(files, 2))})
                rows.append({**base, "table": "event", "time": t, "kind": "commit",
                             "person": author, "other": None, "target": "commit",
                             "target_commit": cid})
            rows.append({**base, "table": "event", "time": t, "kind": "pr_merged",
                         "person": author, "other": None, "target": "pr",
                         "target_pr_number": pr, "target_pr_merge": merge})
            reviewers = sorted({f"user{rnd.choice(people)}" for _ in range(2)} - {author})
            for rv in reviewers:
                rows.append({**base, "table": "event", "time": t, "kind": "review",
                             "person": rv, "other": author, "target": "pr",
                             "target_pr_number": pr, "target_pr_merge": merge})
            n += 3 + len(reviewers)
            prs.append({"table": "pull_request", "repository": name, "number": pr,
                        "merge_commit": merge, "title": f"Change {pr}", "author": author,
                        "merged_at": t, "created_at": t - 3600, "merged_by": reviewers[0] if reviewers else None,
                        "reviewers": reviewers, "first_response_at": None, "labels": [],
                        "paths": [], "commits": commits, "from_git": True, "from_github": False})
        # Events sorted by time only matter to the merge, which sorts them again.
        with open(f"{out}/{name}.jsonl", "w") as f:
            tree = [{"table": "files", "repository": name, "paths": files}]
            for row in rows + prs + changed + tree:
                f.write(json.dumps(row, separators=(",", ":")))
                f.write("\n")


if __name__ == "__main__":
    main()
