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

Coverage: the denominators count what was coded
------------------------------------------------
A document nobody coded is not a document in which nobody raised a theme: its
zeros are unknowns. So by default (``coverage="coded"``) ``units``, the
denominators of every table, holds only the *covered* documents, and a
participant is counted only when at least one of their documents is covered.

- A document is *covered* (coded by the chosen coders) when at least one of
  them made a human decision in it: a coding by hand or imported, or a
  suggestion they accepted, modified or rejected. That is any row of the
  store's ``codings`` table whose coder is a human coder (``coders.kind``
  ``human``; with ``coders=None``, any human coder), made on the document's
  current text, whatever its status now (a coding later superseded or
  overruled still shows the coder worked there). Rows marked ``withdrawn``
  do not count: they are written when a suggester model is discarded, not
  by anyone reading the document.
- When suggestions are kept (``include_suggestions=True``, or ``statuses``
  holding ``suggested`` or ``suppressed``), the documents the tagger ran over
  are covered too, since it coded them: those holding a row the tagger or a
  suggester model made (any status, on the current text) and those ingested
  (their current text) before a finished ``code`` run started.
- Every document holding a coding kept for analysis is covered, so no coding
  counted lies outside its denominators.
- A participant is covered when at least one of their documents is; their
  denominators are the units of their covered documents only.

``coverage="all"`` counts every document, coded or not (the behaviour before
coverage existed). Either way :class:`AnalysisData` names the covered and
uncoded documents and participants and says it in ``coverage_note``; ``units``
and ``codings`` carry the same :class:`Coverage` in ``.attrs["coverage"]``, and
every table made from them carries it on in its own ``.attrs["coverage"]``.
Participant tables give uncoded participants no row or column (a zero or an
empty balance would read as "never raised it"); the coverage lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import check_option
from ..store import codings as stored_codings
from ..store import documents as stored_documents
from ..store import meta as stored_meta
from ..store.sqlite import HasStore, Store, store_of

# the code hierarchy, the coverage and the units live in their own modules; the names stay here, where the tables
# import them
from ._frame_codes import at_level as at_level
from ._frame_codes import code_order, implication_note, rolled_up, with_implied
from ._frame_coverage import Coverage, _coverage, coverage_of, with_coverage
from ._frame_units import COUNT_UNITS as COUNT_UNITS
from ._frame_units import in_units as in_units
from ._frame_units import unit_keys as unit_keys

if TYPE_CHECKING:  # pragma: no cover
    from ..codebook.model import Codebook

__all__ = ["ATTRIBUTE_COLUMNS", "COVERAGE", "AnalysisData", "Coverage", "load", "code_order", "coverage_of",
           "implication_note", "rolled_up", "with_coverage", "with_implied"]

#: Participant columns carried onto every coding and unit (attributes imported from a table are added).
ATTRIBUTE_COLUMNS = ("rank", "rank_band", "leader", "function", "track")
_NOT_ATTRIBUTES = {"participant_id", "pseudonym", "rank_raw", "rank_level", "acting", "leader_source",
                   "n_documents", "data_types"}

CODING_COLUMNS = ["coding_id", "doc_id", "kind", "participant_id", "speaker", "start", "end", "code_id", "theme",
                  "status", "origin", "coder_id", "rule_id", "confidence", "memo", "text", "turn", "turn_last",
                  "sentence", "sentence_last"]
UNIT_COLUMNS = ["doc_id", "unit", "ordinal", "start", "end", "speaker", "is_interviewer", "kind", "participant_id"]


#: The values of ``load(coverage=...)``: count the covered documents only, or every document.
COVERAGE = ("coded", "all")
#: Statuses only machine rows have: keeping them keeps suggestions, and the tagger's documents are covered.
MACHINE_STATUSES = ("suggested", "suppressed")


@dataclass(frozen=True)
class AnalysisData:
    """Codings placed in their units, the units, the texts and the codebook (see the module docstring).

    Attributes
    ----------
    codings : pandas.DataFrame
        One row per coding, with its offsets, provenance, the participant's
        attributes and the first and last turn and sentence it overlaps.
    units : pandas.DataFrame
        One row per turn and sentence of participant talk, coded or not: the denominators.
    texts : dict of str to str
        Each document's stored text, by document id.
    codebook : Codebook or None
        The codebook the data was loaded with.
    statuses : tuple of str
        The statuses of the codings kept.
    dropped : int
        Codings that overlap no unit and were left out.
    attributes : tuple of str
        The participant attribute columns of both frames.
    coders : tuple of str or None
        The coders whose confirmed codings were kept (None: everyone).
    source : pathlib.Path or None
        The project file the data came from: exports of quotes check its anonymisation audit first.
    coverage : {"coded", "all"} or None
        ``coverage`` is the option the data was loaded with (``"coded"``: the
        units are the covered documents' only; ``"all"``; None when not known).
    covered_documents, uncoded_documents, covered_participants, uncoded_participants : tuple of str
        ``covered_documents``/``uncoded_documents`` and
        ``covered_participants``/``uncoded_participants`` say which are coded by
        the chosen coders.
    coverage_note : str
        ``coverage_note`` says it in one sentence that every
        table's note carries.

    Notes
    -----
    The frames of one :func:`load`, not a statistic. Unit of ``codings``: one
    current coding with a kept status that overlaps at least one kept unit
    (codings overlapping none are counted in ``dropped``). Unit of ``units``:
    one turn or one sentence (``unit`` says which) of the covered documents
    (all documents with ``coverage="all"``), participant talk only unless
    interviewer talk was kept; these rows are the denominators of every table.
    """

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
    coverage: str | None = None
    covered_documents: tuple[str, ...] = ()
    uncoded_documents: tuple[str, ...] = ()
    covered_participants: tuple[str, ...] = ()
    uncoded_participants: tuple[str, ...] = ()
    coverage_note: str = ""

    @property
    def label(self) -> str:
        """``confirmed``, or ``confirmed+suggested`` when suggestions are included: shown on every table."""
        return "+".join(self.statuses)


def load(
    project: "HasStore | Store",
    *,
    include_suggestions: bool = False,
    include_interviewer: bool = False,
    codebook: "Codebook | str | Path | None" = None,
    statuses: Sequence[str] | None = None,
    coders: Sequence[str] | None = None,
    coverage: str = "coded",
    doc_id: str | Sequence[str] | None = None,
) -> AnalysisData:
    """Read ``project`` (a :class:`~asymmetry_qda.project.Project`, or its store) into the frames the tables use.

    Each coding carries its latest memo in ``memo``.

    Parameters
    ----------
    project : Project
        An open project.
    include_suggestions : bool, default False
        Keep the tagger's and the model's current suggestions as well as the
        confirmed codings (every table then says ``confirmed+suggested``).
    include_interviewer : bool, default False
        Keep the interviewer's turns in the units.
    codebook : Codebook, str, pathlib.Path or None
        ``codebook`` is a :class:`~asymmetry_qda.codebook.model.Codebook`, a YAML
        path, or ``None`` for the codebook most recently stored in the project (the
        one the last ``code`` run used), if any.
    statuses : sequence of str, optional
        ``statuses`` overrides which
        current codings are kept (e.g. ``("confirmed", "suggested", "rejected")`` to
        score everything the tagger suggested, whatever was decided on it).
    coders : sequence of str, optional
        ``coders`` keeps only those
        coders' confirmed codings (e.g. ``["LT"]`` or ``["consensus"]`` when several
        people coded the same documents, so no passage is counted once per coder);
        suggestions, when included, are kept whoever made them.
    coverage : {"coded", "all"}, default "coded"
        ``coverage="coded"`` (the default) keeps in ``units``, the denominators of
        every table, only the documents the chosen coders coded: those where at
        least one of them (with ``coders=None``, any human coder) made a human
        decision, that is any human row of the store's codings on the document's
        current text (a coding, or an accepted, modified or rejected suggestion),
        whatever its status now; with suggestions kept, also the documents the
        tagger ran over. A participant counts when one of their documents does.
        ``coverage="all"`` counts every document, coded or not. See "Coverage" in
        the module docstring; ``coverage_note`` says what was counted.
    doc_id : str or sequence of str, optional
        Read only these documents (their codings, units and texts are selected
        in SQL, so the cost follows their size, not the project's): the frames,
        the coverage and the denominators are then those documents' only.
        Unknown ids are an error.

    Returns
    -------
    AnalysisData
        The codings, units, texts and codebook, with the coverage.

    Notes
    -----
    Reads the store (``asymmetry_qda.store``) once and computes no statistic.
    Unit of ``codings``: one current coding whose status is kept (confirmed by
    default), placed in the 0-based ordinals of the first and last turn and
    sentence it overlaps; a coding overlapping no kept unit is left out and
    counted in ``dropped``. Unit of ``units``: one turn or one sentence of the
    stored segmentation, of participant talk (interviewer turns too with
    ``include_interviewer``), restricted with ``coverage="coded"`` to the
    covered documents; ``units`` is the denominator of every table's
    percentages, so those count only the documents that were coded.

    Examples
    --------
    >>> from asymmetry_qda import Project
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "INT01.txt").write_text("P01: It lands on me. Every time.\\n", encoding="utf-8")
    >>> _ = (folder / "INT02.txt").write_text("P02: Nobody has coded me yet.\\n", encoding="utf-8")
    >>> with Project.create(folder / "p.qda") as project:
    ...     _ = project.ingest([folder / "INT01.txt", folder / "INT02.txt"], pipeline="blank")
    ...     _ = project.code_span("INT01", 5, 20, "agency.responsibility", coder="ana")
    ...     data = load(project)
    ...     everything = load(project, coverage="all")
    >>> data.codings[["code_id", "text", "turn", "sentence", "sentence_last"]].to_dict("records")
    [{'code_id': 'agency.responsibility', 'text': 'It lands on me.', 'turn': 0, 'sentence': 0, 'sentence_last': 0}]
    >>> data.units.groupby("unit").size().to_dict()
    {'sentence': 2, 'turn': 1}
    >>> data.covered_documents, data.uncoded_documents
    (('INT01',), ('INT02',))
    >>> print(data.coverage_note)  # doctest: +NORMALIZE_WHITESPACE
    Denominators: the 1 of 2 documents coded by a human coder; the one document not coded (INT02) is left out
    (coverage='all' counts them).
    >>> sorted(everything.units["doc_id"].unique())
    ['INT01', 'INT02']
    """
    return _load(project, include_suggestions=include_suggestions, include_interviewer=include_interviewer,
                 codebook=codebook, statuses=statuses, coders=coders, coverage=coverage, doc_id=doc_id)


def _load(project: "HasStore | Store", *, include_suggestions: bool = False, include_interviewer: bool = False,
          codebook: "Codebook | str | Path | None" = None, statuses: Sequence[str] | None = None,
          coders: Sequence[str] | None = None, coverage: str = "coded", doc_id: str | Sequence[str] | None = None,
          codes: Sequence[str] | None = None, subcodes: bool = True) -> AnalysisData:
    """:func:`load`; ``codes`` reads only the codings of those codes (and with ``subcodes`` their descendants).

    For a quote query of ``codes`` (:func:`~asymmetry_qda.analysis.quotes`), whose result no other coding
    changes. The documents those codings are in count as covered, as in :func:`load`; a document covered only
    by codings of other codes, with no human decision on it, then does not.
    """
    check_option("coverage", coverage, COVERAGE)
    if statuses is None:
        statuses = ("confirmed", "suggested") if include_suggestions else ("confirmed",)
    statuses = tuple(statuses)
    store = store_of(project)
    db = store.connection
    participants = stored_documents.participants(db)
    attributes = [c for c in participants.columns if c not in _NOT_ATTRIBUTES]
    attributes = [c for c in ATTRIBUTE_COLUMNS if c in attributes] + sorted(
        c for c in attributes if c not in ATTRIBUTE_COLUMNS)
    listed = stored_documents.documents(db)
    ids = None if doc_id is None else [doc_id] if isinstance(doc_id, str) else list(dict.fromkeys(doc_id))
    if ids is not None:
        _check_documents(store.path, ids, listed["doc_id"])
        listed = listed[listed["doc_id"].isin(ids)].reset_index(drop=True)
    documents = listed[["doc_id", "kind", "participant_id"]]
    documents = documents.merge(participants[["participant_id", *attributes]], on="participant_id", how="left")

    codings = stored_codings.frame(db, doc_id=ids, status=statuses, code=codes, subcodes=subcodes,
                                   provenance=False)  # (context, evidence unused)
    codings = codings.rename(columns={"speaker": "segment_speaker"})
    if coders is not None:
        codings = codings[(codings["status"] != "confirmed") | codings["coder_id"].isin(list(coders))]
    tagger = any(status in MACHINE_STATUSES for status in statuses)
    covered = stored_codings.covered_documents(db, coders, tagger=tagger, doc_id=ids) | set(codings["doc_id"])
    if ids is not None:
        covered &= set(ids)
    cover = _coverage(coverage, listed, participants[["participant_id", *attributes]], covered, coders, tagger)
    # the units of the covered documents only, chosen in SQL when they are a part of the project (a tenth of a
    # 1,000-interview study coded by hand reads a tenth of its units); ordinals count within a document
    unit_ids = ids
    if cover.restricted and len(cover.covered_documents) <= _MOST_IDS_IN_SQL:
        unit_ids = list(cover.covered_documents)
    units = stored_documents.unit_rows(db, doc_id=unit_ids, include_interviewer=include_interviewer)
    units = units.sort_values(["doc_id", "unit", "start"], kind="stable")
    units.insert(2, "ordinal", units.groupby(["doc_id", "unit"]).cumcount().astype("int64"))
    units = units.merge(documents, on="doc_id", how="left")
    units = units.sort_values(["doc_id", "unit", "ordinal"], kind="stable").reset_index(drop=True)
    if cover.restricted:
        units = units[units["doc_id"].isin(cover.covered_documents)].reset_index(drop=True)
    memos = stored_meta.memos(db).dropna(subset=["coding_id"]).drop_duplicates("coding_id", keep="last")
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
    codings.attrs, units.attrs = {"coverage": cover}, {"coverage": cover}
    stored_texts = stored_documents.texts(db, ids)
    texts = {d: stored_texts[d] for d in documents["doc_id"]}
    return AnalysisData(codings=codings, units=units, texts=texts, codebook=_codebook(db, codebook),
                        statuses=statuses, dropped=dropped, attributes=tuple(attributes),
                        coders=None if coders is None else tuple(coders),
                        source=store.path, coverage=coverage, covered_documents=cover.covered_documents,
                        uncoded_documents=cover.uncoded_documents, covered_participants=cover.covered_participants,
                        uncoded_participants=cover.uncoded_participants, coverage_note=cover.note)


#: The most document ids a read names in SQL (SQLite takes up to 32,766 parameters); beyond, it reads them all.
_MOST_IDS_IN_SQL = 10_000


def _check_documents(path: Path | None, ids: list[str], known: pd.Series) -> None:
    """Raise :class:`~asymmetry_qda.errors.NotFoundError` naming the ids of ``doc_id=`` the project does not hold."""
    from ..errors import NotFoundError, not_found_message

    present = set(known)
    missing = [d for d in ids if d not in present]
    if missing:
        raise NotFoundError(not_found_message(path, "document", missing, sorted(present)))


def _place(codings: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Add turn/turn_last/sentence/sentence_last ordinals (NaN when a coding overlaps no unit) and the speaker.

    ``units`` is sorted by document, unit and ordinal (so by start within a document and unit, and the units of
    one kind in one document do not overlap). Both frames' offsets are put on one line, document after document
    (``position = document number * (longest offset + 1) + offset``), so one ``searchsorted`` per kind of unit
    places every coding of every document at once: the first unit ending after the coding starts and the last
    unit starting before it ends, which are in the coding's own document whenever the coding overlaps one.
    """
    codings = codings.copy()
    n = len(codings)
    placed = {column: np.full(n, np.nan) for column in ("turn", "turn_last", "sentence", "sentence_last")}
    speaker = np.full(n, pd.NA, dtype=object)
    if n and len(units):
        documents = pd.Index(sorted(set(units["doc_id"].unique()) | set(codings["doc_id"].unique())))
        width = int(max(units["end"].max(), codings["end"].max(), codings["start"].max())) + 1
        base = documents.get_indexer(codings["doc_id"]).astype(np.int64) * width
        c_start = base + codings["start"].to_numpy(dtype=np.int64)
        c_end = base + codings["end"].to_numpy(dtype=np.int64)
        for unit, part in units.groupby("unit", sort=False):
            offset = documents.get_indexer(part["doc_id"]).astype(np.int64) * width
            starts = offset + part["start"].to_numpy(dtype=np.int64)
            ends = offset + part["end"].to_numpy(dtype=np.int64)
            order = np.lexsort((starts, offset))  # by document, then start (it already is, as load sorts it)
            starts, ends = starts[order], ends[order]
            first = np.searchsorted(ends, c_start, side="right")  # first unit ending after the coding starts
            last = np.searchsorted(starts, c_end, side="left") - 1  # last unit starting before the coding ends
            hit = first <= last
            ordinals = part["ordinal"].to_numpy()[order]
            placed[unit][hit] = ordinals[first[hit]]
            placed[f"{unit}_last"][hit] = ordinals[last[hit]]
            if unit == "turn":
                speaker[hit] = part["speaker"].to_numpy(dtype=object)[order][first[hit]]
    for column, values in placed.items():
        codings[column] = values
    codings["speaker"] = pd.Series(speaker, index=codings.index, dtype="object")
    return codings


def _codebook(db, codebook) -> "Codebook | None":
    from ..codebook import load_codebook
    from ..codebook.model import Codebook
    from ..codebook.stored import latest_codebook

    if isinstance(codebook, Codebook):
        return codebook
    if codebook is not None:
        return load_codebook(codebook)
    return latest_codebook(db)
