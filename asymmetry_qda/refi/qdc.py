"""REFI-QDA codebook exchange: ``.qdc`` files (namespace ``urn:QDA-XML:codebook:1.0``).

Export
    Codes nest as in the codebook's hierarchy; each gets a deterministic GUID
    (UUID5 of its id), its label as ``name``, its colour as ``#RRGGBB``, and a
    ``Description`` holding the definition, inclusion and exclusion criteria
    and examples, ending with the line ``asymmetry_qda id: <id>`` so that an
    import restores the exact id. Rules, context triggers and poles are this
    toolkit's own and are not part of the standard; they are not exported.

Import
    Reads the ``CodeBook`` of a ``.qdc`` file, a ``.qde`` project file or a
    ``.qdpx`` archive (from ATLAS.ti, MAXQDA, NVivo, QualCoder, Taguette ...).
    Namespaces, GUID case and braces, missing optional attributes and
    ``#RGB`` colours are tolerated; what cannot be carried over (Sets, bad
    colours, unnamed codes) is reported. The result is a rule-less codebook as
    YAML text, valid for :func:`~asymmetry_qda.codebook.load_codebook`.

Examples
--------
>>> from asymmetry_qda.codebook import parse_codebook
>>> cb = parse_codebook('''
... codebook: {name: Demo, version: "1"}
... codes:
...   - {id: blame, label: Blame, definition: Held to account., colour: "#D62728"}
...   - {id: blame.hindsight, label: Hindsight, definition: Judged on what was known later.}
... ''')
>>> back = import_qdc_bytes(qdc_bytes(cb), source="demo.qdc")
>>> [(c["id"], c["label"], c.get("colour")) for c in back.data["codes"]]
[('blame', 'Blame', '#D62728'), ('blame.hindsight', 'Hindsight', None)]
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .._version import __version__
from ..codebook.loader import ID_PATTERN, parse_codebook
from ..codebook.model import Code, Codebook
from ..errors import InputError, Problem
from .guids import normalise_guid, stable_guid
from .xmlutil import child, children, find_first, local, text_of

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
ID_TRAILER = "asymmetry_qda id: "
_SECTIONS = ("Include", "Exclude", "Examples", "Counter-examples")


# -- export -------------------------------------------------------------------------------------

def describe(code: Code) -> str:
    """The ``Description`` text of a code: definition, criteria, examples, and the id trailer."""
    parts = [code.definition]
    if code.include:
        parts.append(f"Include: {code.include}")
    if code.exclude:
        parts.append(f"Exclude: {code.exclude}")
    if code.examples:
        parts.append("Examples:\n" + "\n".join(f"- {e}" for e in code.examples))
    if code.counter_examples:
        parts.append("Counter-examples:\n" + "\n".join(f"- {e}" for e in code.counter_examples))
    parts.append(ID_TRAILER + code.id)
    return "\n\n".join(parts)


def qdc_bytes(codebook: Codebook) -> bytes:
    """The codebook as REFI-QDA ``.qdc`` XML (UTF-8), byte-identical for the same codebook."""
    ET.register_namespace("", QDC_NAMESPACE)
    ns = f"{{{QDC_NAMESPACE}}}"
    root = ET.Element(f"{ns}CodeBook", {"origin": f"asymmetry_qda {__version__}"})
    codes_el = ET.SubElement(root, f"{ns}Codes")

    def add(parent: ET.Element, code: Code) -> None:
        attrs = {"guid": stable_guid("code", code.id), "name": code.label, "isCodable": "true"}
        if code.colour:
            attrs["color"] = code.colour.upper()
        element = ET.SubElement(parent, f"{ns}Code", attrs)
        ET.SubElement(element, f"{ns}Description").text = describe(code)
        for sub in codebook.children(code.id):
            add(element, sub)

    for top in codebook.children(None):
        add(codes_el, top)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def export_qdc(codebook: Codebook, path: str | Path) -> Path:
    """Write ``codebook`` to ``path`` as a ``.qdc`` file (through a temporary file: never half-written)."""
    from ..fileio import write_bytes_atomically

    path = Path(path)
    write_bytes_atomically(path, qdc_bytes(codebook))
    return path


# -- import -------------------------------------------------------------------------------------

@dataclass
class ImportedCodebook:
    """A codebook read from REFI-QDA XML: ``data`` (ready for YAML), and notes on what was not carried over."""

    data: dict
    notes: list[str] = field(default_factory=list)

    def to_yaml(self) -> str:
        header = ("# Imported from a REFI-QDA codebook by asymmetry_qda. Codes have no rules yet:\n"
                  "# add rules, examples and counter-examples, then run 'asymmetry-qda codebook test'.\n")
        return header + yaml.safe_dump(self.data, sort_keys=False, allow_unicode=True, width=100)

    @property
    def codebook(self) -> Codebook:
        return parse_codebook(self.to_yaml(), source="<imported>")


def import_qdc(path: str | Path) -> ImportedCodebook:
    """Read the codebook of a ``.qdc``, ``.qde`` or ``.qdpx`` file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(Problem(str(path), "no such file", fix="check the path"))
    data = path.read_bytes()
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".qde") and "/" not in n.strip("/")]
            if len(members) != 1:
                raise InputError(Problem(path.name, f"a .qdpx archive must hold exactly one .qde file at its root, "
                                         f"found {len(members)}", fix="check that the file is a REFI-QDA project"))
            data = archive.read(members[0])
    return import_qdc_bytes(data, source=path.name, default_name=path.stem)


def import_qdc_bytes(data: bytes, *, source: str, default_name: str = "Imported codebook") -> ImportedCodebook:
    """Read a codebook from QDA-XML bytes (a ``CodeBook`` root, or a ``Project`` holding one)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(Problem(source, f"not well-formed XML ({exc})", line=exc.position[0],
                                 fix="check that the file is a REFI-QDA .qdc or .qde export")) from None
    book = root if local(root.tag) == "CodeBook" else find_first(root, "CodeBook")
    if book is None:
        raise InputError(Problem(source, f"no CodeBook element (the root is {local(root.tag)!r})",
                                 fix="export the codebook from your QDA program as REFI-QDA (.qdc)"))
    notes: list[str] = []
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if namespace not in (QDC_NAMESPACE, "urn:QDA-XML:project:1.0"):
        notes.append(f"namespace {namespace or '(none)'!r} is not the REFI-QDA 1.0 namespace; read anyway")
    codes_el = child(book, "Codes")
    codes: list[dict] = []
    seen_guids: set[str] = set()
    if codes_el is not None:
        taken: set[str] = set()
        for element in children(codes_el, "Code"):
            _import_code(element, None, codes, taken, seen_guids, notes)
    if not codes:
        raise InputError(Problem(source, "the codebook holds no codes", fix="check that the right file was exported"))
    sets = children(child(book, "Sets"), "Set") if child(book, "Sets") is not None else []
    if sets:
        names = ", ".join(s.get("name", "?") for s in sets)
        notes.append(f"skipped {len(sets)} Set(s) ({names}): sets of codes have no place in this codebook format")
    origin = root.get("origin") or book.get("origin")
    data = {
        "codebook": {"name": root.get("name") or default_name, "version": "imported",
                     "description": f"Imported from {source}" + (f" (made by {origin})" if origin else "")},
        "codes": codes,
    }
    return ImportedCodebook(data, notes)


def _import_code(element: ET.Element, parent: str | None, out: list[dict], taken: set[str], seen_guids: set[str],
                 notes: list[str]) -> None:
    name = (element.get("name") or "").strip()
    guid_raw = element.get("guid")
    guid = normalise_guid(guid_raw)
    if guid is None:
        notes.append(f"code {name or '(unnamed)'!r}: GUID {guid_raw!r} is not a GUID; kept the code")
    elif guid in seen_guids:
        notes.append(f"code {name!r}: GUID {guid} appears twice; kept both codes")
    if guid:
        seen_guids.add(guid)
    if not name:
        name = f"Unnamed code {len(out) + 1}"
        notes.append(f"a code without a name was called {name!r}")
    description = text_of(child(element, "Description")) or ""
    fields, code_id = _parse_description(description)
    if code_id is None or code_id in taken or not ID_PATTERN.match(code_id) or \
            (parent is not None and code_id.rsplit(".", 1)[0] != parent):
        code_id = _unique(f"{parent}.{_slug(name)}" if parent else _slug(name), taken)
    taken.add(code_id)
    code: dict = {"id": code_id, "label": name, "definition": fields.pop("definition", "") or
                  f"(no description in the imported codebook for {name!r})"}
    code.update(fields)
    colour = _colour(element.get("color"))
    if colour:
        code["colour"] = colour
    elif element.get("color"):
        notes.append(f"code {name!r}: colour {element.get('color')!r} is not #RRGGBB or #RGB; dropped")
    if element.get("isCodable", "true").strip().lower() in ("false", "0"):
        code["memo"] = "A category (not codable) in the program it came from."
    out.append(code)
    for sub in children(element, "Code"):
        _import_code(sub, code_id, out, taken, seen_guids, notes)


def _parse_description(text: str) -> tuple[dict, str | None]:
    """Split a description written by :func:`describe` back into fields; other descriptions are the definition."""
    text = text.strip()
    code_id = None
    lines = text.rsplit("\n", 1)
    if lines[-1].startswith(ID_TRAILER):
        code_id = lines[-1][len(ID_TRAILER):].strip()
        text = lines[0].strip() if len(lines) == 2 else ""
    fields: dict = {}
    blocks = text.split("\n\n") if text else []
    definition: list[str] = []
    for block in blocks:
        head = block.split(":", 1)[0]
        if head in ("Include", "Exclude"):
            fields[head.lower()] = block.split(":", 1)[1].strip()
        elif head in ("Examples", "Counter-examples") and block.startswith(head + ":\n"):
            items = [line[2:].strip() for line in block.split("\n")[1:] if line.startswith("- ")]
            fields["examples" if head == "Examples" else "counter_examples"] = items
        else:
            definition.append(block)
    fields["definition"] = "\n\n".join(definition).strip()
    return fields, code_id


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = "c_" + slug if slug else "code"
    return slug


def _unique(candidate: str, taken: set[str]) -> str:
    if candidate not in taken:
        return candidate
    n = 2
    while f"{candidate}_{n}" in taken:
        n += 1
    return f"{candidate}_{n}"


def _colour(raw: str | None) -> str | None:
    if not raw:
        return None
    value = raw.strip()
    if re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        return value.upper()
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", value):
        return "#" + "".join(ch * 2 for ch in value[1:]).upper()
    m = re.fullmatch(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,[^)]*)?\)", value)
    if m and all(int(g) <= 255 for g in m.groups()):
        return "#" + "".join(f"{int(g):02X}" for g in m.groups())
    if re.fullmatch(r"#[0-9A-Fa-f]{8}", value):  # #RRGGBBAA: drop alpha
        return value[:7].upper()
    return None
