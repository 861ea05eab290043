"""Build a :class:`~.model.Report` of a project: every number from :mod:`asymmetry_qda.analysis`.

Sections per theme and per code (definition, participants and sentences covered, overall and per group of
the attributes named in ``by``, exemplar quotes spread across participants), the co-occurrence and balance
tables, and the methods paragraph (:mod:`.methods`). Nothing here reads the clock: the same project gives
the same report.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .. import code_changes
from ..analysis import (
    code_frequencies,
    cooccurrence,
    group_balance,
    load,
    participant_balance,
    quotes,
    theme_codings,
    theme_poles,
)
from ..analysis._cooccurrence_measures import CAUTION_RATIO
from ..errors import InputError, Problem
from ..store import codings as stored_codings
from ..store import documents as stored_documents
from ..store.sqlite import HasStore, Store, store_of
from ..themes import THEME_STATUSES, themes
from ._warnings import stated
from .methods import methods
from .model import Quote, Report, Section, Table

__all__ = ["build_report"]

#: Theme statuses in the order the report lists them: final and reviewed themes first, then candidates.
STATUS_ORDER: tuple[str, ...] = tuple(reversed(THEME_STATUSES))
#: The unit every coverage figure counts.
UNIT = "sentence"
#: The unit of the co-occurrence table.
COOCCURRENCE_UNIT = "turn"


def _percent(part: float, whole: float) -> str:
    return f"{part:.0f} of {whole:.0f} ({100 * part / whole:.1f} %)" if whole else f"{part:.0f} of 0"


def _number(value: float, digits: int = 2) -> str:
    return "" if pd.isna(value) else f"{value:.{digits}f}"


def _group_label(attribute: str, value) -> str:
    return f"{attribute}={value}"


def _frequencies(codings: pd.DataFrame, units: pd.DataFrame, ids: list[str], by: Sequence[str], roll_up: bool
                 ) -> dict[str | None, pd.DataFrame]:
    """code_frequencies overall (key None) and per attribute of ``by``, indexed by code."""
    tables = {None: code_frequencies(codings, units=units, unit=UNIT, codes=ids, roll_up=roll_up)}
    for attribute in by:
        tables[attribute] = code_frequencies(codings, units=units, unit=UNIT, codes=ids, roll_up=roll_up,
                                             by=attribute)
    return tables


def _coverage(tables: dict[str | None, pd.DataFrame], code: str, label: str) -> tuple[str, Table]:
    rows = []
    summary = ""
    for attribute, table in tables.items():
        for row in table[table["code_id"] == code].itertuples(index=False):
            group = "all" if attribute is None else _group_label(attribute, getattr(row, attribute))
            participants = _percent(row.n_participants, row.participants_total)
            sentences = _percent(row.n_units, row.units_total)
            rows.append((group, participants, sentences))
            if attribute is None:
                summary = (f"{label}: {participants} participants and {sentences} sentences of participant talk "
                           "of the coded documents.")
    note = ("Participants: those with at least one coded sentence, of the participants with talk in the coded "
            "documents of the group. Sentences: participant sentences holding a coding, of all participant "
            "sentences of the coded documents of the group (a sentence coded twice counts once).")
    return summary, Table("Participants and sentences covered", ("group", "participants", "sentences"),
                          tuple(rows), note)


def _quotes(frame: pd.DataFrame, code: str, data, participants: pd.DataFrame, n: int) -> tuple[Quote, ...]:
    """``n`` quotes of ``code``, round robin over participants, no two overlapping in one document."""
    held = frame["code_id"].astype(str)
    if n <= 0 or not ((held == code) | held.str.startswith(code + ".")).any():  # a code stands for its sub-codes
        return ()
    found = quotes(frame, code=code, subcodes=True, spread=True, units=data.units, texts=data.texts,
                   participants=participants, context=0)
    chosen: list = []
    placed: list = []

    def overlaps(row) -> bool:
        return any(c.doc_id == row.doc_id and c.start < row.end and row.start < c.end for c in chosen)

    for new_participant in (True, False):
        for position, row in enumerate(found.itertuples(index=False)):
            if len(chosen) >= n:
                break
            seen = {c.participant_id for c in chosen}
            if any(p == position for p, _ in placed) or overlaps(row) or (
                    new_participant and row.participant_id in seen):
                continue
            chosen.append(row)
            placed.append((position, row))
    out = []
    for _, row in sorted(placed, key=lambda pair: pair[0]):
        pseudonym = row.pseudonym if isinstance(row.pseudonym, str) and row.pseudonym else str(row.speaker)
        participant = row.participant_id if isinstance(row.participant_id, str) else ""
        out.append(Quote(text=row.text, doc_id=row.doc_id, start=int(row.start), end=int(row.end),
                         pseudonym=pseudonym, participant_id=participant, coder=str(row.coder)))
    return tuple(out)


def _cooccurrence_table(codings: pd.DataFrame, units: pd.DataFrame, what: str, top: int) -> Table | None:
    if codings["code_id"].nunique() < 2:
        return None
    # the Jaccard caution is the table's note and its (caution) marks instead of a warning
    table = stated(lambda: cooccurrence(codings, unit=COOCCURRENCE_UNIT, units=units), "misleading")
    pairs = table[table["n_ab"] >= 2].sort_values(["n_ab", "lift", "code_a", "code_b"],
                                                   ascending=[False, False, True, True], kind="stable").head(top)
    n_units = int(table["n_units"].iloc[0]) if len(table) else 0
    rows = tuple((r.code_a, r.code_b, str(int(r.n_ab)), str(int(r.n_a)), str(int(r.n_b)),
                  _number(r.jaccard) + (" (caution)" if r.c_caution else ""), _number(r.p_b_given_a),
                  _number(r.p_a_given_b), _number(r.lift), _number(r.p_adjusted, 3))
                 for r in pairs.itertuples(index=False))
    note = (f"Unit: the participant turn; N = {n_units} turns of the coded documents. n_ab: turns holding both, "
            "n_a and n_b: turns holding each; Jaccard = n_ab / (n_a + n_b - n_ab), marked (caution) where one "
            f"code is over {CAUTION_RATIO:g} times as frequent as the other, so read P(b|a) = n_ab / n_a and "
            "P(a|b) = n_ab / n_b instead; lift = n_ab * N / (n_a * n_b); p adjusted: Fisher's exact test of more "
            "often than chance, Benjamini-Hochberg adjusted over every pair. "
            f"The {top} pairs coded together in the most turns (at least 2).")
    return Table(f"Co-occurrence of {what} (turn)", ("a", "b", "n_ab", "n_a", "n_b", "Jaccard", "P(b|a)", "P(a|b)",
                                                     "lift", "p adjusted"), rows, note)


def _balance_table(data, by: Sequence[str], seed: int) -> Table | None:
    poles = theme_poles(data.codebook) if data.codebook is not None else {}
    if not poles or data.codings.empty:
        return None
    balance = participant_balance(data.codings, poles=poles, units=data.units, unit=UNIT)
    frames = [group_balance(balance, seed=seed)] + [group_balance(balance, by=a, seed=seed) for a in by]
    rows = []
    for frame in frames:
        for r in frame.itertuples(index=False):
            if r.n_participants == 0:
                continue
            interval = "" if pd.isna(r.ci_low) else f"[{_number(r.ci_low)}, {_number(r.ci_high)}]"
            rows.append((r.theme, r.group, str(int(r.n_participants)), str(int(r.n_without)),
                         _number(r.mean_balance), interval, _number(r.share_heavy)))
    rows.sort(key=lambda row: (row[0], row[1] != "all", row[1]))
    pairs = "; ".join(f"{theme}: {heavy} (heavy) / {light} (light)" for theme, (heavy, light) in sorted(poles.items()))
    note = ("Balance per participant = (heavy - light) / (heavy + light), counted in coded sentences; the mean "
            "is over participants with coded sentences of the theme (n), each counted once, with a 95 % "
            "bootstrap interval over participants (seed {seed}); n without: coded participants who never "
            f"touched the theme; share heavy: the share of the n leaning heavy. Poles: {pairs}.").format(seed=seed)
    return Table("Balance of the asymmetries", ("theme", "group", "n", "n without", "mean balance", "95 % CI",
                                                "share heavy"), tuple(rows), note)


def _check_by(by: Sequence[str], attributes: Sequence[str]) -> tuple[str, ...]:
    by = (by,) if isinstance(by, str) else tuple(by)
    unknown = [a for a in by if a not in attributes]
    if unknown:
        raise InputError(Problem("by", f"{', '.join(unknown)}: not a participant attribute of the project",
                                 fix=f"use one of {', '.join(attributes)}"))
    return by


def _date(store: Store) -> str:
    created = stored_codings.frame(store.connection)["created_at"].dropna()
    return str(created.max())[:10] if len(created) else ""


def build_report(
    project: HasStore | Store,
    *,
    coders: Sequence[str] | None = None,
    by: str | Sequence[str] = ("leader",),
    quotes_per_code: int = 3,
    include_suggestions: bool = False,
    statuses: Sequence[str] = STATUS_ORDER,
    codebook=None,
    title: str | None = None,
    top_pairs: int = 15,
    seed: int = 0,
) -> Report:
    """A write-up report of ``project``: themes, codes, tables and the methods paragraph.

    Parameters
    ----------
    project : Project or Store
        An open project.
    coders : sequence of str, optional
        Count only these coders' confirmed codings (default: everyone's; a sentence coded by several coders
        counts once).
    by : str or sequence of str, default ("leader",)
        Participant attributes whose groups every coverage table and the balance table show besides "all".
    quotes_per_code : int, default 3
        Exemplar quotes per theme and code: the first passage of each participant in turn
        (:func:`~asymmetry_qda.analysis.quotes` with ``spread=True``), no two overlapping.
    include_suggestions : bool, default False
        Count the tagger's suggestions too (the methods paragraph says so).
    statuses : sequence of str, default ("final", "reviewed", "candidate")
        The theme statuses reported, in this order.
    codebook : Codebook, str, pathlib.Path or None
        The codebook for labels, definitions and poles (default: the project's current one).
    title : str, optional
        The report's title (default: from the project file's name).
    top_pairs : int, default 15
        Rows of the co-occurrence tables.
    seed : int, default 0
        Seed of the balance table's bootstrap intervals.

    Returns
    -------
    Report
        The report's plain data (:mod:`asymmetry_qda.writeup.model`); render it with
        :func:`~asymmetry_qda.writeup.render` or write it with :func:`~asymmetry_qda.writeup.write_report`.

    Notes
    -----
    Unit of every coverage figure: the participant sentence of the documents the chosen coders coded
    (:func:`~asymmetry_qda.analysis.load`'s ``coverage="coded"``); a code counts with its sub-codes, a theme
    with its codes and their sub-codes (:func:`~asymmetry_qda.analysis.theme_codings`). Deterministic.
    """
    store = store_of(project)
    data = load(store, coders=coders, include_suggestions=include_suggestions, codebook=codebook)
    by = _check_by(by, data.attributes)
    participants = stored_documents.participants(store.connection)
    book = data.codebook
    if book is not None:
        code_rows = [(c.id, c.label, c.definition) for c in book.codes]
    else:
        code_rows = [(c, c, "") for c in sorted(data.codings["code_id"].unique())]
    ids = [c for c, _, _ in code_rows]
    notes = []
    frequencies = _frequencies(data.codings, data.units, ids, by, roll_up=True)
    code_sections = []
    for code, label, definition in code_rows:
        summary, table = _coverage(frequencies, code, label)
        code_sections.append(Section("code", code, label, definition, summary, table,
                                     _quotes(data.codings, code, data, participants, quotes_per_code)))

    listed = themes(store)
    listed = listed[listed["status"].isin(list(statuses))]
    order = {s: i for i, s in enumerate(statuses)}
    listed = listed.assign(_order=listed["status"].map(order)).sort_values("_order", kind="stable")
    theme_sections, tables = [], []
    if listed.empty:
        notes.append(f"The project has no themes of status {', '.join(statuses)}: only codes are reported.")
    else:
        by_theme = theme_codings(data.codings, listed)
        theme_ids = list(listed["theme_id"])
        frequencies = _frequencies(by_theme, data.units, theme_ids, by, roll_up=False)
        for row in listed.itertuples(index=False):
            summary, table = _coverage(frequencies, row.theme_id, row.label)
            theme_sections.append(Section("theme", row.theme_id, row.label, row.definition, summary, table,
                                          _quotes(by_theme, row.theme_id, data, participants, quotes_per_code),
                                          status=row.status, codes=tuple(row.codes)))
        themed = _cooccurrence_table(by_theme, data.units, "themes", top_pairs)
        if themed is not None:
            tables.append(themed)
    if not data.codings.empty:
        coded = _cooccurrence_table(data.codings, data.units, "codes", top_pairs)
        if coded is not None:
            tables.append(coded)
    balance = _balance_table(data, by, seed)
    if balance is not None:
        tables.append(balance)
    else:
        notes.append("No balance table: the codebook names no heavy and light poles.")
    versions = code_changes.versions(store)
    version = int(versions["version"].iloc[-1]) if len(versions) else None
    name = title or f"Write-up report: {store.path.stem}"
    return Report(title=name, date=_date(store),
                  methods=methods(store, data, book, version, include_suggestions=include_suggestions),
                  themes=tuple(theme_sections), codes=tuple(code_sections), tables=tuple(tables), notes=tuple(notes))
