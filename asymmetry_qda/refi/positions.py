"""How a REFI-QDA file counts positions in a text, and how to read them: :class:`PositionMap` and detection.

The spec counts code points. NVivo and QualCoder count UTF-16 code units, and
ATLAS.ti counts CRLF as one character. Four ways of counting are therefore
candidates (:data:`SCHEMES`), always on the source text with a leading BOM
removed (see ``shared/refi-qda/NOTES.md`` section 4).

Detection weighs the selections of a file under each scheme: the one under
which the most selections have a ``name`` equal to the selected text (or a
prefix of it, when the name is truncated with an ellipsis) wins; on a tie, the
one under which the most selections start and end on word or line boundaries;
on a tie again, the spec's code points (:func:`weigh`). :func:`detect` chooses
one scheme for a whole file, :func:`choose_per_writer` one for each writer
(``creatingUser``), and :func:`note_misfits` reports selections whose quote
fits another scheme than the one they are read with.

Examples
--------
>>> pm = PositionMap("Hi \\U0001F600!\\r\\nBye")
>>> [pm.length(s) for s in SCHEMES]          # the same text counted four ways
[10, 11, 9, 10]
>>> pm.to_index(8, "utf16"), pm.stored_offset(pm.to_index(8, "utf16"))
(7, 6)
>>> quote_matches("Hi \\U0001F600...", pm.raw[:4]), on_boundary(pm.raw, 1)
(True, False)
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .guids import guid_key
from .position_map import SCHEMES, PositionMap

if TYPE_CHECKING:  # pragma: no cover
    from .import_report import ImportReport
    from .qde_reader import QdeSelection, QdeText

__all__ = ["SCHEMES", "PositionMap", "choose_per_writer", "detect", "note_misfits", "on_boundary",
           "quote_matches", "weigh"]

#: A selection of a text, with the text's positions: what detection weighs.
Probe = tuple["QdeText", "QdeSelection"]


def _squash(text: str) -> str:
    return " ".join(text.split())


def quote_matches(name: str, selected: str) -> bool:
    """Whether a selection's ``name`` is its text, or (ending in an ellipsis) the start of it.

    Whitespace is compared squashed, and HTML entities in the name are read.

    >>> quote_matches("on my  watch", "on my\\nwatch"), quote_matches("on my\u2026", "on my watch")
    (True, True)
    >>> quote_matches("on my watch", "on my")
    False
    """
    wanted = _squash(html.unescape(name))
    got = _squash(selected)
    if not wanted:
        return False
    if wanted == got:
        return True
    for ellipsis in ("\u2026", "..."):
        if wanted.endswith(ellipsis):
            prefix = wanted[: -len(ellipsis)].rstrip()
            if prefix and got.startswith(prefix):
                return True
    return False


def on_boundary(raw: str, index: int) -> bool:
    """Whether ``index`` does not split a word.

    >>> on_boundary("on my", 2), on_boundary("on my", 1)
    (True, False)
    """
    if index <= 0 or index >= len(raw):
        return True
    return not (raw[index - 1].isalnum() and raw[index].isalnum())


# -- detection ---------------------------------------------------------------------------------------

def probes(units: list[QdeText]) -> list[Probe]:
    """The text selections whose positions can be weighed: integers, in order."""
    return [(u, s) for u in units for s in u.selections
            if s.kind == "PlainTextSelection" and s.problem is None and s.start is not None and s.end is not None
            and 0 <= s.start < s.end]


def fits(unit: QdeText, sel: QdeSelection, scheme: str) -> tuple[bool, bool]:
    """Whether the selection's ``name`` quotes its text under ``scheme``, and whether it lies on boundaries."""
    pm = unit.positions
    i, j = pm.exact_index(sel.start, scheme), pm.exact_index(sel.end, scheme)
    if i is None or j is None:
        return False, False
    return bool(sel.name) and quote_matches(sel.name, pm.raw[i:j]), on_boundary(pm.raw, i) and \
        on_boundary(pm.raw, j)


def weigh(candidates: list[Probe]) -> tuple[str, dict[str, dict[str, int]]]:
    """The scheme that fits ``candidates`` best, and for each scheme how many quote (``quote``) and how many lie
    on boundaries (``boundary``)."""
    evidence: dict[str, dict[str, int]] = {}
    for scheme in SCHEMES:
        quote = boundary = 0
        for unit, sel in candidates:
            q, b = fits(unit, sel, scheme)
            quote += q
            boundary += b
        evidence[scheme] = {"quote": quote, "boundary": boundary}
    best = max(SCHEMES, key=lambda s: (evidence[s]["quote"], evidence[s]["boundary"], -SCHEMES.index(s)))
    return best, evidence


def detect(units: list[QdeText]) -> tuple[str, dict[str, dict[str, int]], int]:
    """The scheme of a whole file: ``(best, evidence, number of selections weighed)``. Each unit's ``positions``
    must be set."""
    candidates = probes(units)
    best, evidence = weigh(candidates)
    return best, evidence, len(candidates)


def choose_per_writer(units: list[QdeText], users: Mapping[str, str], report: ImportReport) -> None:
    """Choose the counting scheme for each writer (``creatingUser``) from that writer's own selections.

    Sets each selection's ``scheme``; a writer whose selections quote nothing keeps ``report.scheme``. A note
    in ``report`` names each writer counted otherwise (``users``: user names by GUID key)."""
    by_user: dict[str | None, list[Probe]] = {}
    for unit, sel in probes(units):
        by_user.setdefault(guid_key(sel.user), []).append((unit, sel))
    for user, own in by_user.items():
        best, evidence = weigh(own)
        if evidence[best]["quote"] == 0:
            best = report.scheme  # nothing quoted: the file's choice
        for _, sel in own:
            sel.scheme = best
        if best != report.scheme:
            name = users.get(user or "", user or "no user")
            report.notes.append(f"positions of {len(own)} selection(s) by {name} are counted as {best}, not "
                                f"{report.scheme} as the rest (from the quotes in their names)")
    for unit in units:  # selections that could not be probed follow their writer, else the file
        for sel in unit.selections:
            if sel.scheme is None:
                sel.scheme = next((s.scheme for _, s in by_user.get(guid_key(sel.user), [])), report.scheme)


def note_misfits(units: list[QdeText], users: Mapping[str, str], report: ImportReport) -> None:
    """A note for the selections whose quote fits another way of counting than the one they are read with."""
    misfits: Counter = Counter()
    for unit, sel in probes(units):
        chosen = sel.scheme or report.scheme
        if not sel.name or fits(unit, sel, chosen)[0]:
            continue
        others = [s for s in SCHEMES if s != chosen and fits(unit, sel, s)[0]]
        if others:
            misfits[(users.get(guid_key(sel.user) or "", "no user"), chosen, others[0])] += 1
    for (user, chosen, other), n in sorted(misfits.items()):
        report.notes.append(f"{n} selection(s) by {user} quote their text when counted as {other}, not {chosen} "
                            "as they were read: they may be shifted (a program that counts differently added "
                            "them); import with scheme='per-user' (CLI: --scheme per-user) to count each "
                            "writer's own way")
