"""Every theme table of a coded project, written for papers: CSV, one XLSX workbook, Markdown, LaTeX, figures.

:func:`build_tables` returns the tables as pandas objects, each with a title
and a note giving its unit of analysis, formula, which codings it counts and
which documents its denominators count (the data's ``coverage_note``: by
default only the documents the chosen coders coded, see
:mod:`asymmetry_qda.analysis`);
:func:`write_tables` writes them with a ``manifest.json`` (sha256 of every
file, the hashes of the project's documents and codebook, the tool version,
the options and the coverage: the option, the note, and the covered and
uncoded documents and participants). Nothing in the output depends on the
clock or the machine, so running it twice gives byte-identical files.

The folder is written whole or not at all: everything goes into a hidden
sibling folder first (``.<name>.tmp-...``), which then takes the place of the
earlier run's folder, so the folder never mixes two runs. A folder holding
anything but an earlier run's files is refused, not replaced. Text that a
spreadsheet, LaTeX or Markdown would interpret is neutralised (see
:mod:`asymmetry_qda.escaping`): a CSV cell beginning with ``'`` followed by
``=``, ``+``, ``-``, ``@``, a tab or a carriage return had that ``'`` added, and
the workbook holds no formulas.

>>> from asymmetry_qda import Project
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "INT01.txt").write_text("P01: It lands on me. Nobody says well done.\\n", encoding="utf-8")
>>> with Project.create(folder / "p.qda") as project:
...     _ = project.ingest(folder / "INT01.txt", pipeline="blank")
...     _ = project.code_span("INT01", 5, 20, "response.blame", coder="ana")
...     manifest = write_tables(load(project), folder / "tables", figures=False)
>>> "frequencies.csv" in [f["path"] for f in manifest["files"]]
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from ..escaping import neutralise_formulas
from ..records import text_sha256
from ._alignment import alignment_quotes, failure_alignment, response_fits
from ._balance import group_balance, participant_balance, theme_poles
from ._counts import code_frequencies, code_matrix
from ._frame import (
    AnalysisData,
    at_level,
    code_order,
    coverage_of,
    implication_note,
    load,
    with_coverage,
    with_implied,
)
from ._frame_coverage import _listing
from ._report_folder import _check_target, _remove_stale_siblings, _target, _write_folder
from ._report_formats import Table, _figures, _latex, _markdown, _workbook
from ._report_formats import list_as_text as list_as_text  # the old path analysis.report offered it

__all__ = ["Table", "build_tables", "write_tables", "load"]

#: Group columns the frequency and balance tables are broken down by, when the project has them.
BREAKDOWNS = ("kind", "leader", "rank_band", "function")
#: Units the co-occurrence tables are computed at.
COOCCURRENCE_UNITS = ("overlap", "sentence", "turn")


def _codes(data: AnalysisData, codings: pd.DataFrame) -> list[str]:
    known = [c.id for c in data.codebook.codes] if data.codebook is not None else []
    return code_order(data.codebook, [*known, *codings["code_id"].unique()])


def build_tables(data: AnalysisData, *, cooccurrence_units: Sequence[str] = COOCCURRENCE_UNITS,
                 depth: int = 2, seed: int = 0) -> list[Table]:
    """The theme tables of ``data``, in the order they are published.

    Parameters
    ----------
    data : AnalysisData
        The data of :func:`~asymmetry_qda.analysis.load`.
    cooccurrence_units : sequence of str, default COOCCURRENCE_UNITS
        The units the co-occurrence tables are computed in.
    depth : int, default 2
        Co-occurrence is computed between codes cut to ``depth`` levels of the
        hierarchy (2: ``response.blame``, ``agency.control``...), so that a code
        never trivially co-occurs with its own sub-codes.
    seed : int, default 0
        Bootstrap intervals use
        ``seed``.

    Returns
    -------
    list of Table
        The tables, each with its name, title, note and frame.

    Notes
    -----
    No new statistic: each table is a function of :mod:`asymmetry_qda.analysis`
    on ``data.codings`` with ``data.units`` as denominators (by default only
    the documents the chosen coders coded), and its ``note`` names the unit:

    - ``frequencies`` and ``frequencies_by_<group>`` (``kind``, ``leader``,
      ``rank_band``, ``function`` when present): :func:`code_frequencies` in
      sentences, with ``roll_up`` (a coding counts for its ancestor codes) and
      the codebook's ``implies`` (a coding counts for the codes it implies);
    - ``matrix_documents``, ``matrix_participants``: :func:`code_matrix` of
      coded sentences (``n_units``) per document, per participant;
      ``matrix_<group>``: ``pct_participants`` per group;
    - ``cooccurrence_<unit>`` for each of ``cooccurrence_units`` (overlap
      clusters, sentences, turns) and ``cooccurrence_turn_by_leader``:
      :func:`cooccurrence` on the codings as coded (no implied codes), codes cut
      to ``depth`` levels; pairs of a code with its own sub-code are left out
      after the Benjamini-Hochberg adjustment, which counted them;
    - ``balance_participants`` and ``balance_groups``:
      :func:`participant_balance` in sentences and :func:`group_balance`
      (everyone, then per group but ``kind``; 9,999 resamples, ``seed``),
      when the codebook declares poles;
    - ``alignment`` and ``alignment_quotes``: :func:`failure_alignment` and
      :func:`alignment_quotes` in turns, when the codebook declares ``fits``.
    """
    from ._cooccurrence import cooccurrence

    coded, units = data.codings, data.units
    codings = with_implied(coded, data.codebook)  # frequencies, matrices, balance count declared implications
    which = f"Codings: {data.label}" + (f" by {', '.join(data.coders)}" if data.coders else "") + \
        (" (suggestions included and labelled as such)" if "suggested" in data.statuses else "") + "." + \
        (f" {data.coverage_note}" if data.coverage_note else "")
    implied = implication_note(data.codebook)
    counted = which + implied
    left_out = data.coverage == "coded" and bool(data.uncoded_documents)
    no_column = (" Documents not coded have no column." if left_out else "")
    people_out = (f" Participants not coded, left out: {_listing(data.uncoded_participants)}."
                  if data.coverage == "coded" and data.uncoded_participants else "")
    codes = _codes(data, codings)
    groups = [b for b in BREAKDOWNS if b in units.columns and units[b].notna().any()]
    tables = [Table("frequencies", "Code frequencies",
                    "Unit: sentence. n_units = sentences overlapping a coding of the code or a sub-code; "
                    "pct_units = 100 * n_units / units_total, the participant sentences counted; n_participants = "
                    "participants with such a sentence; pct_participants = 100 * n_participants / "
                    f"participants_total, the participants counted. {counted}",
                    code_frequencies(codings, units=units, roll_up=True, codes=codes))]
    for by in groups:
        tables.append(Table(f"frequencies_by_{by}", f"Code frequencies by {by.replace('_', ' ')}",
                            f"As the code frequencies table, within each value of {by} (percentages of that "
                            f"group's sentences and participants counted). {counted}",
                            code_frequencies(codings, units=units, roll_up=True, codes=codes, by=by)))
    tables.append(Table("matrix_documents", "Code × document matrix (coded sentences)",
                        "Cells: sentences of the document overlapping a coding of the code or a sub-code."
                        f"{no_column} {counted}",
                        code_matrix(codings, units=units, columns="doc_id", roll_up=True, codes=codes), index=True))
    tables.append(Table("matrix_participants", "Code × participant matrix (coded sentences)",
                        "Cells: sentences of the participant (all their documents counted) overlapping a coding of "
                        f"the code or a sub-code.{people_out} {counted}",
                        code_matrix(codings, units=units, columns="participant_id", roll_up=True, codes=codes),
                        index=True))
    for by in groups:
        tables.append(Table(f"matrix_{by}", f"Code × {by.replace('_', ' ')} matrix (% of participants)",
                            f"Cells: 100 * participants in the group with a sentence coded with the code or a "
                            f"sub-code / participants in the group. {counted}",
                            code_matrix(codings, units=units, columns=by, value="pct_participants",
                                        roll_up=True, codes=codes), index=True))
    cut = at_level(coded, depth)  # as coded: an implied code would co-occur with its source by construction
    cut_codes = [c for c in code_order(data.codebook, cut["code_id"].unique())]
    for unit in cooccurrence_units:
        tables.append(Table(f"cooccurrence_{unit}", f"Code co-occurrence ({unit})",
                            _cooccurrence_note(unit, depth, which),
                            _unrelated(cooccurrence(cut, unit=unit, units=units, codes=cut_codes))))
    if "leader" in groups:
        tables.append(Table("cooccurrence_turn_by_leader", "Code co-occurrence (turn) by leader",
                            _cooccurrence_note("turn", depth, which) + " Computed within each group.",
                            _unrelated(cooccurrence(cut, unit="turn", units=units, codes=cut_codes, by="leader"))))
    poles = theme_poles(data.codebook) if data.codebook is not None else {}
    if poles:
        per_person = participant_balance(codings, poles=poles, units=units)
        tables.append(Table("balance_participants", "Asymmetry balance per participant",
                            "Unit: sentence. heavy/light = the participant's sentences coded with the theme's "
                            "heavy/light pole (or a sub-code); balance = (heavy - light) / (heavy + light), "
                            f"empty when neither (leaning: no coded units).{people_out} {counted}", per_person))
        overall = [group_balance(per_person, seed=seed)]
        overall += [group_balance(per_person, by=by, seed=seed).drop(columns=[by]) for by in groups
                    if by != "kind"]
        not_coded = (" n_not_coded = participants none of whose documents was coded, left out of every other "
                     "column." if data.coverage == "coded" else "")
        tables.append(Table("balance_groups", "Asymmetry balance by group",
                            "mean_balance = mean over participants with coded units of their balance; ci_low/"
                            "ci_high = 95% percentile bootstrap interval over participants (9,999 resamples, "
                            f"seed {seed}); share_heavy = share of them with balance > 0; n_without = participants "
                            f"coded with no coded unit for the theme.{not_coded} {counted}",
                            with_coverage(pd.concat(overall, ignore_index=True), coverage_of(per_person))))
    fits = response_fits(data.codebook) if data.codebook is not None else {}
    if fits:
        tables.append(Table("alignment", "Table One alignment: reason for failure × response (same turn)",
                            "Unit: turn. n_units = turns holding a coding of the failure (reason) and of the "
                            "response; aligned = the response's `fits` in the codebook include the reason, an "
                            f"ancestor or a sub-code of it; flagged = not aligned. {which}",
                            failure_alignment(coded, fits=fits)))
        tables.append(Table("alignment_quotes", "Quotes behind the flagged alignment cells",
                            f"One row per turn, reason coding and response coding that do not fit. {which}",
                            alignment_quotes(coded, fits=fits, units=units, texts=data.texts)))
    return tables


def _unrelated(table: pd.DataFrame) -> pd.DataFrame:
    """Leave out pairs of a code with its own sub-code (``response`` with ``response.blame``): not news.

    The Benjamini-Hochberg adjustment was made over all pairs, so it stays conservative.
    """
    related = [b.startswith(a + ".") or a.startswith(b + ".") for a, b in zip(table["code_a"], table["code_b"],
                                                                                strict=True)]
    return table[~pd.Series(related, index=table.index, dtype=bool)].reset_index(drop=True)


def _cooccurrence_note(unit: str, depth: int, which: str) -> str:
    units = {"overlap": "clusters of overlapping codings (same or overlapping spans, as ATLAS.ti and QualCoder)",
             "sentence": "participant sentences", "turn": "participant turns"}[unit]
    return (f"Unit: {units}; codes cut to {depth} levels. n_ab = units with both codes; jaccard (ATLAS.ti's c) = "
            "n_ab / (n_a + n_b - n_ab); dice = 2 n_ab / (n_a + n_b); p_b_given_a = n_ab / n_a; lift = n_ab N / "
            "(n_a n_b); p_value = one-sided Fisher exact test, p_adjusted = Benjamini-Hochberg; c_caution = one "
            "code over five times as frequent as the other. Pairs of a code with its own sub-code are left out "
            f"(the adjustment counts them). {which}")


def write_tables(data: AnalysisData, out: str | Path, *, figures: bool = True, seed: int = 0,
                 tables: list[Table] | None = None, allow_identifiers: bool = False) -> dict:
    """Write every table as CSV, an XLSX workbook, ``tables.md``, ``tables.tex``, figures and ``manifest.json``.

    The folder is replaced whole, and only when every
    file was written (see the module docstring).

    Parameters
    ----------
    data : AnalysisData
        The data of :func:`~asymmetry_qda.analysis.load`. When a table quotes participants
        and ``data`` came from a project, the project's anonymisation audit is
        checked first (see :mod:`asymmetry_qda.anonymise.guard`).
    out : str or pathlib.Path
        The folder: an existing ``out`` must be
        empty or hold an earlier run's files only (those its ``manifest.json``
        names), else :class:`~asymmetry_qda.errors.QDAError` is raised and nothing
        is written.
    figures : bool, default True
        Draw the figures as PNG and SVG.
    seed : int, default 0
        The seed of the bootstrap intervals (recorded in the manifest).
    tables : list of Table, optional
        The tables to write (default: :func:`build_tables` of ``data``).
    allow_identifiers : bool, default False
        Unresolved
        high-severity findings stop the export unless ``allow_identifiers``.

    Returns
    -------
    dict
        Returns the manifest.

    Notes
    -----
    Computes no number beyond those of :func:`build_tables`. One CSV per
    table and one XLSX sheet per table keep every value at full precision;
    ``tables.md`` and ``tables.tex`` show floats to 3 decimals (columns
    starting ``p_`` to 3 significant digits) and leave out the ``unit``,
    ``status`` and ``denominator`` columns, which each table's note states.
    The manifest records the tool version, the SHA-256 of every other file
    written, of each document's text and of the codebook, the statuses and
    coders of the codings counted (and how many were left out, overlapping no
    unit), the seed and the coverage (which documents and participants the
    denominators count).
    """
    given, out = out, _target(out)
    _remove_stale_siblings(out)  # first: a folder a killed run had moved aside comes back even if this run stops
    _check_target(out)  # before any work; again just before the folder is replaced
    tables = build_tables(data, seed=seed) if tables is None else tables
    quoting = [t.name for t in tables if len(t.frame) and any(c == "text" or str(c).endswith("_text")
                                                               for c in t.frame.columns)]
    if data.source is not None:
        from ..anonymise.audit import attribute_texts
        from ..anonymise.guard import check_export
        from ..store import documents as stored_documents
        from ..store.sqlite import Store

        with Store.open(Path(data.source)) as store:
            if quoting:
                stored = dict(stored_documents.fingerprint(store.connection))
                changed = sorted(d for d, text in data.texts.items() if stored.get(d) != text_sha256(text))
                if changed:
                    raise InputError(Problem("tables", f"the data was loaded before {', '.join(changed[:5])} changed "
                                             f"in {data.source} (pseudonymised or replaced), so its quotes are out of "
                                             "date", fix="load(project) again and pass the new data"))
            # the participant tables carry the participants' free-text attributes, which the audit reads too
            carried = [f"quotes ({', '.join(quoting)})"] if quoting else []
            carried += ["participant attributes"] if attribute_texts(store.connection) else []
            if carried:
                check_export(store, f"tables with {' and '.join(carried)} to {given}",
                             allow_identifiers=allow_identifiers)
    written: dict[str, bytes] = {}
    for table in tables:
        written[f"{table.name}.csv"] = neutralise_formulas(table.frame).to_csv(
            index=table.index, lineterminator="\n").encode("utf-8")
    written["tables.xlsx"] = _workbook(tables)
    written["tables.md"] = _markdown(tables, data).encode("utf-8")
    written["tables.tex"] = _latex(tables).encode("utf-8")
    if figures:
        written.update(_figures(tables, data))
    manifest = _manifest(data, written, seed)
    files = {**written, "manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")}
    _write_folder(out, files)
    return manifest


def _manifest(data: AnalysisData, written: dict[str, bytes], seed: int) -> dict:
    from .._version import __version__

    documents = sorted((doc_id, hashlib.sha256(text.encode("utf-8")).hexdigest())
                       for doc_id, text in data.texts.items())
    codebook = None if data.codebook is None else {
        "name": data.codebook.name, "version": data.codebook.version, "sha256": data.codebook.content_hash}
    return {
        "tool": {"name": "asymmetry_qda", "version": __version__},
        "codings": {"statuses": list(data.statuses), "coders": None if data.coders is None else list(data.coders),
                    "count": int(len(data.codings)),
                    "left_out_outside_units": data.dropped},
        "options": {"seed": seed, "coverage": data.coverage},
        "coverage": _coverage_record(data),
        "codebook": codebook,
        "documents": [{"doc_id": d, "sha256": h} for d, h in documents],
        "files": [{"path": name, "sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}
                  for name, content in sorted(written.items())],
    }


def _coverage_record(data: AnalysisData) -> dict | None:
    """What the denominators counted, for the manifest (None: data made by hand, coverage not known)."""
    coverage = coverage_of(data.units, data.codings)
    if coverage is not None:
        return coverage.to_dict()
    if data.coverage is None:
        return None
    return {"option": data.coverage, "note": data.coverage_note,
            "covered_documents": list(data.covered_documents), "uncoded_documents": list(data.uncoded_documents),
            "covered_participants": list(data.covered_participants),
            "uncoded_participants": list(data.uncoded_participants)}
