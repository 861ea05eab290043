"""Scale: a synthetic N-interview project through every step a study takes, each timed with its peak memory.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--interviews 1000] [--reuse DIR] [--steps ingest,code-1,...]
[--pipeline blank|auto] [--json OUT]``

The project (issue 23) is N interviews of about 10,000 participant words each,
made of turns of 2-8 sentences drawn (seeded) from the sample transcripts'
participant turns as ``bench_tagger.py`` draws them, one participant per
interview with attributes (a participants CSV like
``data_samples/participants.csv``). Three coders' quote tables (like
``data_samples/codings``) code a tenth of the interviews: whole sentences of
the synthetic turns, mostly with the same code, sometimes with another.

The steps, in order (``--steps`` runs some of them; a step reads the project
file the step before it left, so run those first, or reuse a folder where
they ran):

``ingest``
    a fresh project; ingest the transcripts and the participants CSV.
``code-1``, ``code-local2``, ``code-dask2``
    code with the study codebook on one process, ``Local(n_process=2)`` and
    ``Dask(n_workers=2)`` (a local cluster started by the call), each on a copy
    of the ingested project; the one-process copy is kept for the steps after.
``import``
    the three coders' codings (``import_codings``).
``audit``
    the anonymisation audit (``project.audit()``) with the trained pipeline whatever ``--pipeline`` says:
    every export checks the audit made with ``"auto"`` (it is cached keyed by its pipeline), so a blank
    audit would leave the trained one to the first export after it.
``tables``
    every theme table and figure (``analysis.load``, ``build_tables``,
    ``write_tables``).
``agreement``
    agreement of the three coders on sentences, on the coded tenth.
``qdpx``
    a ``.qdpx`` export with the suggestions.
``notebook``
    the calls a researcher makes, each timed on its own: ``Project.open``,
    ``documents()``, ``codings(doc_id=...)``, ``show(doc_id, jupyter=False)``,
    one review decision (``accept`` of one suggestion) and ``quotes(code)``.

Every step runs in a fresh subprocess of this script, so that its peak memory
is its own: the figure is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of that
process (its resident-set peak, the interpreter and imports included), and the
largest ``RUSAGE_CHILDREN`` peak of the processes it waited for (the tagging
pool's workers; Dask's workers are its nanny's children and are not counted).
CPU time is that process's user + system time plus that of its waited-for
children. The project file's size (with its ``-wal``, if any) is compared with
the UTF-8 size of the stored texts plus that of the coded spans' text.

Targets (issue 23): every notebook call under 1 s; memory under 2 GB for every
step (coding under 1 GB per process); the file at most 3x texts plus codings.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CODEBOOK = REPO / "codebooks" / "asymmetries.yaml"
STEPS = ("ingest", "code-1", "code-local2", "code-dask2", "import", "audit", "tables", "agreement", "qdpx",
         "notebook")
CODERS = ("AA", "BB", "CC")
WORDS_PER_INTERVIEW = 10_000
SECOND, GIGABYTE = 1.0, 1024.0  # targets: seconds per notebook call, MB of memory
QUESTIONS = ("And then what happened?", "How did that feel at the time?", "Who did you tell?",
             "Can you say more about that?", "What did your sergeant say?", "Was that usual?")
RANKS = ("PC", "Sergeant", "Inspector", "Chief Inspector", "Superintendent")
FUNCTIONS = ("response", "neighbourhood", "investigation", "custody", "roads policing")


# -- the synthetic project -----------------------------------------------------
def sentences_of_samples() -> list[str]:
    """Every sentence of the sample corpus's participant turns (as ``bench_tagger.corpus`` splits them)."""
    from asymmetry_qda.readers import LabelConfig, read_source

    sentences = []
    for path in sorted((REPO / "data_samples" / "transcripts").iterdir()):
        for doc in read_source(path, labels=LabelConfig()):
            for turn in doc.turns:
                if not turn.is_interviewer:
                    text = doc.text[turn.start:turn.end]
                    sentences.extend(s for s in re.split(r"(?<=[.?!])\s+", text) if s.strip())
    return sentences


def make_inputs(folder: Path, interviews: int, seed: int = 7) -> None:
    """Write ``in/`` (transcripts), ``participants.csv`` and ``codings/<coder>/*.csv`` into ``folder``."""
    from asymmetry_qda.codebook import load_codebook

    rng = random.Random(seed)
    sentences = sentences_of_samples()
    codes = sorted(c.id for c in load_codebook(CODEBOOK).codes)
    (folder / "in").mkdir(parents=True)
    for coder in CODERS:
        (folder / "codings" / coder).mkdir(parents=True)
    coded = set(range(0, interviews, 10))  # a tenth of the interviews
    with open(folder / "participants.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["doc_id", "participant_id", "pseudonym", "rank", "function", "data_type", "leader",
                      "years_service"])
        for i in range(interviews):
            out.writerow([f"INT{i:05d}", f"P{i:05d}", f"Pseud{i:05d}", rng.choice(RANKS), rng.choice(FUNCTIONS),
                          "interview", rng.choice(("yes", "")), rng.randint(1, 30)])
    for i in range(interviews):
        doc_id, parts, words, picked = f"INT{i:05d}", [], 0, []
        while words < WORDS_PER_INTERVIEW:
            turn = [rng.choice(sentences) for _ in range(rng.randint(2, 8))]
            parts.append(f"Interviewer: {rng.choice(QUESTIONS)}\n\nP{i:05d}: {' '.join(turn)}\n\n")
            words += sum(len(s.split()) for s in turn)
            if i in coded and rng.random() < 0.3:
                picked.append(rng.choice(turn))
        text = "".join(parts)
        (folder / "in" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        if i in coded:
            write_codings(folder, doc_id, text, picked, codes, rng)


def write_codings(folder: Path, doc_id: str, text: str, quotes: list[str], codes: list[str],
                  rng: random.Random) -> None:
    """Each coder's quote table for one interview: the same code 80 % of the time, another or none otherwise."""
    rows: dict[str, list[list]] = {c: [] for c in CODERS}
    seen: set[tuple[str, int]] = set()
    for quote in quotes:
        starts = [m.start() for m in re.finditer(re.escape(quote), text)]
        occurrence = rng.randint(1, len(starts))
        if (quote, occurrence) in seen:
            continue
        seen.add((quote, occurrence))
        code = rng.choice(codes)
        for coder in CODERS:
            draw = rng.random()
            if draw < 0.8:
                rows[coder].append([doc_id, code, quote, occurrence, ""])
            elif draw < 0.9:
                rows[coder].append([doc_id, rng.choice(codes), quote, occurrence, "synthetic"])
    for coder, table in rows.items():
        with open(folder / "codings" / coder / f"{doc_id}.csv", "w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(["doc_id", "code", "quote", "occurrence", "memo"])
            out.writerows(table)


# -- the steps (each runs in a subprocess: ``--run-step NAME``) -----------------
def fresh_copy(folder: Path, source: str, target: str) -> Path:
    path = folder / target
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copy(folder / source, path)
    return path


def step(name: str, folder: Path, pipeline: str) -> dict:
    """Run one step on the project files in ``folder``; returns extra figures (the timing is the caller's)."""
    from asymmetry_qda import Project

    if name == "ingest":
        path = folder / "ingested.qda"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        with Project.create(path) as project:
            project.ingest(folder / "in", pipeline=pipeline, attributes=folder / "participants.csv")
            info = project.info()
            return {"documents": int(len(project.documents())), "words": int(info.loc["total", "words"])}
    if name.startswith("code-"):
        from asymmetry_qda.backends import Dask, Local

        backend = {"code-1": Local(), "code-local2": Local(n_process=2), "code-dask2": Dask(n_workers=2)}[name]
        target = "coded.qda" if name == "code-1" else f"{name}.qda"
        path = fresh_copy(folder, "ingested.qda", target)
        with Project.open(path) as project:
            project.code(CODEBOOK, pipeline=pipeline, progress=False, backend=backend)
            n = len(project.suggestions())
        if name != "code-1":
            path.unlink()
        return {"suggestions": int(n)}
    if name == "import":
        path = fresh_copy(folder, "coded.qda", "imported.qda")
        with Project.open(path) as project:
            added = project.import_codings(folder / "codings")
            return {"codings added": int(added["added"].sum())}
    path = folder / "imported.qda"
    if name == "audit":
        from asymmetry_qda.anonymise import guard

        pipeline = getattr(guard.check_export, "audit_pipeline", "auto")
        with Project.open(path) as project:
            return {"findings": int(len(project.audit(pipeline=pipeline))), "audit pipeline": pipeline}
    if name == "tables":
        from asymmetry_qda.analysis import build_tables, load, write_tables

        phases = {}
        with Project.open(path) as project:
            data = phase(phases, "load", lambda: load(project))
            tables = phase(phases, "build_tables", lambda: build_tables(data))
            out = folder / "tables"
            shutil.rmtree(out, ignore_errors=True)
            manifest = phase(phases, "write_tables", lambda: write_tables(data, out, tables=tables,
                                                                          allow_identifiers=True))
        return {"tables": len(tables), "files": len(manifest["files"]), "phases": phases}
    if name == "agreement":
        from asymmetry_qda.analysis import agreement, load

        with Project.open(path) as project:
            data = load(project, coders=list(CODERS))
            documents = sorted(set(data.codings["doc_id"]))
            table = agreement(data.codings, coders=list(CODERS), unit="sentence", units=data.units,
                              texts=data.texts, documents=documents)
        return {"rows": int(len(table)), "documents": len(documents)}
    if name == "qdpx":
        out = folder / "export.qdpx"
        with Project.open(path) as project:
            project.export_qdpx(out, include_suggestions=True, allow_identifiers=True)
        return {"megabytes": round(out.stat().st_size / 1e6, 1)}
    if name == "notebook":
        return notebook(fresh_copy(folder, "imported.qda", "notebook.qda"))
    raise SystemExit(f"unknown step {name!r}; the steps are {', '.join(STEPS)}")


def phase(phases: dict, label: str, call):
    """Run ``call``, recording its wall seconds and the process's peak memory (MB) when it returned."""
    start = time.perf_counter()
    value = call()
    phases[label] = {"wall_s": round(time.perf_counter() - start, 3),
                     "peak_mb_after": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    return value


def notebook(path: Path) -> dict:
    """The notebook calls, each timed on its own (wall seconds); reading calls twice, first call and again.

    The first call pays for the imports it needs (as it would in a fresh kernel); ``again`` is the call's own cost.
    """
    from asymmetry_qda import Project

    calls = {}

    def timed(label, call, twice=True):
        start = time.perf_counter()
        value = call()
        calls[label] = time.perf_counter() - start
        if twice:
            start = time.perf_counter()
            value = call()
            calls[f"{label} again"] = time.perf_counter() - start
        return value

    project = timed("Project.open", lambda: Project.open(path), twice=False)
    documents = timed("documents()", project.documents)
    doc_id = sorted(documents["doc_id"])[0]
    codings = timed(f"codings(doc_id={doc_id!r})", lambda: project.codings(doc_id=doc_id))
    timed(f"show({doc_id!r}, jupyter=False)", lambda: project.show(doc_id, jupyter=False))
    pending = codings[codings["status"] == "suggested"]
    if len(pending):
        timed("accept(one suggestion)", lambda: project.accept(pending["coding_id"].iloc[0], coder="AA"),
              twice=False)
    human = codings[codings["status"] == "confirmed"]
    chosen = human if len(human) else codings
    leaves = chosen[chosen["code_id"].str.contains(".", regex=False)]
    code = (leaves if len(leaves) else chosen)["code_id"].iloc[0]
    theme = code.split(".")[0]
    # a code (its passages are in a few documents) and its whole theme (in most of the coded documents)
    timed(f"quotes({code!r})", lambda: project.quotes(code))
    timed(f"quotes({theme!r}) (the theme)", lambda: project.quotes(theme))
    project.close()
    return {"calls": calls}


def run_step(name: str, folder: Path, pipeline: str, audit_pipeline: str = "auto") -> dict:
    """Time one step in this process: wall and CPU seconds, peak memory of this process and of its children.

    ``audit_pipeline`` is the pipeline of the audit step and of the export guard (which audits the project, or
    reads the audit's cached result, before every export of participants' words).
    """
    warnings.simplefilter("ignore")
    if audit_pipeline != "auto":
        from asymmetry_qda.anonymise import guard

        original = guard.check_export

        def check_export(*args, **kwargs):  # every export's guard, whatever pipeline its caller names
            return original(*args, **{**kwargs, "pipeline": audit_pipeline})

        check_export.audit_pipeline = audit_pipeline
        guard.check_export = check_export
    wall, before = time.perf_counter(), os.times()
    extra = step(name, folder, pipeline)
    after = os.times()
    cpu = sum(after[:4]) - sum(before[:4])
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"step": name, "wall_s": time.perf_counter() - wall, "cpu_s": cpu, "peak_mb": own,
            "children_peak_mb": children, **extra}


# -- the driver ----------------------------------------------------------------
def sizes(folder: Path) -> dict:
    """The project file (with its WAL) against the texts plus the coded spans' text, in MB."""
    import sqlite3

    path = folder / "imported.qda"
    file_mb = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()) / 1e6
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        texts = sum(len(t.encode("utf-8")) for (t,) in db.execute("SELECT text FROM documents"))
    finally:
        db.close()
    from asymmetry_qda import Project

    with Project.open(path) as project:
        coded = int(project.codings()["text"].fillna("").str.encode("utf-8").str.len().sum())
    return {"file_mb": file_mb, "texts_mb": texts / 1e6, "codings_text_mb": coded / 1e6,
            "ratio": file_mb / ((texts + coded) / 1e6), "largest_mb": largest(path)}


def largest(path: Path, n: int = 6) -> dict:
    """The ``n`` largest tables and indexes of the project file, in MB (SQLite's ``dbstat``, if compiled in)."""
    import sqlite3

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT name, SUM(pgsize) AS size FROM dbstat GROUP BY name ORDER BY size DESC LIMIT ?",
                          (n,)).fetchall()
    except sqlite3.Error:
        return {}
    finally:
        db.close()
    return {name: round(size / 1e6, 2) for name, size in rows}


def targets(row: dict) -> list[tuple[str, str, bool]]:
    """(figure, target, met) for one step's row."""
    out = []
    coding = row["step"].startswith("code-")
    limit = GIGABYTE if coding else 2 * GIGABYTE
    out.append((f"peak {row['peak_mb']:,.0f} MB", f"< {limit:,.0f} MB", row["peak_mb"] < limit))
    if coding and row["children_peak_mb"]:
        out.append((f"worker peak {row['children_peak_mb']:,.0f} MB", f"< {GIGABYTE:,.0f} MB",
                    row["children_peak_mb"] < GIGABYTE))
    for label, seconds in row.get("calls", {}).items():
        out.append((f"{label} {seconds:.3f} s", f"< {SECOND:.0f} s", seconds < SECOND))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--reuse", type=Path, help="build the inputs and projects here once and reuse them")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma list of: " + ", ".join(STEPS))
    parser.add_argument("--pipeline", choices=("blank", "auto"), default="auto")
    parser.add_argument("--audit-pipeline", choices=("blank", "auto"), default="auto",
                        help="the pipeline of the audit step and of the export guard's audit (blank: patterns only, "
                             "no NER; for the largest runs, where NER would take an hour)")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--run-step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_step:
        print(json.dumps(run_step(args.run_step, args.reuse, args.pipeline, args.audit_pipeline)))
        return
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        parser.error(f"unknown steps {', '.join(unknown)}; the steps are {', '.join(STEPS)}")
    scratch = None
    if args.reuse is None:
        scratch = tempfile.TemporaryDirectory()
        folder = Path(scratch.name)
    else:
        folder = args.reuse.resolve()
        folder.mkdir(parents=True, exist_ok=True)
    marker = folder / "interviews.txt"
    if marker.exists() and marker.read_text().strip() != str(args.interviews):
        raise SystemExit(f"{folder} holds {marker.read_text().strip()} interviews, not {args.interviews}")
    try:
        if not marker.exists():
            start = time.perf_counter()
            make_inputs(folder, args.interviews)
            marker.write_text(str(args.interviews))
            print(f"wrote {args.interviews} synthetic interviews to {folder} in {time.perf_counter() - start:.1f} s")
        rows = []
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH"))
                                                           if p)}
        for name in steps:
            done = subprocess.run([sys.executable, __file__, "--run-step", name, "--reuse", str(folder),
                                   "--pipeline", args.pipeline, "--audit-pipeline", args.audit_pipeline], env=env,
                                  capture_output=True, text=True)
            if done.returncode:
                sys.stderr.write(done.stderr)
                raise SystemExit(f"step {name} failed (exit {done.returncode})")
            row = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(f"{name:<12} wall {row['wall_s']:8.1f} s  cpu {row['cpu_s']:8.1f} s  peak {row['peak_mb']:7,.0f} MB"
                  f"  children {row['children_peak_mb']:7,.0f} MB", flush=True)
        size = sizes(folder) if (folder / "imported.qda").exists() else None
        report(args, rows, size)
    finally:
        if scratch is not None:
            scratch.cleanup()


def report(args, rows: list[dict], size: dict | None) -> None:
    print(f"\n{args.interviews} interviews, pipeline={args.pipeline}, audit pipeline={args.audit_pipeline}")
    print(f"{'step':<12} {'wall s':>9} {'cpu s':>9} {'peak MB':>9}  figures against the targets")
    missed = []
    for row in rows:
        checks = targets(row)
        extra = {k: v for k, v in row.items() if k not in ("step", "wall_s", "cpu_s", "peak_mb",
                                                             "children_peak_mb", "calls", "phases")}
        print(f"{row['step']:<12} {row['wall_s']:9.2f} {row['cpu_s']:9.2f} {row['peak_mb']:9,.0f}  "
              + ", ".join(f"{k} {v}" for k, v in extra.items()))
        for label, figures in row.get("phases", {}).items():
            print(f"{'':<12}   {label:<16} {figures['wall_s']:9.2f} s, peak {figures['peak_mb_after']:,} MB when done")
        for figure, target, met in checks:
            print(f"{'':<12}   {figure:<48} target {target:<10} {'ok' if met else 'MISSED'}")
            if not met:
                missed.append(f"{row['step']}: {figure} (target {target})")
        row["targets"] = [{"figure": f, "target": t, "met": m} for f, t, m in checks]
    if size:
        met = size["ratio"] <= 3
        print(f"project file {size['file_mb']:.1f} MB; texts {size['texts_mb']:.1f} MB + codings' text "
              f"{size['codings_text_mb']:.1f} MB: {size['ratio']:.2f}x (target <= 3x) {'ok' if met else 'MISSED'}")
        if size["largest_mb"]:
            print("  largest in the file (MB): " + ", ".join(f"{k} {v}" for k, v in size["largest_mb"].items()))
        if not met:
            missed.append(f"file size {size['ratio']:.2f}x texts+codings (target <= 3x)")
    print("all targets met" if not missed else "missed: " + "; ".join(missed))
    if args.json:
        args.json.write_text(json.dumps({"interviews": args.interviews, "pipeline": args.pipeline,
                                         "audit_pipeline": args.audit_pipeline, "steps": rows,
                                         "size": size, "missed": missed}, indent=2))


if __name__ == "__main__":
    main()
