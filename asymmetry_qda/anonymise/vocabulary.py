"""The words the anonymisation audit knows, read from the word lists packaged in ``anonymise/data/``.

Every list is a text file, one entry per line; blank lines and lines whose
first non-blank character is ``#`` are left out, and entries are stripped.
The files are read through :mod:`importlib.resources`, so an installed wheel
reads its own copies:

* ``vocabulary.txt``: :data:`STUDY_VOCABULARY`, the words and names of the
  study's world that identify no one (oversight bodies, the study's force and
  area, roles, systems, events, vehicles, forms of address). It is the default
  of ``vocabulary=`` of :func:`~asymmetry_qda.anonymise.audit.audit_texts` and
  :func:`~asymmetry_qda.anonymise.patterns.scan_patterns`; another study passes
  its own list, for example ``vocabulary=read_word_list("our_vocabulary.txt")``.
* ``ranks.txt``, ``rank_abbreviations.txt``, ``rank_words.txt``: ranks and
  titles that precede a name, and the other words of rank talk.
* ``stopwords.txt``, ``after_rank.txt``, ``place_stopwords.txt``,
  ``court_words.txt``, ``generic_words.txt``, ``leading_words.txt``,
  ``label_words.txt``: words that are never a name or a place, in the
  positions each file's header describes.
* ``months.txt``, ``month_abbreviations.txt``, ``weekdays.txt``,
  ``ordinals.txt``: the calendar words the date rules are built from.

Each file's order is kept (the rules' patterns, and so the audit's
fingerprint, follow it). :class:`Vocabulary` compiles one vocabulary for an
audit; :class:`Terms` finds fixed terms in a text.

Examples
--------
>>> "IOPC" in STUDY_VOCABULARY and "Gold commander" in STUDY_VOCABULARY
True
>>> vocabulary = Vocabulary.of(("Gold commander", "IOPC"))
>>> list(vocabulary.phrases.finditer("the gold  commander rang the IOPC"))
[(4, 19)]
>>> sorted(vocabulary.tokens)
['iopc']
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from ..errors import ArgumentError, InputError, NotFoundError, Problem

__all__ = ["STUDY_VOCABULARY", "Terms", "Vocabulary", "compile_vocabulary", "packaged_word_list", "read_word_list"]

_DATA = "data"  # asymmetry_qda/anonymise/data/*.txt


def _entries(text: str) -> tuple[str, ...]:
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def read_word_list(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """The entries of a word-list file, in order: one per line, stripped, without blank and ``#`` lines.

    Parameters
    ----------
    path
        A UTF-8 text file laid out like the packaged lists (see
        :func:`packaged_word_list`).

    Returns
    -------
    tuple of str
        The entries, to pass as ``vocabulary=`` (or ``allow=``, ``deny=``) to
        :func:`~asymmetry_qda.anonymise.audit.audit_texts`.

    Raises
    ------
    asymmetry_qda.errors.InputError
        The file cannot be read or is not UTF-8 text.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "vocabulary.txt"
    >>> _ = path.write_text("# our study\\nGold commander\\n\\n  IOPC  \\n", encoding="utf-8")
    >>> read_word_list(path)
    ('Gold commander', 'IOPC')
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InputError(Problem("path", f"a word list is read from a file path, not a {type(path).__name__}",
                                 fix="pass the list's file name, or pass the words themselves as a list"))
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(Problem(str(path), f"the word list cannot be read ({error})",
                                 fix="give a UTF-8 text file with one entry per line")) from None
    return _entries(text)


@functools.cache
def packaged_word_list(name: str) -> tuple[str, ...]:
    """The entries of the packaged word list ``name`` (``"vocabulary.txt"``, ``"ranks.txt"`` ...), in order.

    >>> packaged_word_list("weekdays.txt")[:2]
    ('Monday', 'Tuesday')
    """
    source: Traversable = resources.files(__package__).joinpath(_DATA, name)
    if not source.is_file():
        raise NotFoundError(f"the packaged word list {_DATA}/{name} of asymmetry_qda.anonymise is missing. "
                            "Fix: reinstall asymmetry-qda from a wheel or an sdist")
    return _entries(source.read_text(encoding="utf-8"))


def check_terms(name: str, value: Any, *, example: str = "Okafor") -> tuple[str, ...]:
    """``value`` as a tuple of stripped strings; an :class:`~asymmetry_qda.errors.ArgumentError` naming ``name``
    if it is not a list of non-empty strings."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ArgumentError(f"{name} must be a list of strings (for example {name}=[{example!r}]), "
                            f"not {type(value).__name__}")
    terms = tuple(value)
    bad = [t for t in terms if not isinstance(t, str) or not t.strip()]
    if bad:
        raise ArgumentError(f"{name} holds {bad[0]!r}; every entry must be a non-empty string")
    return tuple(t.strip() for t in terms)


def key(word: str) -> str:
    """The form a word is looked up in the lists: case-folded, without trailing ``.`` or ``,``, straight quotes."""
    return word.casefold().rstrip(".,").replace("’", "'")


def _frozen(name: str) -> frozenset[str]:
    return frozenset(packaged_word_list(name))


#: Words and names of the study's world that identify no one; never reported (whole words, any case). A
#: finding whose identifying part lies wholly inside these is dropped ("Gold commander"), except that a single
#: word after a rank is read as a surname ("Sergeant Gold"). Read from ``data/vocabulary.txt``.
STUDY_VOCABULARY: tuple[str, ...] = packaged_word_list("vocabulary.txt")

#: Ranks and titles written out (matched in any case), and abbreviated (matched only as written).
RANK_WORDS: tuple[str, ...] = packaged_word_list("ranks.txt")
RANK_ABBREVIATIONS: tuple[str, ...] = packaged_word_list("rank_abbreviations.txt")
#: Every word of a rank, lower case, and the other words of rank talk: never a name after a rank, nor a place.
RANK_TOKENS: frozenset[str] = frozenset(
    t.casefold().rstrip(".") for w in (*RANK_WORDS, *RANK_ABBREVIATIONS) for t in re.split(r"[\s/]+", w)
) | _frozen("rank_words.txt")
#: Capitalised words that are never part of a name or place (sentence starts, fillers, pronouns).
STOPWORDS: frozenset[str] = _frozen("stopwords.txt")
#: Words that follow a rank without being a name ("Inspector exam", "Sergeant's course").
AFTER_RANK: frozenset[str] = _frozen("after_rank.txt")
#: First words that make "X station", "X Road", "based at X" generic ("Fire station", "Retail Park").
PLACE_STOP: frozenset[str] = _frozen("place_stopwords.txt")
#: Words that make "X Court" a court ("Crown Court").
COURT_WORDS: frozenset[str] = _frozen("court_words.txt")
#: Words of generic places and bodies ("court", "park", "team"): see :attr:`Vocabulary.generic`.
GENERIC_WORDS: frozenset[str] = _frozen("generic_words.txt")
#: Determiners dropped from the start of a named entity.
LEADING_WORDS: frozenset[str] = _frozen("leading_words.txt")
#: Words of speaker labels that name no one ("Interviewer", "Researcher").
LABEL_WORDS: frozenset[str] = _frozen("label_words.txt")

#: The calendar: months (May among them), abbreviated months, weekdays, and ordinals written out.
MONTHS: tuple[str, ...] = packaged_word_list("months.txt")
MONTH_ABBREVIATIONS: tuple[str, ...] = packaged_word_list("month_abbreviations.txt")
WEEKDAYS: tuple[str, ...] = packaged_word_list("weekdays.txt")
ORDINALS: tuple[str, ...] = packaged_word_list("ordinals.txt")
CALENDAR: frozenset[str] = frozenset(w.casefold() for w in (*MONTHS, *MONTH_ABBREVIATIONS, *WEEKDAYS))

#: Words after a rank that are not a surname. Single vocabulary words and months are not among them:
#: "Sergeant Gold" and "Inspector May" are read as names.
NAME_STOP: frozenset[str] = STOPWORDS | RANK_TOKENS | AFTER_RANK


class Terms:
    """Whole-word, case-insensitive occurrences of fixed terms, longest first.

    One regular expression per first letter, tried only where a word starts:
    a single alternation of every term is many times slower.

    >>> list(Terms(["Gold", "Gold commander"]).finditer("Ask the gold commander."))
    [(8, 22)]
    """

    _STARTS = re.compile(r"(?<!\w)\w|[^\w\s]")

    def __init__(self, terms: Iterable[str]):
        groups: dict[str, list[str]] = {}
        for term in sorted({t for t in terms if t}, key=len, reverse=True):
            groups.setdefault(term[0].casefold(), []).append(term)
        self.by_first = {first: re.compile("|".join(self._pattern(t) for t in ts), re.IGNORECASE)
                         for first, ts in groups.items()}

    @staticmethod
    def _pattern(term: str) -> str:
        body = r"\s+".join(re.escape(w) for w in term.split())
        body = re.sub(r"(?:\\)?['’]", "['’]", body)
        left = r"(?<!\w)" if re.match(r"\w", term) else ""
        right = r"(?!\w)" if re.search(r"\w$", term) else ""
        return f"{left}{body}{right}"

    def __bool__(self) -> bool:
        return bool(self.by_first)

    def finditer(self, text: str) -> Iterator[tuple[int, int]]:
        """``(start, end)`` of each occurrence, left to right, not overlapping."""
        end = 0
        for start in self._STARTS.finditer(text):
            pos = start.start()
            regex = self.by_first.get(text[pos].casefold())
            if pos < end or regex is None:
                continue
            m = regex.match(text, pos)
            if m is not None and m.end() > pos:
                end = m.end()
                yield pos, end


class Vocabulary:
    """A study's vocabulary compiled for the audit; build it with :meth:`of`, which keeps the last few.

    Attributes
    ----------
    terms
        The entries as given.
    phrases, words
        :class:`Terms` of the entries with a space ("Gold commander") and of
        the single words ("IOPC"). Text inside a phrase is never reported;
        text inside a single word is not reported either, except as a surname
        after a rank.
    tokens
        The single words, case-folded.
    not_a_name
        Words that are no part of a name: :data:`NAME_STOP`, :attr:`tokens`
        and the calendar.
    generic
        Words of generic places and bodies: :attr:`not_a_name`,
        :data:`PLACE_STOP`, :data:`COURT_WORDS` and :data:`GENERIC_WORDS`.
    """

    __slots__ = ("generic", "not_a_name", "phrases", "terms", "tokens", "words")

    def __init__(self, terms: Iterable[str]):
        self.terms: tuple[str, ...] = tuple(terms)
        self.phrases = Terms(t for t in self.terms if " " in t)
        self.words = Terms(t for t in self.terms if " " not in t)
        self.tokens: frozenset[str] = frozenset(t.casefold() for t in self.terms if " " not in t)
        self.not_a_name: frozenset[str] = NAME_STOP | self.tokens | CALENDAR
        self.generic: frozenset[str] = self.not_a_name | PLACE_STOP | COURT_WORDS | GENERIC_WORDS

    @staticmethod
    @functools.lru_cache(maxsize=8)
    def of(terms: tuple[str, ...] = STUDY_VOCABULARY) -> "Vocabulary":
        """The compiled vocabulary of ``terms`` (default :data:`STUDY_VOCABULARY`), compiled once per tuple."""
        return Vocabulary(terms)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self.terms)} terms)"


def compile_vocabulary(vocabulary: Iterable[str] | None) -> Vocabulary:
    """The compiled form of a ``vocabulary=`` option: ``None`` for :data:`STUDY_VOCABULARY`, or a list of terms.

    Raises :class:`~asymmetry_qda.errors.ArgumentError` if the list holds a blank or a non-string.

    >>> compile_vocabulary(None) is compile_vocabulary(None)
    True
    >>> sorted(compile_vocabulary(["IOPC", " Gold commander "]).tokens)
    ['iopc']
    """
    if vocabulary is None:
        return Vocabulary.of()
    return Vocabulary.of(check_terms("vocabulary", vocabulary, example="IOPC"))
