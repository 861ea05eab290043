"""The code hierarchy in the tables: codebook order, roll-up to ancestors, implied codes, cutting to a level.

Helpers of the tables; ``_frame`` re-exports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..codebook.model import Codebook

__all__ = ["code_order", "implication_note", "rolled_up", "with_implied"]


def code_order(codebook: "Codebook | None", codes) -> list[str]:
    """``codes`` in codebook (hierarchy) order; codes the codebook lacks follow, sorted.

    Parameters
    ----------
    codebook : Codebook or None
        The codebook whose order is used (None: all sorted).
    codes : iterable of str
        Code ids; repeats are dropped.

    Returns
    -------
    list of str

    Examples
    --------
    >>> code_order(None, ["b", "a"])
    ['a', 'b']
    """
    codes = list(dict.fromkeys(codes))
    if codebook is None:
        return sorted(codes)
    rank = {code.id: i for i, code in enumerate(codebook.codes)}
    return sorted(codes, key=lambda c: (c not in rank, rank.get(c, 0), c))


def rolled_up(codings: pd.DataFrame) -> pd.DataFrame:
    """Each coding repeated for its code and every ancestor code (``a.b.c`` counts for ``a.b`` and ``a``).

    Parameters
    ----------
    codings : pandas.DataFrame
        Codings with a ``code_id`` column.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> frame = pd.DataFrame({"coding_id": ["c1"], "code_id": ["a.b.c"]})
    >>> rolled_up(frame)["code_id"].tolist()
    ['a.b.c', 'a.b', 'a']
    """
    parts = codings["code_id"].str.split(".")
    depth = parts.str.len()
    repeated = codings.loc[codings.index.repeat(depth)].copy()
    level = repeated.groupby(level=0).cumcount().to_numpy()
    repeated["code_id"] = [".".join(p[:len(p) - k]) for p, k in zip(parts.loc[repeated.index], level, strict=True)]
    return repeated.reset_index(drop=True)


def with_implied(codings: pd.DataFrame, codebook: "Codebook | None") -> pd.DataFrame:
    """``codings`` plus, for each coding of a code that implies others (the codebook's ``implies``), one row
    per implied code: same coding, offsets and units, ``code_id`` the implied code, ``implied_by`` the code
    that implies it (empty on the original rows).

    Counts, matrices and balances made from the result count a ``failure.preventable.deviation`` coding for
    ``reason.personal_fault`` too, when the codebook declares it; co-occurrence should use the codings as
    coded, where an implied code would co-occur with its source by construction.

    Parameters
    ----------
    codings : pandas.DataFrame
        Codings with a ``code_id`` column.
    codebook : Codebook or None
        The codebook declaring the implications (None: nothing is added).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> from asymmetry_qda.codebook import parse_codebook
    >>> cb = parse_codebook("codebook: {name: t, version: '1'}\\ncodes:\\n"
    ...                     "  - {id: fault, label: F, definition: d}\\n"
    ...                     "  - {id: fail, label: X, definition: d, implies: [fault]}\\n")
    >>> for row in with_implied(pd.DataFrame({"coding_id": ["c1"], "code_id": ["fail"]}), cb).to_dict("records"):
    ...     print(row)
    {'coding_id': 'c1', 'code_id': 'fail', 'implied_by': ''}
    {'coding_id': 'c1', 'code_id': 'fault', 'implied_by': 'fail'}
    """
    out = codings.assign(implied_by="")
    if codebook is None or not len(codings):
        return out
    implications = codebook.implications
    if not implications:
        return out
    extra = []
    for code_id, implied in implications.items():
        rows = codings[codings["code_id"] == code_id]
        for target in implied:
            if len(rows):
                extra.append(rows.assign(code_id=target, implied_by=code_id))
    if not extra:
        return out
    return pd.concat([out, *extra], ignore_index=True)


def implication_note(codebook: "Codebook | None") -> str:
    """The sentence a table's note carries when codes count for the codes they imply ("" when none do).

    Parameters
    ----------
    codebook : Codebook or None
        The codebook declaring the implications.

    Returns
    -------
    str
    """
    if codebook is None:
        return ""
    declared = {c.id: c.implies for c in codebook.codes if c.implies}
    if not declared:
        return ""
    listed = "; ".join(f"{code} => {', '.join(targets)}" for code, targets in declared.items())
    return f" Codes also count for the codes they imply (codebook `implies`, sub-codes included): {listed}."


def at_level(codings: pd.DataFrame, depth: int = 2) -> pd.DataFrame:
    """Codings with each code cut to its first ``depth`` parts (sub-codes merged into their ancestor).

    >>> at_level(pd.DataFrame({"code_id": ["a.b.c", "a", "a.b"]}))["code_id"].tolist()
    ['a.b', 'a', 'a.b']
    """
    if depth < 1:
        from ..errors import ArgumentError

        raise ArgumentError(f"depth={depth!r} must be 1 (themes) or more")
    return codings.assign(code_id=codings["code_id"].str.split(".").str[:depth].str.join("."))
