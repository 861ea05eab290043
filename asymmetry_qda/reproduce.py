"""One-command reproduction: from the bundled sample study to every published table and figure.

:func:`reproduce` builds a fresh project in a scratch folder from the sample
transcripts, participant attributes, the study codebook and the three sample
coders' codings (shipped with the package, see :mod:`.datasets`; ``data_samples/``
and ``codebooks/`` in the repository); runs the tagger; pseudonymises what the
anonymisation audit finds of high severity (the three slips planted in the
sample); and writes to ``out``:

- ``anonymisation.csv``: every replacement, with its offsets in the
  pseudonymised text and its pseudonym (never the original);

- ``tables/``: every theme table and figure of the lead coder's (LT's)
  confirmed codings, with ``manifest.json`` (see :func:`~.analysis.write_tables`);
- ``reliability/``: agreement of the three coders (pooled and per pair),
  their disagreements, and the tagger scored against LT, with its errors;
- ``codings.csv``: every current coding and suggestion, the tidy frame the
  tables are made from.

Nothing in ``out`` depends on the clock or the scratch folder, so running it
twice gives byte-identical files (the project file itself, which records when
things were done, is not part of the output).

The scratch folder, ``asymmetry-qda-reproduce-<pid>-*`` in the temporary
directory (:func:`tempfile.gettempdir`), holds the project before
pseudonymisation (with the names the audit finds) and, unless ``key`` is given,
the pseudonym key. It is removed however the run ends: on success, on an error,
on Ctrl-C, and on SIGTERM or SIGHUP (turned into ``SystemExit(128 + signal)``
while the run lasts, when no other handler is installed). A run killed outright
(``kill -9``, a power cut) cannot clean up, so every run starts by removing the
scratch folders of earlier runs whose process has ended (each records its
owner's process id, start time and host in ``owner.json``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ._keywords import renamed
from .errors import QDAWarning
from .fileio import write_text_atomically

__all__ = ["SCRATCH_PREFIX", "Reproduction", "reproduce"]

LEAD_CODER = "LT"
CODERS = ("LT", "MK", "RS")
#: The scratch folders of :func:`reproduce` are ``<tempdir>/asymmetry-qda-reproduce-<pid>-<random>``.
SCRATCH_PREFIX = "asymmetry-qda-reproduce-"
_OWNER = "owner.json"
_SCRATCH_NAME = re.compile(re.escape(SCRATCH_PREFIX) + r"(\d+)-[^/\\]+")


@dataclass(frozen=True)
class Reproduction:
    """What :func:`reproduce` wrote, and the headline figures."""

    out: Path
    files: tuple[str, ...]
    documents: int
    suggestions: int
    human_codings: int
    alpha: float
    tagger_f1: float

    def __str__(self) -> str:
        return (f"reproduced the analysis in {self.out}: {len(self.files)} files from {self.documents} documents, "
                f"{self.suggestions} tagger suggestions and {self.human_codings} human codings "
                f"(3 coders' pooled Krippendorff's alpha {self.alpha:.3f}; tagger F1 against {LEAD_CODER} "
                f"{self.tagger_f1:.3f}, sentence unit)")


def _csv(frame: pd.DataFrame, path: Path) -> None:
    from .analysis._report_formats import list_as_text
    from .escaping import neutralise_formulas

    frame = neutralise_formulas(frame.map(list_as_text) if len(frame) else frame)
    write_text_atomically(path, frame.to_csv(index=False, lineterminator="\n"))


# -- the scratch folder ---------------------------------------------------


def _start_time(pid: int) -> str | None:
    """When process ``pid`` started, in clock ticks since boot (Linux), or None where that cannot be read.

    With the process id it tells a live owner from an unrelated process that
    was given the same id later. A zombie (ended, not yet reaped) counts as ended.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()  # after "pid (command) ": state is field 3, starttime field 22
    if len(fields) < 20:
        return None
    return "ended" if fields[0] in ("Z", "X") else fields[19]


def _owner() -> dict:
    return {"pid": os.getpid(), "started": _start_time(os.getpid()), "host": socket.gethostname()}


def _owner_has_ended(owner: dict) -> bool:
    """True only when the process that made a scratch folder has certainly ended (when in doubt: False)."""
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    if owner.get("host") not in (None, socket.gethostname()):
        return False  # a temporary directory shared with another machine: its processes cannot be checked here
    if os.name != "posix":
        return False  # os.kill(pid, 0) would end the process on Windows; left to the system's temp cleaning
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: alive, another user's
        return False
    started = _start_time(pid)
    if started == "ended":
        return True
    recorded = owner.get("started")
    return started is not None and recorded is not None and started != recorded  # the id was reused


def _remove_stale_scratch(tmp: Path) -> list[Path]:
    """Remove the scratch folders of earlier runs whose process has ended; returns those removed."""
    removed = []
    uid = os.getuid() if hasattr(os, "getuid") else None
    for folder in sorted(tmp.glob(SCRATCH_PREFIX + "*")):
        match = _SCRATCH_NAME.fullmatch(folder.name)
        try:
            if not match or folder.is_symlink() or not folder.is_dir():
                continue
            if uid is not None and folder.stat().st_uid != uid:
                continue
        except OSError:
            continue
        try:
            owner = json.loads((folder / _OWNER).read_text(encoding="utf-8"))
            if not isinstance(owner, dict):
                owner = {}
        except (OSError, ValueError):  # killed before owner.json was written: the name holds the pid
            owner = {}
        owner.setdefault("pid", int(match.group(1)))
        if _owner_has_ended(owner):
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(folder)
    return removed


def _raise_system_exit(signum: int, frame) -> None:  # noqa: ARG001 - the signal module's signature
    raise SystemExit(128 + signum)


@contextmanager
def _termination_as_exit() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise SystemExit (so ``finally`` blocks run) instead of
    ending the process on the spot; only where no other handler is installed, and only in the main thread."""
    installed = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            signum = getattr(signal, name, None)
            if signum is not None and signal.getsignal(signum) == signal.SIG_DFL:
                installed[signum] = signal.signal(signum, _raise_system_exit)
    try:
        yield
    finally:
        for signum, previous in installed.items():
            signal.signal(signum, previous)


@contextmanager
def _scratch_folder() -> Iterator[Path]:
    """A new scratch folder owned by this process, removed however the block ends; stale ones go first."""
    tmp = Path(tempfile.gettempdir())
    _remove_stale_scratch(tmp)
    with _termination_as_exit():
        folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=tmp))
        try:
            (folder / _OWNER).write_text(json.dumps(_owner()), encoding="utf-8")
            yield folder
        finally:
            _remove_scratch(folder)


def _remove_scratch(folder: Path) -> None:
    for attempt in range(3):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.2 * (attempt + 1))  # Windows: a file still held open a moment longer
    warnings.warn(f"could not remove the scratch folder {folder}: it holds the sample project before "
                  "pseudonymisation and may hold its key. Fix: delete it by hand", QDAWarning, stacklevel=3)


@renamed(model="pipeline")
def reproduce(out: str | Path, *, samples: str | Path | None = None, codebook: str | Path | None = None,
              pipeline: str = "auto", figures: bool = True, seed: int = 0, key: str | Path | None = None,
              allow_identifiers: bool = False) -> Reproduction:
    """Rebuild the sample analysis into ``out`` (see the module docstring); returns a summary.

    ``samples``: a folder laid out like the bundled sample (``transcripts/``,
    ``participants.csv``, ``codings/``), by default :func:`.datasets.sample_path`;
    ``codebook``: by default :func:`.datasets.study_codebook_path`.
    ``key``: where to keep the pseudonym key of the sample's planted slips
    (by default it is discarded with the scratch folder). ``allow_identifiers``
    lets the export guard pass findings the audit leaves unresolved.
    """
    from .analysis import load
    from .analysis._agreement import agreement, disagreements, pairwise_agreement
    from .analysis._evaluation import evaluate, evaluation_errors
    from .analysis._report import write_tables
    from .datasets import sample_path, study_codebook_path
    from .project import Project

    samples = Path(samples) if samples else sample_path()
    codebook = Path(codebook) if codebook else study_codebook_path()
    out = Path(out)
    (out / "reliability").mkdir(parents=True, exist_ok=True)
    with _scratch_folder() as scratch:
        (scratch / "project").mkdir()
        with Project.create(scratch / "project" / "sample.qda") as project:
            project.ingest(samples / "transcripts", attributes=samples / "participants.csv", pipeline=pipeline)
            run = project.code(codebook, pipeline=pipeline, progress=False)
            project.import_codings(samples / "codings", codebook=codebook)
            # the sample's three planted slips are pseudonymised before anything is written, as a study would;
            # the key goes to ``key`` or is dropped with the scratch folder (the names are invented); never in the
            # project's own folder
            keys = scratch / "keys"
            keys.mkdir()
            pseudonymised = project.pseudonymise(key=Path(key) if key else keys / "sample-key.json", pipeline=pipeline,
                                                 by="reproduce")
            _csv(pseudonymised.replacements, out / "anonymisation.csv")
            project.check_export(f"the reproduction in {out}", allow_identifiers=allow_identifiers)
            data = load(project, coders=[LEAD_CODER])
            write_tables(data, out / "tables", figures=figures, seed=seed, allow_identifiers=allow_identifiers)
            everyone = load(project)
            options = {"units": everyone.units, "texts": everyone.texts, "seed": seed}
            pooled = agreement(everyone.codings, coders=list(CODERS), **options)
            _csv(pooled, out / "reliability" / "agreement.csv")
            _csv(pairwise_agreement(everyone.codings, coders=list(CODERS), **options),
                 out / "reliability" / "agreement_pairs.csv")
            _csv(disagreements(everyone.codings, coders=list(CODERS), units=everyone.units, texts=everyone.texts),
                 out / "reliability" / "disagreements.csv")
            scored = load(project, statuses=("confirmed", "suggested", "rejected"))
            score_options = {"reference": LEAD_CODER, "candidate": "rule", "units": scored.units,
                             "texts": scored.texts}
            evaluation = evaluate(scored.codings, **score_options)
            _csv(evaluation, out / "reliability" / "tagger_evaluation.csv")
            _csv(evaluation_errors(scored.codings, **score_options), out / "reliability" / "tagger_errors.csv")
            codings = project.codings().drop(columns=["run_id", "created_at", "codebook_hash"])
            codings = codings.sort_values(["doc_id", "start", "end", "code_id", "coder_id", "coding_id"])
            _csv(codings.drop(columns=["coding_id", "supersedes"]), out / "codings.csv")
            n_docs = len(project.documents())
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    alpha = float(pooled.set_index("code_id").loc["(pooled)", "krippendorff_alpha"])
    f1 = float(evaluation.set_index("code_id").loc["(micro)", "f1"])
    return Reproduction(out, tuple(files), n_docs, run.added_suggested,
                        int((codings["origin"] == "human").sum()), alpha, f1)
