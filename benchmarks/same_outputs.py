"""Record what the toolkit writes for the sample, to show a refactoring changed nothing a user sees.

``python benchmarks/same_outputs.py record OUT`` runs ``asymmetry-qda reproduce`` and a sequence of CLI
commands with ``--json`` on a fresh project of the sample, and writes into ``OUT``:

- ``reproduce/``: everything ``reproduce`` wrote, byte for byte;
- ``files.json``: the SHA-256 of every file there;
- ``cli.json``: each command line and its ``--json`` output, with what differs between two runs of the same
  code by design (timestamps, random run ids, the scratch folder's path) replaced by placeholders.

``python benchmarks/same_outputs.py compare OLD NEW`` lists every file whose bytes differ and every command
whose output differs; it exits 1 if anything does. Record once before a change (from a checkout of the
commit before it) and once after.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data_samples"
CODEBOOK = REPO / "codebooks" / "asymmetries.yaml"

#: what legitimately differs between two runs: ISO times, uuid4 hex ids of runs and rows, elapsed seconds
_VOLATILE = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?"), "<time>"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<id>"),
    (re.compile(r'"(seconds|elapsed|elapsed_s|duration)": [0-9.e-]+'), r'"\1": <seconds>'),
]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "asymmetry_qda", *args]


def _steps(work: Path) -> list[list[str]]:
    qda = str(work / "study.qda")
    return [
        ["init", qda],
        ["ingest", qda, str(SAMPLES / "transcripts"), "--attributes", str(SAMPLES / "participants.csv"), "--json"],
        ["info", qda, "--json"],
        ["code", qda, "--codebook", str(CODEBOOK), "--json"],
        ["import-codings", qda, str(SAMPLES / "codings"), "--codebook", str(CODEBOOK), "--json"],
        ["info", qda, "--json"],
        ["audit", qda, "--out", str(work / "audit.csv"), "--json"],
        ["review", qda, "--coder", "LT", "--accept", "--rule", "response.blame.scapegoat", "--json"],
        ["tables", qda, "--out", str(work / "tables"), "--coders", "LT", "--allow-identifiers", "--no-figures",
         "--json"],
        ["export-qdpx", qda, str(work / "study.qdpx"), "--allow-identifiers", "--json"],
        ["codebook", "validate", str(CODEBOOK), "--json"],
    ]


def _clean(text: str, work: Path) -> str:
    text = text.replace(str(work), "<work>").replace(str(REPO), "<repo>")
    for pattern, placeholder in _VOLATILE:
        text = pattern.sub(placeholder, text)
    return text


def record(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        reproduced = work / "reproduce"
        done = subprocess.run(_cli("reproduce", "--out", str(reproduced), "--json"), capture_output=True, text=True,
                              cwd=REPO)
        if done.returncode != 0:
            sys.exit(f"reproduce failed ({done.returncode}): {done.stderr[-2000:]}")
        shutil.rmtree(out / "reproduce", ignore_errors=True)
        shutil.copytree(reproduced, out / "reproduce")
        outputs = [{"args": ["reproduce", "--out", "<work>/reproduce", "--json"], "rc": 0,
                    "stdout": _clean(done.stdout, work)}]
        for args in _steps(work):
            done = subprocess.run(_cli(*args), capture_output=True, text=True, cwd=REPO)
            outputs.append({"args": [_clean(a, work) for a in args], "rc": done.returncode,
                            "stdout": _clean(done.stdout, work),
                            "stderr": _clean(done.stderr, work) if done.returncode else ""})
            if done.returncode != 0:
                sys.exit(f"asymmetry-qda {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    files = {str(p.relative_to(out / "reproduce")): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted((out / "reproduce").rglob("*")) if p.is_file()}
    (out / "files.json").write_text(json.dumps(files, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (out / "cli.json").write_text(json.dumps(outputs, indent=1) + "\n", encoding="utf-8")
    print(f"{len(files)} files and {len(outputs)} commands recorded in {out}")


def compare(old: Path, new: Path) -> int:
    a = json.loads((old / "files.json").read_text(encoding="utf-8"))
    b = json.loads((new / "files.json").read_text(encoding="utf-8"))
    differences = [f"only in {old}: {name}" for name in sorted(a.keys() - b.keys())]
    differences += [f"only in {new}: {name}" for name in sorted(b.keys() - a.keys())]
    differences += [f"bytes differ: {name}" for name in sorted(a.keys() & b.keys()) if a[name] != b[name]]
    for before, after in zip(json.loads((old / "cli.json").read_text(encoding="utf-8")),
                             json.loads((new / "cli.json").read_text(encoding="utf-8")), strict=True):
        if before != after:
            differences.append(f"output differs: asymmetry-qda {' '.join(before['args'])}")
    print("\n".join(differences) or f"same: {len(a)} files byte-identical, every command's output the same")
    return 1 if differences else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "record":
        record(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
