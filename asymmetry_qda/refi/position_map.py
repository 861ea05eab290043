"""A text's positions counted four ways (:data:`SCHEMES`) and converted between them: :class:`PositionMap`.

(How a file's positions are counted is detected in :mod:`.positions`, which re-exports these names.)
"""

from __future__ import annotations

import re
from bisect import bisect_left

from ..textio import normalise_newlines

__all__ = ["SCHEMES", "PositionMap"]

#: How offsets may be counted: code points or UTF-16 units, with CRLF as two characters or one.
SCHEMES: tuple[str, ...] = ("codepoints", "utf16", "codepoints-crlf1", "utf16-crlf1")

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")



class PositionMap:
    """Converts positions in a source text (its BOM removed) between the four counting schemes.

    A *position* counts units under a scheme. An *index* is a Python
    (code-point) index into the raw text. A *stored offset* is an index into
    the text as a project stores it, where CRLF and CR become LF.

    Parameters
    ----------
    raw
        The source text as the file holds it, without a leading BOM.

    Examples
    --------
    >>> pm = PositionMap("a\\r\\nb")
    >>> pm.position(3, "codepoints"), pm.position(3, "codepoints-crlf1"), pm.stored_offset(3)
    (3, 2, 2)
    >>> pm.stored_text
    'a\\nb'
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
        """The length of the text under ``scheme``."""
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
        """The text as a project stores it (CRLF and CR turned into LF)."""
        return normalise_newlines(self.raw)
