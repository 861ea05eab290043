"""Neutralising text that leaves the toolkit: spreadsheets, LaTeX, Markdown, HTML and figures.

Codes, document ids, coder names, memos and participant quotes can hold
anything, and each output format gives some characters a meaning of their
own. Every writer passes its text through one of these functions, so that what
a participant said is shown, never run.

- :func:`neutralise_formulas`: a CSV cell that a spreadsheet would read as a
  formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return) gets a leading ``'``, as OWASP recommends against CSV injection.
  Only strings are changed, never numbers. :func:`restore_formulas` undoes it
  for a reader of such a file.
- :func:`latex_escape`: plain text for a LaTeX caption or cell.
- :func:`markdown_cell`: a Markdown table cell (``|`` escaped, line breaks as ``<br>``).
- :func:`mathtext_safe`: a matplotlib label drawn literally (``$`` never starts mathtext).

HTML (``Project.show``) uses :func:`html.escape` from the standard library.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"quote": ["=HYPERLINK(\\"http://x\\")", "-5 officers", "fine"], "n": [-5, 2, 3]})
>>> neutralise_formulas(frame).to_dict("list")
{'quote': ['\\'=HYPERLINK("http://x")', "'-5 officers", 'fine'], 'n': [-5, 2, 3]}
>>> latex_escape("95% of n_units")
'95\\\\% of n\\\\_units'
>>> markdown_cell("a | b\\nc")
'a \\\\| b<br>c'
>>> mathtext_safe("$5m saved")
'\\\\$5m saved'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where it is used: the CLI imports this module at start-up
    import pandas as pd

__all__ = [
    "FORMULA_START",
    "latex_escape",
    "map_text_cells",
    "markdown_cell",
    "mathtext_safe",
    "neutralise_cell",
    "neutralise_formulas",
    "one_line",
    "restore_formulas",
]

#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is a string a spreadsheet would read as a formula; else unchanged.

    >>> neutralise_cell("@SUM(A1)"), neutralise_cell("-5"), neutralise_cell(-5), neutralise_cell("'=x")
    ("'@SUM(A1)", "'-5", -5, "'=x")
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def restore_formulas(value: Any) -> Any:
    """Undo :func:`neutralise_cell`: drop the ``'`` in front of a formula character (for readers of our CSVs).

    >>> restore_formulas("'=x"), restore_formulas("'quoted'"), restore_formulas(3)
    ('=x', "'quoted'", 3)
    """
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def _is_text(series: pd.Series | pd.Index) -> bool:
    import pandas as pd

    dtype = series.dtype
    return (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype))


def _map_text(values: pd.Series, function) -> pd.Series:
    import pandas as pd

    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    return values.map(function)


def _map_labels(index: pd.Index, function) -> pd.Index:
    """Index or column labels through ``function`` (text levels only), names too."""
    import pandas as pd

    if isinstance(index, pd.MultiIndex):
        levels = [index.get_level_values(i) for i in range(index.nlevels)]
        levels = [level.map(function) if _is_text(level) else level for level in levels]
        return pd.MultiIndex.from_arrays(levels, names=[_name(n, function) for n in index.names])
    mapped = index.map(function) if _is_text(index) else index.copy()
    mapped.name = _name(index.name, function)
    return mapped


def _name(name: Any, function) -> Any:
    return function(name) if isinstance(name, str) else name


def map_text_cells(frame: pd.DataFrame, function, *, labels: bool = True) -> pd.DataFrame:
    """A copy of ``frame`` with ``function`` applied to every cell of its text columns (and to its labels).

    Numeric, boolean and date columns are left as they are; ``function`` is
    given every value of a text column and must return non-strings unchanged.

    >>> import pandas as pd
    >>> upper = lambda v: v.upper() if isinstance(v, str) else v
    >>> map_text_cells(pd.DataFrame({"a": ["x"], "b": [1]}), upper).to_dict("list")
    {'A': ['X'], 'B': [1]}
    """
    shown = frame.copy()
    for position in range(shown.shape[1]):
        column = shown.iloc[:, position]
        if _is_text(column):
            shown.isetitem(position, _map_text(column, function))
    if labels:
        shown.columns = _map_labels(shown.columns, function)
        shown.index = _map_labels(shown.index, function)
    return shown


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` safe to write as CSV: :func:`neutralise_cell` on text cells, headers and index labels.

    Numbers are never changed (a negative number stays a number); a string
    such as ``"-5 officers"`` or ``"=1+1"`` is written as ``'-5 officers``,
    ``'=1+1``. A cell that begins with ``'`` followed by one of
    :data:`FORMULA_START` was neutralised.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"=1+1": [1.5]}, index=pd.Index(["+x"], name="code_id"))
    >>> print(neutralise_formulas(frame).to_csv(lineterminator="\\n"), end="")
    code_id,'=1+1
    '+x,1.5
    """
    return map_text_cells(frame, neutralise_cell)


# pandas' own set (to_latex(escape=True)), plus brackets (a short caption is an optional argument)
_LATEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
          "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "[": "{[}", "]": "{]}"}
_LATEX_PATTERN = re.compile("|".join(map(re.escape, _LATEX)))
_LINE_BREAKS = re.compile(r"\s*(?:\r\n|\r|\n)\s*")


def latex_escape(text: Any) -> str:
    """``text`` as plain LaTeX text: special characters escaped, line breaks as spaces (no ``\\par``).

    >>> print(latex_escape("\\\\input{/etc/passwd} [x]\\n\\ny"))
    \\textbackslash{}input\\{/etc/passwd\\} {[}x{]} y
    """
    text = _LINE_BREAKS.sub(" ", str(text))
    return _LATEX_PATTERN.sub(lambda m: _LATEX[m.group(0)], text)


def one_line(value: Any) -> Any:
    """A string's line breaks as single spaces (a LaTeX cell must not hold a blank line); others unchanged.

    >>> one_line("a\\n\\nb"), one_line(1)
    ('a b', 1)
    """
    return _LINE_BREAKS.sub(" ", value) if isinstance(value, str) else value


def markdown_cell(text: Any) -> Any:
    """A string as one Markdown table cell: ``\\`` doubled, ``|`` as ``\\|``, line breaks as ``<br>``.

    Backslashes are doubled so that a cell ending in ``\\`` cannot un-escape
    the pipe after it; Markdown shows ``\\\\`` as one backslash. Non-strings are
    returned unchanged.

    >>> markdown_cell("code|id"), markdown_cell("one\\r\\ntwo"), markdown_cell(0.5)
    ('code\\\\|id', 'one<br>two', 0.5)
    """
    if not isinstance(text, str):
        return text
    return re.sub(r"\r\n|\r|\n", "<br>", text.replace("\\", "\\\\").replace("|", "\\|"))


def mathtext_safe(label: Any) -> str:
    """``label`` drawn literally by matplotlib: every ``$`` escaped, so no pair of them starts mathtext.

    >>> mathtext_safe("$\\\\input{x}$")
    '\\\\$\\\\input{x}\\\\$'
    """
    return str(label).replace("$", r"\$")
