"""The tagger's spaCy components: ``qda_code_matcher`` and ``qda_context``.

Both are registered with ``@Language.factory`` (and as ``spacy_factories``
entry points), take their rules from a codebook through ``add_rules`` or
``initialize(codebook=PATH)`` rather than the pipeline config, and save the
codebook they use with ``to_disk``/``from_disk``.

``qda_code_matcher`` writes every rule match to ``doc.spans["qda"]`` (overlaps
allowed). ``qda_context`` then marks each match as ``negated``, ``anticipated``
(hypothetical, feared or expected) or ``reported`` speech when it lies in the
scope of a trigger from the codebook's ``context:`` section, following ConText:

- a ``forward`` trigger covers the tokens after it, a ``backward`` one the
  tokens before it, ``both`` either side, up to ``max_scope`` tokens (default
  8) and never past the sentence or a ``terminate`` term of the same category;
- a trigger inside a ``pseudo`` phrase ("not only") does not fire;
- a trigger inside the match itself is part of what the rule matched
  ("hasn't gone wrong yet") and does not mark it; but a dependency match's
  span runs from its first matched word to its last and may hold words the
  rule did not match: a trigger among those marks the match when it modifies
  a matched word ("I'd never hang my sergeant out to dry" is negated);
- with a dependency parse, the scope of a forward negation is the subtree of
  the trigger's head (so "Nobody has ever blamed me for it" negates "blamed
  me" however far apart the words are), less any clause coordinated with it
  after the trigger ("nobody knows why, and now it is everywhere"), still cut
  at a terminate term; without a parse it is the token window.

Examples
--------
>>> import spacy
>>> from asymmetry_qda.codebook import parse_codebook
>>> cb = parse_codebook('''
... codebook: {name: Demo, version: "1"}
... context:
...   - {id: neg, category: negated, direction: forward, max_scope: 5, terms: [nobody, never]}
... codes:
...   - {id: blame, label: Blame, definition: Held to account.,
...      rules: [{id: blame.dry, phrase: [hung me out to dry]}]}
... ''')
>>> nlp = spacy.blank("en")
>>> nlp.add_pipe("sentencizer")  # doctest: +ELLIPSIS
<...>
>>> nlp.add_pipe("qda_code_matcher").add_rules(cb)
>>> nlp.add_pipe("qda_context").add_rules(cb)
>>> doc = nlp("Nobody has ever hung me out to dry.")
>>> [(s.text, s._.qda_code, s._.qda_rule, sorted(s._.qda_context)) for s in doc.spans["qda"]]
[('hung me out to dry', 'blame', 'blame.dry', ['negated'])]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..codebook import Codebook, RuleMatcher, load_codebook, parse_codebook
from ..codebook.matching import bound_regex_predicates
from ..sentences import doc_punctuation_sentence_starts
from .extensions import SPANS_KEY, ensure_info, register_extensions

CODEBOOK_FILE = "codebook.yaml"
DEFAULT_MAX_SCOPE = 8
FLAG = {"negated": "negated", "anticipated": "anticipated", "reported": "reported"}

register_extensions()


class _CodebookComponent:
    """Shared rule loading and serialisation: the codebook text is the component's data."""

    codebook: Codebook | None

    def add_rules(self, codebook: Codebook) -> None:
        raise NotImplementedError

    def initialize(self, get_examples=None, *, nlp: Language | None = None, codebook: str | Path | None = None) -> None:
        """Load rules from a codebook file (as ``[initialize.components.NAME] codebook = PATH``)."""
        if codebook is not None:
            self.add_rules(load_codebook(codebook))

    def to_bytes(self, *, exclude=()) -> bytes:
        return (self.codebook.content if self.codebook else "").encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude=()):
        if data:
            self.add_rules(parse_codebook(data.decode("utf-8"), source=f"{self.name} codebook"))
        return self

    def to_disk(self, path: str | Path, *, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / CODEBOOK_FILE).write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, *, exclude=()):
        file = Path(path) / CODEBOOK_FILE
        if file.exists():
            self.from_bytes(file.read_bytes())
        return self


@Language.factory("qda_code_matcher", assigns=["doc.spans"], default_config={"spans_key": SPANS_KEY})
def make_code_matcher(nlp: Language, name: str, spans_key: str) -> "CodeMatcher":
    return CodeMatcher(nlp, name, spans_key=spans_key)


class CodeMatcher(_CodebookComponent):
    """Applies a codebook's phrase, token and dependency rules; matches go to ``doc.spans[spans_key]``."""

    def __init__(self, nlp: Language, name: str = "qda_code_matcher", *, spans_key: str = SPANS_KEY):
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.codebook = None
        self._matcher: RuleMatcher | None = None

    def add_rules(self, codebook: Codebook) -> None:
        """Compile ``codebook``'s rules (replacing any loaded before)."""
        self.codebook = codebook
        self._matcher = RuleMatcher(codebook, self.nlp)

    def __call__(self, doc: Doc) -> Doc:
        if self._matcher is None:
            raise ValueError(f"{self.name}: no rules loaded. Fix: call nlp.get_pipe({self.name!r}).add_rules(codebook) "
                             "or build the pipeline with asymmetry_qda.tagging.build_pipeline(codebook)")
        info = ensure_info(doc)
        spans = []
        for n, match in enumerate(self._matcher(doc)):
            span_id = f"{self.name}:{n}"
            spans.append(Span(doc, match.start, match.end, label=match.code_id, kb_id=match.rule_id,
                              span_id=span_id))
            info[span_id] = {"weight": match.weight, "context": [], "triggers": [], "tokens": match.tokens}
        doc.spans[self.spans_key] = spans
        return doc


@dataclass(frozen=True, slots=True)
class _Trigger:
    trigger_id: str
    flag: str
    direction: str
    start: int
    end: int
    max_scope: int


@Language.factory("qda_context", assigns=["doc.spans"], requires=["doc.spans"],
                  default_config={"spans_key": SPANS_KEY, "use_parse": True})
def make_context(nlp: Language, name: str, spans_key: str, use_parse: bool) -> "ContextMarker":
    return ContextMarker(nlp, name, spans_key=spans_key, use_parse=use_parse)


class ContextMarker(_CodebookComponent):
    """Marks matches in ``doc.spans[spans_key]`` as negated, anticipated or reported (ConText)."""

    def __init__(self, nlp: Language, name: str = "qda_context", *, spans_key: str = SPANS_KEY, use_parse: bool = True):
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.use_parse = use_parse
        self.codebook = None
        self._triggers: dict[str, Any] = {}

    def add_rules(self, codebook: Codebook) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.codebook = codebook
        phrase = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        tokens = Matcher(self.nlp.vocab, validate=True)
        for trigger in codebook.context:
            if trigger.terms:
                phrase.add(trigger.id, [self.nlp.make_doc(term) for term in trigger.terms])
            if trigger.tokens:
                tokens.add(trigger.id, [trigger.tokens])
        bound_regex_predicates(tokens)  # a REGEX is never tried on a huge token (see codebook.matching)
        self._phrase, self._tokens = phrase, tokens
        self._triggers = {t.id: t for t in codebook.context}

    def __call__(self, doc: Doc) -> Doc:
        if self.codebook is None:
            raise ValueError(f"{self.name}: no context triggers loaded. Fix: call "
                             f"nlp.get_pipe({self.name!r}).add_rules(codebook)")
        spans = doc.spans[self.spans_key] if self.spans_key in doc.spans else []
        if not len(spans) or not self._triggers:
            return doc
        triggers, pseudo, terminate = self._find(doc)
        if not triggers:
            return doc
        parsed = self.use_parse and doc.has_annotation("DEP")
        sentence = _sentence_ids(doc)
        info = ensure_info(doc)
        for span in spans:
            record = info.setdefault(span.id_, {"weight": None, "context": [], "triggers": []})
            matched = set(record.get("tokens") or ())
            for trigger in triggers:
                if any(p.start <= trigger.start and trigger.end <= p.end and p.flag == trigger.flag for p in pseudo):
                    continue
                if span.start <= trigger.start and trigger.end <= span.end:
                    if not matched or matched.issuperset(range(trigger.start, trigger.end)):
                        continue  # part of what the rule matched
                    # inside a dependency match's span but not one of its words ("I'd never hang my sergeant
                    # out to dry"): it marks the match when it modifies one of the matched words
                    covers = not parsed or doc[trigger.start:trigger.end].root.head.i in matched
                else:
                    covers = self._covers(doc, trigger, span, terminate, parsed, sentence)
                if covers:
                    if trigger.flag not in record["context"]:
                        record["context"].append(trigger.flag)
                    record["triggers"].append(trigger.trigger_id)
            record["context"].sort()
        return doc

    def _find(self, doc: Doc) -> tuple[list[_Trigger], list[_Trigger], list[_Trigger]]:
        found = []
        for matcher in (self._phrase, self._tokens):
            if len(matcher):
                for match_id, start, end in matcher(doc):
                    t = self._triggers[doc.vocab.strings[match_id]]
                    found.append(_Trigger(t.id, FLAG[t.category], t.direction, start, end,
                                          t.max_scope or DEFAULT_MAX_SCOPE))
        found.sort(key=lambda t: (t.start, -t.end))
        real = [t for t in found if t.direction in ("forward", "backward", "both")]
        # a shorter trigger inside a longer one of the same flag ("not" in "not at all") is the longer one
        real = [t for t in real if not any(o is not t and o.flag == t.flag and o.start <= t.start and t.end <= o.end
                                           and (o.end - o.start) > (t.end - t.start) for o in real)]
        return (real, [t for t in found if t.direction == "pseudo"], [t for t in found if t.direction == "terminate"])

    def _covers(self, doc: Doc, trigger: _Trigger, span: Span, terminate: list[_Trigger], parsed: bool,
                sentence: list[int]) -> bool:
        if sentence[trigger.start] != sentence[span.start]:
            return False
        forward = span.start >= trigger.end
        backward = span.end <= trigger.start
        if (trigger.direction == "forward" and not forward) or (trigger.direction == "backward" and not backward):
            return False
        if not (forward or backward):
            return False
        lo, hi = (trigger.end, span.start) if forward else (span.end, trigger.start)
        if any(t.flag == trigger.flag and lo <= t.start and t.end <= hi for t in terminate):
            return False
        if parsed and trigger.flag == "negated" and forward:
            words = doc[trigger.start:trigger.end]
            # the trigger negates the head of its negation ("I don't buy", "it's not true that": the verb),
            # else the head of the trigger ("nobody", "never")
            negation = [t for t in words if t.dep_ == "neg"]
            head = negation[0].head if negation else words.root.head
            if not head.left_edge.i <= span.start <= head.right_edge.i:
                return False
            # a coordinated clause ("..., and now it's rolled out everywhere") is outside the negation
            return not any(child.dep_ in ("conj", "parataxis") and child.i > trigger.start
                           and child.left_edge.i <= span.start <= child.right_edge.i for child in head.children)
        return hi - lo < trigger.max_scope


def _sentence_ids(doc: Doc) -> list[int]:
    """A sentence number per token: from the pipeline's sentence boundaries when it set them, else by
    punctuation (:func:`~asymmetry_qda.sentences.doc_punctuation_sentence_starts`), so that a pipeline need
    not run a sentencizer over every document just for the few with matches."""
    if doc.has_annotation("SENT_START"):
        starts = [i for i, flag in enumerate(doc.to_array("SENT_START").tolist()) if flag == 1 or i == 0]
    else:
        starts = doc_punctuation_sentence_starts(doc)
    ids, current = [], -1
    boundaries = set(starts)
    for i in range(len(doc)):
        if i in boundaries:
            current += 1
        ids.append(current)
    return ids
