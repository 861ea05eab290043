"""Apply a pseudonym plan to a project, and keep the key outside it.

:func:`pseudonymise_project` replaces the planned stretches of every document
(see :mod:`.pseudonyms`) and moves everything that points into the texts so
that it still covers the same words: codings (current and superseded, with
their evidence offsets), memos, segments and dismissed findings. In one
transaction it also

* pseudonymises every earlier version of every document kept for history, and
  the codings made on them, with the same originals;
* replaces the originals, whole words and in any case, in free text: memos,
  coding notes, rule triggers, speaker names, and the sentence texts of stored
  suggester training sets;
* records the run (counts only) in ``runs``.

The key, original to pseudonym with every replacement's new offsets, is
written to a JSON file that must not sit beside the project file; the
original document texts go into it only with ``keep_original``. Nothing of
the originals is left in the project: the file is vacuumed afterwards, so
freed pages do not keep old text either.

Pseudonymisation is the one operation that rewrites stored codings and memos
instead of appending: their whole point is that the original words leave the
project. Every coding keeps its id, coder, code, status, time and place in
its supersedes chain; only offsets, the text hash and text fields change.

A replacement that cuts through a coding's or memo's boundary (the coded span
starts or ends inside a name) is handled as ``boundary`` says: ``expand``
(default) widens the span to the whole pseudonym, ``shrink`` narrows it to
leave the pseudonym out, ``error`` refuses and lists every such coding. Each
widened or narrowed coding is listed in the report.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
import warnings
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Problem, QDAError, QDAWarning
from ..fileio import KEY_FORMAT, write_text_atomically
from ..interrupts import deferred_interrupts
from ..records import text_sha256
from ..store import meta as stored_meta
from ..store import pseudonymisation as stored
from ..store.sqlite import Store, utc_now
from . import key_file
from .audit import is_attribute_location
from .key_file import KEY_WARNING, load_key, outside_project_folder  # noqa: F401 - importable from here
from .pseudonyms import WORD_AFTER, WORD_BEFORE, Boundary, OffsetMap, check_plan, literal_alternation, replace_spans

__all__ = ["KEY_FORMAT", "PseudonymisationReport", "load_key", "pseudonymise_project"]

BOUNDARIES = ("expand", "shrink", "error")
REPLACEMENT_COLUMNS = ["doc_id", "start", "end", "pseudonym", "kind", "severity", "source"]
ADJUSTED_COLUMNS = ["what", "id", "doc_id", "code_id", "coder_id", "old_start", "old_end", "new_start", "new_end",
                    "action"]


@dataclass(frozen=True)
class PseudonymisationReport:
    """What :func:`pseudonymise_project` changed; holds no original.

    ``replacements``: one row per replacement, with its offsets in the new
    text. ``adjusted``: codings and memos whose boundary a replacement cut,
    with old and new offsets and what was done.
    """

    run_id: str
    key: Path
    documents: int
    replacements: pd.DataFrame
    adjusted: pd.DataFrame
    moved: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        by_label = self.replacements["pseudonym"].str.extract(r"\[([^\]-]+)")[0].value_counts().sort_index()
        labels = ", ".join(f"{k} {v}" for k, v in by_label.items())
        moved = ", ".join(f"{v} {k}" for k, v in self.moved.items() if v)
        return (f"pseudonymised {len(self.replacements)} stretches in {self.documents} documents"
                f"{f' ({labels})' if labels else ''}; moved {moved or 'nothing'}; "
                f"{len(self.adjusted)} coding/memo boundaries adjusted; key written to {self.key.name} (its folder is "
                f"not printed, so a shared notebook or log does not say where the key is kept: `.key` holds it)")


def _finder(mapping: Mapping[str, str], *, ignore_case: bool) -> Callable[[str], list[tuple[int, int, str]]]:
    """A function listing every whole-word original in a text as ``(start, end, pseudonym)``."""
    lookup = {(k.casefold() if ignore_case else k): v for k, v in mapping.items()}
    pattern = re.compile(WORD_BEFORE + literal_alternation(lookup) + WORD_AFTER, re.IGNORECASE if ignore_case else 0)

    def find(text: str) -> list[tuple[int, int, str]]:
        out = []
        for m in pattern.finditer(text):
            word = " ".join(m.group().split())
            out.append((m.start(), m.end(), lookup[word.casefold() if ignore_case else word]))
        return out

    return find


def _scrubber(find: Callable[[str], list[tuple[int, int, str]]]) -> Callable[[Any], Any]:
    """A function replacing what ``find`` lists in a string by its pseudonym (other values pass through)."""
    return lambda text: replace_spans(text, find(text)) if isinstance(text, str) else text


def _scrub_json(value: Any, scrub) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_json(v, scrub) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, scrub) for k, v in value.items()}
    return value


def pseudonymise_project(
    store: Store,
    plan: pd.DataFrame,
    *,
    key: str | Path,
    boundary: Boundary = "expand",
    keep_original: bool = False,
    by: str | None = None,
) -> PseudonymisationReport:
    """Apply ``plan`` (see :func:`.pseudonyms.plan_pseudonyms`) to the project in ``store``.

    ``key`` is the key file to write (extended if it exists: it must be this
    project's). Everything happens in one transaction, which starts before
    anything is read (so a second run, or another writer, waits and then
    sees what this one wrote). The key is written (flushed to disk and
    renamed into place) before the commit, with Ctrl-C held back from the
    key write until the commit has returned, and it is never deleted
    afterwards: a crash at any point leaves the old project with a key
    that still explains it, or the new project with a key that explains
    it. Replacements a key lists for a run the project never committed (a
    crash between key and commit) are dropped the next time the key is
    written.
    """
    if boundary not in BOUNDARIES:
        raise InputError(Problem("boundary", f"{boundary!r} is not one of {', '.join(BOUNDARIES)}",
                                 fix="pass boundary='expand', 'shrink' or 'error'"))
    db = store.connection
    key_path = key_file.checked_path(key, store.path)
    run_id = uuid.uuid4().hex
    stored.secure_delete(db)
    key_written = False
    # held back from the key write until the commit has returned; delivered after it
    held = ExitStack()
    try:
        with held:
            with store.transaction():
                report, key_data = _apply(store, plan, key_path, run_id=run_id, boundary=boundary,
                                          keep_original=keep_original, by=by)
                if key_data is not None:
                    stored.mark_vacuum_pending(db, run_id)
                    # read under the write lock, so no other run can have changed the key since
                    previous = key_path.read_text(encoding="utf-8") if key_path.exists() else None
                    held.enter_context(deferred_interrupts())
                    key_written = True  # (or partly: it is then put back as it was all the same)
                    _write_key(key_path, key_data)
    except BaseException:
        if key_written and not _committed(db, run_id):
            _put_back(key_path, previous)  # the project was not changed: the key must not say it was
        raise
    _compact(store)
    return report


def _apply(store: Store, plan: pd.DataFrame, key_path: Path, *, run_id: str, boundary: Boundary,
           keep_original: bool, by: str | None) -> tuple[PseudonymisationReport, dict | None]:
    """Inside the write transaction: check the plan against the texts as they are now, and apply it."""
    db = store.connection
    project_id = stored_meta.project_id(db)
    committed = stored.pseudonymisation_runs(db)
    key_data = key_file.read_key(key_path, project_id, committed)

    documents = stored.document_texts(db)
    texts = {doc_id: text for doc_id, (text, _) in documents.items()}
    per_doc = check_plan(plan, texts)
    in_attributes = [r for r in plan.itertuples(index=False) if is_attribute_location(r.doc_id)]
    if not per_doc and not in_attributes:  # nothing to replace: no key, no run
        return PseudonymisationReport("", key_path, 0, pd.DataFrame(columns=REPLACEMENT_COLUMNS),
                                      pd.DataFrame(columns=ADJUSTED_COLUMNS), {}), None
    plan = plan.reset_index(drop=True)
    mapping: dict[str, str] = {}
    for original, pseudonym in sorted(zip(plan["original"], plan["pseudonym"], strict=True)):
        mapping.setdefault(" ".join(original.split()), pseudonym)
    scrub_free = _scrubber(_finder(mapping, ignore_case=True))
    find_exact = _finder(mapping, ignore_case=False)
    now = utc_now()
    details = {(str(r.doc_id), int(r.start)): r for r in plan.itertuples(index=False)}

    problems: list[Problem] = []
    adjusted: list[dict] = []
    replaced: list[dict] = []
    key_rows: list[dict] = []
    moved = {"codings": 0, "memos": 0, "segments": 0, "earlier versions": 0}
    stored.lift_append_only(db)
    for doc_id, reps in per_doc:
        old_text, old_sha = documents[doc_id]
        new_text = replace_spans(old_text, reps)
        new_sha = text_sha256(new_text)
        offsets = OffsetMap.build(reps)
        moved["codings"] += _move_codings(db, doc_id, old_sha, new_sha, offsets, boundary, adjusted, problems)
        moved["memos"] += _move_memos(db, doc_id, offsets, boundary, adjusted, problems)
        moved["segments"] += _move_segments(db, doc_id, offsets)
        _move_dismissals(db, doc_id, offsets)
        if keep_original:
            key_data["original_texts"].setdefault(doc_id, []).append(
                {"run_id": run_id, "sha256": old_sha, "text": old_text})
        stored.replace_document_text(db, doc_id, new_text, new_sha)
        for i, (start, end, pseudonym) in enumerate(reps):
            row = details[(doc_id, start)]
            replaced.append({"doc_id": doc_id, "start": offsets.new_starts[i], "end": offsets.new_ends[i],
                             "pseudonym": pseudonym, "kind": row.kind, "severity": row.severity,
                             "source": row.source})
            key_rows.append({"run_id": run_id, "doc_id": doc_id, "start": offsets.new_starts[i],
                             "end": offsets.new_ends[i], "original": row.original, "pseudonym": pseudonym,
                             "kind": row.kind})
    if problems:
        raise InputError(problems)
    for row in in_attributes:  # replaced with every whole-word original by the free-text scrub below
        replaced.append({"doc_id": row.doc_id, "start": None, "end": None, "pseudonym": row.pseudonym,
                         "kind": row.kind, "severity": row.severity, "source": row.source})
        key_rows.append({"run_id": run_id, "doc_id": row.doc_id, "start": None, "end": None,
                         "original": row.original, "pseudonym": row.pseudonym, "kind": row.kind})
    moved["earlier versions"] = _rewrite_history(db, find_exact, keep_original, key_data, run_id)
    _scrub_free_text(db, scrub_free)
    stored.forget_audit_cache(db, [d for d, _ in per_doc])  # it quotes the originals
    counts = pd.Series([r["pseudonym"] for r in replaced], dtype="object").str.extract(r"\[([^\]-]+)")[0]
    stored.record_run(db, run_id,
                      options=json.dumps({"key_id": key_data["key_id"], "by": by, "boundary": boundary,
                                          "keep_original": keep_original, "documents": [d for d, _ in per_doc],
                                          "by_label": counts.value_counts().sort_index().to_dict(),
                                          "adjusted": len(adjusted)}, sort_keys=True),
                      n_added=len(replaced), started_at=now, finished_at=utc_now())
    stored.restore_append_only(db)
    key_file.extend_key(key_data, key_rows, now)
    report = PseudonymisationReport(run_id, key_path, len(per_doc),
                                    pd.DataFrame(replaced, columns=REPLACEMENT_COLUMNS),
                                    pd.DataFrame(adjusted, columns=ADJUSTED_COLUMNS), moved)
    return report, key_data


def _write_key(key_path: Path, key_data: dict) -> None:
    """Write the key durably (flushed, renamed into place, folder flushed), readable by its owner only."""
    text = json.dumps(key_data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    write_text_atomically(key_path, text, key_file=True)
    os.chmod(key_path, 0o600)


def _committed(db, run_id: str) -> bool:
    try:
        return stored.run_recorded(db, run_id)
    except Exception:  # noqa: BLE001 - cannot tell: keep the key, which then over-explains rather than loses
        return True


def _put_back(key_path: Path, previous: str | None) -> None:
    """The key as it was before a run that did not commit (none, if that run made it)."""
    try:
        if previous is None:
            key_path.unlink(missing_ok=True)
        else:
            write_text_atomically(key_path, previous, key_file=True)
            os.chmod(key_path, 0o600)
    except OSError:
        pass  # the next run drops that run's rows: it keeps only runs the project committed


def _compact(store: Store) -> None:
    """After a committed run: vacuum and truncate the WAL, so no freed page or old frame keeps an original."""
    db = store.connection
    if not stored.vacuum_pending(db):
        return
    try:
        stored.vacuum(db)
        with store.transaction():
            stored.clear_vacuum_pending(db)
        busy = stored.checkpoint_wal(db)
    except (sqlite3.Error, QDAError) as exc:
        warnings.warn(f"{store.path}: the pseudonymisation is committed and its key written, but the file could not "
                      f"be compacted afterwards ({exc}), so freed pages or the -wal file may still hold original "
                      "text. Fix: free some disk space and run pseudonymise again (with nothing left to replace, "
                      "it only compacts the file); until then do not copy the project file", QDAWarning,
                      stacklevel=3)
        return
    if busy:
        warnings.warn(f"{store.path}: the pseudonymisation is committed, but another connection (a notebook?) is "
                      "reading the project, so its -wal file still holds original text. Fix: close the other "
                      "connections (project.close()) and run pseudonymise again, which then only compacts the file; "
                      "until then do not copy the project file", QDAWarning, stacklevel=3)
        with store.transaction():
            stored.mark_vacuum_pending(db, "checkpoint")


def _moved(what: str, ident: str, doc_id: str, code_id: str | None, who: str, start: int, end: int,
           offsets: OffsetMap, boundary: Boundary, adjusted: list[dict],
           problems: list[Problem]) -> tuple[int, int] | None:
    """The new offsets of a coding's or memo's span; a cut boundary is recorded (or a problem, if refused)."""
    try:
        new_start, new_end, cut = offsets.span(start, end, boundary=boundary)
    except ValueError as exc:
        problems.append(Problem(f"{what} {ident} ({doc_id}, {code_id}, by {who})", f"[{start}, {end}): {exc}",
                                fix="pass boundary='expand' to widen it to the whole pseudonym, or leave that "
                                    "finding out of the plan"))
        return None
    if cut:
        adjusted.append({"what": what, "id": ident, "doc_id": doc_id, "code_id": code_id, "coder_id": who,
                         "old_start": start, "old_end": end, "new_start": new_start, "new_end": new_end,
                         "action": boundary})
    return new_start, new_end


def _move_codings(db, doc_id: str, old_sha: str, new_sha: str, offsets: OffsetMap, boundary: Boundary,
                  adjusted: list[dict], problems: list[Problem]) -> int:
    rows = stored.codings_on_text(db, doc_id, old_sha)
    for row in rows:
        moved = _moved("coding", row["coding_id"], doc_id, row["code_id"], row["coder_id"], row["start"], row["end"],
                       offsets, boundary, adjusted, problems)
        if moved is None:
            continue
        evidence = json.loads(row["evidence"])
        for item in evidence:
            if isinstance(item, dict) and isinstance(item.get("start"), int) and isinstance(item.get("end"), int):
                item["start"], item["end"], _ = offsets.span(item["start"], item["end"])
        stored.move_coding(db, row["coding_id"], *moved, new_sha, json.dumps(evidence))
    return len(rows)


def _move_memos(db, doc_id: str, offsets: OffsetMap, boundary: Boundary, adjusted: list[dict],
                problems: list[Problem]) -> int:
    rows = stored.anchored_memos(db, doc_id)
    for row in rows:
        moved = _moved("memo", row["memo_id"], doc_id, row["code_id"], row["author"], row["start"], row["end"],
                       offsets, boundary, adjusted, problems)
        if moved is not None:
            stored.move_memo(db, row["memo_id"], *moved)
    return len(rows)


def _move_segments(db, doc_id: str, offsets: OffsetMap) -> int:
    rows = stored.segment_spans(db, doc_id)
    for row in rows:
        # a boundary inside a name moves to the pseudonym's start, so neighbouring segments still tile the text
        start, end = offsets.point(row["start"]), offsets.point(row["end"])
        if end <= start:
            end = offsets.span(row["start"], row["end"])[1]
        stored.move_segment(db, row, start, end)
    return len(rows)


def _move_dismissals(db, doc_id: str, offsets: OffsetMap) -> None:
    rows = stored.dismissals_of(db, doc_id)
    for row in rows:
        if offsets.touches(row["start"], row["end"]):
            stored.drop_dismissal(db, row["rowid"])
        else:
            start, end, _ = offsets.span(row["start"], row["end"])
            stored.move_dismissal(db, row["rowid"], start, end)


def _rewrite_history(db, find, keep_original: bool, key: dict, run_id: str) -> int:
    """Pseudonymise earlier versions of documents (what ``find`` lists), and the codings made on them."""
    count = 0
    for version in stored.document_versions(db):
        reps = find(version["text"])
        if not reps:
            continue
        count += 1
        offsets = OffsetMap.build(reps)
        new_text = replace_spans(version["text"], reps)
        new_sha = text_sha256(new_text)
        for row in stored.codings_on_text(db, version["doc_id"], version["sha256"]):
            start, end, _ = offsets.span(row["start"], row["end"])
            stored.move_coding_span(db, row["coding_id"], start, end, new_sha)
        if keep_original:
            key["original_texts"].setdefault(version["doc_id"], []).append(
                {"run_id": run_id, "version": version["version"], "sha256": version["sha256"],
                 "text": version["text"]})
        stored.replace_version_text(db, version["doc_id"], version["version"], new_text, new_sha)
    return count


def _scrub_free_text(db, scrub) -> None:
    """Originals out of memos, coding notes and evidence, speaker names, training sets, participant attributes,
    ingest notes, source names and run options."""
    for row in stored.memo_texts(db):
        new = scrub(row["text"])
        if new != row["text"]:
            stored.set_memo_text(db, row["memo_id"], new)
    for row in stored.coding_notes(db):
        note = scrub(row["note"])
        items = json.loads(row["evidence"])
        for item in items:
            if isinstance(item, dict):
                for name in ("triggers", "context"):
                    if name in item:
                        item[name] = _scrub_json(item[name], scrub)
        evidence = json.dumps(items)
        if note != row["note"] or evidence != row["evidence"]:
            stored.set_coding_note(db, row["coding_id"], note, evidence)
    for row in stored.speakers(db):
        new = scrub(row["speaker"])
        if new != row["speaker"]:
            stored.rename_speaker(db, row["speaker"], new)
    for row in stored.trainings(db):
        data = json.loads(row["training"])
        if isinstance(data.get("X"), dict) and "text" in data["X"]:
            data["X"]["text"] = _scrub_json(data["X"]["text"], scrub)
        training = json.dumps(data)
        if training != row["training"]:
            stored.set_training(db, row["model_id"], training)
    _scrub_participants(db, scrub)
    _scrub_logs(db, scrub)


def _scrub_participants(db, scrub) -> None:
    """Originals out of the participants' attributes (extra columns, function, the attributes file's name).

    The audit reports findings in free-text attributes (``participant:P01:notes``); their originals are in the
    plan, so they get the documents' pseudonyms here. Every value is scrubbed, whether audited or not.
    """
    for row in stored.participant_attribute_values(db):
        new = scrub(row["value"])
        if new != row["value"]:
            stored.set_participant_attribute(db, row["participant_id"], row["name"], new)
    for row in stored.participant_functions(db):
        function, source = scrub(row["function"]), _scrub_name(row["attributes_source"], scrub)
        if function != row["function"] or source != row["attributes_source"]:
            stored.set_participant_function(db, row["participant_id"], function, source)


def _scrub_logs(db, scrub) -> None:
    """Originals out of ingest notes ("speaker label 'DCI Walsh' occurs only once"), source file names and
    paths, and run options; in names and paths also where ``_ . - /`` join them to other words."""
    def names(text):
        return _scrub_name(text, scrub)

    for row in stored.ingest_details(db):
        new = _scrub_json_text(row["detail"], names)
        if new != row["detail"]:
            stored.set_ingest_detail(db, row["rowid"], new)
    for table in stored.SOURCE_NAME_TABLES:
        for row in stored.source_names(db, table):
            new = names(row["source_name"])
            if new != row["source_name"]:
                stored.set_source_name(db, table, row["rowid"], new)
    for row in stored.run_options(db):
        new = _scrub_json_text(row["options"], names)
        if new != row["options"]:
            stored.set_run_options(db, row["run_id"], new)


def _scrub_name(text, scrub):
    """``scrub`` of a file name, path or note, then of each part between ``/ \\ _ . -`` ("INT01_Okafor.docx").

    Bracketed pseudonyms (``[OFFICER-1]``) are left whole.
    """
    if not isinstance(text, str):
        return text
    parts = re.split(r"(\[[^\[\]]*\]|[/\\_.-]+)", scrub(text))
    return "".join(part if i % 2 else scrub(part) for i, part in enumerate(parts))  # odd parts: the separators


def _scrub_json_text(text: str, scrub) -> str:
    """A JSON document with its strings scrubbed (a string that is not JSON is scrubbed as it is)."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return scrub(text)
    new = _scrub_json(value, scrub)
    return text if new == value else json.dumps(new)
