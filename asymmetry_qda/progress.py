"""Progress bars for long runs: on a terminal and in Jupyter by default, never in a script's log or a pipe.

Examples
--------
>>> bar = progress_bar(3, unit="code", desc="training", progress=False)
>>> bar is None
True
>>> shows_progress(None) in (True, False), shows_progress(True), shows_progress(False)
(True, True, False)
"""

from __future__ import annotations

import sys


def shows_progress(progress: bool | None) -> bool:
    """Whether a run asked for ``progress`` shows a bar: ``None`` means when stderr is a terminal or the code runs
    in an IPython kernel (Jupyter), where tqdm draws a widget; a script writing to a log file gets none."""
    if progress is not None:
        return bool(progress)
    if getattr(sys.stderr, "isatty", lambda: False)():
        return True
    from .errors import _in_ipython

    return _in_ipython() and "ipykernel" in sys.modules


def progress_bar(total: int, *, unit: str, desc: str, progress: bool | None):
    """A ``tqdm.auto`` bar of ``total`` steps, or ``None`` when :func:`shows_progress` says no."""
    if not shows_progress(progress):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit=unit, desc=desc)
