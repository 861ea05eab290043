"""Option declarations shared by several commands: one place for each flag's wording, default and type.

Every command module registers its sub-parser(s) with these helpers, so a flag that several commands take
(``--pipeline``, ``--allow-identifiers``, a comma-separated ``--coders``...) is declared once and reads the same
everywhere.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="demo")
>>> add_pipeline(parser)
>>> add_list(parser, "--coders", help="whose codings")
>>> parser.parse_args(["--coders", "LT, MK,,"])
Namespace(pipeline='auto', coders=['LT', 'MK'])
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass

#: The ``commands`` object of ``ArgumentParser.add_subparsers()``, to which each command module adds its parsers.
Commands = argparse._SubParsersAction  # argparse has no public name for it


@dataclass(frozen=True)
class Parents:
    """The parent parsers whose options several commands share (argparse's ``parents=``).

    Attributes
    ----------
    common : argparse.ArgumentParser
        ``--debug`` and ``--quiet``, which every parser takes.
    as_json : argparse.ArgumentParser
        ``--json``, for commands whose result can be printed as JSON.
    guarded : argparse.ArgumentParser
        ``--allow-identifiers``, for commands that write document text out of the project.
    """

    common: argparse.ArgumentParser
    as_json: argparse.ArgumentParser
    guarded: argparse.ArgumentParser


#: A function that adds one command's sub-parser to ``commands``, with the shared ``parents``.
AddCommand = Callable[[Commands, Parents], None]


def make_parents() -> Parents:
    """New parent parsers for one :func:`~asymmetry_qda.cli.build_parser` call.

    Returns
    -------
    Parents
        The shared ``--debug``/``--quiet``, ``--json`` and ``--allow-identifiers`` declarations.

    Examples
    --------
    >>> make_parents().common.parse_args(["--quiet"])
    Namespace(debug=False, quiet=True)
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show a full traceback on errors")
    common.add_argument("--quiet", action="store_true", help="print only errors")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print the result as JSON for scripts")
    guarded = argparse.ArgumentParser(add_help=False)
    guarded.add_argument("--allow-identifiers", action="store_true",
                         help="write even though the anonymisation audit has unresolved high-severity findings "
                              "(for files that stay with the team; a warning says how many)")
    return Parents(common=common, as_json=as_json, guarded=guarded)


class CommaList(list[str]):
    """The items of a comma-separated option (a list), with ``text``, the option as typed, for messages."""

    text: str = ""


def comma_list(text: str) -> CommaList:
    """The argparse ``type`` of a comma-separated option: its items, stripped, without empty ones.

    Parameters
    ----------
    text : str
        What the user typed, e.g. ``"LT, MK"``.

    Returns
    -------
    CommaList
        The items in the order given (an empty list for ``""``, or for only commas and spaces), with
        ``text`` as typed.

    Examples
    --------
    >>> items = comma_list("LT, MK,,RS ")
    >>> items, items.text
    (['LT', 'MK', 'RS'], 'LT, MK,,RS ')
    >>> comma_list("")
    []
    """
    items = CommaList(item.strip() for item in text.split(",") if item.strip())
    items.text = text
    return items


def comma_list_or_none(text: str) -> CommaList | None:
    """:func:`comma_list`, except that an empty value (``--coders ""``) stands for the option's absence: ``None``.

    Examples
    --------
    >>> comma_list_or_none("") is None, comma_list_or_none(" , ")
    (True, [])
    """
    return comma_list(text) if text else None


def add_list(parser: argparse.ArgumentParser, flag: str, *, help: str, metavar: str = "LIST",
             default: str | None = None, required: bool = False, blank_means_unset: bool = False) -> None:
    """Add a comma-separated option, parsed by :func:`comma_list` (a string ``default`` is parsed too).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser.
    flag : str
        The option, e.g. ``"--coders"``.
    help : str
        Its help text.
    metavar : str, default "LIST"
        How the help shows its value.
    default : str or None, default None
        The value when the option is not given (``None``: the option's value is ``None``).
    required : bool, default False
        Whether the option must be given.
    blank_means_unset : bool, default False
        Whether an empty value (``""``, e.g. from an empty shell variable) gives ``None``, as if the option
        were not given (:func:`comma_list_or_none`), instead of an empty list (for a filter whose absence
        means "all", where an empty list would keep nothing).
    """
    parser.add_argument(flag, type=comma_list_or_none if blank_means_unset else comma_list, default=default,
                        required=required, metavar=metavar, help=help)


class _DeprecatedFlag(argparse.Action):
    """An old flag that still works for one release: it stores under the new flag's name and says so on stderr."""

    def __init__(self, option_strings, dest, *, instead: str, **kwargs):
        self.instead = instead
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"warning: {option_string} is deprecated and will be removed in the next release; use {self.instead}",
              file=sys.stderr)
        setattr(namespace, self.dest, values)


def add_pipeline(parser: argparse.ArgumentParser, *, default: str = "auto") -> None:
    """Add ``--pipeline``, the spaCy pipeline a command loads, with the one wording every command shares.

    ``--model``, its old name, still works for this release (with a warning on standard error).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser.
    default : str, default "auto"
        ``"auto"`` (the first trained pipeline installed, else blank), ``"blank"``, or a package name.
    """
    parser.add_argument("--pipeline", default=default, help="spaCy pipeline: auto (best installed, else blank), "
                                                            f"blank, or a package name (default {default})")
    parser.add_argument("--model", dest="pipeline", action=_DeprecatedFlag, instead="--pipeline",
                        help="deprecated: the old name of --pipeline")


def add_project(parser: argparse.ArgumentParser, *, help: str | None = None) -> None:
    """Add the ``PROJECT`` positional argument, the project file a command works on."""
    parser.add_argument("project", metavar="PROJECT", help=help)


def add_action(actions: Commands, parents: Parents, command: str, name: str, *, help: str, example: str,
               run: Callable) -> argparse.ArgumentParser:
    """Add the action ``asymmetry-qda COMMAND NAME PROJECT ...`` of a command group, with ``--json``.

    Parameters
    ----------
    actions : Commands
        The group's ``add_subparsers()`` object.
    parents : Parents
        The shared parent parsers.
    command : str
        The group's command, e.g. ``"codes"``.
    name : str
        The action, e.g. ``"rename"``.
    help : str
        One line saying what it does (also its description).
    example : str
        An example command line after ``asymmetry-qda COMMAND``.
    run : callable
        The handler, given the parsed arguments.
    """
    parser = actions.add_parser(name, parents=[parents.common, parents.as_json], help=help,
                                description=help[0].upper() + help[1:] + ".",
                                epilog=f"Example: asymmetry-qda {command} {example}")
    add_project(parser)
    parser.set_defaults(run=run)
    return parser


def add_author(parser: argparse.ArgumentParser, *, kept: str) -> None:
    """Add ``--by`` (required) and ``--reason``: who makes a change to the project, and why.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The action's parser.
    kept : str
        Where both are kept, e.g. ``"with the version"``.
    """
    parser.add_argument("--by", required=True, help=f"who makes the change (name or initials), kept {kept}")
    parser.add_argument("--reason", default=None, help=f"why, kept {kept}")
