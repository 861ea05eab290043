"""The balance plot: each group's mean balance index with its interval, one row per theme."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..errors import ArgumentError
from ..escaping import mathtext_safe
from ._figures_common import _NOTE_COLOUR, _POINT_COLOUR, UNIT_NAMES, _check_columns, _single, _wrap, group_label
from ._figures_output import _STYLE, QDAFigure, _new_figure

__all__ = ["balance_plot"]

BALANCE_COLUMNS = ("theme", "group", "mean_balance", "ci_low", "ci_high", "n_participants")
BALANCE_XLABEL = "balance index (heavy \N{MINUS SIGN} light) / (heavy + light)"


def _pole_name(code: Any, labels: Mapping[str, str] | None) -> str:
    """A pole's name for an axis end: its label, else the last segment of its id (``reason.personal_fault`` ->
    ``personal fault``), with a leading capital lowered unless the word is an acronym."""
    code = str(code)
    name = labels[code] if labels and code in labels else code.rsplit(".", 1)[-1].replace("_", " ")
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        name = name[0].lower() + name[1:]
    return mathtext_safe(name)


def _theme_poles(balance: pd.DataFrame, name: str,
                 poles: Mapping[str, Sequence[str]] | None) -> tuple[Any, Any] | None:
    """``(heavy, light)`` of a theme: from ``poles``, else the table's ``heavy_code``/``light_code`` columns."""
    if poles and name in poles:
        heavy, light = poles[name]
        return heavy, light
    if {"heavy_code", "light_code"} <= set(balance.columns):
        rows = balance[balance["theme"].astype(str) == name]
        heavy, light = _single(rows, "heavy_code"), _single(rows, "light_code")
        if heavy is not None and light is not None:
            return heavy, light
    return None


def _count(value: Any) -> str:
    if pd.isna(value):
        return "?"
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def balance_plot(balance: pd.DataFrame, *, theme: str | None = None, title: str | None = None,
                 poles: Mapping[str, Sequence[str]] | None = None,
                 labels: Mapping[str, str] | None = None) -> QDAFigure:
    """Draw each group's mean balance index with its interval: one row of axes per theme, x from -1 to 1.

    Themes and groups keep the frame's order (first group on
    top). Each theme's axis says under its ends which pole they
    stand for (``← more praise``, ``more blame →``). A caption gives the unit, the interval's confidence and what
    ``n`` counts.

    Parameters
    ----------
    balance : pandas.DataFrame
        ``balance`` has columns theme, group, mean_balance, ci_low, ci_high and n_participants (one row per
        theme and group, e.g. group ``"leader=True"`` or ``"all"``, drawn as ``leader: yes`` and ``all
        participants`` by :func:`group_label`).
    theme : str, optional
        ``theme`` keeps one theme only.
    title : str, optional
        The figure's title (default: none; each theme's axes are titled with its theme).
    poles : mapping of str to (str, str), optional
        The poles come from ``poles`` (``{theme: (heavy,
        light)}``, as :func:`asymmetry_qda.analysis.theme_poles` gives them), else the table's
        ``heavy_code``/``light_code`` columns, else the ends read "light pole" and "heavy pole".
    labels : mapping of str to str, optional
        ``labels`` maps theme and code ids to the names drawn (default: the theme id, and the last part
        of the pole's code id).

    Returns
    -------
    QDAFigure
        One axes per theme.

    Notes
    -----
    Plots :func:`~asymmetry_qda.analysis.group_balance`'s table, one row per
    (theme, group): a dot at ``mean_balance`` (the mean over the group's
    participants of each one's balance, ``(heavy - light) / (heavy + light)``
    of their coded units) and a line from ``ci_low`` to ``ci_high`` (the
    table's bootstrap interval over participants). The participant is the unit
    of the mean; ``n`` beside each group is its ``n_participants``, the
    participants with coded units on either pole (no estimate is drawn for a
    group with none). The caption names the table's ``unit`` and
    ``confidence``. Nothing is recomputed.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"theme": ["response", "response"], "group": ["leader=True", "leader=False"],
    ...                       "mean_balance": [0.4, -0.1], "ci_low": [0.1, -0.5], "ci_high": [0.7, 0.3],
    ...                       "n_participants": [6, 9]})
    >>> figure = balance_plot(frame, poles={"response": ("response.blame", "response.praise")})
    >>> len(figure.axes), [float(x) for x in figure.axes[0].get_xlim()]
    (1, [-1.0, 1.0])
    >>> [t.get_text() for t in figure.axes[0].get_yticklabels()]
    ['leader: yes (n = 6)', 'leader: no (n = 9)']
    >>> sorted(t.get_text() for t in figure.axes[0].texts)
    ['more blame →', '← more praise']
    """
    _check_columns(balance, BALANCE_COLUMNS, "balance")
    themes = list(pd.unique(balance["theme"].astype(str)))
    if theme is not None:
        if theme not in themes:
            raise ArgumentError(f"theme: {theme!r} is not in the balance table; it has "
                                f"{', '.join(map(repr, themes)) or 'no themes'}")
        themes = [theme]
    if not themes:
        raise ArgumentError("balance: the table has no rows; nothing to draw")
    parts = [balance[balance["theme"].astype(str) == name] for name in themes]
    unit = _single(balance, "unit")
    confidence = _single(balance, "confidence")
    counted = f"{UNIT_NAMES.get(str(unit), (str(unit), f'{unit}s'))[1]}" if unit is not None else "units"
    level = f"{float(confidence):.0%}" if confidence is not None else "the table's"
    caption = (f"Dot: the group's mean balance over its n participants with coded {counted} on either pole "
               f"(each participant counts once); line: {level} bootstrap interval over those participants "
               f"(none with fewer than two). Balance = (heavy \N{MINUS SIGN} light) / (heavy + light) of a "
               f"participant's coded {counted}: +1 all heavy, \N{MINUS SIGN}1 all light.")
    with matplotlib.rc_context(_STYLE):
        heights = [max(1, len(part)) * 0.3 + 0.75 for part in parts]
        figure = _new_figure(6.5, sum(heights) + 1.0 + (0.3 if title else 0.0))
        grid = figure.subplots(len(themes), 1, sharex=True, squeeze=False,
                               gridspec_kw={"height_ratios": heights})
        axes: list[Axes] = list(grid[:, 0])
        for ax, name, part in zip(axes, themes, parts):
            y = np.arange(len(part))
            mean = pd.to_numeric(part["mean_balance"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            low = pd.to_numeric(part["ci_low"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            high = pd.to_numeric(part["ci_high"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            ax.axvline(0.0, color="#808080", linewidth=0.8, linestyle="--", zorder=1)
            ax.hlines(y, low, high, color=_POINT_COLOUR, linewidth=1.6, zorder=2, clip_on=False)
            ax.plot(mean, y, "o", color=_POINT_COLOUR, markersize=5, zorder=3, clip_on=False)
            ax.set_yticks(y, [mathtext_safe(f"{group_label(group)} (n = {_count(n)})")
                              for group, n in zip(part["group"], part["n_participants"])])
            ax.set_ylim(len(part) - 0.5, -0.5)
            for row in np.flatnonzero(np.isnan(mean)):
                ax.text(0.03, row, "no estimate: no participant with coded talk", color="#808080", fontsize=7,
                        va="center")
            ax.set_xlim(-1.0, 1.0)
            ax.set_xticks([-1.0, -0.5, 0.0, 0.5, 1.0], ["\N{MINUS SIGN}1", "\N{MINUS SIGN}0.5", "0", "+0.5", "+1"])
            ax.tick_params(axis="x", labelbottom=True)
            ax.set_title(mathtext_safe(labels.get(name, name) if labels else name), loc="left",
                         fontweight="bold")
            ax.grid(axis="x", color="#E5E5E5", linewidth=0.6)
            ax.set_axisbelow(True)
            ends = _theme_poles(balance, name, poles)
            light, heavy = (("light pole", "heavy pole") if ends is None else
                            (f"more {_pole_name(ends[1], labels)}", f"more {_pole_name(ends[0], labels)}"))
            for x, text, align in ((0.0, f"\N{LEFTWARDS ARROW} {light}", "left"),
                                   (1.0, f"{heavy} \N{RIGHTWARDS ARROW}", "right")):
                ax.annotate(_wrap(text, 38), xy=(x, 0.0), xycoords="axes fraction", xytext=(0, -17),
                            textcoords="offset points", ha=align, va="top", multialignment=align, fontsize=7.5,
                            color=_NOTE_COLOUR)
        axes[-1].set_xlabel(BALANCE_XLABEL, labelpad=16)
        if title:
            figure.suptitle(title)
        figure.supxlabel(_wrap(caption, 120), fontsize=7, color=_NOTE_COLOUR)
    return figure
