"""Reading a REFI-QDA project file (``.qde``) into plain records; nothing is written, nothing is decided.

:class:`QdeReader` walks a parsed ``<Project>`` leniently: namespaces of any
version, GUIDs in any case or in braces, missing optional attributes, paths
with or without ``internal://``. It gathers

- the texts that become documents (:class:`QdeText`): text sources, PDF text
  representations and media transcripts, each with its selections
  (:class:`QdeSelection`) and codings (:class:`QdeCoding`), and its own
  variables;
- the codebook (through :func:`~asymmetry_qda.refi.qdc.import_qdc_bytes`),
  with codes that stand for cases set apart;
- users, variables, notes and cases (:class:`QdeCase`).

What cannot be imported (pictures, audio and video, PDFs without a text,
external files, sets, links, graphs, memos with no place in a project) is
added to the report's ``skipped`` as it is met.

Examples
--------
>>> from asymmetry_qda.refi.import_report import ImportReport
>>> from asymmetry_qda.refi.package import parse_qde
>>> root = parse_qde(b'''<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>
...   <TextSource guid="40000000-0000-0000-0000-000000000001" name="INT01">
...     <PlainTextContent>P01: on my watch.</PlainTextContent>
...     <PlainTextSelection startPosition="5" endPosition="16" name="on my watch"/>
...   </TextSource></Sources></Project>''', "p.qde")
>>> reader = QdeReader(root, None, ImportReport("p.qde"))
>>> reader.read()
>>> [(u.name, u.raw, [(s.start, s.end) for s in u.selections]) for u in reader.units]
[('INT01', 'P01: on my watch.', [(5, 16)])]
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from ..errors import InputError
from .guids import guid_key
from .import_report import ImportReport, SkippedItem
from .package import Package, decode_text_file, internal_name
from .qdc import import_qdc_bytes
from .qde_records import QdeCase, QdeCoding, QdeSelection, QdeText, coding_of, integer, selection_of, stripped_text
from .xmlutil import child, children, find_first, local, text_of

__all__ = ["QdeCase", "QdeCoding", "QdeReader", "QdeSelection", "QdeText"]


def _label(element: ET.Element) -> str:
    return (element.get("name") or "").strip() or f"(unnamed {local(element.tag)})"


def _file_stem(element: ET.Element) -> str | None:
    """The file name, without extension, of a source's own file: its name when it has none."""
    for attribute in ("plainTextPath", "richTextPath", "path", "currentPath"):
        ref = (element.get(attribute) or "").strip()
        if ref:
            base = re.split(r"[/\\]", ref.rstrip("/\\"))[-1]
            stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base).strip()
            if stem:
                return stem
    return None


def _groups_cases(element: ET.Element, case_keys: set[str]) -> bool:
    """Whether a code only groups codes that stand for cases (this toolkit's ``Participants (cases)``)."""
    from .qdpx_export import CASE_CODES_DESCRIPTION

    ours = (stripped_text(child(element, "Description")) or "") == CASE_CODES_DESCRIPTION
    subs = children(element, "Code")
    if not subs:  # emptied by a program that turned the cases-as-codes back into cases (QualCoder)
        return ours
    if not all(guid_key(c.get("guid")) in case_keys for c in subs):
        return False
    return ours or element.get("isCodable", "").strip().lower() == "false"


class QdeReader:
    """Reads a parsed ``Project`` element into units, codes, cases and the rest; nothing is written."""

    def __init__(self, root: ET.Element, package: Package, report: ImportReport):
        self.root = root
        self.package = package
        self.report = report
        self.users: dict[str, str] = {}
        self.code_ids: dict[str, str] = {}
        self.variables: dict[str, str] = {}
        self.notes: dict[str, str] = {}
        self.note_names: dict[str, str] = {}
        self.units: list[QdeText] = []
        self.by_key: dict[str, QdeText] = {}
        self.selection_unit: dict[str, QdeText] = {}
        self.cases: list[QdeCase] = []
        self.note_refs: dict[str | None, str] = {}  # note GUID -> what refers to it (a code, a source, the project)
        self.case_keys: set[str] = set()  # GUIDs of cases: a code with one of them is a case, not a code
        self.case_links: dict[str, list[QdeText]] = {}  # case GUID -> units its case code codes

    def skip(self, kind: str, name: str, reason: str, guid: str | None = None) -> None:
        self.report.skipped.append(SkippedItem(kind, name, reason, guid))

    # -- text of a TextSourceType element ----------------------------------
    def text_of_source(self, element: ET.Element) -> tuple[str | None, str | None, str | None]:
        """``(text, key, reason)`` from ``plainTextPath`` (preferred), inline ``PlainTextContent``, or, when
        neither gives any text, the Word file of ``richTextPath``."""
        reasons = []
        ref = element.get("plainTextPath")
        if ref and ref.strip():
            name, reason = internal_name(ref)
            if name is not None:
                data, key, reason = self.package.read_internal(name)
                if data is not None:
                    text, note = decode_text_file(data)
                    if text is None:
                        return None, None, f"{ref}: {note}"
                    if note:
                        self.report.notes.append(f"{_label(element)}: {note}")
                    if text.removeprefix("\ufeff").strip():
                        return text.removeprefix("\ufeff"), key, None
                    reason = f"{ref} is empty"
            reasons.append(reason)
        inline = child(element, "PlainTextContent")
        if inline is not None and inline.text is not None and inline.text.strip():
            return inline.text.removeprefix("\ufeff"), None, None
        rich = element.get("richTextPath")
        if rich and rich.strip() and rich.strip().lower().endswith(".docx"):
            text, key, reason = self._docx_text(rich.strip())
            if text is not None:
                why = "; ".join(r for r in reasons if r) or "there is no plain text"
                self.report.notes.append(f"{_label(element)}: the text was taken from {rich.strip()} ({why}); "
                                         "positions are counted on it, as a program that codes the Word file "
                                         "would")
                return text, key, None
            reasons.append(reason)
        if not reasons:
            reasons.append("it has neither a plainTextPath nor PlainTextContent")
        return None, None, "; ".join(r for r in reasons if r)

    def _docx_text(self, ref: str) -> tuple[str | None, str | None, str | None]:
        from ..readers.word import docx_bytes_text

        name, reason = internal_name(ref)
        if name is None:
            return None, None, reason
        data, key, reason = self.package.read_internal(name)
        if data is None:
            return None, None, reason
        try:
            text = docx_bytes_text(data, name)
        except InputError as exc:
            return None, None, f"{ref}: {exc}"
        return (text, key, None) if text.strip() else (None, None, f"{ref} holds no text")

    def add_unit(self, kind: str, element: ET.Element, name: str, owner: str | None) -> QdeText | None:
        text, key, reason = self.text_of_source(element)
        if text is None:
            return None if reason is None else self._no_text(kind, element, name, reason)
        if key is not None and key in self.by_key:
            unit = self.by_key[key]
            self.report.notes.append(f"{kind} {name!r} has the same text file as {unit.kind} {unit.name!r}; "
                                     "imported once")
        else:
            unit = QdeText(kind, element.get("guid"), name, text, key)
            self.units.append(unit)
            if key is not None:
                self.by_key[key] = unit
        for owner_guid in (owner, element.get("guid")):
            if guid_key(owner_guid) and guid_key(owner_guid) not in unit.owners:
                unit.owners.append(guid_key(owner_guid))
        for sel in children(element, "PlainTextSelection"):
            self.add_selection(unit, selection_of(sel, "PlainTextSelection"))
        unit.whole += [coding_of(c) for c in children(element, "Coding")]
        return unit

    def _no_text(self, kind: str, element: ET.Element, name: str, reason: str) -> None:
        selections = children(element, "PlainTextSelection")
        n_codings = sum(len(children(s, "Coding")) for s in selections) + len(children(element, "Coding"))
        self.report.selections += len(selections)
        self.skip("source", name, f"{kind}: no text ({reason}); {len(selections)} selection(s) with {n_codings} "
                  "coding(s) not imported", element.get("guid"))
        return None

    def add_selection(self, unit: QdeText, selection: QdeSelection) -> None:
        unit.selections.append(selection)
        if selection.kind == "PlainTextSelection":
            self.report.selections += 1
        if guid_key(selection.guid):
            self.selection_unit.setdefault(guid_key(selection.guid), unit)

    # -- the parts of a project ----------------------------------------------
    def read(self) -> None:
        root = self.root
        users = child(root, "Users")
        for user in children(users, "User") if users is not None else []:
            name = (user.get("name") or "").strip() or (user.get("id") or "").strip()
            if guid_key(user.get("guid")) and name:
                self.users[guid_key(user.get("guid"))] = name
        cases = child(root, "Cases")
        self.case_keys = {k for c in (children(cases, "Case") if cases is not None else [])
                          if (k := guid_key(c.get("guid")))}
        self.read_codebook()
        variables = child(root, "Variables")
        for n, var in enumerate(children(variables, "Variable") if variables is not None else [], start=1):
            if guid_key(var.get("guid")):
                self.variables[guid_key(var.get("guid"))] = (var.get("name") or "").strip() or f"variable {n}"
        self.read_notes()
        sources = child(root, "Sources")
        for element in list(sources) if sources is not None else []:
            self.read_source(element)
        self.read_cases()
        self.read_rest()

    def read_codebook(self) -> None:
        book = find_first(self.root, "CodeBook")
        if book is None:
            return
        try:
            imported = import_qdc_bytes(self.package.qde, source=self.package.qde_name,
                                        default_name=self.root.get("name") or Path(self.package.source).stem)
        except InputError as exc:
            self.report.notes.append(f"codebook: {exc}")
            return
        self.report.codebook = imported
        self.report.notes += [f"codebook: {n}" for n in imported.notes]
        elements: list[ET.Element] = []

        def walk(parent: ET.Element) -> None:
            for code in children(parent, "Code"):
                elements.append(code)
                walk(code)

        codes_el = child(book, "Codes")
        if codes_el is not None:
            walk(codes_el)
        dropped: set[str] = set()
        grouping = 0
        for element, code in zip(elements, imported.data["codes"], strict=True):
            key = guid_key(element.get("guid"))
            if key in self.case_keys or _groups_cases(element, self.case_keys):
                dropped.add(code["id"])  # a case written as a code (NVivo, this toolkit): a case, not a code
                grouping += key not in self.case_keys
                continue
            if key is not None:
                self.code_ids.setdefault(key, code["id"])
            for ref in children(element, "NoteRef"):
                self.note_refs.setdefault(guid_key(ref.get("targetGUID")), f"code {code['label']!r}")
        if dropped:
            imported.data["codes"] = [c for c in imported.data["codes"] if c["id"] not in dropped]
            self.report.notes.append(f"{len(dropped) - grouping} code(s) stand for cases (their GUIDs are cases' "
                                     "GUIDs, as NVivo and this toolkit write them)"
                                     + (f" and {grouping} groups them" if grouping else "")
                                     + ": read as participants, not codes")
        self.report.codes = len(imported.data["codes"])
        self.report.code_ids = {k: v for k, v in self.code_ids.items()}

    def read_notes(self) -> None:
        notes = child(self.root, "Notes")
        for note in children(notes, "Note") if notes is not None else []:
            key = guid_key(note.get("guid"))
            text, _, reason = self.text_of_source(note)
            body = (text or "").strip() or stripped_text(child(note, "Description"))
            name = _label(note)
            if key is None:
                self.skip("memo", name, "the note has no GUID, so nothing can refer to it")
                continue
            self.note_names[key] = name
            if body:
                self.notes[key] = body
            else:
                self.skip("memo", name, f"the note has no text ({reason or 'empty'})", note.get("guid"))
            inner = children(note, "PlainTextSelection")
            if inner:
                n = sum(len(children(s, "Coding")) for s in inner)
                self.skip("selection", name, f"{len(inner)} selection(s) with {n} coding(s) inside a note: notes "
                          "are not documents here", note.get("guid"))

    def read_source(self, element: ET.Element) -> None:
        kind = local(element.tag)
        guid = element.get("guid")
        name = (element.get("name") or "").strip() or _file_stem(element) or \
            f"{kind} {(guid_key(guid) or 'without GUID')[:8]}"
        before = len(self.units)

        if kind == "TextSource":
            unit = self.add_unit("text source", element, name, None)
            for ref in children(element, "NoteRef"):
                self.note_refs.setdefault(guid_key(ref.get("targetGUID")), f"source {name!r}")
            if unit is not None:
                unit.variables += self._source_variables(element)
        elif kind == "PDFSource":
            rep = child(element, "Representation")
            unit = self.add_unit("PDF text representation", rep, name, guid) if rep is not None else None
            pdf_selections = children(element, "PDFSelection")
            if unit is None:
                n = sum(len(children(s, "Coding")) for s in pdf_selections) + len(children(element, "Coding"))
                if rep is None:
                    self.skip("source", name, "PDF without a plain-text Representation: the PDF is not imported; "
                              f"{len(pdf_selections)} PDF selection(s) with {n} coding(s) not imported", guid)
                elif pdf_selections or n:
                    self.skip("selection", name, f"{len(pdf_selections)} PDF selection(s) with {n} coding(s) not "
                              "imported, because the PDF's text representation is missing", guid)
                return
            unit.whole += [coding_of(c) for c in children(element, "Coding")]
            inner = {guid_key(s.guid) for s in unit.selections if guid_key(s.guid)}
            for sel in pdf_selections:
                selection = selection_of(sel, "PDFSelection")
                selection.problem = None
                if guid_key(selection.guid) in inner:
                    if selection.codings:
                        self.skip("selection", selection.name or "(unnamed)", "PDF selection duplicated by a text "
                                  "selection of the representation (same GUID); imported once", selection.guid)
                    continue
                rep_sel = child(sel, "Representation")
                selection.quote = text_of(child(rep_sel, "PlainTextContent")) if rep_sel is not None else None
                if not selection.quote or not selection.quote.strip():
                    if selection.codings:
                        self.skip("selection", selection.name or "(unnamed)", "PDF selection by page coordinates "
                                  f"only (no text); {len(selection.codings)} coding(s) not imported", selection.guid)
                    continue
                self.add_selection(unit, selection)
            unit.variables += self._source_variables(element)
        elif kind in ("AudioSource", "VideoSource"):
            media = "audio" if kind == "AudioSource" else "video"
            imported = 0
            for transcript in children(element, "Transcript"):
                tname = (transcript.get("name") or "").strip() or \
                    re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name) + " transcript"
                unit = self.add_unit(f"{media} transcript", transcript, tname, guid)
                if unit is None:
                    continue
                imported += 1
                syncs = {guid_key(s.get("guid")): integer(s.get("position")) for s in children(transcript, "SyncPoint")}
                for sel in children(transcript, "TranscriptSelection"):
                    selection = selection_of(sel, "TranscriptSelection")
                    selection.start = syncs.get(guid_key(sel.get("fromSyncPoint")))
                    selection.end = syncs.get(guid_key(sel.get("toSyncPoint")))
                    selection.problem = None if selection.start is not None and selection.end is not None else \
                        "its fromSyncPoint/toSyncPoint do not name sync points with positions"
                    self.add_selection(unit, selection)
            timed = children(element, "AudioSelection" if media == "audio" else "VideoSelection")
            n = sum(len(children(s, "Coding")) for s in timed) + len(children(element, "Coding"))
            self.skip("source", name, f"{media} media is not imported ({imported} transcript(s) imported as text); "
                      f"{len(timed)} time selection(s) with {n} coding(s) not imported", guid)
            values = self._source_variables(element)
            for unit in self.units[before:]:
                unit.variables += values
        elif kind == "PictureSource":
            sels = children(element, "PictureSelection")
            n = sum(len(children(s, "Coding")) for s in sels) + len(children(element, "Coding"))
            self.skip("source", name, f"picture: images are not imported; {len(sels)} region selection(s) with "
                      f"{n} coding(s) not imported", guid)
        else:
            self.skip("source", name, f"unknown kind of source <{kind}>", guid)

    def _source_variables(self, element: ET.Element) -> list[tuple[str, str]]:
        """A source's own ``VariableValue`` s (document attributes, as MAXQDA and QualCoder keep them)."""
        values = []
        for vv in children(element, "VariableValue"):
            ref = child(vv, "VariableRef")
            target = ref.get("targetGUID") if ref is not None else None
            if guid_key(target) not in self.variables:
                self.skip("variable", _label(element), f"a value refers to unknown variable {target!r}",
                          element.get("guid"))
                continue
            values.append(self._value(vv))
        return values

    def _value(self, element: ET.Element) -> tuple[str, str]:
        ref = child(element, "VariableRef")
        target = ref.get("targetGUID") if ref is not None else None
        name = self.variables.get(guid_key(target) or "", None) or f"unknown variable {target}"
        value = ""
        for c in element:
            if local(c.tag).endswith("Value") and local(c.tag) != "VariableRef":
                value = (c.text or "").strip()
                break
        return name, value

    def read_cases(self) -> None:
        cases = child(self.root, "Cases")
        for n, case in enumerate(children(cases, "Case") if cases is not None else [], start=1):
            name = (case.get("name") or "").strip()
            guid = case.get("guid")
            values: list[tuple[str, str]] = []
            for vv in children(case, "VariableValue"):
                ref = child(vv, "VariableRef")
                target = ref.get("targetGUID") if ref is not None else None
                if guid_key(target) not in self.variables:
                    self.skip("variable", name or f"case {n}", f"a value refers to unknown variable {target!r}",
                              guid)
                    continue
                values.append(self._value(vv))
            sources = [guid_key(r.get("targetGUID")) for r in children(case, "SourceRef")]
            selections = [guid_key(r.get("targetGUID")) for r in children(case, "SelectionRef")]
            code_refs = children(case, "CodeRef")
            if code_refs:
                self.skip("case", name or f"case {n}", f"{len(code_refs)} code(s) applied to the case itself: "
                          "cases are participants here and are not coded", guid)
            if stripped_text(child(case, "Description")):
                self.skip("memo", name or f"case {n}", "the case's description has no place in a project", guid)
            self.cases.append(QdeCase(name, guid, values, sources, selections))

    def read_rest(self) -> None:
        root = self.root
        for ref in children(root, "NoteRef"):
            self.note_refs.setdefault(guid_key(ref.get("targetGUID")), "the project")
        sets = child(root, "Sets")
        ours = (root.get("origin") or "").startswith("asymmetry_qda")
        derived = 0
        for s in children(sets, "Set") if sets is not None else []:
            if ours and _label(s).startswith(("theme: ", "data type: ")):
                derived += 1  # this toolkit's own sets: themes from the codebook, data types from the documents
                continue
            kinds = Counter(local(m.tag) for m in s if local(m.tag).startswith("Member"))
            members = ", ".join(f"{n} {k[6:].lower()}(s)" for k, n in kinds.items()) or "no members"
            self.skip("set", _label(s), f"sets (groups of {members}) have no place in a project", s.get("guid"))
        if derived:
            self.report.notes.append(f"{derived} set(s) that this toolkit derives (themes from the codebook, data "
                                     "types from the documents) were not needed")
        links = child(root, "Links")
        if links is not None and len(children(links, "Link")):
            self.skip("link", f"{len(children(links, 'Link'))} link(s)", "links between items are not imported")
        graphs = child(root, "Graphs")
        if graphs is not None and len(children(graphs, "Graph")):
            self.skip("graph", ", ".join(_label(g) for g in children(graphs, "Graph")), "graphs are not imported")
        if stripped_text(child(root, "Description")):
            self.skip("memo", "project description", "the project's description has no place in a project")


