#!/usr/bin/env python3
"""Restore transcript files listed in manifest.json that were not copied here.

Some real transcripts in the manifest come from repositories with no licence,
so their bytes are not stored in this folder.  This script puts them back for
local experiments, from the exact commit recorded in the manifest, and checks
each file's sha256 before writing it.

It is a manual tool: it is never imported or run by the test suite, and it
uses only the Python standard library.

Two sources are supported:

  --mirrors DIR   a folder of already-fetched git mirrors, one per repository,
                  named "owner+name" (containing "repo/.git", "repo" as a bare
                  git directory, or "owner+name.git").  Files are read with
                  "git --git-dir=... show COMMIT:PATH".
  --download      fetch https://raw.githubusercontent.com/OWNER/NAME/COMMIT/PATH

By default only entries with "copied": false are restored, into the path given
by their "restore_to" field (relative to this folder, under restored/).  With
--all, copied entries are also fetched and compared with the stored copy (the
stored copy is never overwritten).  With --check, nothing is written.

Examples:
  python3 restore.py --mirrors /work/.mirror
  python3 restore.py --download --only nc_fathom_interview
  python3 restore.py --download --all --check
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "manifest.json")


def _git_dir(mirrors, repository):
    base = os.path.join(mirrors, repository.replace("/", "+", 1))
    for cand in (os.path.join(base, "repo", ".git"), os.path.join(base, "repo"),
                 base + ".git", base):
        if os.path.isfile(os.path.join(cand, "HEAD")):
            return cand
    return None


def from_mirror(mirrors, entry):
    gd = _git_dir(mirrors, entry["repository"])
    if gd is None:
        raise LookupError("no mirror for %s under %s" % (entry["repository"], mirrors))
    spec = "%s:%s" % (entry["commit"], entry["path"])
    return subprocess.run(["git", "--git-dir", gd, "show", spec],
                          check=True, stdout=subprocess.PIPE).stdout


def from_raw(entry, timeout=60):
    owner, name = entry["repository"].split("/", 1)
    path = urllib.request.quote(entry["path"])
    url = "https://raw.githubusercontent.com/%s/%s/%s/%s" % (owner, name, entry["commit"], path)
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--mirrors", metavar="DIR", help="folder of fetched git mirrors")
    src.add_argument("--download", action="store_true", help="use raw.githubusercontent.com")
    ap.add_argument("--all", action="store_true", help="also verify entries that were copied")
    ap.add_argument("--check", action="store_true", help="verify only, write nothing")
    ap.add_argument("--only", metavar="ID", action="append", help="restrict to manifest id(s)")
    args = ap.parse_args(argv)

    with open(MANIFEST, encoding="utf-8") as fh:
        entries = json.load(fh)

    failures = 0
    for e in entries:
        if args.only and e.get("id") not in args.only:
            continue
        if e["copied"] and not args.all:
            continue
        try:
            data = from_mirror(args.mirrors, e) if args.mirrors else from_raw(e)
        except Exception as exc:  # report and go on with the others
            print("FAIL %s: %s" % (e.get("id"), exc))
            failures += 1
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != e["sha256"]:
            print("FAIL %s: sha256 %s != manifest %s" % (e.get("id"), digest, e["sha256"]))
            failures += 1
            continue
        if e["copied"]:
            with open(os.path.join(HERE, e["file"]), "rb") as fh:
                same = fh.read() == data
            print("%s %s (stored copy %s)" % ("ok  " if same else "DIFF", e["id"],
                                              "identical" if same else "differs"))
            failures += 0 if same else 1
            continue
        target = os.path.join(HERE, e["restore_to"])
        if args.check:
            print("ok   %s (%d bytes, not written)" % (e["id"], len(data)))
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(data)
        print("ok   %s -> %s" % (e["id"], os.path.relpath(target, HERE)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
