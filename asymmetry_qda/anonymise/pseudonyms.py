"""Plan consistent pseudonyms for audit findings, and move offsets across replacements.

Pseudonymisation has two halves. This module is the plain-data half: it
turns findings (rows of :func:`~asymmetry_qda.anonymise.audit_texts`) into a
*plan*, one row per replacement, and maps character offsets of the old text to
the new one (:class:`OffsetMap`). :mod:`asymmetry_qda.anonymise.rewrite`
applies a plan to a project.

Rules of the plan:

* The identifying part of a finding is replaced (``core_start``/``core_end``):
  "DCI Walsh" becomes "DCI [OFFICER-1]", "Lewisham nick" "[STATION-1] nick", so
  the rank and the kind of place, which the analysis needs, stay.
* The same original gets the same pseudonym everywhere. Originals are compared
  after folding case and white space; a lone surname that is the last word of
  exactly one longer name ("Hargreaves", "Julia Hargreaves") is the same
  person. A name found after a police rank anywhere is an ``OFFICER``, other
  names are ``PERSON``.
* With ``everywhere`` (the default), every other whole-word occurrence of a
  chosen original, with the same capitalisation, in any document, is replaced
  too (``source`` ``same string``): NER that finds "Okafor" once may miss him
  the next time.
* Numbers continue after the highest already used: in the key file, and in
  bracketed pseudonyms already in the texts (``[OFFICER-3]``).
* A finding in a participant attribute (``doc_id`` ``participant:P01:notes``,
  see :func:`~asymmetry_qda.anonymise.audit.audit_attributes`) is planned from
  the finding itself and gets the same pseudonym as the same original in the
  documents; :mod:`.rewrite` replaces it in the attribute (with every other
  whole-word occurrence of the plan's originals there).

Examples
--------
>>> import pandas as pd
>>> texts = {"INT01": "I told DCI Walsh. Walsh said no."}
>>> findings = pd.DataFrame([{"doc_id": "INT01", "start": 7, "end": 16, "text": "DCI Walsh", "kind": "rank_name",
...                           "severity": "high", "core_start": 11, "core_end": 16}])
>>> plan = plan_pseudonyms(findings, texts)
>>> plan[["doc_id", "start", "end", "original", "pseudonym", "source"]]
  doc_id  start  end original    pseudonym       source
0  INT01     11   16    Walsh  [OFFICER-1]      finding
1  INT01     18   23    Walsh  [OFFICER-1]  same string
>>> replace_spans(texts["INT01"], plan[["start", "end", "pseudonym"]].itertuples(index=False))
'I told DCI [OFFICER-1]. [OFFICER-1] said no.'
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from ..errors import InputError, Problem
from .audit import is_attribute_location
from .masks import PLACEHOLDER

__all__ = ["LABELS", "PLAN_COLUMNS", "OffsetMap", "literal_alternation", "plan_pseudonyms", "replace_spans",
           "used_numbers"]

#: The pseudonym label of each kind of finding (``rank_name`` is ``OFFICER``
#: after a police rank, ``PERSON`` after a civil title such as Mrs or Dr).
LABELS: dict[str, str] = {
    "person": "PERSON", "rank_name": "OFFICER", "deny_list": "PERSON", "collar_number": "COLLAR",
    "phone": "PHONE", "email": "EMAIL", "postcode": "POSTCODE", "station": "STATION", "vehicle_reg": "VEHICLE",
    "url": "URL", "handle": "HANDLE", "date": "DATE", "time": "TIME", "street": "STREET", "place": "PLACE",
    "force": "FORCE", "organisation": "ORG",
}
_NAME_LABELS = frozenset({"OFFICER", "PERSON"})
_CIVIL_TITLES = frozenset("mr mrs miss ms mx dr doctor prof professor dame lady lord sir".split())

#: Columns of a plan.
PLAN_COLUMNS: tuple[str, ...] = ("doc_id", "start", "end", "original", "pseudonym", "kind", "severity", "source")

#: A pseudonym as written into the text: one bracketed label and number.
PSEUDONYM = re.compile(r"\[([A-Z][A-Z_]*)-(\d+)\]")
_VALID_PSEUDONYM = re.compile(r"\[[^\[\]\n]{1,60}\]")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def used_numbers(texts: Iterable[str], pseudonyms: Iterable[str] = ()) -> dict[str, int]:
    """The highest number used per label in ``texts`` and ``pseudonyms``.

    >>> used_numbers(["[OFFICER-2] met [STATION-1]", "[OFFICER-10]"])
    {'OFFICER': 10, 'STATION': 1}
    """
    highest: dict[str, int] = {}
    for text in (*texts, *pseudonyms):
        for m in PSEUDONYM.finditer(text):
            highest[m.group(1)] = max(highest.get(m.group(1), 0), int(m.group(2)))
    return dict(sorted(highest.items()))


def _label(kind: str, text: str, start: int, core_start: int) -> str:
    if kind not in LABELS:
        return "ID"
    if kind == "rank_name":
        title = re.sub(r"[^\w\s]", " ", text[start:core_start]).split()
        if title and all(w.casefold() in _CIVIL_TITLES for w in title):
            return "PERSON"
    return LABELS[kind]


def literal_alternation(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words`` (spaces as any white space), built as a trie.

    A plain ``a|b|c`` alternation tries every word at every position; the
    trie shares prefixes, so thousands of originals scan a long text quickly.
    Where one word extends another the longer is tried first.

    >>> print(literal_alternation(["Walsh", "Wallace", "Kent Police", "Walshaw"]))
    (?:Kent\\s+Police|Wal(?:lace|sh(?:aw)?))
    """
    trie: dict = {}
    for word in {" ".join(w.split()) for w in words if w.strip()}:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def piece(char: str) -> str:
        return r"\s+" if char == " " else re.escape(char)

    def build(node: dict) -> str:
        branches = []
        for char in sorted(k for k in node if k):
            text, child = piece(char), node[char]
            while len(child) == 1 and "" not in child:  # follow a chain without branches
                ((char, child),) = child.items()
                text += piece(char)
            branches.append(text + build(child))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body  # greedy: the longer word first

    return build(trie) or "(?!)"


#: What may not touch a whole-word match on either side (so "Walsh" is not found in "Okafor-Walsh").
WORD_BEFORE = r"(?<![\w@/.-])"
WORD_AFTER = r"(?![\w@/-]|\.\w)"


def plan_pseudonyms(
    findings: pd.DataFrame,
    texts: Mapping[str, str],
    *,
    key: Mapping[str, str] | None = None,
    everywhere: bool = True,
) -> pd.DataFrame:
    """A plan: which characters to replace by which pseudonym.

    Parameters
    ----------
    findings
        Rows of an audit (``doc_id, start, end, text, kind``; with
        ``core_start``/``core_end`` only the identifying part is replaced;
        ``severity`` is carried along). Choose rows before planning.
    texts
        The current text of every document (the sweep looks in all of them).
    key
        Pseudonyms already given, original to pseudonym (from an earlier key
        file): the same originals get them again.
    everywhere
        Also replace every other whole-word, same-case occurrence of a chosen
        original.

    Returns
    -------
    pandas.DataFrame
        :data:`PLAN_COLUMNS`, sorted by document and offset, overlaps removed:
        ``original`` is ``texts[doc_id][start:end]``; ``source`` is
        ``finding`` or ``same string``. Edit ``pseudonym`` before applying it,
        to merge or rename.
    """
    missing = {"doc_id", "start", "end", "kind"} - set(findings.columns)
    if missing:
        raise InputError(Problem("findings", f"lack the column(s) {', '.join(sorted(missing))}",
                                 fix="pass rows of project.audit() (or its CSV)"))
    problems: list[Problem] = []
    rows: list[dict] = []
    for f in findings.itertuples(index=False):
        doc_id = str(f.doc_id)
        text = texts.get(doc_id)
        start, end = int(f.start), int(f.end)
        said = getattr(f, "text", None)
        base = 0  # where ``text`` starts in its document (or attribute)
        if text is None and is_attribute_location(doc_id) and isinstance(said, str):
            text, base = said, start  # a participant attribute: the finding holds all the plan needs
        where = f"finding {doc_id} [{start}, {end})"
        if text is None:
            problems.append(Problem(where, "names a document the project does not hold", fix="run the audit again"))
            continue
        core_start = int(getattr(f, "core_start", start)) if pd.notna(getattr(f, "core_start", start)) else start
        core_end = int(getattr(f, "core_end", end)) if pd.notna(getattr(f, "core_end", end)) else end
        if not (base <= start <= core_start < core_end <= end <= base + len(text)):
            problems.append(Problem(where, "has offsets outside its document or an empty identifying part",
                                    fix="run the audit again and pass its rows unchanged"))
            continue
        if isinstance(said, str) and text[start - base:end - base] != said:
            problems.append(Problem(where, f"reads {said!r} but the document now reads "
                                    f"{text[start - base:end - base]!r} there",
                                    fix="the document changed since the audit: run the audit again"))
            continue
        rows.append({"doc_id": doc_id, "start": core_start, "end": core_end,
                     "original": text[core_start - base:core_end - base],
                     "label": _label(str(f.kind), text, start - base, core_start - base), "kind": str(f.kind),
                     "severity": getattr(f, "severity", None), "source": "finding"})
    if problems:
        raise InputError(problems)

    rows.sort(key=lambda r: (r["doc_id"], r["start"], -r["end"]))
    entity = _entities(rows)
    known = {_norm(k): v for k, v in (key or {}).items()}
    numbers = used_numbers(texts.values(), known.values())
    names: dict[tuple[str, str], str] = {}
    for row in rows:
        ident = entity[(row["label"], _norm(row["original"]))]
        if ident not in names:
            pseudonym = known.get(_norm(row["original"]))
            if pseudonym is None:
                label = ident[0]
                numbers[label] = numbers.get(label, 0) + 1
                pseudonym = f"[{label}-{numbers[label]}]"
            names[ident] = pseudonym
        row["pseudonym"] = names[ident]

    if everywhere:
        rows += _sweep(rows, texts)
    plan = pd.DataFrame(_without_overlaps(rows), columns=[*PLAN_COLUMNS])
    return plan.astype({"start": "int64", "end": "int64"}).reset_index(drop=True)


def _entities(rows: list[dict]) -> dict[tuple[str, str], tuple[str, str]]:
    """Each (label, normalised original) to the entity it names: (final label, canonical original)."""
    entity: dict[tuple[str, str], tuple[str, str]] = {}
    names = {}
    for row in rows:
        norm = _norm(row["original"])
        if row["label"] in _NAME_LABELS:
            names[norm] = "OFFICER" if "OFFICER" in (row["label"], names.get(norm)) else row["label"]
        else:
            entity[(row["label"], norm)] = (row["label"], norm)
    longer: dict[str, list[str]] = {}
    for norm in names:
        parts = norm.split()
        if len(parts) > 1:
            longer.setdefault(parts[-1], []).append(norm)
    canonical = {n: (longer[n][0] if len(longer.get(n, ())) == 1 else n) for n in names}
    # a lone surname and the one full name it ends are the same person; OFFICER wins
    officer = {canonical[n] for n, label in names.items() if label == "OFFICER"}
    for norm in names:
        label = "OFFICER" if canonical[norm] in officer else "PERSON"
        for row_label in _NAME_LABELS:
            entity[(row_label, norm)] = (label, canonical[norm])
    return entity


def _sweep(rows: list[dict], texts: Mapping[str, str]) -> list[dict]:
    """Every other whole-word, same-case occurrence of a planned original."""
    pseudonym_of: dict[str, str] = {}
    template: dict[str, dict] = {}
    for row in rows:
        pseudonym_of.setdefault(row["original"], row["pseudonym"])
        template.setdefault(row["original"], row)
    taken = {(r["doc_id"], r["start"], r["end"]) for r in rows}
    by_form = {" ".join(o.split()): o for o in pseudonym_of}
    pattern = re.compile(WORD_BEFORE + literal_alternation(pseudonym_of) + WORD_AFTER)
    extra = []
    for doc_id in sorted(texts):
        text = texts[doc_id]
        held = [m.span() for m in PLACEHOLDER.finditer(text)]
        for m in pattern.finditer(text):
            if (doc_id, *m.span()) in taken or any(s <= m.start() < e for s, e in held):
                continue
            base = template[by_form[" ".join(m.group().split())]]
            extra.append({**base, "doc_id": doc_id, "start": m.start(), "end": m.end(), "original": m.group(),
                          "source": "same string"})
    return extra


def _without_overlaps(rows: list[dict]) -> list[dict]:
    """One replacement per stretch of text: findings before sweeps, then the longer, then the earlier."""
    rows = sorted(rows, key=lambda r: (r["source"] != "finding", -(r["end"] - r["start"]), r["doc_id"], r["start"]))
    kept: dict[str, list[tuple[int, int]]] = {}
    chosen = []
    for row in rows:
        spans = kept.setdefault(row["doc_id"], [])
        if any(row["start"] < e and s < row["end"] for s, e in spans):
            continue
        spans.append((row["start"], row["end"]))
        chosen.append({c: row.get(c) for c in PLAN_COLUMNS})
    return sorted(chosen, key=lambda r: (r["doc_id"], r["start"]))


def check_plan(plan: pd.DataFrame, texts: Mapping[str, str]) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Validate a (possibly edited) plan against the texts; the replacements of each document, in order.

    Every problem is reported at once: unknown documents, offsets that no
    longer read ``original``, overlapping rows, and pseudonyms that are not one
    bracketed term (``[OFFICER-1]``), which the audit would flag again.

    Rows of participant attributes (``participant:P01:notes``) are checked
    for their pseudonym only and left out of the result: the rewrite replaces
    their originals in the attributes with the other free text.
    """
    missing = {"doc_id", "start", "end", "original", "pseudonym"} - set(plan.columns)
    if missing:
        raise InputError(Problem("plan", f"lacks the column(s) {', '.join(sorted(missing))}",
                                 fix="start from project.pseudonym_plan() and edit only its pseudonym column"))
    problems: list[Problem] = []
    by_doc: dict[str, list[tuple[int, int, str]]] = {}
    for i, row in enumerate(plan.itertuples(index=False)):
        where = f"plan row {i} ({row.doc_id} [{row.start}, {row.end}))"
        text = texts.get(str(row.doc_id))
        if text is None and is_attribute_location(row.doc_id):
            if not isinstance(row.original, str) or not row.original.strip():
                problems.append(Problem(where, "has no original", fix="plan again"))
            elif not isinstance(row.pseudonym, str) or not _VALID_PSEUDONYM.fullmatch(row.pseudonym):
                problems.append(Problem(where, f"pseudonym {row.pseudonym!r} is not one bracketed term",
                                        fix="write pseudonyms like [OFFICER-1] or [STATION B]"))
            continue
        if text is None:
            problems.append(Problem(where, "names a document the project does not hold", fix="plan again"))
            continue
        start, end = int(row.start), int(row.end)
        if not (0 <= start < end <= len(text)) or text[start:end] != row.original:
            problems.append(Problem(where, f"should read {row.original!r} but the document reads "
                                    f"{text[start:end] if 0 <= start < end <= len(text) else '(out of range)'!r}",
                                    fix="the document changed since planning: run the audit and plan again"))
            continue
        pseudonym = row.pseudonym
        if not isinstance(pseudonym, str) or not _VALID_PSEUDONYM.fullmatch(pseudonym):
            problems.append(Problem(where, f"pseudonym {pseudonym!r} is not one bracketed term",
                                    fix="write pseudonyms like [OFFICER-1] or [STATION B]"))
            continue
        by_doc.setdefault(str(row.doc_id), []).append((start, end, pseudonym))
    for doc_id, spans in by_doc.items():
        spans.sort()
        for (s1, e1, _), (s2, e2, _) in zip(spans, spans[1:]):
            if s2 < e1:
                problems.append(Problem(f"plan for {doc_id}", f"rows [{s1}, {e1}) and [{s2}, {e2}) overlap",
                                        fix="drop one of them"))
    if problems:
        raise InputError(problems)
    return sorted(by_doc.items())


def replace_spans(text: str, replacements: Iterable[tuple[int, int, str]]) -> str:
    """``text`` with each non-overlapping ``(start, end, new)`` replaced.

    >>> replace_spans("DCI Walsh rang", [(4, 9, "[OFFICER-1]")])
    'DCI [OFFICER-1] rang'
    """
    parts, last = [], 0
    for start, end, new in sorted(replacements):
        parts += [text[last:start], new]
        last = end
    parts.append(text[last:])
    return "".join(parts)


Boundary = Literal["expand", "shrink", "error"]


@dataclass(frozen=True)
class OffsetMap:
    """Where each offset of a text lands after non-overlapping replacements.

    An offset outside every replaced stretch (or on its edge) moves by the
    change in length before it. An offset strictly inside a replaced stretch
    has no counterpart: :meth:`span` decides by ``boundary``.

    >>> m = OffsetMap.build([(4, 9, "[OFFICER-1]")])   # "DCI Walsh rang" -> "DCI [OFFICER-1] rang"
    >>> m.point(0), m.point(4), m.point(9), m.point(14)
    (0, 4, 15, 20)
    >>> m.span(0, 14), m.span(6, 14), m.span(6, 14, boundary="shrink")
    ((0, 20, False), (4, 20, True), (15, 20, True))
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    new_starts: tuple[int, ...]
    new_ends: tuple[int, ...]

    @classmethod
    def build(cls, replacements: Iterable[tuple[int, int, str]]) -> "OffsetMap":
        starts, ends, new_starts, new_ends = [], [], [], []
        shift = 0
        for start, end, new in sorted(replacements):
            starts.append(start)
            ends.append(end)
            new_starts.append(start + shift)
            new_ends.append(start + shift + len(new))
            shift += len(new) - (end - start)
        return cls(tuple(starts), tuple(ends), tuple(new_starts), tuple(new_ends))

    def inside(self, position: int) -> int | None:
        """The index of the replacement ``position`` lies strictly inside, if any."""
        i = bisect_right(self.starts, position) - 1
        return i if i >= 0 and self.starts[i] < position < self.ends[i] else None

    def point(self, position: int) -> int:
        """The new offset of ``position`` (inside a replacement: its new start)."""
        i = self.inside(position)
        if i is not None:
            return self.new_starts[i]
        j = bisect_right(self.ends, position) - 1  # the last replacement ending at or before position
        if j < 0:
            return position
        return position + self.new_ends[j] - self.ends[j]

    def span(self, start: int, end: int, *, boundary: Boundary = "expand") -> tuple[int, int, bool]:
        """New ``(start, end, cut)`` of a span; ``cut`` says a boundary fell inside a replacement.

        ``expand`` widens the span to the whole pseudonym, ``shrink`` narrows
        it to leave the pseudonym out (and raises ``ValueError`` if nothing is
        left), ``error`` raises ``ValueError`` on a cut.
        """
        i, j = self.inside(start), self.inside(end)
        cut = i is not None or j is not None
        if cut and boundary == "error":
            raise ValueError("a replacement cuts through the span's boundary")
        shrink = boundary == "shrink"
        new_start = self.point(start) if i is None else (self.new_ends[i] if shrink else self.new_starts[i])
        new_end = self.point(end) if j is None else (self.new_starts[j] if shrink else self.new_ends[j])
        if new_end <= new_start:
            raise ValueError("nothing of the span is left outside the replacement")
        return new_start, new_end, cut

    def touches(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` overlaps any replaced stretch."""
        i = bisect_left(self.ends, start + 1)
        return i < len(self.starts) and self.starts[i] < end
