"""Codings of themes: themes (groups of codes) in the shape every table and figure takes for codes."""

from __future__ import annotations

import pandas as pd

__all__ = ["theme_codings"]


def theme_codings(codings: pd.DataFrame, themes: pd.DataFrame, *, keep_codes: bool = False) -> pd.DataFrame:
    """The codings of each theme: a coding of any of a theme's codes (or their sub-codes) is a coding of it.

    Pass the result to any table or figure instead of the codings (``code_frequencies``,
    ``cooccurrence``, ``participant_balance``, ``quotes``...): the themes then stand where the codes stood.

    Parameters
    ----------
    codings : pandas.DataFrame
        The tidy codings frame (``load(project).codings`` or ``project.codings()``).
    themes : pandas.DataFrame
        The themes, as :meth:`Project.themes <asymmetry_qda.project.Project.themes>` gives them: at least
        ``theme_id`` and ``codes`` (a list of code ids per theme).
    keep_codes : bool, default False
        Also keep the codings of the codes themselves, so codes and themes are tabulated side by side.

    Returns
    -------
    pandas.DataFrame
        The columns of ``codings``, plus ``member_code`` (the code the coding was made with). For a theme's
        rows, ``code_id`` and ``theme`` are the theme's id; a coding reached through two of a theme's codes
        (a code and its sub-code) is one row of it.

    Notes
    -----
    Unit of analysis: the coding, as in ``codings``; a coding becomes one row per theme that holds its code
    or an ancestor of its code. Nothing is counted here: the tables count units and participants from these
    rows as they do for codes, so a theme's ``n_units`` is the number of units holding any of its codes
    (once each, however many of its codes a unit holds). Computed with pandas.

    Examples
    --------
    >>> codings = pd.DataFrame({"coding_id": ["a", "b", "c"], "code_id": ["blame", "blame.press", "praise"],
    ...                         "theme": ["blame", "blame", "praise"]})
    >>> themes = pd.DataFrame({"theme_id": ["unfair"], "codes": [["blame"]]})
    >>> theme_codings(codings, themes)[["coding_id", "code_id", "member_code"]]
      coding_id code_id  member_code
    0         a  unfair        blame
    1         b  unfair  blame.press
    """
    codes = codings["code_id"].astype(str)
    parts = []
    for theme_id, members in zip(themes["theme_id"], themes["codes"], strict=True):
        held = pd.Series(False, index=codings.index)
        for code in members:
            held |= (codes == code) | codes.str.startswith(code + ".")
        rows = codings[held].copy()
        rows.insert(rows.columns.get_loc("code_id") + 1, "member_code", rows["code_id"])
        rows["code_id"] = theme_id
        if "theme" in rows:
            rows["theme"] = theme_id
        parts.append(rows)
    if keep_codes:
        own = codings.copy()
        own.insert(own.columns.get_loc("code_id") + 1, "member_code", own["code_id"])
        parts.insert(0, own)
    if not parts:
        empty = codings.iloc[:0].copy()
        empty.insert(empty.columns.get_loc("code_id") + 1, "member_code", empty["code_id"])
        return empty
    return pd.concat(parts, ignore_index=True)
