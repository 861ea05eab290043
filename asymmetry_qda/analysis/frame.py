"""The tidy frames every table is built from: codings placed in their units, and the units themselves.

:func:`load` reads a project once and returns an :class:`AnalysisData`:

``codings``
    One row per current coding kept for analysis (``status`` confirmed; also
    suggested when asked), with its document kind, participant and participant
    attributes, and the ordinals of the first and last turn and sentence it
    overlaps (``turn``/``turn_last``, ``sentence``/``sentence_last``, 0-based in
    document order, the same numbering as ``units``).
``units``
    One row per turn and per sentence of participant talk (interviewer talk too
    when asked), coded or not: the denominators of every percentage.
``texts``
    The text of each document; every offset indexes into it.
``codebook``
    The codebook the tables use for labels, hierarchy order, poles and fits.

A coding belongs to every unit it overlaps. Codings that overlap no unit kept
for analysis (a coding of an interviewer's question when interviewer talk is
left out, or of a document header) are left out and counted in
``AnalysisData.dropped``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..codebook.model import Codebook
    from ..project import Project

__all__ = ["ATTRIBUTE_COLUMNS", "AnalysisData", "load", "code_order", "implication_note", "rolled_up", "with_implied"]

#: Participant columns carried onto every coding and unit (attributes imported from a table are added).
ATTRIBUTE_COLUMNS = ("rank", "rank_band", "leader", "function", "track")
_NOT_ATTRIBUTES = {"participant_id", "pseudonym", "rank_raw", "rank_level", "acting", "leader_source",
                   "n_documents", "data_types"}

CODING_COLUMNS = ["coding_id", "doc_id", "kind", "participant_id", "speaker", "start", "end", "code_id", "theme",
                  "status", "origin", "coder_id", "rule_id", "confidence", "memo", "text", "turn", "turn_last",
                  "sentence", "sentence_last"]
UNIT_COLUMNS = ["doc_id", "unit", "ordinal", "start", "end", "speaker", "is_interviewer", "kind", "participant_id"]


@dataclass(frozen=True)
class AnalysisData:
    """Codings placed in their units, the units, the texts and the codebook (see the module docstring)."""

    codings: pd.DataFrame
    units: pd.DataFrame
    texts: dict[str, str]
    codebook: "Codebook | None" = None
    statuses: tuple[str, ...] = ("confirmed",)
    dropped: int = 0
    attributes: tuple[str, ...] = field(default=())
    coders: tuple[str, ...] | None = None  # the coders whose confirmed codings were kept (None: everyone)
    #: The project file the data came from: exports of quotes check its anonymisation audit first.
    source: Path | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """``confirmed``, or ``confirmed+suggested`` when suggestions are included: shown on every table."""
        return "+".join(self.statuses)


def load(
    project: "Project",
    *,
    include_suggestions: bool = False,
    include_interviewer: bool = False,
    codebook: "Codebook | str | Path | None" = None,
    statuses: Sequence[str] | None = None,
    coders: Sequence[str] | None = None,
) -> AnalysisData:
    """Read ``project`` into the frames the tables use.

    ``codebook`` is a :class:`~asymmetry_qda.codebook.model.Codebook`, a YAML
    path, or ``None`` for the codebook most recently stored in the project (the
    one the last ``code`` run used), if any. ``statuses`` overrides which
    current codings are kept (e.g. ``("confirmed", "suggested", "rejected")`` to
    score everything the tagger suggested, whatever was decided on it). Each
    coding carries its latest memo in ``memo``. ``coders`` keeps only those
    coders' confirmed codings (e.g. ``["LT"]`` or ``["consensus"]`` when several
    people coded the same documents, so no passage is counted once per coder);
    suggestions, when included, are kept whoever made them.

    >>> from asymmetry_qda import Project
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "INT01.txt").write_text("P01: It lands on me. Every time.\\n", encoding="utf-8")
    >>> with Project.create(folder / "p.qda") as project:
    ...     _ = project.ingest(folder / "INT01.txt", model="blank")
    ...     _ = project.code_span("INT01", 5, 20, "agency.responsibility", coder="ana")
    ...     data = load(project)
    >>> data.codings[["code_id", "text", "turn", "sentence", "sentence_last"]].to_dict("records")
    [{'code_id': 'agency.responsibility', 'text': 'It lands on me.', 'turn': 0, 'sentence': 0, 'sentence_last': 0}]
    >>> data.units.groupby("unit").size().to_dict()
    {'sentence': 2, 'turn': 1}
    """
    if statuses is None:
        statuses = ("confirmed", "suggested") if include_suggestions else ("confirmed",)
    statuses = tuple(statuses)
    participants = project.participants()
    attributes = [c for c in participants.columns if c not in _NOT_ATTRIBUTES]
    attributes = [c for c in ATTRIBUTE_COLUMNS if c in attributes] + sorted(
        c for c in attributes if c not in ATTRIBUTE_COLUMNS)
    documents = project.documents()[["doc_id", "kind", "participant_id"]]
    documents = documents.merge(participants[["participant_id", *attributes]], on="participant_id", how="left")

    segments = project.segments(include_interviewer=include_interviewer)
    units = segments[["doc_id", "unit", "start", "end", "speaker", "is_interviewer"]].copy()
    units = units.sort_values(["doc_id", "unit", "start"], kind="stable")
    units.insert(2, "ordinal", units.groupby(["doc_id", "unit"]).cumcount().astype("int64"))
    units = units.merge(documents, on="doc_id", how="left")
    units = units.sort_values(["doc_id", "unit", "ordinal"], kind="stable").reset_index(drop=True)

    codings = project.codings()
    codings = codings[codings["status"].isin(statuses)].rename(columns={"speaker": "segment_speaker"})
    if coders is not None:
        codings = codings[(codings["status"] != "confirmed") | codings["coder_id"].isin(list(coders))]
    memos = project.memos().dropna(subset=["coding_id"]).drop_duplicates("coding_id", keep="last")
    codings = codings.merge(memos[["coding_id", "text"]].rename(columns={"text": "memo"}), on="coding_id",
                            how="left")
    codings = _place(codings, units)
    dropped = int(codings["turn"].isna().sum())
    codings = codings[codings["turn"].notna() & codings["sentence"].notna()].copy()
    for column in ("turn", "turn_last", "sentence", "sentence_last"):
        codings[column] = codings[column].astype("int64")
    codings = codings.drop(columns=["participant_id"]).merge(documents, on="doc_id", how="left")
    codings = codings[[*CODING_COLUMNS, *attributes]].sort_values(
        ["doc_id", "start", "end", "code_id", "coding_id"], kind="stable").reset_index(drop=True)
    units = units[[*UNIT_COLUMNS, *attributes]]
    texts = {doc_id: project.text(doc_id) for doc_id in documents["doc_id"]}
    return AnalysisData(codings=codings, units=units, texts=texts, codebook=_codebook(project, codebook),
                        statuses=statuses, dropped=dropped, attributes=tuple(attributes),
                        coders=None if coders is None else tuple(coders),
                        source=project.path)


def _place(codings: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Add turn/turn_last/sentence/sentence_last ordinals (NaN when a coding overlaps no unit) and the speaker."""
    codings = codings.copy()
    for column in ("turn", "turn_last", "sentence", "sentence_last"):
        codings[column] = np.nan
    codings["speaker"] = pd.Series(pd.NA, index=codings.index, dtype="object")
    for (doc_id, unit), part in units.groupby(["doc_id", "unit"], sort=False):
        rows = codings.index[codings["doc_id"] == doc_id]
        if not len(rows):
            continue
        starts, ends = part["start"].to_numpy(), part["end"].to_numpy()
        c_start, c_end = codings.loc[rows, "start"].to_numpy(), codings.loc[rows, "end"].to_numpy()
        first = np.searchsorted(ends, c_start, side="right")  # first unit ending after the coding starts
        last = np.searchsorted(starts, c_end, side="left") - 1  # last unit starting before the coding ends
        hit = first <= last
        ordinals = part["ordinal"].to_numpy()
        codings.loc[rows[hit], unit] = ordinals[first[hit]]
        codings.loc[rows[hit], f"{unit}_last"] = ordinals[last[hit]]
        if unit == "turn":
            codings.loc[rows[hit], "speaker"] = part["speaker"].to_numpy()[first[hit]]
    return codings


def _codebook(project: "Project", codebook) -> "Codebook | None":
    from ..codebook import load_codebook
    from ..codebook.model import Codebook

    if isinstance(codebook, Codebook):
        return codebook
    if codebook is not None:
        return load_codebook(codebook)
    stored = project.codebooks()
    return project.codebook(stored["codebook_hash"].iloc[-1]) if len(stored) else None


def code_order(codebook: "Codebook | None", codes) -> list[str]:
    """``codes`` in codebook (hierarchy) order; codes the codebook lacks follow, sorted.

    >>> code_order(None, ["b", "a"])
    ['a', 'b']
    """
    codes = list(dict.fromkeys(codes))
    if codebook is None:
        return sorted(codes)
    rank = {code.id: i for i, code in enumerate(codebook.codes)}
    return sorted(codes, key=lambda c: (c not in rank, rank.get(c, 0), c))


def rolled_up(codings: pd.DataFrame) -> pd.DataFrame:
    """Each coding repeated for its code and every ancestor code (``a.b.c`` counts for ``a.b`` and ``a``).

    >>> frame = pd.DataFrame({"coding_id": ["c1"], "code_id": ["a.b.c"]})
    >>> rolled_up(frame)["code_id"].tolist()
    ['a.b.c', 'a.b', 'a']
    """
    parts = codings["code_id"].str.split(".")
    depth = parts.str.len()
    repeated = codings.loc[codings.index.repeat(depth)].copy()
    level = repeated.groupby(level=0).cumcount().to_numpy()
    repeated["code_id"] = [".".join(p[:len(p) - k]) for p, k in zip(parts.loc[repeated.index], level, strict=True)]
    return repeated.reset_index(drop=True)


def with_implied(codings: pd.DataFrame, codebook: "Codebook | None") -> pd.DataFrame:
    """``codings`` plus, for each coding of a code that implies others (the codebook's ``implies``), one row
    per implied code: same coding, offsets and units, ``code_id`` the implied code, ``implied_by`` the code
    that implies it (empty on the original rows).

    Counts, matrices and balances made from the result count a ``failure.preventable.deviation`` coding for
    ``reason.personal_fault`` too, when the codebook declares it; co-occurrence should use the codings as
    coded, where an implied code would co-occur with its source by construction.

    >>> from asymmetry_qda.codebook import parse_codebook
    >>> cb = parse_codebook("codebook: {name: t, version: '1'}\\ncodes:\\n"
    ...                     "  - {id: fault, label: F, definition: d}\\n"
    ...                     "  - {id: fail, label: X, definition: d, implies: [fault]}\\n")
    >>> with_implied(pd.DataFrame({"coding_id": ["c1"], "code_id": ["fail"]}), cb).to_dict("records")
    [{'coding_id': 'c1', 'code_id': 'fail', 'implied_by': ''}, {'coding_id': 'c1', 'code_id': 'fault', 'implied_by': 'fail'}]
    """
    out = codings.assign(implied_by="")
    if codebook is None or not len(codings):
        return out
    implications = codebook.implications
    if not implications:
        return out
    extra = []
    for code_id, implied in implications.items():
        rows = codings[codings["code_id"] == code_id]
        for target in implied:
            if len(rows):
                extra.append(rows.assign(code_id=target, implied_by=code_id))
    if not extra:
        return out
    return pd.concat([out, *extra], ignore_index=True)


def implication_note(codebook: "Codebook | None") -> str:
    """The sentence a table's note carries when codes count for the codes they imply ("" when none do)."""
    if codebook is None:
        return ""
    declared = {c.id: c.implies for c in codebook.codes if c.implies}
    if not declared:
        return ""
    listed = "; ".join(f"{code} => {', '.join(targets)}" for code, targets in declared.items())
    return f" Codes also count for the codes they imply (codebook `implies`, sub-codes included): {listed}."


#: The units a table can count in: a coding belongs to every unit of the kind it overlaps.
COUNT_UNITS = ("sentence", "turn", "document", "participant")


def check_choice(name: str, value, allowed) -> None:
    """Raise :class:`~asymmetry_qda.errors.ArgumentError` unless ``value`` is one of ``allowed``."""
    from ..errors import ArgumentError

    if value not in allowed:
        raise ArgumentError(f"{name}={value!r} is not one of: {', '.join(map(str, allowed))}")


def in_units(codings: pd.DataFrame, unit: str = "sentence") -> pd.DataFrame:
    """One row per (coding, unit it overlaps), with a ``unit_key`` naming the unit.

    ``unit_key`` is ``doc_id:ordinal`` for sentences and turns, the ``doc_id``
    for documents and the ``participant_id`` for participants (codings without a
    participant get none and are left out of participant counts).

    >>> frame = pd.DataFrame({"coding_id": ["c1"], "doc_id": ["D"], "participant_id": ["P1"], "code_id": ["a"],
    ...                       "sentence": [2], "sentence_last": [3], "turn": [0], "turn_last": [0]})
    >>> in_units(frame)["unit_key"].tolist()
    ['D:2', 'D:3']
    """
    check_choice("unit", unit, COUNT_UNITS)
    if unit == "document":
        return codings.assign(unit_key=codings["doc_id"])
    if unit == "participant":
        kept = codings[codings["participant_id"].notna()]
        return kept.assign(unit_key=kept["participant_id"].astype(str))
    first, last = codings[unit].to_numpy(), codings[f"{unit}_last"].to_numpy()
    span = (last - first + 1).astype(np.int64)
    expanded = codings.loc[codings.index.repeat(span)].copy()
    offsets = np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span)
    ordinal = np.repeat(first, span) + offsets
    expanded["unit_key"] = expanded["doc_id"].astype(str).to_numpy() + ":" + ordinal.astype(str)
    expanded["unit_ordinal"] = ordinal
    return expanded.reset_index(drop=True)


def unit_keys(units: pd.DataFrame, unit: str = "sentence") -> pd.DataFrame:
    """The units frame's rows of ``unit``, with the same ``unit_key`` as :func:`in_units` (the denominators)."""
    check_choice("unit", unit, COUNT_UNITS)
    if unit in ("sentence", "turn"):
        rows = units[units["unit"] == unit]
        return rows.assign(unit_key=rows["doc_id"].astype(str) + ":" + rows["ordinal"].astype(str))
    turns = units[units["unit"] == "turn"]
    if unit == "document":
        rows = turns.drop_duplicates("doc_id")
        return rows.assign(unit_key=rows["doc_id"])
    rows = turns[turns["participant_id"].notna()].drop_duplicates("participant_id")
    return rows.assign(unit_key=rows["participant_id"].astype(str))


def at_level(codings: pd.DataFrame, depth: int = 2) -> pd.DataFrame:
    """Codings with each code cut to its first ``depth`` parts (sub-codes merged into their ancestor).

    >>> at_level(pd.DataFrame({"code_id": ["a.b.c", "a", "a.b"]}))["code_id"].tolist()
    ['a.b', 'a', 'a.b']
    """
    if depth < 1:
        from ..errors import ArgumentError

        raise ArgumentError(f"depth={depth!r} must be 1 (themes) or more")
    return codings.assign(code_id=codings["code_id"].str.split(".").str[:depth].str.join("."))
