"""Human decisions on codings, as functions of a :class:`~asymmetry_qda.store.sqlite.Store`.

Coding by hand, accepting, rejecting and correcting suggestions, undoing a
decision, and importing a coder's quote tables. Each public function is one
user action and one transaction; a decision never changes a row: it appends
one that supersedes it (see :mod:`asymmetry_qda.store.codings`).
:class:`~asymmetry_qda.project.Project` delegates its ``code_span``,
``accept``, ``reject``, ``modify``, ``undo``, ``decide`` and
``import_codings`` here; nothing here knows about ``Project``.
"""

from __future__ import annotations

import dataclasses
import uuid
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from .errors import InputError, NotFoundError, Problem, QDAWarning, not_found_message
from .records import Coding, Document, Origin, Status
from .store import codings as stored
from .store import documents as stored_documents
from .store.sqlite import Store, utc_now

__all__ = ["apply_decisions", "check_coder", "code_span", "decide", "decide_in", "history", "import_quote_codings",
           "suggestions", "targets", "undo", "unknown"]


def check_coder(coder: str | None) -> None:
    """Refuse a decision without the name or initials of who made it."""
    if not isinstance(coder, str) or not coder.strip():
        raise InputError(Problem("coder", "a decision needs the coder's name or initials, recorded on every row "
                                 "it writes", fix="pass coder='LT' (your initials)"))


def unknown(store: Store, what: str, key: str, query: str) -> str:
    """The message for an id the project does not hold, listing up to ten it does."""
    return not_found_message(store.path, what, [key], stored_documents.some(store.connection, query, 11))


def _text(db, store: Store, doc_id: str) -> str:
    found = stored_documents.document(db, doc_id)
    if found is None:
        raise NotFoundError(unknown(store, "document", doc_id, stored_documents.KNOWN_IDS))
    return found.text


def code_span(store: Store, doc_id: str, start: int, end: int, code: str, *, coder: str,
              memo: str | None = None) -> str:
    """Code ``text[start:end]`` of ``doc_id`` by hand (a confirmed human coding); returns its id."""
    if not isinstance(code, str) or not code.strip():
        raise InputError(Problem(doc_id, "code is empty", fix="name the code, e.g. 'agency.responsibility'"))
    check_coder(coder)
    now = utc_now()
    with store.transaction() as db:  # the offsets are checked against the text as it is under the lock
        text = _text(db, store, doc_id)
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise InputError(Problem(doc_id, f"offsets [{start}, {end}) are not a non-empty span of the "
                                     f"document's {len(text)} characters",
                                     fix="use 0 <= start < end <= len(project.text(doc_id))"))
        stored.register_coder(db, coder, now=now)
        return stored.human_coding(db, doc_id, start, end, code, coder, memo=memo, now=now)


def import_quote_codings(store: Store, path: str | Path, *, coder: str | None = None,
                         codes: set[str] | None = None) -> pd.DataFrame:
    """Add a human coder's codings from quote tables in one transaction (see :mod:`asymmetry_qda.coding_import`).

    Returns one row per coder with the counts ``added`` and ``already_present``.
    """
    from .coding_import import coding_files, locate_quotes

    owners = {str(f): coder or f.parent.name for f in coding_files(path)}
    for name in set(owners.values()):
        check_coder(name)
    counts: dict[str, dict[str, int]] = {}
    now = utc_now()
    with store.transaction() as db:  # the quotes are located on the texts as they are under the lock
        texts = stored_documents.texts(db)
        for row in locate_quotes(path, texts, codes=codes):
            who = owners[row.source]
            tally = counts.setdefault(who, {"added": 0, "already_present": 0})
            stored.register_coder(db, who, now=now)
            if stored.has_current_human(db, row.doc_id, row.start, row.end, row.code, who):
                tally["already_present"] += 1
                continue
            stored.human_coding(db, row.doc_id, row.start, row.end, row.code, who, memo=row.memo, now=now)
            tally["added"] += 1
    return pd.DataFrame([{"coder": k, **v} for k, v in sorted(counts.items())],
                        columns=["coder", "added", "already_present"])


def suggestions(store: Store, *, code: str | None = None, status: str | Iterable[str] | None = "suggested",
                where: str | None = None, doc_id: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Current codings made by the tagger or a model, to review (see ``Project.suggestions``); every filter but
    ``where`` is applied in SQL."""
    statuses = None if status is None else [status] if isinstance(status, str) else list(status)
    frame = stored.frame(store.connection, doc_id=doc_id, status=statuses,
                         origin=[Origin.RULE.value, Origin.MODEL.value], code=code)
    if where:
        frame = frame.query(where)
    return frame.reset_index(drop=True)


def targets(store: Store, ids, rule: str | None, code: str | None) -> list[str]:
    """The coding ids a decision applies to: ``ids``, or every pending suggestion of ``rule`` or ``code``."""
    if sum(x is not None for x in (ids, rule, code)) != 1:
        raise InputError(Problem("decision", "give exactly one of ids, rule= or code=",
                                 fix="e.g. project.accept(['<coding id>'], coder='LT') or "
                                     "project.reject(rule='response.blame.dry', coder='LT')"))
    if ids is not None:
        return [ids] if isinstance(ids, str) else list(ids)
    pending = suggestions(store, status=Status.SUGGESTED)
    selected = pending[pending["rule_id"] == rule] if rule is not None else \
        pending[(pending["code_id"] == code) | pending["code_id"].str.startswith(f"{code}.")]
    if selected.empty:
        column, value = ("rule_id", rule) if rule is not None else ("code_id", code)
        known = stored.distinct(store.connection, column)
        if value not in known and not any(k.startswith(f"{value}.") for k in known):
            warnings.warn(f"no coding in the project has the {'rule' if rule is not None else 'code'} "
                          f"{value!r}, so nothing was decided. Fix: check the spelling (project.suggestions() "
                          f"lists the {column} of every pending suggestion)", QDAWarning, stacklevel=3)
    return selected["coding_id"].tolist()


def current_coding(db, store: Store, coding_id: str, *, fix: str) -> tuple[Coding, Document]:
    """The row ``coding_id`` and its document, if the row is current (nothing supersedes it and it was made on
    the document's present text); else a :class:`NotFoundError` or an :class:`InputError` whose fix is ``fix``."""
    row = stored.get(db, coding_id)
    if row is None:
        raise NotFoundError(unknown(store, "coding", coding_id, stored.KNOWN_IDS))
    document = stored_documents.document(db, row.doc_id)
    later = stored.successor(db, coding_id)
    if later is not None or row.text_sha256 != document.sha256:
        raise InputError(Problem(f"coding {coding_id}", "is not current: it was superseded by "
                                 + (f"{later}" if later else "a new version of its document"), fix=fix))
    return row, document


def decide(store: Store, ids: list[str], status: Status | str, coder: str, memo: str | None = None, *,
           start: int | None = None, end: int | None = None, code: str | None = None) -> list[str]:
    """Decide on the codings ``ids`` in one transaction (see :func:`decide_in`); returns the new row ids."""
    check_coder(coder)
    with store.transaction() as db:
        return decide_in(db, store, ids, status, coder, memo, start=start, end=end, code=code)


def decide_in(db, store: Store, ids: list[str], status: Status | str, coder: str, memo: str | None, *,
              start: int | None = None, end: int | None = None, code: str | None = None) -> list[str]:
    """The body of a decision inside an open transaction (so many decisions can be one transaction).

    Each current coding in ``ids`` is superseded by a new row of ``status`` by ``coder``; with ``start``,
    ``end`` or ``code`` the new row is a correction (origin ``human``). A row that is not current is refused.
    """
    status = Status(status)
    now = utc_now()
    new_ids = []
    modifying = any(v is not None for v in (start, end, code))
    stored.register_coder(db, coder, now=now)
    for coding_id in ids:
        row, document = current_coding(db, store, coding_id, fix="decide on the current row (see project.history(id))")
        doc_text = document.text
        new_start = row.start if start is None else start
        new_end = row.end if end is None else end
        if not (0 <= new_start < new_end <= len(doc_text)):
            raise InputError(Problem(f"coding {coding_id}", f"offsets [{new_start}, {new_end}) are not a "
                                     "non-empty span of the document", fix="check start and end"))
        new = dataclasses.replace(
            row, coding_id=uuid.uuid4().hex, start=new_start, end=new_end, code_id=code or row.code_id,
            origin=Origin.HUMAN if modifying else row.origin, status=status, coder_id=coder, supersedes=coding_id,
            note=f"modified from {coding_id}" if modifying else None, created_at=now)
        stored.insert(db, new)
        if memo:
            stored.add_memo(db, stored.memo_on(new, coder, memo, now))
        new_ids.append(new.coding_id)
    return new_ids


def undo(store: Store, coding_id: str, *, coder: str, memo: str | None = None) -> str:
    """Undo a decision: a new row supersedes ``coding_id`` and restores the row it had superseded.

    See ``Project.undo``. Returns the id of the restoring row.
    """
    check_coder(coder)
    with store.transaction() as db:
        row = stored.get(db, coding_id)
        if row is None:
            raise NotFoundError(unknown(store, "coding", coding_id, stored.KNOWN_IDS))
        later = stored.successor(db, coding_id)
        if later is not None:
            raise InputError(Problem(f"coding {coding_id}", f"is not current: {later} superseded it",
                                     fix="undo the current row of its chain (see project.history(id))"))
        if row.supersedes is None:
            raise InputError(Problem(f"coding {coding_id}", "is not a decision on an earlier row (it was coded "
                                     "from scratch), so there is nothing to return to",
                                     fix=f"reject it instead: project.reject({coding_id!r}, coder={coder!r})"))
        before = stored.get(db, row.supersedes)
        now = utc_now()
        stored.register_coder(db, coder, now=now)
        restored = dataclasses.replace(before, coding_id=uuid.uuid4().hex, supersedes=coding_id,
                                       note=f"undo by {coder} of {coding_id}, restoring {before.coding_id}",
                                       created_at=now)
        stored.insert(db, restored)
        if memo:
            stored.add_memo(db, stored.memo_on(restored, coder, memo, now))
        return restored.coding_id


_DECISIONS = {"accept": Status.CONFIRMED, "reject": Status.REJECTED, "modify": Status.CONFIRMED}


def apply_decisions(store: Store, decisions: pd.DataFrame, *, coder: str) -> pd.DataFrame:
    """Apply a table of decisions in one transaction: all of them, or none if any is refused.

    See ``Project.decide``. Every problem of the table is reported at once, with its line.
    """
    check_coder(coder)
    problems = []
    if "coding_id" not in decisions or "decision" not in decisions:
        raise InputError(Problem("decisions", "needs the columns coding_id and decision",
                                 fix="add a header coding_id,decision[,code,start,end,memo]"))
    for n, row in enumerate(decisions.to_dict("records"), start=2):
        if row["decision"] not in _DECISIONS:
            problems.append(Problem("decisions", f"decision {row['decision']!r} is not accept, reject or modify",
                                    line=n, fix="use accept, reject or modify"))
    if problems:
        raise InputError(problems)

    def value(row, key, kind=None):
        v = row.get(key)
        if v is None or (isinstance(v, float) and pd.isna(v)) or v == "":
            return None
        return kind(v) if kind else v

    for n, row in enumerate(decisions.to_dict("records"), start=2):
        for key in ("start", "end"):
            try:
                value(row, key, int)
            except (TypeError, ValueError):
                problems.append(Problem("decisions", f"{key} {row.get(key)!r} is not a whole number", line=n,
                                        fix="write character offsets as whole numbers, or leave them empty"))
    if problems:
        raise InputError(problems)

    new_ids = []
    with store.transaction() as db:
        for row in decisions.to_dict("records"):
            extra = {}
            if row["decision"] == "modify":
                extra = {"start": value(row, "start", int), "end": value(row, "end", int), "code": value(row, "code")}
            new_ids.extend(decide_in(db, store, [row["coding_id"]], _DECISIONS[row["decision"]], coder,
                                     value(row, "memo"), **extra))
    return decisions.assign(new_id=new_ids)


def history(store: Store, coding_id: str) -> pd.DataFrame:
    """Every row in the chain of decisions that ``coding_id`` belongs to, oldest first (see ``Project.history``)."""
    frame = stored.frame(store.connection, current_only=False).set_index("coding_id", drop=False)
    if coding_id not in frame.index:
        raise NotFoundError(unknown(store, "coding", coding_id, stored.KNOWN_IDS))
    root = coding_id
    while isinstance(frame.loc[root, "supersedes"], str):
        root = frame.loc[root, "supersedes"]
    chain, current = [root], root
    successors = frame.dropna(subset=["supersedes"]).set_index("supersedes")["coding_id"]
    while current in successors.index:
        current = successors.loc[current]
        chain.append(current)
    # what happened first (when, what, who, on which words), the 32-character ids last
    first = ["created_at", "status", "code_id", "coder_id", "origin", "rule_id", "text", "start", "end", "note"]
    last = ["coding_id", "supersedes", "segment_id", "run_id", "codebook_hash", "text_sha256"]
    chained = frame.loc[chain].reset_index(drop=True)
    middle = [c for c in chained.columns if c not in first and c not in last]
    return chained[[c for c in first if c in chained] + middle + [c for c in last if c in chained]]
