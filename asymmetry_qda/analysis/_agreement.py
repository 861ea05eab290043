"""Intercoder agreement, with the unit of analysis explicit and every figure's counts beside it.

Each *unit* (``character`` as NVivo, ``sentence``, ``turn``, or ``document``
as MAXQDA's "code present in the document") is a yes/no decision per code per
coder: did the coder's confirmed codings of that code overlap the unit? Units
no coder touched are agreement on absence; ``percent_coded_only`` shows the
agreement on the units at least one coder coded, so a reader sees how much
uncoded text lifts ``percent``.

Which units count: the participant units (``units`` frame) of the documents in
``documents`` (default: every document each coder coded at least once). A
coder who did not code a listed document is *missing* there, not "absent":
Krippendorff's alpha uses the units they did code, percent agreement and
kappa use units every coder coded. The tagger (``rule``) and the model
(``model``) read every document, so where they suggested nothing they said "no".

Statistics per code, and ``(pooled)`` over every code × unit decision:

- ``percent``: share of units where all coders agree;
- ``cohen_kappa`` (two coders): ``sklearn.metrics.cohen_kappa_score``,
  ``(p_o - p_e) / (1 - p_e)`` with ``p_e`` the sum over yes/no of the product
  of the two coders' marginal shares (Cohen 1960; not QualCoder's product of
  chance terms, not MAXQDA's Brennan-Prediger ``p_e = 1/2``);
- ``krippendorff_alpha``: nominal alpha for two or more coders with missing
  data, from the ``krippendorff`` package (Krippendorff 2011);
- ``*_ci_low``/``*_ci_high``: percentile bootstrap over units (seeded);
- ``prevalence_paradox``: percent >= 85 % while kappa (or alpha) < 0.4, the
  well-known effect of a rare code (Feinstein & Cicchetti 1990); a warning
  names such codes.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from ..errors import ArgumentError, QDAWarning, check_option
from ._agreement_statistics import _alpha, _bootstrap, _kappa, _percent, nominal_alpha
from ._frame import in_units, unit_keys

__all__ = ["AGREEMENT_UNITS", "agreement", "coder_decisions", "disagreements", "nominal_alpha",
           "pairwise_agreement", "STATISTICS"]

AGREEMENT_UNITS = ("character", "sentence", "turn", "document")
STATISTICS = ("percent", "cohen_kappa", "krippendorff_alpha")
POOLED = "(pooled)"


def _coder_rows(codings: pd.DataFrame, coder: str) -> pd.DataFrame:
    """The codings that stand for ``coder``: ``rule``/``model`` = the tagger's or classifier's rows (any status
    kept in the frame), any other name = that coder's confirmed codings."""
    if coder in ("rule", "model"):
        return codings[codings["origin"] == coder]
    return codings[(codings["coder_id"] == coder) & (codings["status"] == "confirmed")]


def coder_decisions(
    codings: pd.DataFrame,
    *,
    coders: Sequence[str],
    unit: str = "sentence",
    codes: Sequence[str] | None = None,
    units: pd.DataFrame | None = None,
    texts=None,
    documents: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The yes/no decisions: a frame describing each unit, and ``{code: array (coders × units)}`` of 1, 0 or NaN.

    NaN marks a coder who did not code the unit's document.

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`).
    coders : sequence of str
        Coder names (their confirmed codings), ``rule`` (the tagger) or ``model`` (the classifier).
    unit : {"character", "sentence", "turn", "document"}, default "sentence"
        The unit of analysis (see the module docstring).
    codes : sequence of str, optional
        The codes compared (default: every code any of the coders used).
    units : pandas.DataFrame
        ``units`` is
        required (it lists the units no coder touched).
    texts : mapping of str to str, optional
        The documents' stored texts (``data.texts``): ``texts`` is required for
        ``character`` units.
    documents : sequence of str, optional
        The documents counted (default: every document each coder coded at least once).

    Returns
    -------
    units : pandas.DataFrame
        One row per unit.
    decisions : dict of str to numpy.ndarray
        ``{code: array (coders × units)}``.
    """
    check_option("unit", unit, AGREEMENT_UNITS)
    coders = list(coders)
    if len(coders) < 2 or len(set(coders)) != len(coders):
        raise ArgumentError(f"coders={coders!r}: give two or more different coders")
    if units is None:
        raise ArgumentError("units= is required: agreement counts the units no coder touched (pass data.units)")
    rows = {c: _coder_rows(codings, c) for c in coders}
    for coder, frame in rows.items():
        if frame.empty and coder not in ("rule", "model"):
            raise ArgumentError(f"coder {coder!r} has no confirmed codings here; coders with codings: "
                                f"{', '.join(sorted(codings['coder_id'].dropna().unique()))}")
    coded_docs = {c: set(frame["doc_id"]) for c, frame in rows.items()}
    humans = [c for c in coders if c not in ("rule", "model")]
    if documents is None:
        documents = sorted(set.intersection(*(coded_docs[c] for c in humans)) if humans else
                           set.union(*coded_docs.values()))
        if not documents:
            raise ArgumentError(f"coders {', '.join(coders)} have no document in common; pass documents=")
    documents = list(documents)
    for machine in set(coders) - set(humans):  # the tagger or model looked at every document: silence is a "no"
        coded_docs[machine] = set(documents)
    if codes is None:
        codes = sorted(set().union(*(set(f["code_id"]) for f in rows.values())))
    if unit == "character":
        index, present = _character_units(rows, units, texts, documents, codes)
    else:
        index, present = _segment_units(rows, units, unit, documents, codes)
    decisions = {}
    for code in codes:
        matrix = np.zeros((len(coders), len(index)), dtype=float)
        for i, coder in enumerate(coders):
            matrix[i] = present[(coder, code)]
            missing = ~index["doc_id"].isin(coded_docs[coder]).to_numpy()
            matrix[i, missing] = np.nan
        decisions[code] = matrix
    return index, decisions


def _segment_units(rows, units, unit, documents, codes):
    universe = unit_keys(units[units["doc_id"].isin(documents)], unit)
    index = universe[["doc_id", "unit_key"]].reset_index(drop=True)
    if unit in ("sentence", "turn"):
        index["ordinal"] = universe["ordinal"].to_numpy()
    position = pd.Series(np.arange(len(index)), index=index["unit_key"].to_numpy())
    present = {}
    for coder, frame in rows.items():
        placed = in_units(frame[frame["doc_id"].isin(documents)], unit)
        placed = placed[placed["unit_key"].isin(position.index)]
        for code in codes:
            hits = np.zeros(len(index))
            hits[position[placed.loc[placed["code_id"] == code, "unit_key"]].to_numpy()] = 1
            present[(coder, code)] = hits
    return index, present


def _character_units(rows, units, texts, documents, codes):
    if texts is None:
        raise ArgumentError("unit='character' needs texts= (pass data.texts)")
    turns = units[(units["unit"] == "turn") & units["doc_id"].isin(documents)]
    pieces, offsets = [], {}
    total = 0
    for doc_id in documents:
        mask = np.zeros(len(texts[doc_id]) + 1, dtype=np.int64)
        for start, end in turns.loc[turns["doc_id"] == doc_id, ["start", "end"]].itertuples(index=False):
            mask[start] += 1
            mask[end] -= 1
        chars = np.flatnonzero(np.cumsum(mask)[:-1] > 0)
        offsets[doc_id] = (total, chars)
        pieces.append(pd.DataFrame({"doc_id": doc_id, "char": chars}))
        total += len(chars)
    index = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=["doc_id", "char"])
    present = {}
    for coder, frame in rows.items():
        for code in codes:
            hits = np.zeros(total)
            mine = frame[(frame["code_id"] == code) & frame["doc_id"].isin(documents)]
            for doc_id, part in mine.groupby("doc_id"):
                base, chars = offsets[doc_id]
                cover = np.zeros(len(texts[doc_id]) + 1, dtype=np.int64)
                np.add.at(cover, part["start"].to_numpy(), 1)
                np.add.at(cover, part["end"].to_numpy(), -1)
                hits[base:base + len(chars)] = np.cumsum(cover)[:-1][chars] > 0
            present[(coder, code)] = hits
    return index, present


def agreement(
    codings: pd.DataFrame,
    *,
    coders: Sequence[str],
    unit: str = "sentence",
    codes: Sequence[str] | None = None,
    statistic: Sequence[str] = STATISTICS,
    units: pd.DataFrame | None = None,
    texts=None,
    documents: Sequence[str] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Agreement between ``coders`` per code and pooled (see the module docstring for units and formulas).

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`).
    coders : sequence of str
        Two or more coder names (their confirmed codings), ``rule`` (the tagger) or ``model`` (the classifier).
    unit : {"character", "sentence", "turn", "document"}, default "sentence"
        The unit of analysis (see the module docstring).
    codes : sequence of str, optional
        The codes compared (default: every code any of the coders used).
    statistic : sequence of str, default STATISTICS
        The statistics asked for: any of ``percent``, ``cohen_kappa`` (two coders) and ``krippendorff_alpha``.
    units : pandas.DataFrame
        The units frame (``data.units``), required: it lists the units no coder touched.
    texts : mapping of str to str, optional
        The documents' stored texts (``data.texts``): required for ``character`` units.
    documents : sequence of str, optional
        The documents counted (default: every document each coder coded at least once).
    n_boot : int, default 1000
        Bootstrap resamples over units for the intervals (0: no interval).
    seed : int, default 0
        The bootstrap's seed.
    confidence : float, default 0.95
        The intervals' confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per code, then ``(pooled)``. Columns: ``code_id, n_units,
        n_coded_units`` (units at least one coder coded), ``n_<coder>`` (units each
        coder coded), ``n_all`` (units every coder coded), then the statistics asked
        for with their intervals, ``prevalence`` (share of coded decisions) and
        ``prevalence_paradox``, then ``unit``, ``coders`` and ``n_documents``.

    Notes
    -----
    Unit of analysis: one unit of kind ``unit`` (a character of participant
    turns, a sentence, a turn or a document) of the documents counted, and per
    coder one yes/no decision on it for each code: yes when one of the coder's
    codings of the code overlaps the unit. With the default ``documents``, the
    documents counted are those every human coder among ``coders`` coded (the
    tagger and the model count as having read every one). A coder's decisions
    in a document they did not code are missing. ``(pooled)`` concatenates the
    codes' decisions: one unit per (unit, code).

    - ``n_units``: the units every coder decided (none missing), the
      denominator of ``percent``, ``cohen_kappa`` and ``n_all``;
      ``n_coded_units``: those of them at least one coder coded.
    - ``percent``: a fraction (0 to 1, despite the name), the number of units
      on which all coders give the same decision divided by ``n_units``;
      ``percent_coded_only``: the same divided by ``n_coded_units``, counting
      only units someone coded (NaN when none is).
    - ``cohen_kappa``: ``sklearn.metrics.cohen_kappa_score`` (labels 0 and 1)
      over the ``n_units`` complete units, ``(p_o - p_e) / (1 - p_e)``; two
      coders only, NaN otherwise or when undefined (no variation).
    - ``krippendorff_alpha``: ``krippendorff.alpha`` (nominal, value domain
      {0, 1}) over every unit with at least two coders' decisions, so missing
      decisions are allowed; NaN without variation.
    - ``kappa_ci_*``, ``alpha_ci_*``: percentile intervals
      (``numpy.nanpercentile``) over ``n_boot`` bootstrap replicates that
      resample units with replacement (seeded; the same replicates for both
      statistics), each replicate's kappa and alpha computed in closed form
      (tested equal to sklearn's and krippendorff's).
    - ``prevalence``: the fraction of all non-missing decisions that are yes.
    - ``prevalence_paradox``: ``percent >= 0.85`` while kappa (alpha when
      kappa is NaN) is below 0.4.
    - ``n_<coder>``: units the coder coded, over every unit listed (including
      those where another coder is missing); ``n_all``: complete units every
      coder coded; ``n_documents``: documents counted.

    Examples
    --------
    >>> units = pd.DataFrame({"doc_id": "D", "unit": "sentence", "ordinal": range(4), "start": 0, "end": 1,
    ...                       "participant_id": "P1"})
    >>> codings = pd.DataFrame({"coding_id": ["a", "b", "c"], "doc_id": "D", "code_id": "blame",
    ...     "coder_id": ["A", "B", "A"], "status": "confirmed", "origin": "human",
    ...     "sentence": [0, 0, 2], "sentence_last": [0, 0, 2], "turn": 0, "turn_last": 0, "participant_id": "P1"})
    >>> row = agreement(codings, coders=["A", "B"], units=units, n_boot=0).iloc[0]
    >>> float(row["percent"]), float(row["percent_coded_only"]), round(float(row["cohen_kappa"]), 3)
    (0.75, 0.5, 0.5)
    """
    unknown = [s for s in statistic if s not in STATISTICS]
    if unknown:
        raise ArgumentError(f"statistic={unknown!r}: choose from {', '.join(STATISTICS)}")
    coders = list(coders)
    index, decisions = coder_decisions(codings, coders=coders, unit=unit, codes=codes, units=units, texts=texts,
                                       documents=documents)
    rows = []
    items = list(decisions.items())
    if items:
        items.append((POOLED, np.concatenate([m for _, m in items], axis=1)))
    for code, matrix in items:
        percent, coded_only, n_units, n_coded = _percent(matrix)
        row = {"code_id": code, "n_units": n_units, "n_coded_units": n_coded}
        for i, coder in enumerate(coders):
            row[f"n_{coder}"] = int(np.nansum(matrix[i]))
        decided = ~np.isnan(matrix).any(axis=0)
        row["n_all"] = int((matrix[:, decided] == 1).all(axis=0).sum())
        if "percent" in statistic:
            row["percent"], row["percent_coded_only"] = percent, coded_only
        interval = _bootstrap(matrix, n_boot, seed, confidence)
        if "cohen_kappa" in statistic:
            row["cohen_kappa"] = _kappa(matrix)
            row["kappa_ci_low"], row["kappa_ci_high"] = interval["kappa_ci_low"], interval["kappa_ci_high"]
        if "krippendorff_alpha" in statistic:
            row["krippendorff_alpha"] = _alpha(matrix)
            row["alpha_ci_low"], row["alpha_ci_high"] = interval["alpha_ci_low"], interval["alpha_ci_high"]
        finite = ~np.isnan(matrix)
        row["prevalence"] = float(matrix[finite].mean()) if finite.any() else np.nan
        chance_corrected = row.get("cohen_kappa", np.nan)
        if np.isnan(chance_corrected):
            chance_corrected = row.get("krippendorff_alpha", np.nan)
        row["prevalence_paradox"] = bool(percent >= 0.85 and chance_corrected < 0.4)
        rows.append(row)
    table = pd.DataFrame(rows)
    table["unit"] = unit
    table["coders"] = "+".join(coders)
    table["n_documents"] = index["doc_id"].nunique()
    paradox = table.loc[table["prevalence_paradox"] & (table["code_id"] != POOLED), "code_id"].tolist()
    if paradox:
        warnings.warn(f"{len(paradox)} code(s) agree on over 85 % of {unit}s but have kappa/alpha below 0.4 because "
                      f"they are rare (prevalence paradox): {', '.join(paradox[:5])}"
                      f"{', ...' if len(paradox) > 5 else ''}; report percent_coded_only and the counts with them",
                      QDAWarning, stacklevel=2)
    return table


def pairwise_agreement(codings: pd.DataFrame, *, coders: Sequence[str], **options) -> pd.DataFrame:
    """:func:`agreement` for every pair of ``coders`` (Cohen's kappa is defined for two), in one long frame.

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`).
    coders : sequence of str
        The coders; every pair of them is compared.
    **options
        Passed to :func:`agreement` (``unit``, ``codes``, ``units``, ``texts``, ``documents``, ``n_boot``...).

    Returns
    -------
    pandas.DataFrame
        The tables of :func:`agreement` for each pair, one after the other, with
        a ``pair`` column (``A+B``): one row per (pair, code), and each pair's
        ``(pooled)`` row.

    Notes
    -----
    Unit of analysis: as in :func:`agreement`, the coders' yes/no decision on
    one unit (a sentence by default) per code, for two coders at a time; the
    formulas and libraries are those of :func:`agreement`. Each pair has its own denominators: with the default
    ``documents``, the units of the documents both coders of the pair coded,
    so ``n_units`` can differ between pairs.
    """
    frames = [agreement(codings, coders=list(pair), **options).assign(pair="+".join(pair))
              for pair in combinations(coders, 2)]
    return pd.concat(frames, ignore_index=True)


def disagreements(
    codings: pd.DataFrame,
    *,
    coders: Sequence[str],
    unit: str = "sentence",
    codes: Sequence[str] | None = None,
    units: pd.DataFrame | None = None,
    texts=None,
    documents: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every (unit, code) where the coders differ, with the unit's text, who coded it, who did not, and memos.

    For an adjudication meeting: one row per disagreement, in document order,
    with ``coded_by``/``not_coded_by`` (``;``-separated), each coder's coded
    text in ``<coder>_text`` and memos in ``<coder>_memo``; with ``texts``, the
    unit's ``unit_start``/``unit_end`` offsets (ready for ``adjudicate``) and text. Record the decision
    with :meth:`asymmetry_qda.Project.adjudicate`.

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`).
    coders : sequence of str
        Coder names (their confirmed codings), ``rule`` (the tagger) or ``model`` (the classifier).
    unit : {"character", "sentence", "turn", "document"}, default "sentence"
        The unit of analysis (see the module docstring).
    codes : sequence of str, optional
        The codes compared (default: every code any of the coders used).
    units : pandas.DataFrame
        The units frame (``data.units``), required: it lists the units no coder touched.
    texts : mapping of str to str, optional
        The documents' stored texts (``data.texts``): each unit's offsets and text.
    documents : sequence of str, optional
        The documents counted (default: every document each coder coded at least once).

    Returns
    -------
    pandas.DataFrame
        One row per disagreement: ``doc_id``, ``unit_key``, ``ordinal``
        (sentences and turns), ``code_id``, ``coded_by``, ``not_coded_by``,
        with ``texts`` ``unit_start``, ``unit_end`` and ``unit_text``, then
        ``<coder>_text`` and ``<coder>_memo`` for each coder.

    Notes
    -----
    Unit of analysis: one (unit, code) decision, the unit of kind ``unit`` (a
    sentence, a turn or a document; not ``character``), decided as in
    :func:`agreement`. A row is listed when every coder decided it (none
    missing: each coded the unit's document) and the coders' decisions differ.
    Computes no statistic: the number of rows for a code is ``n_units`` of
    :func:`agreement` times ``1 - percent``.
    """
    if unit == "character":
        raise ArgumentError("unit='character': list disagreements by sentence, turn or document")
    index, decisions = coder_decisions(codings, coders=coders, unit=unit, codes=codes, units=units,
                                       documents=documents)
    rows = []
    for code, matrix in decisions.items():
        decided = ~np.isnan(matrix).any(axis=0)
        differ = np.flatnonzero(decided & (matrix != matrix[0]).any(axis=0))
        for position in differ:
            rows.append({"unit_position": position, "code_id": code,
                         "coded_by": ";".join(c for i, c in enumerate(coders) if matrix[i, position] == 1),
                         "not_coded_by": ";".join(c for i, c in enumerate(coders) if matrix[i, position] == 0)})
    columns = ["doc_id", "unit_key", "ordinal", "code_id", "coded_by", "not_coded_by", "unit_text"]
    if not rows:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(rows)
    table = pd.concat([index.iloc[table["unit_position"]].reset_index(drop=True), table.drop(columns="unit_position")],
                      axis=1)
    if texts is not None and unit in ("sentence", "turn"):
        spans = units[units["unit"] == unit].set_index(["doc_id", "ordinal"])[["start", "end"]]
        bounds = spans.loc[list(zip(table["doc_id"], table["ordinal"], strict=True))].to_numpy()
        table["unit_start"], table["unit_end"] = bounds[:, 0], bounds[:, 1]
        table["unit_text"] = [texts[d][s:e] for d, (s, e) in zip(table["doc_id"], bounds, strict=True)]
    for coder in coders:
        placed = in_units(_coder_rows(codings, coder), unit)
        grouped = placed.groupby(["unit_key", "code_id"]).agg(
            text=("text", lambda t: " | ".join(dict.fromkeys(t))),
            memo=("memo", lambda m: " | ".join(dict.fromkeys(x for x in m if isinstance(x, str)))))
        keys = list(zip(table["unit_key"], table["code_id"], strict=True))
        table[f"{coder}_text"] = [grouped["text"].get(k, "") for k in keys]
        table[f"{coder}_memo"] = [grouped["memo"].get(k, "") for k in keys]
    order = {k: i for i, k in enumerate(index["unit_key"])}
    table = table.sort_values(["unit_key", "code_id"], key=lambda s: s.map(order) if s.name == "unit_key" else s,
                              kind="stable")
    return table.reset_index(drop=True)
