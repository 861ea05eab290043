"""The codings a REFI-QDA import writes, planned from the selections it read.

Each kept text's selections (and codings of a whole source) are converted to
stored offsets under the way their positions are counted
(:mod:`asymmetry_qda.refi.positions`); a PDF selection is found by its text.
What cannot be imported (no code, an unknown code, a selection outside the
text, a duplicate) is reported through the reader. A coding of a case's code
links the case to the document instead. A selection whose description carries
this toolkit's suggestion marker (written by the export) is restored as an
unreviewed :class:`Suggestion`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .guids import guid_key
from .import_report import ImportReport
from .qde_reader import QdeCoding, QdeReader, QdeSelection, QdeText

__all__ = ["PlannedCoding", "Suggestion", "plan_codings"]

_SUGGESTION = re.compile(r"^\s*asymmetry_qda suggestion:(?P<fields>[^\n]*)(?:\n(?P<rest>.*))?\Z", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What makes a restored coding a suggestion: its origin (``rule`` or ``model``), confidence and rule."""

    origin: str
    confidence: float | None
    rule: str | None


@dataclass(frozen=True, slots=True)
class PlannedCoding:
    """One coding to write: ``[start, end)`` of ``unit``'s document in stored offsets, the code, the coder, the
    memo, the ``<Coding>``'s GUID, the GUID keys of the notes its memo used, and, for a restored suggestion,
    the :class:`Suggestion`."""

    unit: QdeText
    start: int
    end: int
    code_id: str
    user: str
    memo: str | None
    guid: str | None
    notes: list[str]
    suggestion: Suggestion | None = None


def _suggestion(description: str | None) -> tuple[Suggestion | None, str | None]:
    """The suggestion marker of a selection's description (written by this toolkit's export), and the rest."""
    if not description:
        return None, description
    match = _SUGGESTION.match(description)
    if match is None:
        return None, description
    fields = {}
    for part in match.group("fields").split(";"):
        key, _, value = part.partition("=")
        if value:
            fields[key.strip()] = value.strip()
    origin = fields.get("origin") if fields.get("origin") in ("rule", "model") else "rule"
    try:
        confidence = float(fields["confidence"]) if "confidence" in fields else None
    except ValueError:
        confidence = None
    rest = (match.group("rest") or "").strip() or None
    return Suggestion(origin, confidence, fields.get("rule")), rest


def plan_codings(reader: QdeReader, report: ImportReport) -> list[PlannedCoding]:
    """Each kept text's selections and whole-source codings, converted to stored offsets under their scheme."""
    planned: list[PlannedCoding] = []
    seen: set[tuple] = set()
    for unit in reader.units:
        pm = unit.positions
        stored_length = len(pm.stored_text)
        for sel in unit.selections:
            label = sel.name or "(unnamed)"
            if sel.kind == "PDFSelection":
                i, j, why = _locate(pm.raw, sel.quote or "")
                if why:
                    reader.skip("selection", label, f"PDF selection: {why}; {len(sel.codings)} coding(s) not "
                                "imported", sel.guid)
                    continue
            else:
                if sel.problem:
                    reader.skip("selection", label, sel.problem, sel.guid)
                    continue
                scheme = sel.scheme or report.scheme
                length = pm.length(scheme)
                if sel.start >= sel.end:
                    reader.skip("selection", label, f"start {sel.start} is not before end {sel.end}", sel.guid)
                    continue
                if sel.start < 0 or sel.end > length:
                    reader.skip("selection", label, f"[{sel.start}, {sel.end}) is outside the text of "
                                f"{unit.name!r} ({length} {scheme} positions)", sel.guid)
                    continue
                i = pm.to_index(sel.start, scheme)
                j = pm.to_index(sel.end, scheme, round_up=True)
            start, end = pm.stored_offset(i), pm.stored_offset(j)
            if start >= end:
                reader.skip("selection", label, "the selection is empty once line endings are normalised", sel.guid)
                continue
            if not sel.codings:
                memo = _memo(reader, sel.description, sel.notes, [])
                reader.skip("memo" if memo else "selection", label,
                            "a memo on a selection without codings has no place in a project" if memo
                            else "the selection has no codings", sel.guid)
                continue
            for coding in sel.codings:
                item = _planned(reader, unit, start, end, coding, sel, seen)
                if item:
                    planned.append(item)
        for coding in unit.whole:
            item = _planned(reader, unit, 0, stored_length, coding, None, seen)
            if item:
                planned.append(item)
    links = sum(len(v) for v in reader.case_links.values())
    if links:
        report.notes.append(f"{links} coding(s) of a case's code link its case to a document")
    return planned


def _memo(reader: QdeReader, description: str | None, *note_lists: list[str | None]) -> str | None:
    """A coding's memo: the selection's description, then the text of each note it refers to (each text once)."""
    parts = [description] if description else []
    for notes in note_lists:
        for guid in notes:
            text = reader.notes.get(guid_key(guid) or "")
            if text and text not in parts:
                parts.append(text)
    return "\n\n".join(parts) or None


def _planned(reader: QdeReader, unit: QdeText, start: int, end: int, coding: QdeCoding, sel: QdeSelection | None,
             seen: set[tuple]) -> PlannedCoding | None:
    """One coding of ``[start, end)``, or ``None`` (reported) when it cannot be imported or duplicates one in
    ``seen``; a coding with a case's code links that case to the document instead."""
    where = sel.name if sel is not None and sel.name else f"{unit.name} [{start}, {end})"
    if coding.code is None:
        reader.skip("coding", where, "the coding has no CodeRef", coding.guid)
        return None
    if guid_key(coding.code) in reader.case_keys:  # a case's code: the case links to this document
        reader.case_links.setdefault(guid_key(coding.code), []).append(unit)
        return None
    code_id = reader.code_ids.get(guid_key(coding.code) or "")
    if code_id is None:
        reader.skip("coding", where, f"CodeRef to unknown code GUID {coding.code!r}", coding.guid)
        return None
    user = reader.users.get(guid_key(coding.user) or "") or \
        (reader.users.get(guid_key(sel.user) or "") if sel is not None else None) or "imported"
    suggestion, description = _suggestion(sel.description if sel is not None else None)
    memo = _memo(reader, description, sel.notes if sel is not None else [], coding.notes)
    signature = (unit.doc_id, start, end, code_id, user, suggestion is None)
    if signature in seen:
        reader.skip("coding", where, f"duplicate: {user} already codes this span with {code_id}", coding.guid)
        return None
    seen.add(signature)
    used = [(guid_key(g) or "") for g in (sel.notes if sel is not None else []) + coding.notes]
    return PlannedCoding(unit=unit, start=start, end=end, code_id=code_id, user=user, memo=memo,
                         guid=coding.guid, notes=used, suggestion=suggestion)


def _locate(raw: str, quote: str) -> tuple[int | None, int | None, str | None]:
    """Where a PDF selection's text is in the representation: exactly once, else not at all."""
    needle = quote.strip()
    count = raw.count(needle)
    if count == 1:
        i = raw.index(needle)
        return i, i + len(needle), None
    if count == 0 and len(needle) <= 5000:
        pattern = r"\s*".join(re.escape(ch) for ch in needle if not ch.isspace())
        found = [m.span() for m in re.finditer(pattern, raw)] if pattern else []
        if len(found) == 1:
            return found[0][0], found[0][1], None
        count = len(found)
    return None, None, ("its text occurs " + ("nowhere" if count == 0 else f"{count} times")
                        + " in the PDF's text representation")
