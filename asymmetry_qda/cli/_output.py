"""What the command line prints and writes, and how it ends: ``--json``, ``--quiet``, errors and exit codes.

An error the user can fix (:class:`~asymmetry_qda.errors.QDAError`, a full disk, a locked project...) prints
one message and exits with :data:`EXIT_USAGE`; any other exception is a bug: a short note and
:data:`EXIT_INTERNAL`, with the traceback only under ``--debug``. Ctrl-C exits with
:data:`EXIT_INTERRUPTED` and says what was kept.

Examples
--------
>>> from pathlib import Path
>>> jsonable({"path": Path("out.csv"), "counts": (1, 2)})
{'path': 'out.csv', 'counts': [1, 2]}
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import traceback
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import QDAError, QDAWarning
from ..escaping import neutralise_formulas
from ..fileio import write_atomically

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

#: Commands whose ``--out`` names a folder, not a file.
_FOLDER_OUTPUTS = {"tables", "reproduce"}


def say(args: argparse.Namespace, message: str) -> None:
    """Print ``message`` unless ``--quiet`` (or it is empty)."""
    if not args.quiet and message:
        print(message)


def emit(args: argparse.Namespace, message: str, result: Any) -> None:
    """Print ``result`` as JSON with ``--json``, else ``message`` (unless ``--quiet``)."""
    if getattr(args, "json", False):
        print(json.dumps(jsonable(result), indent=2, ensure_ascii=False))
    else:
        say(args, message)


def jsonable(value: Any) -> Any:
    """Plain JSON values from a command's result (dataclasses, frames, paths...)."""
    import dataclasses

    import pandas as pd

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name != "codebook"}
    if isinstance(value, pd.DataFrame):
        return json.loads(value.to_json(orient="records"))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def write_csv(args: argparse.Namespace, frame: pd.DataFrame, what: str) -> None:
    """Write ``frame`` to ``args.out`` (``-`` for standard output) without the index, never half-written.

    Text cells a spreadsheet would read as a formula get a leading ``'`` (see :mod:`asymmetry_qda.escaping`).
    """
    frame = neutralise_formulas(frame)
    if args.out == "-":
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    write_atomically(Path(args.out), lambda handle: frame.to_csv(handle, index=False, lineterminator="\n"))
    say(args, f"wrote {len(frame)} {what} to {args.out}")


def write_side_csv(path: str, frame: pd.DataFrame) -> None:
    """Write a second table (``--disagreements``, ``--errors``...) to the file ``path``, like :func:`write_csv`."""
    write_atomically(Path(path),
                     lambda handle: neutralise_formulas(frame).to_csv(handle, index=False, lineterminator="\n"))


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before any work, an output that would replace a project, a journal, a key or a folder."""
    from ..fileio import refuse_to_replace

    for name in ("out", "disagreements", "errors", "learning_curve"):
        value = getattr(args, name, None)
        if not isinstance(value, str) or value == "-":
            continue
        path = Path(value)
        if name == "out" and args.command in _FOLDER_OUTPUTS:
            if path.exists() and not path.is_dir():
                raise QDAError(f"{path}: is a file, not a folder; nothing was written. Fix: --out names a folder "
                               "to write the tables into, e.g. --out tables/")
            continue
        for other in ("project", "key", "plan", "destination", "file", "source"):
            given = getattr(args, other, None)
            if isinstance(given, str) and given != "-" and Path(given).resolve() == path.resolve():
                raise QDAError(f"{path}: is also the command's {other}, which the output would destroy; nothing "
                               "was written. Fix: give the output another name (a new file)")
        refuse_to_replace(path)  # codebook import-qdc --force too: it replaces a YAML file, never a project or key


def run(args: argparse.Namespace) -> int:
    """Run the parsed command ``args.run(args)`` and turn how it ended into messages and an exit status.

    Parameters
    ----------
    args : argparse.Namespace
        What :func:`~asymmetry_qda.cli.build_parser` parsed, with the handler in ``run``.

    Returns
    -------
    int
        The handler's status, :data:`EXIT_USAGE` after an error the user can fix, :data:`EXIT_INTERNAL`
        after a bug, :data:`EXIT_INTERRUPTED` after Ctrl-C, or 0 when standard output was closed early.
    """
    from ..store.sqlite import Store

    logger = logging.getLogger("asymmetry_qda")
    handler = _StderrNotes(logging.WARNING)
    if not args.quiet:
        logger.addHandler(handler)
    commits = Store.commits
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QDAWarning)
        try:
            check_outputs(args)
            status = args.run(args)
            sys.stdout.flush()
        except QDAError as exc:
            if args.debug:
                traceback.print_exc()
            print(f"error: {exc}", file=sys.stderr)
            status = EXIT_USAGE
        except KeyboardInterrupt:
            print(_interrupted_message(Store.commits - commits), file=sys.stderr)
            status = EXIT_INTERRUPTED
        except BrokenPipeError:  # e.g. `--out - | head`: the reader has all it wanted
            _quiet_stdout()
            status = 0
        except Exception as exc:  # noqa: BLE001 (never a bare traceback for users)
            if args.debug:
                traceback.print_exc()
            known = _situational(exc, args)
            if known is not None:
                print(f"error: {known}", file=sys.stderr)
                status = EXIT_USAGE
            else:
                print(f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in asymmetry_qda; run the same "
                      "command with --debug and report the traceback.", file=sys.stderr)
                status = EXIT_INTERNAL
        finally:
            logger.removeHandler(handler)
    seen = set()
    for w in caught:
        if issubclass(w.category, QDAWarning) or args.debug:
            text = str(w.message)
            if text not in seen and not args.quiet:
                seen.add(text)
                print(f"warning: {text}", file=sys.stderr)
    return status


def _situational(exc: BaseException, args: argparse.Namespace) -> QDAError | None:
    """The toolkit's own message for a failure caused by the user's situation, not by a bug."""
    import errno
    import sqlite3

    from ..store.sqlite import translate_sqlite_error

    if not isinstance(exc, sqlite3.Error) and isinstance(exc.__cause__, sqlite3.Error):
        exc = exc.__cause__  # pandas' read_sql wraps SQLite's own error (pandas.errors.DatabaseError)
    if isinstance(exc, sqlite3.Error):
        return translate_sqlite_error(exc, getattr(args, "project", None) or "the project", "do this")
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES,
                                                  errno.EPERM, errno.EISDIR, errno.ENOTDIR, errno.ENOENT):
        where = exc.filename or getattr(args, "project", None) or "a file"
        return QDAError(f"{where}: {exc.strerror or exc}. Fix: check the path, its permissions and the free space "
                        "on its disk, then run the command again")
    return None


def _interrupted_message(commits: int) -> str:
    """What Ctrl-C left behind, given how many writes of the command had been committed."""
    if commits:
        return (f"interrupted: {commits} write(s) of this command had already been committed and are kept; the "
                "write in progress, if any, was rolled back. Run the same command again to finish (what is "
                "already there is not added twice)")
    return "interrupted: nothing was committed, the project is as it was"


class _StderrNotes(logging.Handler):
    """The library's log warnings (e.g. waiting for another writer) as notes on standard error, at once."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"note: {record.getMessage()}", file=sys.stderr, flush=True)


def _quiet_stdout() -> None:
    """After a broken pipe: point standard output at /dev/null so the interpreter's final flush stays quiet."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
