"""REFI-QDA project export: a ``.qdpx`` archive with ``project.qde`` and ``sources/<GUID>.txt``.

What goes where (QDA-XML ``urn:QDA-XML:project:1.0``):

- ``Users``: every coder with a coding in the export (the tagger is its own user);
- ``CodeBook``: the codes, nested by their dotted ids, with label, colour and the
  same ``Description`` as a ``.qdc`` export (ending ``asymmetry_qda id: <id>``);
  codes used in codings but missing from the codebook are added, named by id;
- ``Variables`` and ``Cases``: one case per participant, with a ``VariableValue``
  per attribute (``leader`` as Boolean, ``years_service``-like numbers as Text)
  and a ``SourceRef`` per document;
- ``Sources``: each document as a ``TextSource`` whose ``plainTextPath`` is
  ``internal://<GUID>.txt``, the stored text written as UTF-8 without a BOM, and
  one ``PlainTextSelection`` per coding with its ``Coding``. Positions are
  0-based Unicode code points, end exclusive (REFI-QDA 1.5 §10.2), on exactly
  the text written, so ``text[start:end]`` is the coded text; the selection's
  ``name`` is that text (up to 100 characters), as ATLAS.ti and QualCoder do;
- ``Notes``: memos on codings, referenced from their selection by ``NoteRef``;
- ``Sets``: one per theme (its codes) and one per document kind (its sources).

GUIDs are UUID5s of stable ids, timestamps come from the stored rows and zip
entries carry a fixed date, so exporting the same project twice gives the same
bytes. Only confirmed codings are exported unless suggestions are asked for.
"""

from __future__ import annotations

import io
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .. import __version__
from ..errors import QDAWarning
from ..fileio import write_bytes_atomically
from .guids import stable_guid
from .qdc import describe

if TYPE_CHECKING:  # pragma: no cover
    from ..codebook.model import Codebook
    from ..project import Project

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
_NS = f"{{{PROJECT_NAMESPACE}}}"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_NAME_LIMIT = 100
#: Participant columns that are not attributes.
_NOT_VARIABLES = {"participant_id", "pseudonym", "rank_raw", "rank_level", "leader_source", "n_documents",
                  "data_types"}


def _el(parent: ET.Element, tag: str, attrs: dict | None = None, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _NS + tag, {k: v for k, v in (attrs or {}).items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _time(value) -> str | None:
    return value if isinstance(value, str) and value else None


def qde_and_sources(project: "Project", *, include_suggestions: bool = False,
                    codebook: "Codebook | None" = None, name: str | None = None) -> tuple[bytes, dict[str, bytes]]:
    """The ``project.qde`` XML and ``{member path: bytes}`` of the sources."""
    ET.register_namespace("", PROJECT_NAMESPACE)
    statuses = ["confirmed", "suggested"] if include_suggestions else ["confirmed"]
    codings = project.codings()
    codings = codings[codings["status"].isin(statuses)]
    if codebook is None:
        stored = project.codebooks()
        codebook = project.codebook(stored["codebook_hash"].iloc[-1]) if len(stored) else None
    documents = project.documents()
    texts = {d: project.text(d) for d in documents["doc_id"]}
    _warn_astral(texts)
    memos = project.memos().dropna(subset=["coding_id"]).drop_duplicates("coding_id", keep="last")
    memo_of = dict(zip(memos["coding_id"], memos["text"], strict=True))

    root = ET.Element(_NS + "Project", {"name": name or project.path.stem, "origin": f"asymmetry_qda {__version__}"})
    coders = sorted(codings["coder_id"].dropna().unique())
    if coders:
        users = _el(root, "Users")
        for coder in coders:
            _el(users, "User", {"guid": stable_guid("user", coder), "name": coder})
    code_ids = _codebook(root, codebook, sorted(codings["code_id"].unique()))
    participants = project.participants()
    variables = _variables(root, participants)
    _cases(root, participants, documents, variables)
    _sources(root, documents, texts, codings, memo_of)
    if memo_of and len(codings):
        notes = _el(root, "Notes")
        for coding_id in sorted(set(codings["coding_id"]) & set(memo_of)):
            note = _el(notes, "Note", {"guid": stable_guid("note", coding_id), "name": f"Memo on {coding_id[:8]}"})
            _el(note, "PlainTextContent", text=memo_of[coding_id])
    _sets(root, code_ids, documents)
    ET.indent(root, space="  ")
    qde = ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    sources = {f"sources/{stable_guid('source', d)}.txt": texts[d].encode("utf-8") for d in documents["doc_id"]}
    return qde, sources


def _warn_astral(texts: dict[str, str]) -> None:
    astral = sorted(d for d, t in texts.items() if any(ord(c) > 0xFFFF for c in t))
    if astral:
        warnings.warn(f"{', '.join(astral)} contain characters outside the Basic Multilingual Plane (emoji...): "
                      "positions are Unicode code points as REFI-QDA says, but NVivo and QualCoder count UTF-16 "
                      "units and will place codings after such a character one position off", QDAWarning,
                      stacklevel=3)


def _codebook(root: ET.Element, codebook, used: Sequence[str]) -> list[str]:
    """Write the nested codes; return every code id written, in order."""
    known = {c.id: c for c in codebook.codes} if codebook is not None else {}
    ids = list(known) + [c for c in used if c not in known]
    # every ancestor of a used code must exist for nesting
    for code in list(ids):
        parts = code.split(".")
        for k in range(1, len(parts)):
            parent = ".".join(parts[:k])
            if parent not in ids:
                ids.append(parent)
    if not ids:
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
    return ids


def _variables(root: ET.Element, participants: pd.DataFrame) -> dict[str, str]:
    names = [c for c in participants.columns if c not in _NOT_VARIABLES and participants[c].notna().any()]
    if participants.empty or not names:
        return {}
    element = _el(root, "Variables")
    types = {}
    for column in names:
        types[column] = "Boolean" if column in ("leader", "acting") else "Text"
        _el(element, "Variable", {"guid": stable_guid("variable", column), "name": column,
                                  "typeOfVariable": types[column]})
    return types


def _cases(root: ET.Element, participants: pd.DataFrame, documents: pd.DataFrame, types: dict[str, str]) -> None:
    if participants.empty:
        return
    cases = _el(root, "Cases")
    for row in participants.itertuples(index=False):
        record = row._asdict()
        case = _el(cases, "Case", {"guid": stable_guid("case", record["participant_id"]),
                                   "name": record["participant_id"]})
        if record.get("pseudonym"):
            _el(case, "Description", text=f"pseudonym: {record['pseudonym']}")
        for column, kind in types.items():
            value = record.get(column)
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            holder = _el(case, "VariableValue")
            _el(holder, "VariableRef", {"targetGUID": stable_guid("variable", column)})
            if kind == "Boolean":
                _el(holder, "BooleanValue", text="true" if bool(value) else "false")
            else:
                _el(holder, "TextValue", text=str(value))
        for doc_id in documents.loc[documents["participant_id"] == record["participant_id"], "doc_id"]:
            _el(case, "SourceRef", {"targetGUID": stable_guid("source", doc_id)})


def _sources(root: ET.Element, documents: pd.DataFrame, texts: dict[str, str], codings: pd.DataFrame,
             memo_of: dict[str, str]) -> None:
    if documents.empty:
        return
    sources = _el(root, "Sources")
    for doc in documents.itertuples(index=False):
        guid = stable_guid("source", doc.doc_id)
        source = _el(sources, "TextSource", {"guid": guid, "name": doc.doc_id,
                                             "plainTextPath": f"internal://{guid}.txt",
                                             "creationDateTime": _time(getattr(doc, "ingested_at", None))})
        mine = codings[codings["doc_id"] == doc.doc_id].sort_values(["start", "end", "code_id", "coding_id"])
        for coding in mine.itertuples(index=False):
            quote = texts[doc.doc_id][coding.start:coding.end]
            user = stable_guid("user", coding.coder_id) if isinstance(coding.coder_id, str) else None
            selection = _el(source, "PlainTextSelection", {
                "guid": stable_guid("selection", coding.coding_id),
                "name": quote if len(quote) <= _NAME_LIMIT else quote[:_NAME_LIMIT - 1] + "…",
                "startPosition": str(coding.start), "endPosition": str(coding.end),
                "creatingUser": user, "creationDateTime": _time(coding.created_at)})
            if coding.status == "suggested":
                _el(selection, "Description", text=f"suggested by {coding.origin} (confidence "
                                                    f"{coding.confidence:.2f}), not yet reviewed")
            marked = _el(selection, "Coding", {"guid": stable_guid("coding", coding.coding_id),
                                               "creatingUser": user, "creationDateTime": _time(coding.created_at)})
            _el(marked, "CodeRef", {"targetGUID": stable_guid("code", coding.code_id)})
            if coding.coding_id in memo_of:
                _el(selection, "NoteRef", {"targetGUID": stable_guid("note", coding.coding_id)})


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


def qdpx_bytes(project: "Project", **options) -> bytes:
    """The whole ``.qdpx`` archive as bytes (deterministic)."""
    qde, sources = qde_and_sources(project, **options)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, data in [("project.qde", qde), *sorted(sources.items())]:
            info = zipfile.ZipInfo(member, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def export_qdpx(project: "Project", path: str | Path, *, include_suggestions: bool = False,
                codebook: "Codebook | None" = None) -> Path:
    """Write ``project`` as a REFI-QDA ``.qdpx`` archive at ``path`` (atomically); returns the path."""
    path = Path(path)
    write_bytes_atomically(path, qdpx_bytes(project, include_suggestions=include_suggestions, codebook=codebook))
    return path
