"""Refining a project's codes: create, rename, move, merge, split and retire them, their codings carried.

A project's codebook is versioned (:mod:`asymmetry_qda.store.codebook_versions`): version 1 is the codebook it
was coded with, as stored by the last coding run (the YAML file's exact text); each operation here adds a
version with who did it, when and why. An operation is one transaction: the new codebook, its version and a new
row for every coding it carries, which supersedes the row it replaces (nothing is overwritten, so each coding's
history reads "coded X by LT ..., renamed to Y by MK ..."). The carried row keeps everything of the coding
(span, status, coder, rule, confidence, evidence) but its code; a retired code's codings are withdrawn; the
themes (:mod:`asymmetry_qda.themes`) follow their codes. :func:`undo` takes back the newest operation not yet
undone, restoring the codebook and every coding it carried.

The functions take a :class:`~asymmetry_qda.store.sqlite.Store` (or a project, which holds one) and return a
frame of the codings carried: ``coding_id`` (the new row), ``supersedes``, ``doc_id``, ``start``, ``end``,
``code_before``, ``code_after``, ``status``, ``coder_id``; ``attrs["version"]`` is the new version's number.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from .codebook.loader import codebook_from_data
from .codebook.model import Codebook
from .codebook.operations import Change, create, diff, merge, move, rename, retire, split
from .codebook.yamlnodes import load_trusted
from .decisions import check_coder, current_coding
from .errors import InputError, NotFoundError, Problem
from .records import Coding, Status
from .store import codebook_versions as stored_versions
from .store import codings as stored_codings
from .store import meta as stored_meta
from .store.sqlite import HasStore, Store, store_of, utc_now
from .themes import follow_codes, restore_themes

__all__ = ["CARRIED_COLUMNS", "code_in_vivo", "code_new_span", "create_code", "current_codebook", "export_codebook",
           "history", "merge_codes", "move_code", "rename_code", "retire_code", "split_code", "undo", "versions"]

CARRIED_COLUMNS = ["coding_id", "supersedes", "doc_id", "start", "end", "code_before", "code_after", "status",
                   "coder_id"]
_PAST = {"rename": "renamed", "move": "moved", "merge": "merged", "split": "split", "retire": "retired",
         "create": "created", "undo": "undone"}


def _no_codebook(store: Store) -> InputError:
    return InputError(Problem(str(store.path), "the project has no codebook to change yet",
                              fix="code it with one first (project.code('codebooks/asymmetries.yaml')) or store "
                                  "one (project.add_codebook(load_codebook(path)))"))


def _base(db, store: Store, by: str, now: str) -> dict:
    """The newest version; a project without versions gets version 1, the codebook stored last, first."""
    found = stored_versions.latest(db)
    if found is None:
        latest = stored_meta.latest_codebook_hash(db)
        if latest is None:
            raise _no_codebook(store)
        [(_, content)] = stored_meta.codebook_rows(db, latest)
        header = _PARSED.data(latest, content, f"codebook {latest[:12]}").get("codebook", {})
        name, version = header.get("name"), header.get("version")
        stored_versions.add(db, codebook_hash=latest, operation="load", now=now,
                            author=", ".join(header.get("authors") or []) or "the codebook file",
                            detail={"source": "the codebook stored last", "name": name, "version": version,
                                    "first_change_by": by},
                            reason=f"the codebook the project was coded with ({name} {version})")
        found = stored_versions.latest(db)
    return found


def current_codebook(project: HasStore | Store) -> Codebook | None:
    """The project's codebook as it stands: its newest version, else the codebook stored last, else ``None``."""
    from .codebook.stored import latest_codebook

    return latest_codebook(store_of(project).connection)


class _Parsed:
    """The data of the few codebook texts used last, by content hash (read-only: the operations copy it).

    Parsing a study codebook's YAML takes most of an operation's time; each version's data is known when it
    is written, so the next operation starts from it without parsing.
    """

    def __init__(self, maxsize: int = 8):
        self.maxsize, self._items = maxsize, {}

    def data(self, codebook_hash: str, content: str, source: str) -> dict:
        """The data of a stored codebook's text (checked when it was stored, so parsed the fast way)."""
        if codebook_hash not in self._items:
            self.keep(codebook_hash, load_trusted(content))
        return self._items[codebook_hash]

    def keep(self, codebook_hash: str, data: dict) -> None:
        self._items.pop(codebook_hash, None)
        self._items[codebook_hash] = data
        while len(self._items) > self.maxsize:
            self._items.pop(next(iter(self._items)))


_PARSED = _Parsed()


def _store_text(db, text: str, now: str, source: str, data: dict) -> str:
    book = codebook_from_data(data, text=text, source=source)
    _PARSED.keep(book.content_hash, data)
    stored_meta.add_codebook(db, content_hash=book.content_hash, name=book.name, version=book.version, content=text,
                             now=now)
    return book.content_hash


def _carried(db, rows: list[tuple[Coding, Coding]]) -> pd.DataFrame:
    stored_codings.insert_many(db, [new for _, new in rows])
    frame = pd.DataFrame([{"coding_id": new.coding_id, "supersedes": old.coding_id, "doc_id": new.doc_id,
                           "start": new.start, "end": new.end, "code_before": old.code_id, "code_after": new.code_id,
                           "status": str(new.status), "coder_id": new.coder_id} for old, new in rows],
                         columns=CARRIED_COLUMNS)
    return frame.astype({"start": "int64", "end": "int64"})


def _change(project: HasStore | Store, make: Callable[[dict], Change], *, by: str, reason: str | None,
            chosen: Sequence[str] | None = None) -> pd.DataFrame:
    """Apply ``make`` to the newest version, store the result as the next one and carry the codings."""
    check_coder(by)
    store = store_of(project)
    with store.transaction() as db:
        now = utc_now()
        base = _base(db, store, by, now)
        change = make(_PARSED.data(base["codebook_hash"], base["content"], f"codebook version {base['version']}"))
        number = base["version"] + 1
        text = _header_comment(number, change, by, now) + _yaml(change.data)
        try:
            codebook_hash = _store_text(db, text, now, f"codebook version {number}", change.data)
        except InputError as exc:  # what the operation's own checks did not foresee
            raise InputError([Problem(f"{change.operation} of the codebook", "it would leave the codebook invalid, "
                                      "so nothing was changed", fix="see the problems below; change those codes "
                                      "first"), *[Problem(p.source, p.message, p.fix) for p in exc.problems]]
                             ) from None
        run_id = uuid.uuid4().hex
        note = (f"{_PAST[change.operation]} by {by} in codebook version {number}"
                + (f": {reason}" if reason else ""))
        rows = []
        if change.mapping:
            for old in stored_versions.current_codings_of(db, change.mapping):
                rows.append((old, _successor(old, run_id, now, f"{old.code_id} {note}",
                                             code_id=change.mapping[old.code_id])))
        if change.retired:
            for old in stored_versions.current_codings_of(db, change.retired):
                rows.append((old, _successor(old, run_id, now, f"{old.code_id} {note}", status=Status.WITHDRAWN)))
        if chosen is not None:
            [new_code] = change.created
            source = change.detail["code"]
            for coding_id in dict.fromkeys(chosen):
                old = _current_coding(db, store, coding_id, source)
                rows.append((old, _successor(old, run_id, now, f"{old.code_id} {note} into {new_code}",
                                             code_id=new_code)))
        follow_codes(db, change.mapping, change.retired, by=by, run_id=run_id, note=note, now=now)
        stored_versions.add(db, codebook_hash=codebook_hash, operation=change.operation, author=by, now=now,
                            detail=change.detail, reason=reason, run_id=run_id)
        carried = _carried(db, rows)
    carried.attrs.update(version=number, operation=change.operation)
    return carried


def _successor(old: Coding, run_id: str, now: str, note: str, **changes) -> Coding:
    """A new row superseding ``old`` (or ``changes["supersedes"]``): ``old`` as it is but for ``changes``."""
    changes.setdefault("supersedes", old.coding_id)
    return dataclasses.replace(old, coding_id=uuid.uuid4().hex, run_id=run_id, note=note, created_at=now, **changes)


def _current_coding(db, store: Store, coding_id: str, code: str) -> Coding:
    """The current row ``coding_id``, which must be a coding of ``code`` (the code being split)."""
    row, _ = current_coding(db, store, coding_id, fix="choose the current row of its chain (see project.history(id))")
    if row.code_id != code:
        raise InputError(Problem(f"coding {coding_id}", f"is a coding of {row.code_id!r}, not of {code!r}",
                                 fix=f"choose codings of {code!r} (project.codings() with code_id == {code!r})"))
    return row


def _yaml(data: dict) -> str:
    from .codebook.operations import to_yaml

    return to_yaml(data)


def _header_comment(number: int, change: Change, by: str, now: str) -> str:
    return (f"# Codebook version {number} of an asymmetry_qda project: {change.operation} by {by} at {now}.\n"
            "# Written by the project (project.export_codebook); edit the project's codes with its code operations.\n")


def rename_code(project: HasStore | Store, code: str, new_code: str, *, by: str, reason: str | None = None,
                label: str | None = None) -> pd.DataFrame:
    """Rename ``code`` (and its sub-codes) to ``new_code`` under the same parent, carrying their codings.

    See :func:`asymmetry_qda.codebook.operations.rename`. ``label`` also gives the code a new label.
    """
    return _change(project, lambda data: rename(data, code, new_code, label=label), by=by, reason=reason)


def move_code(project: HasStore | Store, code: str, parent: str | None, *, by: str,
              reason: str | None = None) -> pd.DataFrame:
    """Put ``code`` (and its sub-codes) under ``parent`` (``None``: the top level), carrying their codings."""
    return _change(project, lambda data: move(data, code, parent), by=by, reason=reason)


def merge_codes(project: HasStore | Store, codes: str | Sequence[str], into: str, *, by: str,
                reason: str | None = None) -> pd.DataFrame:
    """Merge ``codes`` into ``into``: their codings, rules and examples go to it and they leave the codebook."""
    return _change(project, lambda data: merge(data, codes, into), by=by, reason=reason)


def split_code(project: HasStore | Store, code: str, codings: Sequence[str], new_code: str, *, label: str,
               definition: str, by: str, reason: str | None = None, **fields) -> pd.DataFrame:
    """Create ``new_code`` and move the chosen current ``codings`` of ``code`` to it (``code`` keeps its rules)."""
    chosen = [codings] if isinstance(codings, str) else list(codings)
    if not chosen:
        raise InputError(Problem("codings", "no coding chosen to move to the new code",
                                 fix="pass the coding ids (from project.codings()) that belong to the new code"))
    return _change(project, lambda data: split(data, code, new_code, label=label, definition=definition, **fields),
                   by=by, reason=reason, chosen=chosen)


def retire_code(project: HasStore | Store, code: str, *, by: str, reason: str | None = None) -> pd.DataFrame:
    """Take ``code`` out of the codebook; its current codings are withdrawn (their history is kept)."""
    return _change(project, lambda data: retire(data, code), by=by, reason=reason)


def create_code(project: HasStore | Store, code: str, *, label: str, definition: str, by: str,
                reason: str | None = None, **fields) -> pd.DataFrame:
    """Add ``code`` to the project's codebook (an empty frame: no coding is carried)."""
    return _change(project, lambda data: create(data, code, label=label, definition=definition, **fields),
                   by=by, reason=reason)


def _stack(rows: list[dict]) -> list[dict]:
    """The versions in effect, oldest first: every undo takes its target off."""
    stack: list[dict] = []
    for row in rows:
        if row["operation"] == "undo":
            stack = [v for v in stack if v["version"] != row["undoes"]]
        else:
            stack.append(row)
    return stack


def undo(project: HasStore | Store, *, by: str, reason: str | None = None) -> pd.DataFrame:
    """Take back the newest code operation not yet undone: its codebook and every coding it carried.

    Each coding the operation carried gets a new row restoring it as it was before (its code, and its
    status for a retired code), unless someone has since changed its code (their decision stands).
    Codings made since with a code the undo takes away move with it: back to a renamed or moved code's
    old id, back to the code a new one was split from. Undoing the creation of a code that holds codings
    is refused (retire it instead). Undo again to take back the operation before.
    """
    check_coder(by)
    store = store_of(project)
    with store.transaction() as db:
        stack = _stack(stored_versions.versions(db))
        if len(stack) < 2:
            raise InputError(Problem(str(store.path), "no code operation to undo",
                                     fix="see project.codebook_versions() for what was done"))
        target, before = stack[-1], stack[-2]
        now = utc_now()
        run_id = uuid.uuid4().hex
        number = stored_versions.latest(db)["version"] + 1
        note = f"undo by {by} of codebook version {target['version']} ({target['operation']})" + (
            f": {reason}" if reason else "")
        rows, touched = [], set()
        for written in stored_versions.written_by(db, target["run_id"]):
            current = _chain_end(db, written)
            earlier = stored_codings.get(db, written.supersedes)
            if current.coding_id == written.coding_id:
                rows.append((current, _successor(earlier, run_id, now, note, supersedes=current.coding_id)))
            elif current.code_id == written.code_id:  # decided on since: the decision stands, on the old code
                rows.append((current, _successor(current, run_id, now, note, code_id=earlier.code_id)))
            else:  # its code was changed since: that decision stands
                continue
            touched.add(current.coding_id)
        detail = target["detail"]
        if target["operation"] == "create":
            made = [c for c in stored_versions.current_codings_of(db, [detail["code"]]) if c.status != Status.WITHDRAWN]
            if made:
                raise InputError(Problem(f"code {detail['code']}", f"holds {len(made)} coding(s) made since it "
                                         "was created", fix="retire the code instead of undoing its creation"))
        back = {}  # codes the undo takes away: where codings made with them since go
        if target["operation"] in ("rename", "move"):
            back = {new: old for old, new in detail["mapping"].items()}
        elif target["operation"] == "split":
            back = {detail["new_code"]: detail["code"]}
        later = [c for c in stored_versions.current_codings_of(db, back) if c.coding_id not in touched]
        rows += [(c, _successor(c, run_id, now, note, code_id=back[c.code_id])) for c in later]
        restore_themes(db, target["run_id"], by=by, run_id=run_id, note=note, now=now)
        stored_versions.add(db, codebook_hash=before["codebook_hash"], operation="undo", author=by, now=now,
                            detail={"undoes": target["version"], "operation": target["operation"]}, reason=reason,
                            undoes=target["version"], run_id=run_id)
        carried = _carried(db, rows)
    carried.attrs.update(version=number, operation="undo")
    return carried


def _chain_end(db, coding: Coding) -> Coding:
    current = coding
    while (later := stored_codings.successor(db, current.coding_id)) is not None:
        current = stored_codings.get(db, later)
    return current


def versions(project: HasStore | Store) -> pd.DataFrame:
    """The project's codebook versions, oldest first: ``version``, ``operation``, ``author``, ``reason``,
    ``created_at``, ``undoes``, ``codebook_hash``, ``detail``, ``run_id`` and ``diff`` (a unified diff from the
    version before, both written the same way so only what changed shows)."""
    store = store_of(project)
    rows = stored_versions.versions(store.connection)
    frame = pd.DataFrame([{k: v for k, v in r.items() if k != "content"} for r in rows],
                         columns=stored_versions.VERSION_COLUMNS)
    diffs, previous = [], None
    for row in rows:
        data = _PARSED.data(row["codebook_hash"], row["content"], f"codebook version {row['version']}")
        diffs.append("" if previous is None else diff(previous, data, old_name=f"version {row['version'] - 1}",
                                                        new_name=f"version {row['version']}"))
        previous = data
    frame["diff"] = diffs
    return frame


def history(project: HasStore | Store, coding_id: str) -> str:
    """The story of one coding, oldest first: "coded X by LT on ...; X renamed by MK in codebook version 2 ..."."""
    from .decisions import history as chain

    rows = chain(store_of(project), coding_id)
    lines = []
    for row in rows.itertuples():
        when = str(row.created_at)[:16].replace("T", " ")
        what = row.note if isinstance(row.note, str) and row.note else f"{row.status} {row.code_id} by {row.coder_id}"
        lines.append(f"{when}  {row.code_id} ({row.status}, {row.coder_id}): {what}")
    return "\n".join(lines)


def code_new_span(project: HasStore | Store, doc_id: str, start: int, end: int, code: str, *, coder: str,
                  definition: str, label: str | None = None, memo: str | None = None, **fields) -> str:
    """Create ``code`` (authored by ``coder``) and code ``text[start:end]`` with it, in one transaction.

    Returns the coding's id; the code is a new version of the project's codebook (see :func:`create_code`).
    """
    from .decisions import code_span

    store = store_of(project)
    with store.transaction():
        create_code(store, code, label=label or code.rsplit(".", 1)[-1].replace("_", " "), definition=definition,
                    by=coder, reason=f"created while coding {doc_id}", **fields)
        return code_span(store, doc_id, start, end, code, coder=coder, memo=memo)


def code_in_vivo(project: HasStore | Store, doc_id: str, start: int, end: int, *, coder: str,
                 parent: str | None = None, definition: str | None = None, memo: str | None = None) -> str:
    """Code ``text[start:end]`` with a new in-vivo code named by those words (under ``parent``).

    The code's id is made of the words (:func:`~asymmetry_qda.codebook.operations.in_vivo_id`), its label is
    the words as spoken; ``definition`` defaults to a note that it is still to be defined.
    """
    from .codebook.operations import in_vivo_id
    from .store import documents as stored_documents

    store = store_of(project)
    found = stored_documents.document(store.connection, doc_id)
    if found is None:
        from .decisions import unknown

        raise NotFoundError(unknown(store, "document", doc_id, stored_documents.KNOWN_IDS))
    words = " ".join(found.text[start:end].split())
    definition = definition or f"In vivo, in the participant's words: \u201c{words}\u201d (still to be defined)."
    return code_new_span(store, doc_id, start, end, in_vivo_id(words, parent), coder=coder, definition=definition,
                         label=words, memo=memo)


def export_codebook(project: HasStore | Store, path: str | Path) -> Path:
    """Write the project's codebook as it stands to ``path``: ``.yaml``/``.yml`` (its exact text) or ``.qdc``.

    So the file and the project agree after codes were refined in the project. Never half-written.
    """
    from .fileio import write_text_atomically

    path = Path(path)
    store = store_of(project)
    book = current_codebook(store)
    if book is None:
        raise _no_codebook(store)
    if path.suffix.lower() == ".qdc":
        from .refi.qdc import export_qdc

        return export_qdc(book, path)
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(Problem(str(path), f"{path.suffix or 'no extension'} is not a codebook format",
                                 fix="name a .yaml, .yml or .qdc file"))
    return write_text_atomically(path, book.content)
