import codecs

import pytest

from asymmetry_qda.errors import InputError, QDAWarning
from asymmetry_qda.textio import decode_text


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("P01: café\r\n".encode(), "utf-8"),
        (codecs.BOM_UTF8 + "P01: café\r\n".encode(), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "P01: café\r\n".encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + "P01: café\r\n".encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF32_LE + "P01: café\r\n".encode("utf-32-le"), "utf-32"),
    ],
)
def test_bom_decides_encoding_and_is_not_stored(data, encoding):
    decoded = decode_text(data, source="t.txt")
    assert decoded.text == "P01: café\n"
    assert decoded.encoding == encoding


def test_line_endings_become_newlines_and_nothing_else_changes():
    text = "a\r\nb\rc\n\td  \u00a0e\u0301 😀"
    assert decode_text(text.encode(), source="t").text == "a\nb\nc\n\td  \u00a0e\u0301 😀"


def test_cp1252_fallback_warns_and_names_the_file():
    with pytest.warns(QDAWarning, match=r"old\.txt: not valid UTF-8 .* Windows-1252"):
        decoded = decode_text("P01: it’s “fine”".encode("cp1252"), source="old.txt")
    assert decoded.text == "P01: it’s “fine”"
    assert decoded.encoding == "cp1252"


def test_bytes_that_no_encoding_accepts_are_refused_with_position():
    with pytest.raises(InputError, match=r"bad\.txt: .*byte 5 \(0x81\) is neither UTF-8 nor Windows-1252"):
        decode_text(b"P01: \x81\x8d", source="bad.txt")


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7 ...", "PDF"),
        (b"PK\x03\x04rest", "ZIP"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"abc\x00def", "NUL bytes"),
    ],
)
def test_binary_files_are_refused(data, what):
    with pytest.raises(InputError, match=f"x.txt: this is not a text file.*{what}"):
        decode_text(data, source="x.txt")


@pytest.mark.parametrize("data", [b"", b"  \r\n\t\n", codecs.BOM_UTF8])
def test_empty_files_are_refused(data):
    with pytest.raises(InputError, match="empty|only white space"):
        decode_text(data, source="e.txt")


def test_only_one_leading_byte_order_mark_is_removed():
    assert decode_text(codecs.BOM_UTF8 * 2 + b"P01: hi", source="t").text == "\ufeffP01: hi"
