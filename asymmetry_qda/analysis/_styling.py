"""Reading a table in Jupyter: numbers rounded for the eye, text whole, nothing changed underneath.

pandas shows a float with six decimals (``33.333333``, ``0.000012``) and cuts a
text cell at 50 characters. :func:`styled` returns a
:class:`pandas.io.formats.style.Styler` over the same frame that shows each
float column to ``digits`` decimals (a column of whole numbers without
decimals, a value too small for those decimals in scientific notation, so a
p-value of 0.000012 reads ``1.2e-05``, never ``0.000``), every text whole,
booleans as yes/no and missing values blank. The frame, its values and every
pandas option stay as they are: what you compute on or save is unrounded.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

__all__ = ["cell_text", "display_text", "format_number", "styled"]

_PARAGRAPH = re.compile(r"\s*(?:(?:\r\n|\r|\n)[^\S\r\n]*){2,}\s*|\s*\u2029\s*")
_SPACE = re.compile(r"\s+")
#: the quotes' contexts, shown narrower than the quote and in grey
_CONTEXTS = ("left_context", "right_context")


def display_text(text: Any) -> Any:
    """``text`` with its white space made readable on one line: a paragraph break (a blank line) as ``" ¶ "``,
    any other run of white space (a single line break too) as one space, none (and no ``¶``) at either end.

    Used for the quotes' contexts and for every rendering; the stored text is never changed.

    Parameters
    ----------
    text : str or object
        The text. Non-strings
        are returned unchanged.

    Returns
    -------
    str or object
        The text on one line, or ``text`` itself when it is not a string.

    Notes
    -----
    Computes no number: the unit is one text (a cell, a quote, a context).
    Only white space changes, so the result's length can differ from the
    stored text's and its offsets are not the stored offsets.

    Examples
    --------
    >>> display_text("  It was late.\\n\\n  Nobody came.\\nI waited.\\r\\n\\r\\n")
    'It was late. ¶ Nobody came. I waited.'
    >>> display_text(None) is None
    True
    """
    if not isinstance(text, str):
        return text
    return _SPACE.sub(" ", _PARAGRAPH.sub(" \u00b6 ", text)).strip().strip("\u00b6").strip()


def format_number(value: Any, *, digits: int = 3, whole: bool = False) -> str:
    """One number as a table shows it: ``digits`` decimals, or none when ``whole``; blank when missing.

    A non-zero value that ``digits`` decimals would show as zero is written in scientific notation with two
    significant digits, so a small p-value never reads as 0. Integers are written as they are.

    Parameters
    ----------
    value : number or None
        The value; ``None`` and NaN give ``""``.
    digits : int, default 3
        Decimals for a float.
    whole : bool, default False
        Write a float without decimals (a float column holding only whole numbers, e.g. counts with a gap).

    Examples
    --------
    >>> format_number(33.333333), format_number(0.000012), format_number(0.0), format_number(float("nan"))
    ('33.333', '1.2e-05', '0.000', '')
    >>> format_number(12.0, whole=True), format_number(7), format_number(-0.5, digits=2)
    ('12', '7', '-0.50')
    """
    if value is None or (isinstance(value, (float, np.floating)) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if np.isinf(value):
        return "∞" if value > 0 else "−∞"
    if whole:
        return f"{value:.0f}"
    if value != 0 and abs(value) < 0.5 * 10.0 ** -digits:
        return f"{value:.1e}"
    return f"{value:.{digits}f}"


def cell_text(value: Any) -> str:
    """A cell as text: blank when missing, yes/no, a whole float without decimals, a list joined, white space
    made readable (:func:`display_text`).

    Parameters
    ----------
    value : object
        The cell's value.

    Returns
    -------
    str

    Examples
    --------
    >>> cell_text(None), cell_text(True), cell_text(3.0), cell_text(("a", "b")), cell_text("x\\n\\ny")
    ('', 'yes', '3', 'a, b', 'x ¶ y')
    """
    if value is None or (not isinstance(value, (tuple, list, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value))
    return str(display_text(str(value)))


def _whole(column: pd.Series) -> bool:
    present = column.dropna()
    finite = present[np.isfinite(present)]
    return len(finite) > 0 and bool((finite == np.round(finite)).all()) and bool((finite.abs() < 1e15).all())


def styled(frame: pd.DataFrame, *, columns: Sequence[str] | None = None, digits: int = 3,
           index: bool | None = None) -> "Styler":
    """``frame`` for reading in Jupyter: rounded numbers, whole texts, every cell and label HTML-escaped.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table of the toolkit (or your own).
    columns : sequence of str, optional
        The columns to show, in this order; by default all of them.
    digits : int, default 3
        Decimals of each float column (see :func:`format_number`). A float column whose values are all whole
        numbers is shown without decimals.
    index : bool, optional
        Show the index. By default it is shown unless it is the plain 0, 1, 2... row numbering (or what is left
        of it after filtering), which says nothing about a row.

    Returns
    -------
    pandas.io.formats.style.Styler
        A view of ``frame[columns]``: the frame itself is not changed, and no pandas option is set. Texts are
        shown with :func:`display_text` white space, wrapped and left-aligned; numbers right-aligned; missing
        values blank; booleans yes/no.

    Notes
    -----
    Computes no number: one cell shown per cell of ``frame[columns]``, whatever
    a row's unit is in the table given (a code, a pair of codes, a passage...).
    Display only: a float column is rounded to ``digits`` decimals (a non-zero
    value that would show as 0 in scientific notation with two significant
    digits), a float column of whole numbers without decimals, integers as they
    are; the values underneath, and what is saved from the frame, keep full
    precision. Rendered by pandas' ``Styler``.

    Examples
    --------
    >>> frame = pd.DataFrame({"code": ["<b>a</b>", "b"], "pct": [33.333333, 50.0], "p": [0.000012, 0.2],
    ...                       "n": [3.0, None]})
    >>> page = styled(frame).to_html()
    >>> all(s in page for s in ("33.333", "50.000", "1.2e-05", "0.200", ">3<", "&lt;b&gt;a&lt;/b&gt;"))
    True
    >>> "33.333333" in page, "<b>a" in page, float(frame.loc[0, "pct"])
    (False, False, 33.333333)
    """
    shown = frame if columns is None else frame[list(columns)]
    numeric = [c for c in shown.columns
               if pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])]
    styler = shown.style.format(lambda value: html.escape(cell_text(value)))
    for column in numeric:
        whole = pd.api.types.is_float_dtype(shown[column]) and _whole(shown[column])
        styler = styler.format(lambda value, whole=whole: format_number(value, digits=digits, whole=whole),
                               subset=[column])
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    styler = styler.set_properties(**{"white-space": "normal", "text-align": "left", "vertical-align": "top"})
    if numeric:
        styler = styler.set_properties(subset=numeric, **{"text-align": "right", "white-space": "nowrap"})
    if "text" in shown.columns:  # the quote: the widest column
        styler = styler.set_properties(subset=["text"], **{"min-width": "14em", "max-width": "36em"})
    contexts = [c for c in _CONTEXTS if c in shown.columns]
    if contexts:  # narrower than the quote, so a quote with both contexts fits a notebook's width
        styler = styler.set_properties(subset=contexts, **{"min-width": "10em", "max-width": "20em",
                                                           "color": "#555"})
    if index is None:
        index = not (shown.index.name is None and pd.api.types.is_integer_dtype(shown.index)
                     and shown.index.is_monotonic_increasing and shown.index.is_unique)
    if not index:
        styler = styler.hide(axis="index")
    return styler.set_table_styles([{"selector": "th", "props": [("text-align", "left"), ("vertical-align", "top")]}])
