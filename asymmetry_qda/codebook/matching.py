"""Compiling a codebook's rules into spaCy matchers, and running them on a ``Doc``.

One :class:`RuleMatcher` holds a ``PhraseMatcher`` per match attribute, a
``Matcher`` for token rules and a ``DependencyMatcher`` for dependency rules.
Every match keeps the id of the rule that made it. Dependency rules need a
parsed document; on a document without a parse they are skipped with one
warning naming the skipped rule ids. Lemma phrase rules need a lemmatizer;
without one they fall back to lower-case matching, with one warning.
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
        self._phrase = {"LOWER": PhraseMatcher(nlp.vocab, attr="LOWER"), "LEMMA": PhraseMatcher(nlp.vocab, attr="LEMMA")}
        self._tokens = Matcher(nlp.vocab, validate=True)
        self._dependency = DependencyMatcher(nlp.vocab, validate=True)
        self.lemma_fallback: list[str] = []
        lemma_rules = [r for r in self.rules.values() if r.kind == "phrase" and r.match == "lemma"]
        if lemma_rules and not self.has_lemmas:
            self.lemma_fallback = [r.id for r in lemma_rules]
            warnings.warn(f"the pipeline has no lemmatizer, so {len(lemma_rules)} lemma phrase rule(s) match on "
                          f"lower case instead: {', '.join(self.lemma_fallback)}", QDAWarning, stacklevel=2)
        for rule in self.rules.values():
            if rule.kind == "phrase":
                attr = "LEMMA" if rule.match == "lemma" and self.has_lemmas else "LOWER"
                docs = list(nlp.pipe(rule.pattern)) if attr == "LEMMA" else [nlp.make_doc(p) for p in rule.pattern]
                self._phrase[attr].add(rule.id, docs)
            elif rule.kind == "tokens":
                self._tokens.add(rule.id, [rule.pattern])
            else:
                self._dependency.add(rule.id, [rule.pattern])
        self.dependency_rule_ids = [r.id for r in self.rules.values() if r.kind == "dependency"]
        self._warned_no_parse = False

    def __call__(self, doc: "Doc") -> list[RuleMatch]:
        """Every rule match in ``doc``, sorted by position then rule id, without exact duplicates."""
        vocab = doc.vocab
        found: set[tuple[str, int, int]] = set()
        for matcher in (*self._phrase.values(), self._tokens):
            if len(matcher):  # an empty spaCy matcher warns on every call
                for match_id, start, end in matcher(doc):
                    found.add((vocab.strings[match_id], start, end))
        if self.dependency_rule_ids:
            if doc.has_annotation("DEP"):
                for match_id, token_ids in self._dependency(doc):
                    found.add((vocab.strings[match_id], min(token_ids), max(token_ids) + 1))
            elif not self._warned_no_parse:
                self._warned_no_parse = True
                warnings.warn("the document has no dependency parse (blank pipeline?), so these dependency rules "
                              f"were skipped: {', '.join(self.dependency_rule_ids)}", QDAWarning, stacklevel=2)
        matches = []
        for rule_id, start, end in found:
            rule = self.rules[rule_id]
            span = doc[start:end]
            matches.append(RuleMatch(rule_id, rule.code_id, start, end, span.start_char, span.end_char, rule.weight))
        return sorted(matches, key=lambda m: (m.start_char, m.end_char, m.rule_id))
