"""The figure every figure function returns, and its files: :class:`QDAFigure`, :func:`figure_bytes`,
:func:`save_figure`.

The files are byte-identical for the same figure, whatever the date or the software versions' metadata.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..errors import ArgumentError
from ..fileio import write_bytes_atomically

__all__ = ["QDAFigure", "figure_bytes", "save_figure"]

_DPI = 150
_SCREEN_DPI = 100  # the size Jupyter shows a figure at, as matplotlib's inline backend does


#: The style every figure is built and saved under (bundled font, so output does not depend on the machine).
_STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.facecolor": "white",
    "figure.dpi": 100,
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "path.simplify": True,
    "image.interpolation": "nearest",
}
_SAVE_STYLE: dict[str, Any] = {**_STYLE, "svg.hashsalt": "asymmetry_qda", "svg.fonttype": "path",
                               "svg.id": None, "svg.image_inline": True}


class QDAFigure(Figure):
    """A matplotlib :class:`~matplotlib.figure.Figure` that Jupyter displays without ``%matplotlib``.

    IPython draws a plain Figure only once pyplot's inline backend has registered a
    formatter for it; this one carries ``_repr_png_``, the same 150 dpi PNG that
    :func:`figure_bytes` writes (shown at 100 pixels per inch, like the inline
    backend), so ``fig`` as a cell's last expression and ``display(fig)`` both work.
    Where a formatter for Figure is registered (``%matplotlib inline``), that one is
    used as for any figure. Nothing else differs from Figure.

    Notes
    -----
    Computes no number: a figure of this module's drawing functions, which say
    what they plot and from which table. ``_repr_png_`` renders it with
    :func:`figure_bytes` (150 dpi PNG) and asks Jupyter to show it at 100
    pixels per inch.
    """

    def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
        (_, data), = figure_bytes(self, "figure", formats=("png",))
        width, height = self.get_size_inches()
        return data, {"width": round(width * _SCREEN_DPI), "height": round(height * _SCREEN_DPI)}


def _new_figure(width: float, height: float, *, layout: str | None = "constrained") -> QDAFigure:
    figure = QDAFigure(figsize=(width, height), layout=layout)
    if layout == "constrained":
        figure.get_layout_engine().set(w_pad=0.08, h_pad=0.06)
    FigureCanvasAgg(figure)
    return figure


def figure_bytes(fig: Figure, name: str, *, formats: Sequence[str] = ("png", "svg")) -> list[tuple[str, bytes]]:
    """``[(f"{name}.png", bytes), (f"{name}.svg", bytes)]``: the same figure gives the same bytes every run.

    No dates or software versions are written; PNG is 150 dpi, SVG text is drawn as paths with fixed ids.
    Saving a figure again (or after Jupyter showed it) gives the same bytes as the first time.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    name : str
        The file name without its suffix.
    formats : sequence of str, default ("png", "svg")
        The formats written, in order.

    Returns
    -------
    list of (str, bytes)
        One ``(file name, content)`` per format, in the order asked.

    Notes
    -----
    Computes no number: the figure rendered by matplotlib's Agg (PNG at 150
    dpi) and SVG backends, without dates or software versions, SVG text as
    paths and clip-path ids renumbered, so the same figure gives the same bytes.
    """
    allowed = ("png", "svg")
    chosen = [str(fmt).lower().lstrip(".") for fmt in ([formats] if isinstance(formats, str) else formats)]
    wrong = [fmt for fmt in chosen if fmt not in allowed]
    if wrong or not chosen:
        raise ArgumentError(f"formats: {formats!r} is not accepted; use one or more of {', '.join(allowed)}")
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    with matplotlib.rc_context(_SAVE_STYLE):
        # settle the layout at the saved resolution first: the first layout of a figure with a colour bar and
        # square cells moves the axes a little again at the next draw, so the first file would differ from the next
        screen = fig.dpi
        fig.set_dpi(_DPI)
        try:
            fig.draw_without_rendering()
        finally:
            fig.set_dpi(screen)
    made = []
    for fmt in dict.fromkeys(chosen):
        buffer = io.BytesIO()
        metadata: dict[str, Any] = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
        with matplotlib.rc_context(_SAVE_STYLE):
            fig.savefig(buffer, format=fmt, dpi=_DPI, metadata=metadata)
        data = buffer.getvalue()
        made.append((f"{name}.{fmt}", _number_clip_ids(data) if fmt == "svg" else data))
    return made


_CLIP_ID = re.compile(rb"\bp[0-9a-f]{10}\b")


def _number_clip_ids(svg: bytes) -> bytes:
    """Clip-path ids renumbered in order of first appearance (``clip0``, ``clip1``...).

    Matplotlib hashes each clip rectangle's float bounds into its id, and the
    constrained-layout solver can differ in the last bit of those bounds from
    one Python process to the next (hash seeds), so the ids would change while
    the drawing does not.
    """
    order: dict[bytes, bytes] = {}
    return _CLIP_ID.sub(lambda m: order.setdefault(m.group(0), b"clip%d" % len(order)), svg)


def save_figure(fig: Figure, path_without_suffix: Path | str, *,
                formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``<path>.png`` and ``<path>.svg`` (see :func:`figure_bytes`), each file atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path_without_suffix : str or pathlib.Path
        A trailing ``.png``/``.svg`` on the path is dropped. The folder must exist.
    formats : sequence of str, default ("png", "svg")
        The formats written.

    Returns
    -------
    list of pathlib.Path
        Returns the paths.

    Notes
    -----
    Computes no number: writes the bytes of :func:`figure_bytes` (PNG at 150
    dpi, SVG), one file per format, each written atomically.
    """
    base = Path(path_without_suffix)
    if base.suffix.lower() in (".png", ".svg"):
        base = base.with_suffix("")
    return [write_bytes_atomically(base.with_name(name), content)
            for name, content in figure_bytes(fig, base.name, formats=formats)]
