"""Turning the bytes of a text file into the text a project stores.

The rules, applied in this order:

1. An empty file (no bytes, or only white space once decoded) is refused.
2. A byte-order mark decides the encoding: UTF-8 (``EF BB BF``), UTF-16 LE/BE,
   UTF-32 LE/BE. The mark itself is not part of the stored text.
3. Without a mark, a file holding NUL bytes, or starting with the signature of a
   known binary format (PDF, ZIP/Office, images), is refused as binary.
4. Otherwise the bytes are decoded as UTF-8; if that fails, as Windows-1252
   (the usual encoding of old Word exports) with a :class:`QDAWarning`; if that
   fails too, the file is refused, naming the first undecodable byte.
5. Line endings (``\\r\\n`` and lone ``\\r``) become ``\\n``. Nothing else is
   changed: no Unicode normalisation, no trimming, so every character a
   transcriber typed keeps its place.

Examples
--------
>>> decode_text(b"\\xef\\xbb\\xbfP01: Yes.\\r\\n", source="a.txt")
DecodedText(text='P01: Yes.\\n', encoding='utf-8-sig')
"""

from __future__ import annotations

import codecs
import warnings
from dataclasses import dataclass

from .errors import InputError, Problem, QDAWarning

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # must precede UTF-16 LE, which it starts with
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (for example a .docx or .xlsx saved with the wrong extension)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document (.doc/.xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF document"),
)


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str


def normalise_newlines(text: str) -> str:
    """Replace ``\\r\\n`` and lone ``\\r`` with ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_text(data: bytes, *, source: str) -> DecodedText:
    """Decode the bytes of a text file by the rules in this module's docstring.

    Raises :class:`InputError` naming ``source`` for empty, binary or
    undecodable input.
    """
    if not data:
        raise InputError(Problem(source, "the file is empty (0 bytes)",
                                 fix="check that the export finished, or leave the file out"))
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(Problem(
                    source, f"the file starts with a {encoding} byte-order mark but byte {exc.start} "
                    f"is not valid {encoding}",
                    fix="re-save the file as UTF-8 from the program that made it")) from None
            # the utf-8-sig, utf-16 and utf-32 codecs consume exactly one leading mark themselves
            return _checked(DecodedText(normalise_newlines(text), encoding), source)
    for signature, what in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise InputError(Problem(source, f"this is not a text file: it looks like {what}",
                                     fix="save it as plain text (.txt), or give it its real extension"))
    if b"\x00" in data:
        raise InputError(Problem(
            source, f"this is not a text file: it holds NUL bytes (first at byte {data.index(0)})",
            fix="if it is UTF-16 text without a byte-order mark, re-save it as UTF-8; "
                "otherwise leave it out"))
    try:
        return _checked(DecodedText(normalise_newlines(data.decode("utf-8")), "utf-8"), source)
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(Problem(
            source, f"the bytes cannot be decoded: byte {exc.start} (0x{data[exc.start]:02x}) is neither "
            "UTF-8 nor Windows-1252",
            fix="re-save the file as UTF-8 from the program that made it")) from None
    warnings.warn(
        f"{source}: not valid UTF-8 (first bad byte at {first_bad}); decoded as Windows-1252. "
        "Check accented letters and quotes, or re-save the file as UTF-8.",
        QDAWarning, stacklevel=3)
    return _checked(DecodedText(normalise_newlines(text), "cp1252"), source)


def _checked(decoded: DecodedText, source: str) -> DecodedText:
    if not decoded.text.strip():
        raise InputError(Problem(source, "the file holds only white space",
                                 fix="check that the export finished, or leave the file out"))
    return decoded
