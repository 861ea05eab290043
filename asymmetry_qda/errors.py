"""Every error and warning the toolkit raises, in one place.

A message says *what* went wrong, *where* (file and line, or document id and
offsets), and *how to fix it*. Several problems found in one pass are reported
together in one exception, so a user fixes them all before trying again.

Examples
--------
>>> err = InputError([Problem("talk.txt", "the file is empty", fix="export it again", line=None)])
>>> print(err)
talk.txt: the file is empty. Fix: export it again.
"""

from __future__ import annotations

import itertools
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin


class QDAError(Exception):
    """Base class of every error raised on purpose by asymmetry_qda."""


class ProjectError(QDAError):
    """A project file cannot be created, opened or upgraded."""


class ProjectBusy(ProjectError):
    """Another process held the project's write lock for longer than the writer would wait; nothing was changed."""


class ProjectChanged(ProjectError):
    """Another process changed what a command had read before it could write; nothing was changed, run it again."""


class ProjectReadOnly(ProjectError):
    """The project file or its folder cannot be written: it can be read and exported, not changed."""


class ProjectDamaged(ProjectError):
    """The project file is damaged (cut short, or failing SQLite's checks); it is not written to."""


class StoreError(QDAError):
    """A write would break the project's rules (for example editing an append-only table)."""


class NotFoundError(QDAError, KeyError):
    """An id (document, segment, coding, participant) does not exist in the project."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def not_found_message(where: object, what: str, keys: Iterable[str], known: Iterable[str]) -> str:
    """The message of a :class:`NotFoundError`: the ids ``keys`` of a ``what`` that ``where`` lacks, listing up
    to ten of those it holds (``known``, in the order to show; an eleventh, if given, is shown as "...").

    >>> print(not_found_message("p.qda", "document", ["INT9"], ["INT01", "INT02"]))
    p.qda: no document 'INT9'. Fix: use one of the stored ids (INT01, INT02)
    >>> print(not_found_message("p.qda", "coding", ["c1"], []))
    p.qda: no coding 'c1'. Fix: use one of the stored ids (the project has none yet)
    """
    shown = list(itertools.islice(known, 11))
    listing = ", ".join(shown[:10]) + (" ..." if len(shown) > 10 else "")
    return (f"{where}: no {what} {', '.join(map(repr, keys))}. Fix: use one of the stored ids"
            f"{(' (' + listing + ')') if listing else ' (the project has none yet)'}")


class MissingDependency(QDAError, ImportError):
    """Something asked for needs an optional dependency (an extra) that is not installed.

    Parameters
    ----------
    what : str
        What was asked for, e.g. ``"the review panel"``.
    module : str
        The module that is missing, e.g. ``"ipywidgets"``.
    extra : str
        The extra of asymmetry_qda that installs it, e.g. ``"notebook"``.

    Examples
    --------
    >>> print(MissingDependency("the review panel", "ipywidgets", "notebook"))
    the review panel needs ipywidgets, which is not installed. Fix: pip install 'asymmetry_qda[notebook]'
    """

    def __init__(self, what: str, module: str, extra: str):
        super().__init__(f"{what} needs {module}, which is not installed. Fix: pip install 'asymmetry_qda[{extra}]'")
        self.name = module


class IdentifiersFound(QDAError):
    """An export was refused: the documents still hold likely identifiers nobody has resolved.

    ``findings`` holds the unresolved audit rows. Nothing was written.
    """

    def __init__(self, message: str, findings=None):
        super().__init__(message)
        self.findings = findings


class QDAWarning(UserWarning):
    """Something worth a user's attention that did not stop the work."""


def _show_plainly(message, category, filename, lineno, file=None, line=None):
    """``warnings.showwarning`` in IPython: the toolkit's own warnings as ``QDAWarning: message``, whole, without
    the kernel's temporary file name, line number and echoed source line; every other warning as before."""
    if isinstance(category, type) and issubclass(category, QDAWarning):
        stream = sys.stderr if file is None else file
        try:
            stream.write(f"{category.__name__}: {message}\n")
        except (AttributeError, OSError):  # no stream to write to: a warning is never an error
            pass
        return
    _show_plainly.previous(message, category, filename, lineno, file, line)


def show_warnings_plainly() -> None:
    """Show the toolkit's warnings as ``QDAWarning: message`` (no file, line or source), leaving others alone.

    Called when the package is imported in IPython or Jupyter, where a warning would otherwise begin with the
    kernel's temporary cell file (``/tmp/ipykernel_1234/2455537029.py:3:``) and repeat the cell's source line.
    It wraps :func:`warnings.showwarning` once; ``warnings.catch_warnings`` and warning filters work as
    before. Other warnings (pandas', scikit-learn's...) are shown by the function that was there.

    Examples
    --------
    >>> import io, warnings
    >>> saved = warnings.showwarning
    >>> show_warnings_plainly()
    >>> stream = io.StringIO()
    >>> warnings.showwarning("2 documents were skipped", QDAWarning, "/tmp/ipykernel_1/1.py", 3, stream)
    >>> stream.getvalue()
    'QDAWarning: 2 documents were skipped\\n'
    >>> warnings.showwarning = saved
    """
    if getattr(warnings.showwarning, "__name__", "") == _show_plainly.__name__ and \
            getattr(warnings.showwarning, "__module__", "") == __name__:
        return
    _show_plainly.previous = warnings.showwarning
    warnings.showwarning = _show_plainly


def _in_ipython() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        return shell.get_ipython() is not None
    except Exception:  # pragma: no cover - an IPython too old or half imported
        return False


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input.

    ``source`` is a file name or document id; ``line`` is 1-based when known.
    """

    source: str
    message: str
    fix: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source} line {self.line}" if self.line is not None else self.source
        text = f"{where}: {self.message}"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text if text.endswith(".") else text + "."


class InputError(QDAError):
    """One or more inputs (transcripts, attribute tables, options) are unusable.

    All problems found are listed; nothing was written to the project.
    """

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems; nothing was written:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class ArgumentError(InputError, ValueError):
    """A function or command was called with an option it does not accept; the message lists what it does.

    An :class:`InputError` (the option is one more unusable input: ``except InputError`` catches it) and a
    :class:`ValueError` (what Python code expects of a bad argument). Give it a message, or one or more
    :class:`Problem` records whose ``source`` is the option's name; :func:`check_option` raises it.

    >>> print(ArgumentError("window=-1: a window counts neighbouring units, 0 or more"))
    window=-1: a window counts neighbouring units, 0 or more
    >>> isinstance(ArgumentError("x"), InputError) and isinstance(ArgumentError("x"), ValueError)
    True
    """

    def __init__(self, problems: str | list[Problem] | Problem):
        if isinstance(problems, str):
            self.problems = [Problem("argument", problems)]
            QDAError.__init__(self, problems)  # the message as written: it already names the option
        else:
            super().__init__(problems)


def choices(allowed: Any) -> tuple:
    """The values an option accepts: the arguments of a :data:`typing.Literal` type, or ``allowed`` as a tuple.

    >>> choices(Literal["sentence", "turn"])
    ('sentence', 'turn')
    >>> choices(("a", "b"))
    ('a', 'b')
    """
    if get_origin(allowed) is Literal:
        return get_args(allowed)
    if isinstance(allowed, str) or not isinstance(allowed, Iterable):
        raise TypeError(f"allowed must be a Literal type or a collection of values, not {allowed!r}")
    return tuple(allowed)


def check_option(name: str, value: Any, allowed: Any, *, fix: str | None = None) -> Any:
    """``value`` if it is one of ``allowed``; else an :class:`ArgumentError` naming the option and its choices.

    The one check of a string option: a function declares its option with a :data:`typing.Literal` type and
    passes that type here, so the signature, the docs and the check name the same values.

    Parameters
    ----------
    name : str
        The option's name, as the caller spells it (``"unit"``).
    value : object
        What the caller passed.
    allowed : Literal type or collection
        The values accepted, in the order the message lists them.
    fix : str, optional
        How to fix a wrong value; by default, "pass one of them as ``name=``".

    Returns
    -------
    object
        ``value``, unchanged.

    Raises
    ------
    ArgumentError
        When ``value`` is not one of ``allowed``.

    Examples
    --------
    >>> Unit = Literal["sentence", "turn"]
    >>> check_option("unit", "turn", Unit)
    'turn'
    >>> check_option("unit", "paragraph", Unit)
    Traceback (most recent call last):
    ...
    asymmetry_qda.errors.ArgumentError: unit: 'paragraph' is not one of: sentence, turn. Fix: pass one of them as unit=.
    """
    values = choices(allowed)
    try:
        accepted = value in values
    except (TypeError, ValueError):  # an unhashable value in a set, or an array without one truth value
        accepted = False
    if not accepted:
        raise ArgumentError(Problem(name, f"{value!r} is not one of: {', '.join(map(str, values))}",
                                    fix=fix or f"pass one of them as {name}="))
    return value


class NotATranscript(InputError):
    """A file with a transcript's extension that holds something else (a ``.json`` of settings): an error when
    the user names the file, skipped and listed when a folder search finds it."""
