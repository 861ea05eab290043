"""Reading an untrusted REFI-QDA package: a ``.qdpx`` archive, or a bare ``.qde`` with its ``sources/`` folder.

Nothing here writes, extracts or follows anything outside the package, and a
problem with the file raises :class:`~asymmetry_qda.errors.InputError`:

- ZIP members are read into memory and never extracted. A member whose path is
  absolute or climbs out with ``..`` (zip slip) is refused.
- Sizes are capped. The total uncompressed size may not exceed
  :data:`MAX_TOTAL_UNCOMPRESSED`, and a member over :data:`RATIO_CHECK_MIN_SIZE`
  may not expand more than :data:`MAX_COMPRESSION_RATIO` times. Both caps are
  checked from the ZIP headers, and again while reading in chunks of
  :data:`READ_CHUNK`, because headers can lie.
- The archive must hold exactly one ``*.qde`` at its root. Any name and any
  case is accepted. The sources folder may be ``sources/`` or ``Sources/``, and
  a bare ``.qde``'s folder is read without following links out of it.
- Internal files are named by ``internal://`` paths only (:func:`internal_name`):
  ``relative://`` and ``absolute://`` files are never read.
- XML is parsed only with :mod:`defusedxml` (:func:`parse_qde`): a DTD, an
  entity declaration or an external reference is refused.

Examples
--------
>>> internal_name("internal://Sources/ab.txt"), internal_name("absolute:///etc/passwd")[1]
(('ab.txt', None), "'absolute:///etc/passwd' is outside the project file; external files are not read")
>>> decode_text_file("caf\\u00e9".encode("utf-8"))
('café', None)
"""

from __future__ import annotations

import codecs
import io
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path
from typing import Generic, TypeVar

import defusedxml
import defusedxml.ElementTree as DefusedET

from ..errors import InputError, Problem
from .xmlutil import local

__all__ = ["MAX_COMPRESSION_RATIO", "MAX_TOTAL_UNCOMPRESSED", "RATIO_CHECK_MIN_SIZE", "READ_CHUNK", "Package",
           "decode_text_file", "internal_name", "open_package", "parse_qde", "schema_note"]

#: Largest total uncompressed size of everything read from one file (bytes).
MAX_TOTAL_UNCOMPRESSED = 512 * 1024 * 1024
#: Largest uncompressed/compressed ratio allowed for a member larger than :data:`RATIO_CHECK_MIN_SIZE`.
MAX_COMPRESSION_RATIO = 200
#: Members up to this size (bytes) are not checked for their compression ratio.
RATIO_CHECK_MIN_SIZE = 1024 * 1024
#: How many bytes are read from a member at a time while the caps are checked.
READ_CHUNK = 1024 * 1024

#: How to fix a file that is not a sound REFI-QDA project (the end of many messages).
FIX_EXPORT = "export the project again from the QDA program as a REFI-QDA project (.qdpx)"

M = TypeVar("M")  # how a package knows one of its files: a ZipInfo, or a Path


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
                                     + FIX_EXPORT))
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise InputError(Problem(source, f"member {name!r} climbs out of the archive with '..' (zip slip)",
                                 fix="do not import this file; " + FIX_EXPORT))
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
                fix="do not import this file; " + FIX_EXPORT))
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise InputError(Problem(
            source, f"the archive's members add up to {total:,} bytes uncompressed, over the cap of "
            f"{MAX_TOTAL_UNCOMPRESSED:,}", fix="check where the file came from; a genuine project this large must "
            "be split"))


class Package(Generic[M]):
    """The ``.qde`` bytes of a project (``qde``, from ``qde_name`` in ``source``), and its internal files, read
    on demand with the caps enforced.

    A subclass fills ``members`` (each internal file by its lower-case path) and says how to read one, how to
    name it and where a name is looked for (``roots``)."""

    source: str
    qde_name: str
    qde: bytes
    members: dict[str, M]
    #: folders, in order, where an internal file's name is looked for before its bare file name
    roots: tuple[str, ...] = ("",)

    def read_internal(self, name: str) -> tuple[bytes | None, str | None, str | None]:
        """``(data, key, reason)``: the bytes of internal file ``name``, a key naming it, or why not.

        ``name`` is looked for under each of :attr:`roots`, in any case, then by its file name alone when
        exactly one member has it."""
        low = name.lower()
        member = next((self.members[r + low] for r in self.roots if r + low in self.members), None)
        if member is None:
            base = low.rsplit("/", 1)[-1]
            matches = [m for k, m in self.members.items() if k.rsplit("/", 1)[-1] == base]
            member = matches[0] if len(matches) == 1 else None
        if member is None:
            return None, None, self._absent(name)
        return self._read(member), self._key(member), None

    def _read(self, member: M) -> bytes:
        raise NotImplementedError

    def _key(self, member: M) -> str:
        raise NotImplementedError

    def _absent(self, name: str) -> str:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _ZipPackage(Package[zipfile.ZipInfo]):
    roots = ("sources/", "")

    def __init__(self, path: Path):
        self.source = path.name
        self.budget = _Budget(path.name)
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(Problem(path.name, f"not a readable ZIP archive ({exc})", fix=FIX_EXPORT)) from None
        try:
            infos = self.archive.infolist()
            _check_zip_headers(infos, self.source)
            self.members = {}
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
                            fix="do not import this file; " + FIX_EXPORT))
                    out.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, OSError) as exc:
            raise InputError(Problem(self.source, f"member {info.filename!r} cannot be read ({exc})",
                                     fix="the archive is damaged or encrypted; " + FIX_EXPORT)) from None
        return out.getvalue()

    def _key(self, info: zipfile.ZipInfo) -> str:
        return "zip:" + info.filename.lower()

    def _absent(self, name: str) -> str:
        return f"internal file {name!r} is not in the archive"

    def close(self) -> None:
        self.archive.close()


class _FolderPackage(Package[Path]):
    """A bare ``.qde`` with its internal files, if any, in ``sources/`` or ``Sources/`` beside it."""

    def __init__(self, path: Path):
        self.source = path.name
        self.qde_name = path.name
        self.budget = _Budget(path.name)
        self.qde = self._read(path)
        folders = sorted((d for d in path.parent.iterdir() if d.is_dir() and d.name.lower() == "sources"),
                         key=lambda d: d.name != "sources")
        self.folder = folders[0] if folders else None
        self.members = {}
        if self.folder is not None:
            root = self.folder.resolve()
            for p in sorted(self.folder.rglob("*")):
                try:
                    inside = p.is_file() and p.resolve().is_relative_to(root)
                except OSError:
                    inside = False
                if inside:  # symbolic links that leave the folder are ignored
                    self.members.setdefault(p.relative_to(self.folder).as_posix().lower(), p)

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

    def _key(self, path: Path) -> str:
        return "file:" + str(path).lower()

    def _absent(self, name: str) -> str:
        if self.folder is None:
            return f"internal file {name!r}: there is no sources/ folder beside {self.qde_name}"
        return f"internal file {name!r} is not in {self.folder.name}/"


def open_package(path: Path) -> Package:
    """The package at ``path``: a ``.qdpx`` (ZIP) archive, or a bare ``.qde`` (XML) with its ``sources/`` folder.

    Close it when done (:meth:`Package.close`)."""
    if not path.is_file():
        raise InputError(Problem(str(path), "no such file", fix="check the path"))
    if zipfile.is_zipfile(path):
        return _ZipPackage(path)
    if path.suffix.lower() == ".qdpx":
        raise InputError(Problem(path.name, "not a ZIP archive, so not a .qdpx project", fix=FIX_EXPORT))
    with open(path, "rb") as handle:
        head = handle.read(64).lstrip(codecs.BOM_UTF8).lstrip()
    if path.suffix.lower() == ".qde" or head.startswith(b"<"):
        return _FolderPackage(path)
    raise InputError(Problem(path.name, "neither a .qdpx (ZIP) archive nor a .qde (XML) project file",
                             fix=FIX_EXPORT))


def internal_name(ref: str) -> tuple[str | None, str | None]:
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


def decode_text_file(data: bytes) -> tuple[str | None, str | None]:
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


# -- the project file: parsed safely, checked against the official schema ------------------------------

def parse_qde(data: bytes, source: str) -> ET.Element:
    """The ``<Project>`` element of a ``.qde``, parsed with :mod:`defusedxml` (no DTD, entities or external
    references)."""
    try:
        root = DefusedET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise InputError(Problem(source, "the XML declares a DTD (<!DOCTYPE ...>); REFI-QDA files never do, and "
                                 "DTDs can carry entity attacks (XXE, billion laughs)",
                                 fix="do not import this file; " + FIX_EXPORT)) from None
    except defusedxml.EntitiesForbidden:
        raise InputError(Problem(source, "the XML declares entities, which can carry attacks (billion laughs)",
                                 fix="do not import this file; " + FIX_EXPORT)) from None
    except defusedxml.ExternalReferenceForbidden:
        raise InputError(Problem(source, "the XML refers to an external resource (XXE)",
                                 fix="do not import this file; " + FIX_EXPORT)) from None
    except defusedxml.DefusedXmlException as exc:
        raise InputError(Problem(source, f"the XML uses a forbidden construct ({exc})",
                                 fix="do not import this file; " + FIX_EXPORT)) from None
    except ET.ParseError as exc:
        raise InputError(Problem(source, f"not well-formed XML ({exc})", line=exc.position[0],
                                 fix=FIX_EXPORT)) from None
    if local(root.tag) != "Project":
        hint = "; this is a codebook: import it with the codebook import" if local(root.tag) == "CodeBook" else ""
        raise InputError(Problem(source, f"the root element is <{local(root.tag)}>, not <Project>{hint}",
                                 fix=FIX_EXPORT))
    return root


def schema_note(qde: bytes) -> str | None:
    """A note when the project file is not valid against the official REFI-QDA schema (it is then read
    leniently), else ``None``. Only called on XML that :func:`parse_qde` has already accepted: no DTD, no
    entities."""
    from lxml import etree

    try:
        schema = _schema()
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        document = etree.fromstring(qde, parser)
    except (etree.XMLSyntaxError, OSError) as exc:  # pragma: no cover - defusedxml parsed it already
        return f"the project file could not be checked against the REFI-QDA schema ({exc})"
    if local(document.tag) == "Project" and etree.QName(document).namespace != "urn:QDA-XML:project:1.0":
        return (f"the project file uses the namespace {etree.QName(document).namespace!r}, not "
                "urn:QDA-XML:project:1.0 (REFI-QDA 1.5): it was read leniently and not checked against the schema")
    if not schema.validate(document):
        errors = list(schema.error_log)
        first = errors[0]
        return (f"the project file is not valid against the REFI-QDA 1.5 schema ({len(errors)} problem(s); the "
                f"first, line {first.line}: {first.message}); it was read leniently, so check what the report "
                "says was skipped")
    return None


_SCHEMA = None


def _schema():
    global _SCHEMA
    if _SCHEMA is None:
        from importlib import resources

        from lxml import etree

        with resources.files(__package__).joinpath("schema", "Project.xsd").open("rb") as handle:
            _SCHEMA = etree.XMLSchema(etree.parse(handle))
    return _SCHEMA
