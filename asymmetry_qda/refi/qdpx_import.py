"""Importing a REFI-QDA project (a ``.qdpx`` archive or a bare ``.qde``) into a :class:`~asymmetry_qda.Project`.

The file is untrusted. Everything is read and checked before the project is
touched, and a problem with the file itself raises
:class:`~asymmetry_qda.errors.InputError` with the project left unchanged:

- XML is parsed only with :mod:`defusedxml`. A DTD, an entity declaration or
  an external reference is refused.
- ZIP members are read into memory and never extracted. A member whose path is
  absolute or climbs out with ``..`` (zip slip) is refused.
- Sizes are capped. The total uncompressed size may not exceed
  :data:`MAX_TOTAL_UNCOMPRESSED`, and a member over :data:`RATIO_CHECK_MIN_SIZE`
  may not expand more than :data:`MAX_COMPRESSION_RATIO` times. Both caps are
  checked from the ZIP headers, and again while reading in chunks, because
  headers can lie.
- The archive must hold exactly one ``*.qde`` at its root. Any name and any
  case is accepted. The sources folder may be ``sources/`` or ``Sources/``.

The project is read leniently. Namespaces of any version are accepted, and so
are GUIDs in any case or in braces, missing optional attributes, colours that
are not ``#RRGGBB``, and paths with or without ``internal://``. Files outside the
archive (``relative://``, ``absolute://``) are never read. What cannot be
imported is listed in :attr:`ImportReport.skipped`, never dropped silently:
pictures, audio and video, PDFs without a text representation, external files,
selections outside the text, and references to unknown GUIDs.

Positions (see ``shared/refi-qda/NOTES.md`` section 4)
    The spec counts code points. NVivo and QualCoder count UTF-16 code units,
    and ATLAS.ti counts CRLF as one character. Four ways of counting are
    therefore candidates (:data:`SCHEMES`), always on the source text with a
    leading BOM removed. With ``scheme="auto"`` one is chosen for the whole
    project: the one under which the most selections have a ``name`` equal to
    the selected text (or a prefix of it, when the name is truncated with an
    ellipsis). If that ties, the one under which the most selections start and
    end on word or line boundaries. If that ties too, the spec's code points.
    Selections whose quote fits another scheme than the one they are read with
    are counted in a note, by writer; ``scheme="per-user"`` chooses the scheme
    for each writer (``creatingUser``) from that writer's own selections.
    Offsets are then converted to the text the project stores (BOM removed,
    CRLF and CR turned into LF).

What goes where
    - Text sources, PDF text representations and media transcripts become
      documents. A transcript that shares its text file with a text source is
      imported once. A source whose ``.txt`` is empty or missing is read from
      its ``.docx`` (``richTextPath``), with a note; an unnamed source is named
      after its file.
    - Codings become confirmed human codings, with the coder's user name or
      ``imported``. Their memo is the selection's description plus the text of
      any notes on the selection or the coding (each text once). A coding whose
      description starts with this toolkit's suggestion mark
      (:data:`~asymmetry_qda.refi.qdpx_export.SUGGESTION_MARK`) comes back as
      an unreviewed suggestion with its origin, rule and confidence.
    - Cases, and the variables on sources (MAXQDA, QualCoder), become
      participants with their attributes; a source's ``participant`` variable
      names its participant, and a code whose GUID is a case's GUID (NVivo, this
      toolkit) links that case to the documents it codes instead of being a
      code. A case with no document is kept as a participant. ``pseudonym``,
      ``rank``, ``function``, ``leader`` and ``data_type`` have their meaning;
      columns derived from the rank (``rank_band``, ``track``, ``acting``) are
      derived again, not imported.
    - The codebook is returned in :attr:`ImportReport.codebook`, to be saved
      as YAML or stored with :meth:`~asymmetry_qda.Project.add_codebook`.
    - Memos on codes or on the project, other programs' sets, links and graphs
      have no place in a project. They are reported.
    - The project file is checked against the official schema (bundled in
      ``refi/schema``); a file that is not valid is read leniently, with a note.
    - Everything is written in one transaction with no temporary files: a
      failure or an interruption half-way leaves the project as it was.

Examples
--------
>>> pm = PositionMap("Hi \\U0001F600!\\r\\nBye")
>>> [pm.length(s) for s in SCHEMES]          # the same text counted four ways
[10, 11, 9, 10]
>>> pm.to_index(8, "utf16"), pm.stored_offset(pm.to_index(8, "utf16"))
(7, 6)
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
import zlib
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import defusedxml
import defusedxml.ElementTree as DefusedET

from ..errors import InputError, Problem
from ..textio import decode_text, normalise_newlines
from .guids import normalise_guid
from .qdc import ImportedCodebook, import_qdc_bytes
from .xmlutil import child, children, find_first, local, text_of

if TYPE_CHECKING:  # pragma: no cover
    from ..project import Project

__all__ = ["MAX_COMPRESSION_RATIO", "MAX_TOTAL_UNCOMPRESSED", "RATIO_CHECK_MIN_SIZE", "SCHEMES", "ImportReport",
           "PositionMap", "SkippedItem", "import_qdpx"]

#: Largest total uncompressed size of everything read from one file (bytes).
MAX_TOTAL_UNCOMPRESSED = 512 * 1024 * 1024
#: Largest uncompressed/compressed ratio allowed for a member larger than :data:`RATIO_CHECK_MIN_SIZE`.
MAX_COMPRESSION_RATIO = 200
#: Members up to this size (bytes) are not checked for their compression ratio.
RATIO_CHECK_MIN_SIZE = 1024 * 1024
#: How many bytes are read from a member at a time while the caps are checked.
READ_CHUNK = 1024 * 1024

#: How offsets may be counted: code points or UTF-16 units, with CRLF as two characters or one.
SCHEMES: tuple[str, ...] = ("codepoints", "utf16", "codepoints-crlf1", "utf16-crlf1")

_FIX_EXPORT = "export the project again from the QDA program as a REFI-QDA project (.qdpx)"
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}
_RESERVED_COLUMNS = {"doc_id", "participant_id", "pseudonym", "rank", "function", "data_type", "leader"}
_KINDS = {"interview": "interview", "interviews": "interview", "fieldnote": "fieldnote", "fieldnotes": "fieldnote",
          "field note": "fieldnote", "field notes": "fieldnote", "field-note": "fieldnote",
          "field_note": "fieldnote"}


# -- the report ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SkippedItem:
    """One thing in the file that was not imported, and why."""

    kind: str
    name: str
    reason: str
    guid: str | None = None

    def __str__(self) -> str:
        where = f"{self.kind} {self.name!r}" + (f" [{self.guid}]" if self.guid else "")
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    """What :func:`import_qdpx` did.

    - ``documents``/``doc_ids``: the documents added.
    - ``codes``/``code_ids``: codes in the codebook, and each code's GUID
      (normalised) mapped to its id. ``codebook`` is the codebook itself.
    - ``selections``: the ``PlainTextSelection`` elements read.
    - ``codings``: the codings written.
    - ``coders``/``coder_names``: who made the codings.
    - ``cases``: participants written.
    - ``memos``: codings that got a memo.
    - ``scheme``: how positions were counted. ``scheme_chosen`` is ``auto``
      or ``forced``.
    - ``evidence``: for each scheme in :data:`SCHEMES`, how many of the
      ``probed`` selections had a ``name`` matching the selected text
      (``quote``), and how many started and ended on word or line boundaries
      (``boundary``).
    - ``skipped``: everything that was not imported, with the reason.
    - ``notes``: remarks that did not stop anything.
    """

    source: str
    origin: str | None = None
    documents: int = 0
    doc_ids: list[str] = field(default_factory=list)
    codes: int = 0
    code_ids: dict[str, str] = field(default_factory=dict)
    selections: int = 0
    codings: int = 0
    suggestions: int = 0
    coders: int = 0
    coder_names: list[str] = field(default_factory=list)
    cases: int = 0
    memos: int = 0
    scheme: str = "codepoints"
    scheme_chosen: str = "auto"
    evidence: dict[str, dict[str, int]] = field(default_factory=dict)
    probed: int = 0
    skipped: list[SkippedItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    codebook: ImportedCodebook | None = None

    def skipped_of(self, kind: str) -> list[SkippedItem]:
        """The skipped items of one kind (``source``, ``selection``, ``coding``, ``memo``, ``case`` ...)."""
        return [s for s in self.skipped if s.kind == kind]

    def summary(self) -> str:
        lines = [f"Imported {self.source}" + (f" (made by {self.origin})" if self.origin else "")]
        lines.append(f"documents: {self.documents}" + (f" ({', '.join(self.doc_ids)})" if self.doc_ids else ""))
        lines.append(f"codes: {self.codes}")
        lines.append(f"text selections read: {self.selections}")
        lines.append(f"codings: {self.codings} by {self.coders} coder(s)"
                     + (f" ({', '.join(self.coder_names)})" if self.coder_names else "")
                     + (f", {self.suggestions} of them unreviewed suggestions, kept as suggestions"
                        if self.suggestions else ""))
        lines.append(f"cases: {self.cases} imported as participants")
        lines.append(f"memos: {self.memos} attached to codings")
        how = "forced" if self.scheme_chosen == "forced" else f"chosen from {self.probed} selection(s)"
        lines.append(f"positions: {self.scheme} ({how})")
        if self.evidence:
            lines.append("  evidence (name matches / boundary matches): " + ", ".join(
                f"{s} {e['quote']}/{e['boundary']}" for s, e in self.evidence.items()))
        for note in self.notes:
            lines.append(f"note: {note}")
        if self.skipped:
            counts = Counter(s.kind for s in self.skipped)
            lines.append(f"not imported: {len(self.skipped)} item(s) ("
                         + ", ".join(f"{n} {k}" for k, n in counts.items()) + ")")
            lines += [f"  - {s}" for s in self.skipped]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


# -- positions -------------------------------------------------------------------------------------

class PositionMap:
    """Converts positions in a source text (its BOM removed) between the four counting schemes.

    A *position* counts units under a scheme. An *index* is a Python
    (code-point) index into the raw text. A *stored offset* is an index into
    the text as a project stores it, where CRLF and CR become LF.
    """

    def __init__(self, raw: str):
        self.raw = raw
        self.n = len(raw)
        self._crlf_lf = [m.start() + 1 for m in re.finditer("\r\n", raw)]  # the LF of each CRLF
        self._astral = [m.start() for m in _ASTRAL.finditer(raw)]

    def position(self, index: int, scheme: str) -> int:
        """The position under ``scheme`` of the boundary before ``raw[index]``."""
        u = index
        if scheme.startswith("utf16"):
            u += bisect_left(self._astral, index)
        if scheme.endswith("crlf1"):
            u -= bisect_left(self._crlf_lf, index)
        return u

    def length(self, scheme: str) -> int:
        return self.position(self.n, scheme)

    def to_index(self, pos: int, scheme: str, *, round_up: bool = False) -> int | None:
        """The raw index at position ``pos``. Positions inside a character (half a surrogate pair) give ``None``,
        or the next boundary with ``round_up`` (previous without). Past the end gives ``None``."""
        if pos < 0 or pos > self.length(scheme):
            return None
        lo, hi = 0, self.n
        while lo < hi:  # the largest index whose position is <= pos
            mid = (lo + hi + 1) // 2
            if self.position(mid, scheme) <= pos:
                lo = mid
            else:
                hi = mid - 1
        if self.position(lo, scheme) == pos:
            return lo
        return lo + 1 if round_up else lo

    def exact_index(self, pos: int, scheme: str) -> int | None:
        """Like :meth:`to_index` but ``None`` for a position inside a character."""
        index = self.to_index(pos, scheme)
        return index if index is not None and self.position(index, scheme) == pos else None

    def stored_offset(self, index: int) -> int:
        """The offset in the stored text (line endings ``\\n``) of raw index ``index``."""
        return index - bisect_left(self._crlf_lf, index)

    @property
    def stored_text(self) -> str:
        return normalise_newlines(self.raw)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _quote_matches(name: str, selected: str) -> bool:
    """Whether a selection's ``name`` is its text, or (ending in an ellipsis) the start of it."""
    wanted = _squash(html.unescape(name))
    got = _squash(selected)
    if not wanted:
        return False
    if wanted == got:
        return True
    for ellipsis in ("\u2026", "..."):
        if wanted.endswith(ellipsis):
            prefix = wanted[: -len(ellipsis)].rstrip()
            if prefix and got.startswith(prefix):
                return True
    return False


def _on_boundary(raw: str, index: int) -> bool:
    """Whether ``index`` does not split a word."""
    if index <= 0 or index >= len(raw):
        return True
    return not (raw[index - 1].isalnum() and raw[index].isalnum())


# -- reading the package ---------------------------------------------------------------------------

class _Budget:
    """The running total of bytes read, capped at :data:`MAX_TOTAL_UNCOMPRESSED`."""

    def __init__(self, source: str):
        self.source = source
        self.cap = MAX_TOTAL_UNCOMPRESSED
        self.used = 0

    def spend(self, n: int, what: str) -> None:
        self.used += n
        if self.used > self.cap:
            raise InputError(Problem(
                self.source, f"reading {what} passes the cap of {self.cap:,} bytes of uncompressed data "
                "(a zip bomb, or a project too large to import)",
                fix="check where the file came from; a genuine project this large must be split"))


def _member_path(name: str, source: str) -> str:
    """The normalised path of a ZIP member; raise for absolute paths and ``..`` (zip slip)."""
    raw = name.replace("\\", "/")
    if "\x00" in raw or raw.startswith("/") or re.match(r"^[A-Za-z]:", raw):
        raise InputError(Problem(source, f"member {name!r} has an absolute path",
                                 fix="do not import this file: a REFI-QDA archive holds only relative paths; "
                                     + _FIX_EXPORT))
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise InputError(Problem(source, f"member {name!r} climbs out of the archive with '..' (zip slip)",
                                 fix="do not import this file; " + _FIX_EXPORT))
    return "/".join(parts)


def _check_zip_headers(infos: list[zipfile.ZipInfo], source: str) -> None:
    total = 0
    for info in infos:
        _member_path(info.filename, source)
        total += info.file_size
        too_packed = info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_MIN_SIZE and too_packed:
            raise InputError(Problem(
                source, f"member {info.filename!r} expands from {info.compress_size:,} to {info.file_size:,} bytes "
                f"(more than {MAX_COMPRESSION_RATIO}:1, a zip bomb)",
                fix="do not import this file; " + _FIX_EXPORT))
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise InputError(Problem(
            source, f"the archive's members add up to {total:,} bytes uncompressed, over the cap of "
            f"{MAX_TOTAL_UNCOMPRESSED:,}", fix="check where the file came from; a genuine project this large must "
            "be split"))


class _Package:
    """The ``.qde`` bytes of a project, and its internal files read on demand (with the caps enforced)."""

    source: str
    qde_name: str
    qde: bytes

    def read_internal(self, name: str) -> tuple[bytes | None, str | None, str | None]:
        """``(data, key, reason)``: the bytes of internal file ``name``, a key naming it, or why not."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class _ZipPackage(_Package):
    def __init__(self, path: Path):
        self.source = path.name
        self.budget = _Budget(path.name)
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(Problem(path.name, f"not a readable ZIP archive ({exc})", fix=_FIX_EXPORT)) from None
        try:
            infos = self.archive.infolist()
            _check_zip_headers(infos, self.source)
            self.members: dict[str, zipfile.ZipInfo] = {}
            for info in infos:
                if not info.is_dir():
                    self.members.setdefault(_member_path(info.filename, self.source).lower(), info)
            roots = [(key, info) for key, info in self.members.items() if "/" not in key and key.endswith(".qde")]
            if len(roots) != 1:
                nested = [info.filename for key, info in self.members.items() if key.endswith(".qde") and "/" in key]
                found = ", ".join(info.filename for _, info in roots) or "none"
                raise InputError(Problem(
                    self.source, f"a .qdpx archive must hold exactly one .qde file at its root; found {found}"
                    + (f" (and {', '.join(nested)} in a folder)" if nested else ""),
                    fix="check that this is a REFI-QDA project exported by a QDA program"
                    + ("; if you zipped a folder by hand, zip its contents instead" if nested else "")))
            self.qde_name = roots[0][1].filename
            self.qde = self._read(roots[0][1])
        except BaseException:
            self.archive.close()
            raise

    def _read(self, info: zipfile.ZipInfo) -> bytes:
        out = io.BytesIO()
        n = 0
        try:
            with self.archive.open(info) as handle:
                while chunk := handle.read(READ_CHUNK):
                    n += len(chunk)
                    self.budget.spend(len(chunk), f"member {info.filename!r}")
                    if n > info.file_size or (n > RATIO_CHECK_MIN_SIZE
                                              and n > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
                        raise InputError(Problem(
                            self.source, f"member {info.filename!r} expands beyond what its header says "
                            f"({info.compress_size:,} compressed, {info.file_size:,} declared, {n:,} read so far)",
                            fix="do not import this file; " + _FIX_EXPORT))
                    out.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, OSError) as exc:
            raise InputError(Problem(self.source, f"member {info.filename!r} cannot be read ({exc})",
                                     fix="the archive is damaged or encrypted; " + _FIX_EXPORT)) from None
        return out.getvalue()

    def read_internal(self, name: str) -> tuple[bytes | None, str | None, str | None]:
        low = name.lower()
        info = self.members.get(f"sources/{low}") or self.members.get(low)
        if info is None:
            base = low.rsplit("/", 1)[-1]
            matches = [i for k, i in self.members.items() if k.rsplit("/", 1)[-1] == base]
            info = matches[0] if len(matches) == 1 else None
        if info is None:
            return None, None, f"internal file {name!r} is not in the archive"
        return self._read(info), "zip:" + info.filename.lower(), None

    def close(self) -> None:
        self.archive.close()


class _FolderPackage(_Package):
    """A bare ``.qde`` with its internal files, if any, in ``sources/`` or ``Sources/`` beside it."""

    def __init__(self, path: Path):
        self.source = path.name
        self.qde_name = path.name
        self.budget = _Budget(path.name)
        self.qde = self._read(path)
        folders = sorted((d for d in path.parent.iterdir() if d.is_dir() and d.name.lower() == "sources"),
                         key=lambda d: d.name != "sources")
        self.folder = folders[0] if folders else None
        self.files: dict[str, Path] = {}
        if self.folder is not None:
            root = self.folder.resolve()
            for p in sorted(self.folder.rglob("*")):
                try:
                    inside = p.is_file() and p.resolve().is_relative_to(root)
                except OSError:
                    inside = False
                if inside:  # symbolic links that leave the folder are ignored
                    self.files.setdefault(p.relative_to(self.folder).as_posix().lower(), p)

    def _read(self, path: Path) -> bytes:
        out = io.BytesIO()
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(READ_CHUNK):
                    self.budget.spend(len(chunk), f"file {path.name!r}")
                    out.write(chunk)
        except OSError as exc:
            raise InputError(Problem(str(path), f"cannot be read ({exc.strerror or exc})",
                                     fix="check the path and permissions")) from None
        return out.getvalue()

    def read_internal(self, name: str) -> tuple[bytes | None, str | None, str | None]:
        if self.folder is None:
            return None, None, f"internal file {name!r}: there is no sources/ folder beside {self.qde_name}"
        low = name.lower()
        path = self.files.get(low)
        if path is None:
            base = low.rsplit("/", 1)[-1]
            matches = [p for k, p in self.files.items() if k.rsplit("/", 1)[-1] == base]
            path = matches[0] if len(matches) == 1 else None
        if path is None:
            return None, None, f"internal file {name!r} is not in {self.folder.name}/"
        return self._read(path), "file:" + str(path).lower(), None


def _open_package(path: Path) -> _Package:
    if not path.is_file():
        raise InputError(Problem(str(path), "no such file", fix="check the path"))
    if zipfile.is_zipfile(path):
        return _ZipPackage(path)
    if path.suffix.lower() == ".qdpx":
        raise InputError(Problem(path.name, "not a ZIP archive, so not a .qdpx project", fix=_FIX_EXPORT))
    with open(path, "rb") as handle:
        head = handle.read(64).lstrip(codecs.BOM_UTF8).lstrip()
    if path.suffix.lower() == ".qde" or head.startswith(b"<"):
        return _FolderPackage(path)
    raise InputError(Problem(path.name, "neither a .qdpx (ZIP) archive nor a .qde (XML) project file",
                             fix=_FIX_EXPORT))


def _internal_name(ref: str) -> tuple[str | None, str | None]:
    """The name of an internal file from a ``plainTextPath``/``path``, or why it cannot be read."""
    value = ref.strip().replace("\\", "/")
    low = value.lower()
    if low.startswith("internal://"):
        value = value[len("internal://"):]
    elif low.startswith("internal:"):
        value = value[len("internal:"):].lstrip("/")
    elif re.match(r"^[a-z][a-z0-9+.-]*:", low) or value.startswith("/"):
        return None, f"{ref!r} is outside the project file; external files are not read"
    parts = [p for p in value.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None, f"{ref!r} is not a safe path inside the project"
    if len(parts) > 1 and parts[0].lower() == "sources":
        parts = parts[1:]
    return "/".join(parts), None


def _decode(data: bytes) -> tuple[str | None, str | None]:
    """``(text, note)`` of a source file: UTF-8 with or without BOM (UTF-16/32 with a BOM); one leading BOM
    removed. ``text`` is ``None`` when it cannot be decoded (``note`` says why)."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), None
            except UnicodeDecodeError as exc:
                return None, f"starts with a {encoding} byte-order mark but byte {exc.start} is not {encoding}"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        first = exc.start
    try:
        return data.decode("cp1252"), f"not UTF-8 (first bad byte at {first}); read as Windows-1252"
    except UnicodeDecodeError:
        return None, f"not UTF-8 (first bad byte at {first}) nor Windows-1252"


# -- the project's content -------------------------------------------------------------------------

@dataclass
class _Coding:
    guid: str | None
    code: str | None  # the CodeRef target, as written
    user: str | None
    notes: list[str]


@dataclass
class _Selection:
    kind: str  # PlainTextSelection, TranscriptSelection, PDFSelection
    guid: str | None
    name: str | None
    start: int | None
    end: int | None
    user: str | None
    description: str | None
    notes: list[str]
    codings: list[_Coding]
    quote: str | None = None  # a PDFSelection's representation text
    problem: str | None = None
    scheme: str | None = None  # how its positions are counted, when chosen per writer


@dataclass
class _Unit:
    """A text that becomes one document."""

    kind: str
    guid: str | None
    name: str
    raw: str
    key: str | None
    owners: list[str] = field(default_factory=list)  # GUIDs of sources whose document this is
    selections: list[_Selection] = field(default_factory=list)
    whole: list[_Coding] = field(default_factory=list)  # codings of the whole source
    doc_id: str | None = None
    positions: PositionMap | None = None
    variables: list[tuple[str, str]] = field(default_factory=list)  # the source's own VariableValues


def _key(raw: str | None) -> str | None:
    """A GUID as a lookup key: normalised, or (not a GUID) stripped and lower case."""
    if raw is None or not raw.strip():
        return None
    return normalise_guid(raw) or raw.strip().lower()


def _int(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        try:
            value = float(raw.strip())
        except ValueError:
            return None
        return int(value) if value.is_integer() else None


def _text(element: ET.Element | None) -> str | None:
    value = text_of(element)
    return value.strip() or None if value is not None else None


def _coding(element: ET.Element) -> _Coding:
    ref = child(element, "CodeRef")
    return _Coding(element.get("guid"), ref.get("targetGUID") if ref is not None else None,
                   element.get("creatingUser"), [n.get("targetGUID") for n in children(element, "NoteRef")])


def _selection(element: ET.Element, kind: str) -> _Selection:
    start, end = _int(element.get("startPosition")), _int(element.get("endPosition"))
    problem = None
    if start is None or end is None:
        problem = (f"startPosition {element.get('startPosition')!r} / endPosition {element.get('endPosition')!r} "
                   "are not integers")
    return _Selection(kind, element.get("guid"), element.get("name"), start, end, element.get("creatingUser"),
                      _text(child(element, "Description")), [n.get("targetGUID") for n in children(element, "NoteRef")],
                      [_coding(c) for c in children(element, "Coding")], problem=problem)


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

    ours = (_text(child(element, "Description")) or "") == CASE_CODES_DESCRIPTION
    subs = children(element, "Code")
    if not subs:  # emptied by a program that turned the cases-as-codes back into cases (QualCoder)
        return ours
    if not all(_key(c.get("guid")) in case_keys for c in subs):
        return False
    return ours or element.get("isCodable", "").strip().lower() == "false"


class _Reader:
    """Reads a parsed ``Project`` element into units, codes, cases and the rest; nothing is written."""

    def __init__(self, root: ET.Element, package: _Package, report: ImportReport):
        self.root = root
        self.package = package
        self.report = report
        self.users: dict[str, str] = {}
        self.code_ids: dict[str, str] = {}
        self.variables: dict[str, str] = {}
        self.notes: dict[str, str] = {}
        self.note_names: dict[str, str] = {}
        self.units: list[_Unit] = []
        self.by_key: dict[str, _Unit] = {}
        self.selection_unit: dict[str, _Unit] = {}
        self.cases: list[dict] = []
        self.note_refs: dict[str | None, str] = {}  # note GUID -> what refers to it (a code, a source, the project)
        self.case_keys: set[str] = set()  # GUIDs of cases: a code with one of them is a case, not a code
        self.case_links: dict[str, list[_Unit]] = {}  # case GUID -> units its case code codes

    def skip(self, kind: str, name: str, reason: str, guid: str | None = None) -> None:
        self.report.skipped.append(SkippedItem(kind, name, reason, guid))

    # -- text of a TextSourceType element ----------------------------------
    def text_of_source(self, element: ET.Element) -> tuple[str | None, str | None, str | None]:
        """``(text, key, reason)`` from ``plainTextPath`` (preferred), inline ``PlainTextContent``, or, when
        neither gives any text, the Word file of ``richTextPath``."""
        reasons = []
        ref = element.get("plainTextPath")
        if ref and ref.strip():
            name, reason = _internal_name(ref)
            if name is not None:
                data, key, reason = self.package.read_internal(name)
                if data is not None:
                    text, note = _decode(data)
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

        name, reason = _internal_name(ref)
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

    def add_unit(self, kind: str, element: ET.Element, name: str, owner: str | None) -> _Unit | None:
        text, key, reason = self.text_of_source(element)
        if text is None:
            return None if reason is None else self._no_text(kind, element, name, reason)
        if key is not None and key in self.by_key:
            unit = self.by_key[key]
            self.report.notes.append(f"{kind} {name!r} has the same text file as {unit.kind} {unit.name!r}; "
                                     "imported once")
        else:
            unit = _Unit(kind, element.get("guid"), name, text, key)
            self.units.append(unit)
            if key is not None:
                self.by_key[key] = unit
        for owner_guid in (owner, element.get("guid")):
            if _key(owner_guid) and _key(owner_guid) not in unit.owners:
                unit.owners.append(_key(owner_guid))
        for sel in children(element, "PlainTextSelection"):
            self.add_selection(unit, _selection(sel, "PlainTextSelection"))
        unit.whole += [_coding(c) for c in children(element, "Coding")]
        return unit

    def _no_text(self, kind: str, element: ET.Element, name: str, reason: str) -> None:
        selections = children(element, "PlainTextSelection")
        n_codings = sum(len(children(s, "Coding")) for s in selections) + len(children(element, "Coding"))
        self.report.selections += len(selections)
        self.skip("source", name, f"{kind}: no text ({reason}); {len(selections)} selection(s) with {n_codings} "
                  "coding(s) not imported", element.get("guid"))
        return None

    def add_selection(self, unit: _Unit, selection: _Selection) -> None:
        unit.selections.append(selection)
        if selection.kind == "PlainTextSelection":
            self.report.selections += 1
        if _key(selection.guid):
            self.selection_unit.setdefault(_key(selection.guid), unit)

    # -- the parts of a project ----------------------------------------------
    def read(self) -> None:
        root = self.root
        users = child(root, "Users")
        for user in children(users, "User") if users is not None else []:
            name = (user.get("name") or "").strip() or (user.get("id") or "").strip()
            if _key(user.get("guid")) and name:
                self.users[_key(user.get("guid"))] = name
        cases = child(root, "Cases")
        self.case_keys = {k for c in (children(cases, "Case") if cases is not None else []) if (k := _key(c.get("guid")))}
        self.read_codebook()
        variables = child(root, "Variables")
        for n, var in enumerate(children(variables, "Variable") if variables is not None else [], start=1):
            if _key(var.get("guid")):
                self.variables[_key(var.get("guid"))] = (var.get("name") or "").strip() or f"variable {n}"
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
            key = _key(element.get("guid"))
            if key in self.case_keys or _groups_cases(element, self.case_keys):
                dropped.add(code["id"])  # a case written as a code (NVivo, this toolkit): a case, not a code
                grouping += key not in self.case_keys
                continue
            if key is not None:
                self.code_ids.setdefault(key, code["id"])
            for ref in children(element, "NoteRef"):
                self.note_refs.setdefault(_key(ref.get("targetGUID")), f"code {code['label']!r}")
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
            key = _key(note.get("guid"))
            text, _, reason = self.text_of_source(note)
            body = (text or "").strip() or _text(child(note, "Description"))
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
            f"{kind} {(_key(guid) or 'without GUID')[:8]}"
        before = len(self.units)

        if kind == "TextSource":
            unit = self.add_unit("text source", element, name, None)
            for ref in children(element, "NoteRef"):
                self.note_refs.setdefault(_key(ref.get("targetGUID")), f"source {name!r}")
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
            unit.whole += [_coding(c) for c in children(element, "Coding")]
            inner = {_key(s.guid) for s in unit.selections if _key(s.guid)}
            for sel in pdf_selections:
                selection = _selection(sel, "PDFSelection")
                selection.problem = None
                if _key(selection.guid) in inner:
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
                syncs = {_key(s.get("guid")): _int(s.get("position")) for s in children(transcript, "SyncPoint")}
                for sel in children(transcript, "TranscriptSelection"):
                    selection = _selection(sel, "TranscriptSelection")
                    selection.start = syncs.get(_key(sel.get("fromSyncPoint")))
                    selection.end = syncs.get(_key(sel.get("toSyncPoint")))
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
            if _key(target) not in self.variables:
                self.skip("variable", _label(element), f"a value refers to unknown variable {target!r}",
                          element.get("guid"))
                continue
            values.append(self._value(vv))
        return values

    def _value(self, element: ET.Element) -> tuple[str, str]:
        ref = child(element, "VariableRef")
        target = ref.get("targetGUID") if ref is not None else None
        name = self.variables.get(_key(target) or "", None) or f"unknown variable {target}"
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
                if _key(target) not in self.variables:
                    self.skip("variable", name or f"case {n}", f"a value refers to unknown variable {target!r}",
                              guid)
                    continue
                values.append(self._value(vv))
            sources = [_key(r.get("targetGUID")) for r in children(case, "SourceRef")]
            selections = [_key(r.get("targetGUID")) for r in children(case, "SelectionRef")]
            code_refs = children(case, "CodeRef")
            if code_refs:
                self.skip("case", name or f"case {n}", f"{len(code_refs)} code(s) applied to the case itself: "
                          "cases are participants here and are not coded", guid)
            if _text(child(case, "Description")):
                self.skip("memo", name or f"case {n}", "the case's description has no place in a project", guid)
            self.cases.append({"name": name, "guid": guid, "values": values, "sources": sources,
                               "selections": selections})

    def read_rest(self) -> None:
        root = self.root
        for ref in children(root, "NoteRef"):
            self.note_refs.setdefault(_key(ref.get("targetGUID")), "the project")
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
        if _text(child(root, "Description")):
            self.skip("memo", "project description", "the project's description has no place in a project")


# -- scheme detection and conversion ---------------------------------------------------------------

def _probes(units: list[_Unit]) -> list[tuple[_Unit, _Selection]]:
    return [(u, s) for u in units for s in u.selections
            if s.kind == "PlainTextSelection" and s.problem is None and s.start is not None and s.end is not None
            and 0 <= s.start < s.end]


def _fits(unit: _Unit, sel: _Selection, scheme: str) -> tuple[bool, bool]:
    """Whether the selection's ``name`` quotes its text under ``scheme``, and whether it lies on boundaries."""
    pm = unit.positions
    i, j = pm.exact_index(sel.start, scheme), pm.exact_index(sel.end, scheme)
    if i is None or j is None:
        return False, False
    return bool(sel.name) and _quote_matches(sel.name, pm.raw[i:j]), _on_boundary(pm.raw, i) and \
        _on_boundary(pm.raw, j)


def _evidence(probes: list[tuple[_Unit, _Selection]]) -> tuple[str, dict[str, dict[str, int]]]:
    evidence: dict[str, dict[str, int]] = {}
    for scheme in SCHEMES:
        quote = boundary = 0
        for unit, sel in probes:
            q, b = _fits(unit, sel, scheme)
            quote += q
            boundary += b
        evidence[scheme] = {"quote": quote, "boundary": boundary}
    best = max(SCHEMES, key=lambda s: (evidence[s]["quote"], evidence[s]["boundary"], -SCHEMES.index(s)))
    return best, evidence


def _detect(units: list[_Unit]) -> tuple[str, dict[str, dict[str, int]], int]:
    probes = _probes(units)
    best, evidence = _evidence(probes)
    return best, evidence, len(probes)


def _per_writer(reader: "_Reader", report: ImportReport) -> None:
    """Choose the counting scheme for each writer (``creatingUser``) from that writer's own selections."""
    by_user: dict[str | None, list[tuple[_Unit, _Selection]]] = {}
    for unit, sel in _probes(reader.units):
        by_user.setdefault(_key(sel.user), []).append((unit, sel))
    for user, probes in by_user.items():
        best, evidence = _evidence(probes)
        if evidence[best]["quote"] == 0:
            best = report.scheme  # nothing quoted: the file's choice
        for _, sel in probes:
            sel.scheme = best
        if best != report.scheme:
            name = reader.users.get(user or "", user or "no user")
            report.notes.append(f"positions of {len(probes)} selection(s) by {name} are counted as {best}, not "
                                f"{report.scheme} as the rest (from the quotes in their names)")
    for unit in reader.units:  # selections that could not be probed follow their writer, else the file
        for sel in unit.selections:
            if sel.scheme is None:
                sel.scheme = next((s.scheme for _, s in by_user.get(_key(sel.user), [])), report.scheme)


def _note_misfits(reader: "_Reader", report: ImportReport) -> None:
    """A note for the selections whose quote fits another way of counting than the one they are read with."""
    misfits: Counter = Counter()
    for unit, sel in _probes(reader.units):
        chosen = sel.scheme or report.scheme
        if not sel.name or _fits(unit, sel, chosen)[0]:
            continue
        others = [s for s in SCHEMES if s != chosen and _fits(unit, sel, s)[0]]
        if others:
            misfits[(reader.users.get(_key(sel.user) or "", "no user"), chosen, others[0])] += 1
    for (user, chosen, other), n in sorted(misfits.items()):
        report.notes.append(f"{n} selection(s) by {user} quote their text when counted as {other}, not {chosen} "
                            "as they were read: they may be shifted (a program that counts differently added "
                            "them); import with scheme='per-user' (CLI: --scheme per-user) to count each "
                            "writer's own way")


def _locate(raw: str, quote: str) -> tuple[int | None, int | None, str | None]:
    """Where a PDF selection's text is in the representation: exactly once, else not at all."""
    needle = quote.strip()
    count = raw.count(needle)
    if count == 1:
        i = raw.index(needle)
        return i, i + len(needle), None
    if count == 0 and len(needle) <= 5000:
        pattern = r"\s*".join(re.escape(ch) for ch in needle if not ch.isspace())
        found = [m.span() for m in re.finditer(pattern, raw)] if pattern else []
        if len(found) == 1:
            return found[0][0], found[0][1], None
        count = len(found)
    return None, None, ("its text occurs " + ("nowhere" if count == 0 else f"{count} times")
                        + " in the PDF's text representation")


def _doc_id(name: str) -> str:
    base = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name.strip())
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base)
    base = re.sub(r"_+", "_", base).strip("._-")[:80].strip("._-")
    if not base:
        base = "source"
    if base.upper() in {"CON", "PRN", "AUX", "NUL"} or re.fullmatch(r"(?i)(com|lpt)\d", base):
        base += "_doc"
    return base


# -- the import ------------------------------------------------------------------------------------

def _parse_qde(data: bytes, source: str) -> ET.Element:
    try:
        root = DefusedET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise InputError(Problem(source, "the XML declares a DTD (<!DOCTYPE ...>); REFI-QDA files never do, and "
                                 "DTDs can carry entity attacks (XXE, billion laughs)",
                                 fix="do not import this file; " + _FIX_EXPORT)) from None
    except defusedxml.EntitiesForbidden:
        raise InputError(Problem(source, "the XML declares entities, which can carry attacks (billion laughs)",
                                 fix="do not import this file; " + _FIX_EXPORT)) from None
    except defusedxml.ExternalReferenceForbidden:
        raise InputError(Problem(source, "the XML refers to an external resource (XXE)",
                                 fix="do not import this file; " + _FIX_EXPORT)) from None
    except defusedxml.DefusedXmlException as exc:
        raise InputError(Problem(source, f"the XML uses a forbidden construct ({exc})",
                                 fix="do not import this file; " + _FIX_EXPORT)) from None
    except ET.ParseError as exc:
        raise InputError(Problem(source, f"not well-formed XML ({exc})", line=exc.position[0],
                                 fix=_FIX_EXPORT)) from None
    if local(root.tag) != "Project":
        hint = "; this is a codebook: import it with the codebook import" if local(root.tag) == "CodeBook" else ""
        raise InputError(Problem(source, f"the root element is <{local(root.tag)}>, not <Project>{hint}",
                                 fix=_FIX_EXPORT))
    return root


def _check_schema(qde: bytes, report: ImportReport) -> None:
    """A note when the project file is not valid against the official REFI-QDA schema (it is then read
    leniently). Only called on XML that defusedxml has already accepted: no DTD, no entities."""
    from lxml import etree

    try:
        schema = _schema()
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        document = etree.fromstring(qde, parser)
    except (etree.XMLSyntaxError, OSError) as exc:  # pragma: no cover - defusedxml parsed it already
        report.notes.append(f"the project file could not be checked against the REFI-QDA schema ({exc})")
        return
    if local(document.tag) == "Project" and etree.QName(document).namespace != "urn:QDA-XML:project:1.0":
        report.notes.append(f"the project file uses the namespace {etree.QName(document).namespace!r}, not "
                            "urn:QDA-XML:project:1.0 (REFI-QDA 1.5): it was read leniently and not checked "
                            "against the schema")
        return
    if not schema.validate(document):
        errors = list(schema.error_log)
        first = errors[0]
        report.notes.append(f"the project file is not valid against the REFI-QDA 1.5 schema ({len(errors)} "
                            f"problem(s); the first, line {first.line}: {first.message}); it was read leniently, "
                            "so check what the report says was skipped")


_SCHEMA = None


def _schema():
    global _SCHEMA
    if _SCHEMA is None:
        from importlib import resources

        from lxml import etree

        with resources.files(__package__).joinpath("schema", "Project.xsd").open("rb") as handle:
            _SCHEMA = etree.XMLSchema(etree.parse(handle))
    return _SCHEMA


def import_qdpx(project: "Project", path: str | Path, *, model: str = "blank", scheme: str = "auto") -> ImportReport:
    """Import the REFI-QDA project at ``path`` (``.qdpx`` or ``.qde``) into ``project``; see the module docstring.

    Parameters
    ----------
    project
        An open project. Documents already in it are never overwritten. A source
        whose document id is taken is reported and skipped.
    model
        spaCy pipeline used to split the new documents into sentences.
    scheme
        ``auto`` (detect one way of counting positions for the file), ``per-user`` (detect it for each
        writer, for a file that programs counting differently have both added to), or one of
        :data:`SCHEMES`, to force it.

    Raises
    ------
    InputError
        The file is unsafe, damaged or not a REFI-QDA project. Nothing was written.
    """
    path = Path(path)
    if scheme not in ("auto", "per-user") and scheme not in SCHEMES:
        raise InputError(Problem("scheme", f"{scheme!r} is not auto, per-user or one of {', '.join(SCHEMES)}",
                                 fix="pass scheme='auto' unless you know how the program counted positions"))
    report = ImportReport(source=path.name)
    package = _open_package(path)
    try:
        root = _parse_qde(package.qde, f"{package.source}:{package.qde_name}"
                          if package.qde_name != package.source else package.source)
        _check_schema(package.qde, report)
        report.origin = root.get("origin")
        reader = _Reader(root, package, report)
        reader.read()
    finally:
        package.close()

    for unit in reader.units:
        unit.positions = PositionMap(unit.raw)
    best, report.evidence, report.probed = _detect(reader.units)
    if scheme in SCHEMES:
        report.scheme, report.scheme_chosen = scheme, "forced"
    else:
        report.scheme, report.scheme_chosen = best, scheme
        if scheme == "per-user":
            _per_writer(reader, report)
    _note_misfits(reader, report)

    # one transaction, nothing written outside it: an interrupted or failed import leaves the project as it was
    with project.transaction() as db:
        plan = _plan(db, reader, report, model)
        _write(db, reader, report, plan)
    return report


# -- planning: everything is decided before anything is written ------------------------------------

_SUGGESTION = re.compile(r"^\s*asymmetry_qda suggestion:(?P<fields>[^\n]*)(?:\n(?P<rest>.*))?\Z", re.DOTALL)
_DERIVED = {"rank_band", "rank_level", "track", "acting", "leader_source", "n_documents", "data_types"}
_KIND_NAMES = {"data_type", "datatype", "type", "kind", "document_type"}
_KIND_SET = re.compile(r"^\s*data[ _]?type\s*:\s*(?P<kind>.+?)\s*$", re.IGNORECASE)


@dataclass
class _PlannedCoding:
    unit: _Unit
    start: int
    end: int
    code_id: str
    user: str
    memo: str | None
    guid: str | None
    notes: list[str]
    suggestion: dict | None = None  # origin, confidence, rule of a restored suggestion


@dataclass
class _Plan:
    documents: list = field(default_factory=list)  # PlannedDocument
    codings: list[_PlannedCoding] = field(default_factory=list)
    table: object | None = None  # AttributeTable


def _suggestion(description: str | None) -> tuple[dict | None, str | None]:
    """The suggestion marker of a selection's description (written by this toolkit's export), and the rest."""
    if not description:
        return None, description
    match = _SUGGESTION.match(description)
    if match is None:
        return None, description
    fields = {}
    for part in match.group("fields").split(";"):
        key, _, value = part.partition("=")
        if value:
            fields[key.strip()] = value.strip()
    origin = fields.get("origin") if fields.get("origin") in ("rule", "model") else "rule"
    try:
        confidence = float(fields["confidence"]) if "confidence" in fields else None
    except ValueError:
        confidence = None
    rest = (match.group("rest") or "").strip() or None
    return {"origin": origin, "confidence": confidence, "rule": fields.get("rule")}, rest


def _plan(db, reader: _Reader, report: ImportReport, model: str) -> _Plan:
    from ..readers import LabelConfig, parse_text

    existing = {row[0] for row in db.execute("SELECT doc_id FROM documents")}
    taken: set[str] = set()
    keep: list[_Unit] = []
    for unit in reader.units:
        lost = _lost(unit)
        doc_id = base = _doc_id(unit.name)
        n = 2
        while doc_id.lower() in taken:
            doc_id = f"{base}_{n}"
            n += 1
        if doc_id in existing:
            reader.skip("source", unit.name, f"document {doc_id!r} is already in the project and is not "
                        "overwritten" + lost, unit.guid)
            continue
        if not unit.raw.strip():
            reader.skip("source", unit.name, "the text is empty" + lost, unit.guid)
            continue
        try:
            decoded = decode_text(unit.raw.encode("utf-8"), source=f"{doc_id}.txt")
        except InputError as exc:
            reader.skip("source", unit.name, f"the text cannot be ingested ({exc})" + lost, unit.guid)
            continue
        if decoded.text != unit.positions.stored_text:
            reader.skip("source", unit.name, "the text would change on ingest (it starts with a second byte-order "
                        "mark), so positions cannot be mapped" + lost, unit.guid)
            continue
        taken.add(doc_id.lower())
        unit.doc_id = doc_id
        keep.append(unit)
    reader.units = keep

    codings = _plan_codings(reader, report)
    people = _plan_participants(db, reader, report)

    labels = LabelConfig.build()
    parsed_docs, failed = [], set()
    for unit in reader.units:  # each text parsed once, with its declared kind where it has one
        try:
            parsed_docs.append(parse_text(unit.positions.stored_text, doc_id=unit.doc_id, labels=labels,
                                          kind=people.kinds.get(unit.doc_id), source_name=f"{unit.doc_id}.txt"))
        except InputError as exc:
            reader.skip("source", unit.name, f"the text cannot be ingested ({exc})" + _lost(unit), unit.guid)
            failed.add(unit.doc_id)
    if failed:
        reader.units = [u for u in reader.units if u.doc_id not in failed]
        codings = [c for c in codings if c.unit.doc_id not in failed]
    table = _participants_table(people, {d.doc_id: d.kind for d in parsed_docs}, reader, report)
    from ..ingest import plan_parsed

    return _Plan(plan_parsed(parsed_docs, model=model), codings, table)


def _lost(unit: _Unit) -> str:
    n_codings = sum(len(s.codings) for s in unit.selections) + len(unit.whole)
    return f"; its {len(unit.selections)} selection(s) with {n_codings} coding(s) were not imported"


def _plan_codings(reader: _Reader, report: ImportReport) -> list[_PlannedCoding]:
    planned: list[_PlannedCoding] = []
    seen: set[tuple] = set()
    for unit in reader.units:
        pm = unit.positions
        stored_length = len(pm.stored_text)
        for sel in unit.selections:
            label = sel.name or "(unnamed)"
            if sel.kind == "PDFSelection":
                i, j, why = _locate(pm.raw, sel.quote or "")
                if why:
                    reader.skip("selection", label, f"PDF selection: {why}; {len(sel.codings)} coding(s) not "
                                "imported", sel.guid)
                    continue
            else:
                if sel.problem:
                    reader.skip("selection", label, sel.problem, sel.guid)
                    continue
                scheme = sel.scheme or report.scheme
                length = pm.length(scheme)
                if sel.start >= sel.end:
                    reader.skip("selection", label, f"start {sel.start} is not before end {sel.end}", sel.guid)
                    continue
                if sel.start < 0 or sel.end > length:
                    reader.skip("selection", label, f"[{sel.start}, {sel.end}) is outside the text of "
                                f"{unit.name!r} ({length} {scheme} positions)", sel.guid)
                    continue
                i = pm.to_index(sel.start, scheme)
                j = pm.to_index(sel.end, scheme, round_up=True)
            start, end = pm.stored_offset(i), pm.stored_offset(j)
            if start >= end:
                reader.skip("selection", label, "the selection is empty once line endings are normalised", sel.guid)
                continue
            if not sel.codings:
                memo = _memo(reader, sel.description, sel.notes, [])
                reader.skip("memo" if memo else "selection", label,
                            "a memo on a selection without codings has no place in a project" if memo
                            else "the selection has no codings", sel.guid)
                continue
            for coding in sel.codings:
                item = _planned(reader, unit, start, end, coding, sel, seen)
                if item:
                    planned.append(item)
        for coding in unit.whole:
            item = _planned(reader, unit, 0, stored_length, coding, None, seen)
            if item:
                planned.append(item)
    links = sum(len(v) for v in reader.case_links.values())
    if links:
        report.notes.append(f"{links} coding(s) of a case's code link its case to a document")
    return planned


def _memo(reader: _Reader, description: str | None, *note_lists: list[str | None]) -> str | None:
    parts = [description] if description else []
    for notes in note_lists:
        for guid in notes:
            text = reader.notes.get(_key(guid) or "")
            if text and text not in parts:
                parts.append(text)
    return "\n\n".join(parts) or None


def _planned(reader: _Reader, unit: _Unit, start: int, end: int, coding: _Coding, sel: _Selection | None,
             seen: set[tuple]) -> _PlannedCoding | None:
    where = sel.name if sel is not None and sel.name else f"{unit.name} [{start}, {end})"
    if coding.code is None:
        reader.skip("coding", where, "the coding has no CodeRef", coding.guid)
        return None
    if _key(coding.code) in reader.case_keys:  # a case's code: the case links to this document
        reader.case_links.setdefault(_key(coding.code), []).append(unit)
        return None
    code_id = reader.code_ids.get(_key(coding.code) or "")
    if code_id is None:
        reader.skip("coding", where, f"CodeRef to unknown code GUID {coding.code!r}", coding.guid)
        return None
    user = reader.users.get(_key(coding.user) or "") or \
        (reader.users.get(_key(sel.user) or "") if sel is not None else None) or "imported"
    suggestion, description = _suggestion(sel.description if sel is not None else None)
    memo = _memo(reader, description, sel.notes if sel is not None else [], coding.notes)
    signature = (unit.doc_id, start, end, code_id, user, suggestion is None)
    if signature in seen:
        reader.skip("coding", where, f"duplicate: {user} already codes this span with {code_id}", coding.guid)
        return None
    seen.add(signature)
    used = [(_key(g) or "") for g in (sel.notes if sel is not None else []) + coding.notes]
    return _PlannedCoding(unit, start, end, code_id, user, memo, coding.guid, used, suggestion)


def _variable_role(name: str) -> str:
    """What a variable means here: participant, pseudonym, rank, function, leader, kind, derived or free."""
    low = name.strip().lower().replace(" ", "_")
    if low in ("participant", "participant_id"):
        return "participant"
    if low in ("pseudonym", "rank", "function", "leader"):
        return low
    if low in _KIND_NAMES:
        return "kind"
    if _KIND_SET.match(name):
        return "kind-set"  # this toolkit's 'data type: interview' set, made a document attribute by QualCoder
    if low in _DERIVED:
        return "derived"
    if low == "rank_raw" or ("rank" in low and low not in _DERIVED):
        return "rank-like"
    if "function" in low:
        return "function-like"
    return "free"


def _own_kind(variables: list[tuple[str, str]]) -> str | None:
    """A document's kind from its own variables: ``data_type``-like, or QualCoder's attribute for the
    ``data type: interview`` set this toolkit writes."""
    for name, value in variables:
        role = _variable_role(name)
        if role == "kind" and _KINDS.get(value.strip().lower()):
            return _KINDS[value.strip().lower()]
        if role == "kind-set" and (m := _KIND_SET.match(name)) and _KINDS.get(m.group("kind").lower()):
            return _KINDS[m.group("kind").lower()]
    return None


@dataclass
class _People:
    """Who the imported documents' participants are, before the attributes table is built: one record per
    document (``rows``), participants with no document (``doc_less``), the columns, the people imported and
    each document's declared kind. A row is ``(doc_id, (label, guid, record, shown))``, a participant with
    no document ``(label, guid, record, shown)``."""

    rows: list = field(default_factory=list)
    doc_less: list = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    imported: list[dict] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)


def _plan_participants(db, reader: _Reader, report: ImportReport) -> _People:
    """The participants of the imported documents, from cases and from the sources' own variables."""
    from ..ranks import UnknownRankError, normalise_rank

    docs = {u.doc_id: u for u in reader.units}
    doc_of: dict[str, str] = {}
    for unit in reader.units:
        for owner in unit.owners:
            doc_of.setdefault(owner, unit.doc_id)
    existing = {row[0] for row in db.execute("SELECT participant_id FROM participants")}
    people: dict[str, dict] = {}  # participant id -> label, guid, case values, documents
    owner_of: dict[str, str] = {}  # doc_id -> participant id
    derived_noted: set[str] = set()

    def attach(pid: str, doc_id: str, label: str, guid: str | None) -> None:
        if doc_id in owner_of and owner_of[doc_id] != pid:
            reader.skip("case", label, f"document {doc_id!r} already belongs to case {owner_of[doc_id]!r}; a "
                        "document has one participant here", guid)
            return
        if doc_id not in owner_of:
            owner_of[doc_id] = pid
            people[pid]["docs"].append(doc_id)

    for case in reader.cases:
        name = case["name"] or f"case-{(_key(case['guid']) or 'unknown')[:8]}"
        pid, n = name, 2
        while pid in people:
            pid = f"{name} ({n})"
            n += 1
        people[pid] = {"label": case["name"] or name, "guid": case["guid"], "values": list(case["values"]),
                       "docs": [], "case": case}
        linked = [doc_of.get(k) for k in case["sources"]]
        linked += [u.doc_id for k in case["selections"] if (u := reader.selection_unit.get(k)) is not None]
        linked += [u.doc_id for u in reader.case_links.get(_key(case["guid"]) or "", [])]
        for doc_id in linked:
            if doc_id in docs:
                attach(pid, doc_id, people[pid]["label"], case["guid"])
    for unit in reader.units:  # a source's own variables: "participant" names its person
        named = [v for k, v in unit.variables if _variable_role(k) == "participant" and v.strip()]
        if named:
            pid = named[0].strip()
            people.setdefault(pid, {"label": pid, "guid": None, "values": [], "docs": [], "case": None})
            attach(pid, unit.doc_id, pid, None)
        elif unit.variables and unit.doc_id not in owner_of:
            people.setdefault(unit.doc_id, {"label": unit.doc_id, "guid": None, "values": [], "docs": [],
                                            "case": None})
            attach(unit.doc_id, unit.doc_id, unit.doc_id, None)
            report.notes.append(f"{unit.doc_id}: the source has attributes but no case: stored as its own "
                                f"participant {unit.doc_id!r}")

    kinds: dict[str, str] = {}
    rows, doc_less, columns, imported = [], [], [], []
    for pid, person in people.items():
        label, guid = person["label"], person["guid"]
        values = list(person["values"])
        names = {k.strip().lower() for k, _ in values}
        for doc_id in person["docs"]:  # the documents' own values fill in what the case does not say
            for k, v in docs[doc_id].variables:
                if k.strip().lower() not in names:
                    values.append((k, v))
                    names.add(k.strip().lower())
        shown = ", ".join(f"{k}={v}" for k, v in values) or "no variables"
        if pid in existing:
            reader.skip("case", label, f"participant {pid!r} is already in the project and is not overwritten "
                        f"({shown})", guid)
            continue
        record = {"participant_id": pid, "pseudonym": pid, "rank": "", "function": ""}
        declared_kind = None
        used = {"doc_id", "participant_id", "pseudonym", "rank", "function", "data_type", "leader"}
        for var, value in values:
            role, value = _variable_role(var), value.strip()
            if role == "participant":
                continue
            if role == "pseudonym" and value:
                record["pseudonym"] = value
                continue
            if role in ("rank", "rank-like") and not record["rank"] and value:
                try:
                    normalise_rank(value)
                    record["rank"] = value
                    continue
                except UnknownRankError:
                    report.notes.append(f"case {label!r}: {var}={value!r} is not a known rank; kept as an "
                                        "attribute")
            elif role in ("function", "function-like") and not record["function"]:
                record["function"] = value
                continue
            elif role == "kind" and _KINDS.get(value.lower()):
                declared_kind = _KINDS[value.lower()]
                continue
            elif role == "kind-set":
                continue  # a document's own kind: read per document below
            elif role == "leader" and value.lower() in _TRUE | _FALSE:
                record["leader"] = "yes" if value.lower() in _TRUE else "no"
                continue
            elif role == "derived":
                if var not in derived_noted:
                    derived_noted.add(var)
                    report.notes.append(f"variable {var!r} is derived from the rank here and was not imported "
                                        "(it is derived again from the rank)")
                continue
            column = var.strip() or "variable"
            while column.lower() in used:
                column = f"{column} (imported)" if not column.endswith(")") else column + "_"
            used.add(column.lower())
            record[column] = value
        for doc_id in person["docs"]:
            kind = _own_kind(docs[doc_id].variables) or declared_kind
            if kind:
                kinds[doc_id] = kind
            rows.append((doc_id, (label, guid, record, shown)))
        if not person["docs"]:
            doc_less.append((label, guid, record, shown))
        for column in record:
            if column not in columns:
                columns.append(column)
        imported.append(person)
    return _People(rows, doc_less, columns, imported, kinds)


def _participants_table(people: _People, kinds: dict[str, str], reader: _Reader, report: ImportReport):
    """The attributes table of ``people`` for the documents that were parsed (``kinds``: each one's kind as
    parsed), or ``None`` when there is nobody or the table is refused (the cases are then reported)."""
    from ..attributes import AttributeTable, add_participant, parse_attributes

    rows = [(doc_id, who) for doc_id, who in people.rows if doc_id in kinds]
    kept = {id(who[2]) for _, who in rows}
    # a person whose every document failed to parse is still a participant, as a case without documents is
    doc_less = people.doc_less + list({id(who[2]): who for _, who in people.rows if id(who[2]) not in kept}.values())
    if not rows and not doc_less:
        return None
    header = ["doc_id", "participant_id", "pseudonym", "rank", "function", "data_type"]
    header += [c for c in people.columns if c not in header]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, restval="")
    writer.writeheader()
    for doc_id, (_, _, record, _) in rows:
        writer.writerow({"doc_id": doc_id, **record, "data_type": kinds[doc_id]})
    source = f"{report.source} (cases and source attributes)"
    try:
        table = parse_attributes(io.StringIO(out.getvalue(), newline=""), source=source) if rows else \
            AttributeTable(source)
    except InputError as exc:
        for person in people.imported:
            shown = ", ".join(f"{k}={v}" for k, v in person["values"]) or "no variables"
            reader.skip("case", person["label"], f"not imported as a participant ({shown}): {exc}", person["guid"])
        return None
    for label, guid, record, shown in doc_less:
        problems = add_participant(table, record)
        if problems:
            reader.skip("case", label, f"not imported as a participant ({shown}): {problems[0]}", guid)
        else:
            report.notes.append(f"case {label!r} has no imported document; kept as a participant without one")
    return table


# -- writing: one transaction, no temporary files -------------------------------------------------

def _write(db, reader: _Reader, report: ImportReport, plan: _Plan) -> None:
    from ..ingest import apply_ingest
    from ..project import _add_memo, _insert_human, _register_human, _segment_of
    from ..store.sqlite import utc_now
    from ..tagger.run import suggestion_id

    if plan.documents or plan.table is not None:
        ingest = apply_ingest(db, plan.documents, plan.table, [])
        for row in ingest.documents.itertuples():
            for note in row.notes:
                report.notes.append(f"{row.doc_id}: {note}")
        report.cases = len(ingest.participants_added) + len(ingest.participants_updated)
    report.doc_ids = [p.doc_id for p in plan.documents]
    report.documents = len(plan.documents)

    now = utc_now()
    used_notes: set[str] = set()
    coders: list[str] = []
    suggestions = 0
    for item in plan.codings:
        doc_id = item.unit.doc_id
        if item.suggestion is None:
            _register_human(db, item.user, now)
            _insert_human(db, doc_id, item.start, item.end, item.code_id, item.user, item.memo, now)
        else:
            origin = item.suggestion["origin"]
            db.execute("INSERT OR IGNORE INTO coders (coder_id, kind, name, created_at) VALUES (?, ?, ?, ?)",
                       (item.user, origin, item.user, now))
            sha = db.execute("SELECT sha256 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()[0]
            coding_id = suggestion_id(sha, item.start, item.end, item.code_id)
            db.execute(
                """INSERT OR IGNORE INTO codings (coding_id, doc_id, text_sha256, start, "end", code_id, origin,
                       status, coder_id, rule_id, confidence, segment_id, note, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, 'suggested', ?, ?, ?, ?, ?, ?)""",
                (coding_id, doc_id, sha, item.start, item.end, item.code_id, origin, item.user,
                 item.suggestion["rule"], item.suggestion["confidence"], _segment_of(db, doc_id, item.start, item.end),
                 f"imported from {report.source}", now))
            if item.memo:
                _add_memo(db, coding_id, doc_id, item.start, item.end, item.code_id, item.user, item.memo, now)
            suggestions += 1
        report.codings += 1
        report.memos += bool(item.memo)
        used_notes.update(item.notes)
        if item.user not in coders:
            coders.append(item.user)
    report.coders, report.coder_names = len(coders), coders
    report.suggestions = suggestions

    for key, name in reader.note_names.items():
        if key in used_notes or key not in reader.notes:
            continue
        where = reader.note_refs.get(key)
        reason = (f"a memo on {where} has no place in a project" if where
                  else "the note is not attached to any imported coding")
        reader.skip("memo", name, reason, key)
