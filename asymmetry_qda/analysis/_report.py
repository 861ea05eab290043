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
import io
import json
import os
import re
import secrets
import shutil
import socket
import stat
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem, QDAError
from ..escaping import latex_escape, map_text_cells, markdown_cell, neutralise_formulas, one_line
from ..fileio import fsync_folder, write_bytes_atomically
from ..interrupts import deferred_interrupts
from ..records import text_sha256
from ._alignment import alignment_quotes, failure_alignment, response_fits
from ._balance import group_balance, participant_balance, theme_poles
from ._counts import code_frequencies, code_matrix
from ._frame import (
    AnalysisData,
    _listing,
    at_level,
    code_order,
    coverage_of,
    implication_note,
    load,
    with_coverage,
    with_implied,
)

__all__ = ["Table", "build_tables", "write_tables", "load"]

#: Group columns the frequency and balance tables are broken down by, when the project has them.
BREAKDOWNS = ("kind", "leader", "rank_band", "function")
#: Units the co-occurrence tables are computed at.
COOCCURRENCE_UNITS = ("overlap", "sentence", "turn")


@dataclass(frozen=True)
class Table:
    """One published table: its data, a title, and a note with its unit of analysis and formula.

    Attributes
    ----------
    name : str
        The file name, without its suffix.
    title : str
        The table's title.
    note : str
        Its unit of analysis and formula.
    frame : pandas.DataFrame
        The data.
    index : bool
        Whether the index is written (matrices).
    """

    name: str
    title: str
    note: str
    frame: pd.DataFrame
    index: bool = False  # write the index (matrices)


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


# -- the output folder, replaced whole ------------------------------------------------------------

_MANIFEST = "manifest.json"


def _write_folder(out: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a new sibling folder, then put it in ``out``'s place (an earlier run's folder goes).

    An interruption at any point leaves ``out`` as it was (the earlier run, or
    nothing); a killed run's hidden sibling is removed by the next run.
    """
    _check_target(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise QDAError(f"{out.parent}: cannot be created ({exc.strerror or exc}); nothing was written. "
                       "Fix: write the tables to a folder you may write to") from exc
    replacing = out.exists()
    tmp = _new_sibling(out)
    try:
        if replacing:
            os.chmod(tmp, stat.S_IMODE(out.stat().st_mode))
        for name, content in files.items():
            write_bytes_atomically(tmp / name, content)
        with deferred_interrupts():  # the two renames are not cut in two by Ctrl-C or SIGTERM
            if replacing:
                aside = tmp.with_name(tmp.name + "-old")
                os.rename(out, aside)
                try:
                    os.rename(tmp, out)
                except BaseException:
                    os.rename(aside, out)
                    raise
                fsync_folder(out.parent)
                shutil.rmtree(aside, ignore_errors=True)
            else:
                os.rename(tmp, out)
                fsync_folder(out.parent)
    except OSError as exc:
        raise QDAError(f"{out}: cannot be written ({exc.strerror or exc}); nothing was written and any earlier "
                       "tables there are unchanged. Fix: check the folder and the disk, and run it again") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _check_target(out: Path) -> None:
    """Refuse an ``out`` that is not a folder, or one holding files an earlier tables run did not write."""
    if out.exists() and not out.is_dir():
        raise QDAError(f"{out}: is not a folder; nothing was written. Fix: name a new folder for the tables")
    if not out.name:
        raise QDAError(f"{out}: cannot be replaced. Fix: name a new folder for the tables, e.g. {out / 'tables'}")
    if out.exists():
        _check_replaceable(out)


def _target(out: str | Path) -> Path:
    """``out`` as an absolute path without ``..``, through a link to a folder (the link stays)."""
    out = Path(os.path.abspath(out))
    return out.resolve() if out.is_symlink() else out


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def _started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, Linux), ``"ended"`` for a zombie, or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = fields[fields.rfind(")") + 2:].split()
    if len(fields) < 20:
        return None
    return "ended" if fields[0] in ("Z", "X") else fields[19]


def _sibling_pattern(out: Path) -> re.Pattern:
    return re.compile(re.escape(f".{out.name}.tmp-") + r"(\d+)-(\d+|x)-([0-9a-f]{8})-[0-9a-f]{8}(-old)?")


def _new_sibling(out: Path) -> Path:
    """A new hidden folder beside ``out`` named after this process (pid, start time, host)."""
    started = _started(os.getpid())
    stem = f".{out.name}.tmp-{os.getpid()}-{started if started and started.isdigit() else 'x'}-{_host_tag()}-"
    for _ in range(100):
        folder = out.with_name(stem + secrets.token_hex(4))
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
        except OSError as exc:
            raise QDAError(f"{out}: cannot create a folder beside it ({exc.strerror or exc}); nothing was "
                           f"written. Fix: write the tables to a folder whose parent you may write to") from exc
    raise QDAError(f"{out}: cannot create a folder beside it; nothing was written")


def _has_ended(pid: int, started: str, host: str) -> bool:
    """True only when the process named in a sibling folder's name has certainly ended (in doubt: False)."""
    if host != _host_tag() or os.name != "posix" or pid == os.getpid():
        return False  # another machine's (a shared folder), or Windows, where os.kill(pid, 0) would end it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    now = _started(pid)
    return now == "ended" or (now is not None and started != "x" and now != started)  # ended, or id reused


def _remove_stale_siblings(out: Path) -> None:
    """Remove the hidden folders a killed run left beside ``out``; one it had moved aside comes back if
    ``out`` is missing (killed between the two renames)."""
    pattern = _sibling_pattern(out)
    try:
        siblings = sorted(out.parent.iterdir())
    except OSError:
        return
    for folder in siblings:
        match = pattern.fullmatch(folder.name)
        if not match or folder.is_symlink() or not folder.is_dir():
            continue
        if not _has_ended(int(match.group(1)), match.group(2), match.group(3)):
            continue
        if match.group(4) and not out.exists():
            try:
                os.rename(folder, out)
                continue
            except OSError:
                pass
        shutil.rmtree(folder, ignore_errors=True)


def _check_replaceable(out: Path) -> None:
    """Refuse a folder that holds anything but an earlier run's files (those its manifest names)."""
    entries = sorted(p.name for p in out.iterdir())
    if not entries:
        return
    named: set[str] = set()
    try:
        manifest = json.loads((out / _MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("tool", {}).get("name") == "asymmetry_qda":
            named = {f["path"] for f in manifest["files"] if isinstance(f.get("path"), str)}
            named.add(_MANIFEST)
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        pass

    def earlier(name: str) -> bool:
        path = out / name
        if path.is_symlink() or not path.is_file():
            return False  # folders and links are never the tables' own
        # a file the manifest names, or a hidden temporary file an older version left beside one
        return name in named or any(name.startswith(f".{n}.") for n in named)

    foreign = [name for name in entries if not earlier(name)]
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        why = ("it has no manifest.json from an earlier tables run" if not named
               else "its manifest.json does not name them")
        raise QDAError(f"{out}: holds files that the tables would replace but did not write ({shown}; {why}); "
                       "nothing was written. Fix: give --out a new folder (or one an earlier tables run wrote), "
                       "or move those files away")


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


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base[:28]}_{n}"
    used.add(candidate)
    return candidate


#: Fixed timestamp for workbook entries and properties, so the same tables give the same bytes.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _workbook(tables: list[Table]) -> bytes:
    """One sheet per table (title and note in the first rows), with clock-dependent parts fixed.

    Every string is stored as a text cell: openpyxl would store one beginning
    with ``=`` as a live formula (a quote ``=HYPERLINK(...)``).
    """
    import datetime

    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for table in tables:
            sheet = _sheet_name(table.name, used)
            frame = table.frame
            frame = frame.map(list_as_text) if len(frame) else frame
            frame.to_excel(writer, sheet_name=sheet, index=table.index, startrow=3)
            ws = writer.sheets[sheet]
            ws["A1"] = table.title
            ws["A2"] = table.note
            _text_cells(ws)
        fixed = datetime.datetime(*_FIXED_TIME)
        writer.book.properties.created = fixed
        writer.book.properties.modified = fixed
        writer.book.properties.creator = "asymmetry_qda"
    return _fix_zip_times(buffer.getvalue())


def _text_cells(ws) -> None:
    """Turn every formula cell of the sheet back into the text it was given (we never write formulas)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def list_as_text(value):
    """Lists (a coding's context flags) as ``;``-separated text; everything else as it is."""
    return ";".join(map(str, value)) if isinstance(value, (list, tuple)) else value


def _fix_zip_times(content: bytes) -> bytes:
    """Re-pack a zip with every entry's timestamp fixed and the core properties' dates fixed."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>1980-01-01T00:00:00Z", data)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data)
    return out.getvalue()


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Floats to 3 decimals (p-values in scientific notation) for reading; CSV and XLSX keep full precision."""
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            if str(column).startswith("p_"):
                shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
            else:
                shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
        elif shown[column].dtype == object:
            shown[column] = shown[column].map(list_as_text)
    return shown


_LONG_TEXT = ("text", "reason_text", "response_text", "unit_text")


def _for_paper(table: Table) -> pd.DataFrame:
    frame = table.frame.drop(columns=[c for c in ("unit", "status", "denominator") if c in table.frame.columns])
    frame = frame.drop(columns=[c for c in _LONG_TEXT if c in frame.columns and c == "unit_text"])
    return _rounded(frame)


def _markdown(tables: list[Table], data: AnalysisData) -> str:
    covered = f" {markdown_cell(data.coverage_note)}" if data.coverage_note else ""
    parts = ["# Theme tables", "", f"Codings counted: {data.label}.{covered} Each table's note gives its unit of "
             "analysis and formula; `manifest.json` records the documents, codebook, coverage and tool version "
             "behind them.", ""]
    for table in tables:
        shown = map_text_cells(_for_paper(table), markdown_cell) if len(table.frame) else None
        parts += [f"## {markdown_cell(table.title)}", "", markdown_cell(table.note), "",
                  shown.to_markdown(index=table.index) if shown is not None else "(no rows)", ""]
    return "\n".join(parts)


def _latex(tables: list[Table]) -> str:
    parts = ["% Theme tables written by asymmetry_qda; needs \\usepackage{booktabs} and \\usepackage{longtable}", ""]
    for table in tables:
        if not len(table.frame):
            continue
        # cells are escaped by pandas (line breaks made spaces first: a blank line ends a cell's paragraph);
        # the caption is not, so it is escaped here
        body = map_text_cells(_for_paper(table), one_line).to_latex(
            index=table.index, longtable=True, caption=(latex_escape(f"{table.title}. {table.note}"),
                                                        latex_escape(table.title)),
            label=f"tab:{table.name}", escape=True)
        parts += [body, ""]
    return "\n".join(parts)


def _figures(tables: list[Table], data: AnalysisData) -> dict[str, bytes]:
    """PNG and SVG of the co-occurrence heatmap and network (turn unit) and the balance plot."""
    from . import _figures as figures

    by_name = {t.name: t.frame for t in tables}
    labels = {c.id: c.label for c in data.codebook.codes} if data.codebook is not None else None
    colours = {c.id: c.colour for c in data.codebook.codes if c.colour} if data.codebook is not None else None
    made: dict[str, Callable] = {}
    if "cooccurrence_turn" in by_name and len(by_name["cooccurrence_turn"]):
        table = by_name["cooccurrence_turn"]
        codes = list(dict.fromkeys([*table["code_a"], *table["code_b"]]))
        codes = code_order(data.codebook, codes)
        made["cooccurrence_heatmap"] = lambda: figures.cooccurrence_heatmap(
            table, measure="jaccard", codes=codes, labels=labels, title="Code co-occurrence in turns (Jaccard)")
        made["cooccurrence_network"] = lambda: figures.cooccurrence_network(
            table, measure="jaccard", threshold=0.05, min_count=2, colours=colours, labels=labels,
            title="Code co-occurrence in turns (Jaccard > 0.05, at least 2 turns)")
    if "balance_groups" in by_name and len(by_name["balance_groups"]):
        groups = by_name["balance_groups"]
        shown = groups[(groups["group"] == "all") | groups["group"].str.startswith("leader=")]
        poles = theme_poles(data.codebook) if data.codebook is not None else None
        made["balance"] = lambda: figures.balance_plot(shown, poles=poles, labels=labels,
                                                       title="Asymmetry balance: everyone and by leader")
    return {name: content for key, build in made.items() for name, content in figures.figure_bytes(build(), key)}
