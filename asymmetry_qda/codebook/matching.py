"""Compiling a codebook's rules into spaCy matchers, and running them on a ``Doc``.

One :class:`RuleMatcher` holds a ``PhraseMatcher`` per match attribute, a
``Matcher`` for token rules and a ``DependencyMatcher`` for dependency rules.
Every match keeps the id of the rule that made it. Dependency rules need a
parsed document, and token rules that test LEMMA, POS, TAG, MORPH or DEP need
those annotations; on a document without them (a blank pipeline) such rules
are skipped with one warning naming the skipped rule ids. Lemma phrase rules
need a lemmatizer; without one they fall back to lower-case matching, with one
warning.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import QDAWarning
from .model import Codebook, Rule

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """One rule firing: ``doc.text[start_char:end_char]`` is the matched text."""

    rule_id: str
    code_id: str
    start: int  # token index
    end: int    # token index, exclusive
    start_char: int
    end_char: int
    weight: float


#: Token-pattern keys that need an annotation the tokenizer alone does not give.
_ANNOTATION = {"LEMMA": "LEMMA", "POS": "POS", "TAG": "TAG", "MORPH": "MORPH", "DEP": "DEP",
               "ENT_TYPE": "ENT_IOB", "ENT_IOB": "ENT_IOB", "ENT_ID": "ENT_IOB", "ENT_KB_ID": "ENT_IOB",
               "SENT_START": "SENT_START", "IS_SENT_START": "SENT_START"}


class RuleMatcher:
    """All the rules of a codebook, compiled for one pipeline's vocabulary.

    Examples
    --------
    >>> import spacy
    >>> from asymmetry_qda.codebook import parse_codebook
    >>> cb = parse_codebook('''
    ... codebook: {name: Demo, version: "1"}
    ... codes:
    ...   - {id: blame, label: Blame, definition: Held to account.,
    ...      rules: [{id: blame.dry, phrase: [hung out to dry]}]}
    ... ''')
    >>> nlp = spacy.blank("en")
    >>> [(m.rule_id, m.code_id) for m in RuleMatcher(cb, nlp)(nlp("They hung me out to dry. Hung out to dry!"))]
    [('blame.dry', 'blame')]
    """

    def __init__(self, codebook: Codebook, nlp: "Language"):
        from spacy.matcher import DependencyMatcher, Matcher, PhraseMatcher

        self.codebook = codebook
        self.rules: dict[str, Rule] = {r.id: r for r in codebook.rules}
        self.has_lemmas = "lemmatizer" in nlp.pipe_names
        # matchers grouped by the annotations their rules need, with the ids of those rules
        self._groups: dict[tuple[str, frozenset[str]], tuple[object, list[str]]] = {
            ("phrase", frozenset()): (PhraseMatcher(nlp.vocab, attr="LOWER"), []),
            ("phrase", frozenset({"LEMMA"})): (PhraseMatcher(nlp.vocab, attr="LEMMA"), []),
        }
        self._dependency = DependencyMatcher(nlp.vocab, validate=True)
        self.lemma_fallback: list[str] = []
        lemma_rules = [r for r in self.rules.values() if r.kind == "phrase" and r.match == "lemma"]
        if lemma_rules and not self.has_lemmas:
            self.lemma_fallback = [r.id for r in lemma_rules]
            warnings.warn(f"the pipeline has no lemmatizer, so {len(lemma_rules)} lemma phrase rule(s) match on "
                          f"lower case instead: {', '.join(self.lemma_fallback)}", QDAWarning, stacklevel=2)
        for rule in self.rules.values():
            if rule.kind == "phrase":
                lemma = rule.match == "lemma" and self.has_lemmas
                if lemma:  # lemmatise the phrase with the pipeline, but not with the tagger's own components
                    with nlp.select_pipes(disable=[n for n in nlp.pipe_names if n.startswith("qda_")]):
                        docs = list(nlp.pipe(rule.pattern))
                else:
                    docs = [nlp.make_doc(p) for p in rule.pattern]
                matcher, ids = self._groups[("phrase", frozenset({"LEMMA"}) if lemma else frozenset())]
                matcher.add(rule.id, docs)
                ids.append(rule.id)
            elif rule.kind == "tokens":
                needs = frozenset(_ANNOTATION.get(key, "") for token in rule.pattern for key in token) - {""}
                matcher, ids = self._groups.setdefault(("tokens", needs), (Matcher(nlp.vocab, validate=True), []))
                matcher.add(rule.id, [rule.pattern], greedy="LONGEST")  # "turned out" not also "turned"
                ids.append(rule.id)
            else:
                self._dependency.add(rule.id, [rule.pattern])
        self.dependency_rule_ids = [r.id for r in self.rules.values() if r.kind == "dependency"]
        self._warned_skipped: set[str] = set()

    def __call__(self, doc: "Doc") -> list[RuleMatch]:
        """Every rule match in ``doc``, sorted by position then rule id, without exact duplicates."""
        vocab = doc.vocab
        found: set[tuple[str, int, int]] = set()
        skipped: list[str] = []
        for (_, needs), (matcher, ids) in self._groups.items():
            if not ids:  # an empty spaCy matcher warns on every call
                continue
            if not all(doc.has_annotation(a) for a in needs):
                skipped.extend(ids)
                continue
            for match_id, start, end in matcher(doc):
                found.add((vocab.strings[match_id], start, end))
        if self.dependency_rule_ids:
            if doc.has_annotation("DEP"):
                for match_id, token_ids in self._dependency(doc):
                    found.add((vocab.strings[match_id], min(token_ids), max(token_ids) + 1))
            else:
                skipped.extend(self.dependency_rule_ids)
        new = [r for r in skipped if r not in self._warned_skipped]
        if new:
            self._warned_skipped.update(new)
            warnings.warn("the document lacks the annotations (lemmas, tags or a dependency parse) that these "
                          f"rules need, so they were skipped (is the pipeline blank?): {', '.join(new)}",
                          QDAWarning, stacklevel=2)
        matches = []
        for rule_id, start, end in found:
            rule = self.rules[rule_id]
            span = doc[start:end]
            matches.append(RuleMatch(rule_id, rule.code_id, start, end, span.start_char, span.end_char, rule.weight))
        return sorted(matches, key=lambda m: (m.start_char, m.end_char, m.rule_id))
