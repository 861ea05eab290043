"""Compiling a codebook's rules into spaCy matchers, and running them on a ``Doc``.

One :class:`RuleMatcher` holds a ``PhraseMatcher`` per match attribute for the
phrase rules, and a ``Matcher`` or ``DependencyMatcher`` for each token or
dependency rule. Every match keeps the id of the rule that made it. Dependency rules need a
parsed document, and token rules that test LEMMA, POS, TAG, MORPH or DEP need
those annotations; on a document without them (a blank pipeline) such rules
are skipped with one warning naming the skipped rule ids. Lemma phrase rules
need a lemmatizer; without one they fall back to lower-case matching, with one
warning.

Speed: spaCy's ``Matcher`` costs about 0.1 µs per token per pattern, in
Python, so token and dependency rules are not run over every token. Each has
its own matcher and an *anchor*: the set of literal words (``LOWER``, ``ORTH``,
``TEXT``, ``LEMMA``, an ``IN`` list, or a whole-word ``REGEX`` such as
``^(praise|praised)$``) that a match must contain and that is expected to be
rarest (the commonest words and punctuation weigh most). A rule runs only when
its anchor occurs in the document and every other literal word it needs occurs
too; a token rule then runs only on windows around the anchor, as wide as the
pattern can reach, and only on the windows that hold every other literal word.
A pattern with an unbounded operator (``+``, ``*``, ``{n,}``) is run on the
sentences, ended by ``. ! ? …``, that hold its anchor word, so such a match
never runs across a full stop. Which rules can run at all (their annotations are
present) is worked out once per combination of annotations, not per document.
The shortcuts find exactly what a plain matcher per rule finds (tested).

Safety: every token and dependency rule is checked against the limits of
:func:`~asymmetry_qda.codebook.patterns.check_pattern_safety` again here (a
codebook built in code has not been through the loader), and a ``REGEX`` is
never tried on a text longer than :data:`MAX_REGEX_TEXT` characters: such a
token does not match it. Python's ``re`` has no time limit, and even an
ordinary ``.*ness$`` takes seconds on a 100,000-character token.
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy

from ..errors import InputError, Problem, QDAWarning
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
    #: for a dependency rule, the tokens it matched (its span runs from the first to the last, and may hold
    #: words the rule did not match, such as a negation of the matched verb); empty for a contiguous match
    tokens: tuple[int, ...] = ()


#: The longest text (a token's attribute value) a REGEX is tried on; a longer one does not match. No word is that
#: long, and it bounds the time of an expression with one unbounded repetition, such as ``.*ness$`` (0.2 ms on
#: 500 characters, 9 s on 100,000).
MAX_REGEX_TEXT = 500


class _BoundedRegex:
    """A compiled REGEX that finds nothing in a text longer than :data:`MAX_REGEX_TEXT`, as spaCy calls it."""

    __slots__ = ("pattern",)

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern

    def search(self, text, *args):
        """``pattern.search(text)``, or ``None`` without searching when ``text`` is too long."""
        if isinstance(text, str) and len(text) > MAX_REGEX_TEXT:
            return None
        return self.pattern.search(text, *args)


def bound_regex_predicates(matcher: object) -> int:
    """Make the REGEX predicates of a spaCy ``Matcher`` or ``DependencyMatcher`` skip texts over :data:`MAX_REGEX_TEXT`.

    spaCy compiles each REGEX of a pattern into a predicate (on any attribute,
    also the regex set forms ``{REGEX: {IN: [...]}}``); this wraps the compiled
    expressions in place, after the patterns are added. Returns how many were
    wrapped.

    >>> import spacy
    >>> from spacy.matcher import Matcher
    >>> nlp = spacy.blank("en")
    >>> matcher = Matcher(nlp.vocab)
    >>> matcher.add("a", [[{"TEXT": {"REGEX": "^a+$"}}]])
    >>> bound_regex_predicates(matcher)
    1
    >>> [n for n in (10, 600) if matcher(nlp.make_doc("a" * n))]  # a 600-character token is not tried
    [10]
    """
    inner = getattr(matcher, "_matcher", matcher)  # a DependencyMatcher matches each node with a Matcher
    wrapped = 0
    for predicate in getattr(inner, "_extra_predicates", ()):
        value = getattr(predicate, "value", None)
        if isinstance(value, re.Pattern):
            predicate.value = _BoundedRegex(value)
            wrapped += 1
        elif getattr(predicate, "regex", False) and isinstance(value, (set, frozenset)):
            predicate.value = {_BoundedRegex(v) if isinstance(v, re.Pattern) else v for v in value}
            wrapped += sum(isinstance(v, re.Pattern) for v in value)
    return wrapped


def _check_safety(codebook: Codebook) -> None:
    """Refuse token and dependency rules over the limits the loader enforces (for codebooks built in code)."""
    from .patterns import check_pattern_safety

    problems = [Problem(codebook.source or "<codebook>", f"rule {rule.id!r}: {problem.message}", fix=problem.fix)
                for rule in codebook.rules if rule.kind != "phrase"
                for problem in check_pattern_safety(rule.pattern, dependency=rule.kind == "dependency")]
    if problems:
        raise InputError(problems)


#: Token-pattern keys that need an annotation the tokenizer alone does not give.
_ANNOTATION = {"LEMMA": "LEMMA", "POS": "POS", "TAG": "TAG", "MORPH": "MORPH", "DEP": "DEP",
               "ENT_TYPE": "ENT_IOB", "ENT_IOB": "ENT_IOB", "ENT_ID": "ENT_IOB", "ENT_KB_ID": "ENT_IOB",
               "SENT_START": "SENT_START", "IS_SENT_START": "SENT_START"}


@dataclass
class _Guarded:
    """A token or dependency rule with its own matcher, run only when its anchor word is in the document."""

    rule_id: str
    matcher: object
    needs: frozenset[str]
    anchor: tuple[str, frozenset[int], int] | None
    dependency: bool = False
    reach: tuple[int, int] | None = None  # tokens a match can extend before / after its anchor; None: unbounded
    requires: tuple[tuple[str, frozenset[int]], ...] = ()  # every other literal the pattern needs


def _max_length(tokens: list[dict]) -> int | None:
    """The most tokens ``tokens`` can cover (``{n,m}`` counts m), or ``None`` for ``+``, ``*`` and ``{n,}``."""
    total = 0
    for spec in tokens:
        op = spec.get("OP")
        if op in (None, "?"):
            total += 1
        elif op == "!":
            continue
        elif isinstance(op, str) and (m := re.fullmatch(r"\{(\d*)(,?)(\d*)\}", op)):
            low, comma, high = m.groups()
            if comma and not high:
                return None
            total += int(high or low)
        else:
            return None
    return total


def _reach(tokens: list[dict], anchor: tuple | None) -> tuple[int, int] | None:
    """How many tokens a match can extend before and after its anchor token, or ``None`` if unbounded."""
    if anchor is None:
        return None
    k = anchor[2]
    if tokens[k].get("OP") == "+":
        return None
    before, after = _max_length(tokens[:k]), _max_length(tokens[k + 1:])
    return None if before is None or after is None else (before, after)


def _windows(positions, reach: tuple[int, int], n_tokens: int) -> list[tuple[int, int]]:
    """Merged token windows ``[p - before, p + after + 1)`` around each anchor position."""
    before, after = reach
    return _merge([(max(0, p - before), min(n_tokens, p + after + 1)) for p in positions])


def _sentence_windows(positions: list[int], starts: list[int]) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each sentence that holds one of ``positions``; ``starts`` ends with ``len(doc)``."""
    windows = set()
    for p in positions:
        i = bisect_right(starts, p) - 1
        windows.add((starts[i], starts[i + 1]))
    return sorted(windows)


class _TokenIndex:
    """Where each value of one token attribute occurs in a document: sorted values, with their positions."""

    __slots__ = ("values", "order")

    def __init__(self, array: numpy.ndarray):
        order = array.argsort(kind="stable")
        self.values: list[int] = array[order].tolist()
        self.order: list[int] = order.tolist()

    def positions(self, hashes: frozenset[int], present: set[int]) -> list[int]:
        """Sorted positions of the tokens whose value is one of ``hashes``."""
        found: list[int] = []
        for value in hashes & present:
            found.extend(self.order[bisect_left(self.values, value):bisect_right(self.values, value)])
        return sorted(found)


@dataclass
class _Plan:
    """Which guarded rules can run on documents with a given set of annotations, indexed by anchor word."""

    by_anchor: dict[str, dict[int, list[int]]]  # attr -> anchor value -> positions in RuleMatcher._guarded
    always: list[int]  # rules without an anchor word
    skipped: list[str]  # ids of the rules whose annotations are missing


def _merge(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in windows:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


#: A regular expression that only matches a whole word from a list: ``^(praise|praised)$``, ``^kudos$``.
_WORD_LIST_REGEX = re.compile(r"\^(?:\((?:\?:)?)?([\w'-]+(?:\|[\w'-]+)*)\)?\$")


def _regex_words(pattern: object) -> set[str] | None:
    """The words a whole-word alternation regex can match, or ``None`` if it is anything else.

    >>> sorted(_regex_words("^(praise|praised)$"))
    ['praise', 'praised']
    >>> _regex_words("^prais") is None, _regex_words("^a|b$") is None
    (True, True)
    """
    if not isinstance(pattern, str):
        return None
    m = _WORD_LIST_REGEX.fullmatch(pattern)
    grouped = pattern.startswith("^(") and pattern.endswith(")$")
    if m is None or pattern.count("(") != pattern.count(")") or ("(" in pattern) != grouped \
            or ("|" in pattern and not grouped):  # ^a|b$ is "starts with a or ends with b"
        return None
    return set(m.group(1).split("|"))


#: The most frequent words of spoken English (and every punctuation token): poor anchors.
_VERY_COMMON = frozenset("""
the and to of a i it in that you is was for on be 's n't have with he she they we this but at not as so do
what there all me my if or just like know one can get are were been had has would will 'll 'd 've 're 'm
them him her his their our us no up out about then when from by an who your its because think going well
yeah really got did said say go people time very
""".split())


def _expected_frequency(word: str) -> int:
    """A rough weight for how often ``word`` occurs in talk: 100 for the commonest words and punctuation,
    10 for other stop words, 1 for the rest (used only to choose which word wakes a rule)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    word = word.lower()
    if word in _VERY_COMMON or not any(c.isalnum() for c in word):
        return 100
    return 10 if word in STOP_WORDS else 1


def _literals(tokens: list[dict], vocab) -> list[tuple[int, str, frozenset[int], int]]:
    """Necessary conditions for a pattern to match, best first: (expected frequency, attr, value hashes, token index).

    Each required token (no ``OP``, or ``OP: "+"``) whose spec gives a literal
    word, an ``IN`` list or a whole-word alternation ``REGEX`` (``^(praise|praised)$``)
    for LOWER, ORTH, TEXT (compared lower-cased) or LEMMA must have one of
    those values somewhere in a matching document. The rarest come first: a
    set's expected frequency is the sum of its words' (see :func:`_expected_frequency`).

    >>> from spacy.vocab import Vocab
    >>> [score for score, *_ in _literals([{"LOWER": {"IN": ["wrong", ",", "and"]}}, {"LOWER": "until"},
    ...                                    {"LOWER": "mp"}, {"LOWER": "x", "OP": "?"}], Vocab())]
    [1, 10, 201]
    """
    found = []
    for k, spec in enumerate(tokens):
        if spec.get("OP") not in (None, "+"):
            continue
        for key, attr in (("LOWER", "LOWER"), ("ORTH", "LOWER"), ("TEXT", "LOWER"), ("LEMMA", "LEMMA")):
            value = spec.get(key)
            if isinstance(value, str):
                values = {value}
            elif isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, str) for v in value["IN"]):
                values = set(value["IN"])
            elif isinstance(value, dict) and set(value) == {"REGEX"} and (words := _regex_words(value["REGEX"])):
                values = words
            else:
                continue
            if key in ("ORTH", "TEXT"):
                values = {v.lower() for v in values}
            score = sum(_expected_frequency(v) for v in values)
            found.append((score, attr, frozenset(vocab.strings.add(v) for v in values), k))
    return sorted(found, key=lambda item: (item[0], item[1] != "LOWER", item[3]))


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

        _check_safety(codebook)
        self.codebook = codebook
        self.rules: dict[str, Rule] = {r.id: r for r in codebook.rules}
        self.has_lemmas = "lemmatizer" in nlp.pipe_names
        # matchers grouped by the annotations their rules need, with the ids of those rules
        self._groups: dict[tuple[str, frozenset[str]], tuple[object, list[str]]] = {
            ("phrase", frozenset()): (PhraseMatcher(nlp.vocab, attr="LOWER"), []),
            ("phrase", frozenset({"LEMMA"})): (PhraseMatcher(nlp.vocab, attr="LEMMA"), []),
        }
        self._guarded: list[_Guarded] = []  # token and dependency rules, each with its own matcher and anchor
        self.lemma_fallback: list[str] = []
        lemma_rules = [r for r in self.rules.values() if r.kind == "phrase" and r.match == "lemma"]
        if lemma_rules and not self.has_lemmas:
            self.lemma_fallback = [r.id for r in lemma_rules]
            warnings.warn(f"the pipeline has no lemmatizer, so {len(lemma_rules)} lemma phrase rule(s) match on "
                          f"lower case instead: {_listed(self.lemma_fallback)}", QDAWarning, stacklevel=2)
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
                matcher = Matcher(nlp.vocab, validate=True)
                matcher.add(rule.id, [rule.pattern], greedy="LONGEST")  # "turned out" not also "turned"
                bound_regex_predicates(matcher)
                literals = _literals(rule.pattern, nlp.vocab)
                anchor = literals[0][1:] if literals else None
                self._guarded.append(_Guarded(rule.id, matcher, needs, anchor, reach=_reach(rule.pattern, anchor),
                                              requires=tuple((a, h) for _, a, h, _ in literals[1:])))
            else:
                needs = frozenset({"DEP"}) | frozenset(
                    _ANNOTATION.get(key, "") for node in rule.pattern for key in node.get("RIGHT_ATTRS", {})) - {""}
                matcher = DependencyMatcher(nlp.vocab, validate=True)
                matcher.add(rule.id, [rule.pattern])
                bound_regex_predicates(matcher)
                literals = _literals([node.get("RIGHT_ATTRS", {}) for node in rule.pattern], nlp.vocab)
                anchor = literals[0][1:] if literals else None
                self._guarded.append(_Guarded(rule.id, matcher, needs, anchor, dependency=True,
                                              requires=tuple((a, h) for _, a, h, _ in literals[1:])))
        self._annotations = sorted({a for rule in self._guarded for a in rule.needs})
        self._plans: dict[tuple[bool, ...], _Plan] = {}  # by which of self._annotations a document has
        self._warned_skipped: set[str] = set()  # every rule skipped so far for missing annotations

    @property
    def skipped_rules(self) -> frozenset[str]:
        """Ids of every rule skipped so far because a document lacked the annotations it needs.

        The warning lists the first few; this holds them all.
        """
        return frozenset(self._warned_skipped)

    def _plan(self, annotated: tuple[bool, ...]) -> _Plan:
        """The rules that can run given which of ``self._annotations`` a document has, made once per combination."""
        have = {a for a, flag in zip(self._annotations, annotated, strict=True) if flag}
        by_anchor: dict[str, dict[int, list[int]]] = {"LOWER": {}, "LEMMA": {}}
        always, skipped = [], []
        for index, rule in enumerate(self._guarded):
            if not rule.needs <= have:
                skipped.append(rule.rule_id)
            elif rule.anchor is None:
                always.append(index)
            else:
                for value in rule.anchor[1]:
                    by_anchor[rule.anchor[0]].setdefault(value, []).append(index)
        return _Plan(by_anchor, always, skipped)

    def __call__(self, doc: "Doc") -> list[RuleMatch]:
        """Every rule match in ``doc``, sorted by position then rule id, without exact duplicates."""
        vocab = doc.vocab
        found: set[tuple[str, int, int]] = set()
        matched_tokens: dict[tuple[str, int, int], set[int]] = {}  # a dependency match's own tokens
        skipped: list[str] = []
        for (_, needs), (matcher, ids) in self._groups.items():
            if not ids:  # an empty spaCy matcher warns on every call
                continue
            if needs and not doc.has_annotation("LEMMA"):
                skipped.extend(ids)
                continue
            for match_id, start, end in matcher(doc):
                found.add((vocab.strings[match_id], start, end))
        annotated = tuple(doc.has_annotation(a) for a in self._annotations)  # each checked once per document
        plan = self._plans.get(annotated)
        if plan is None:
            plan = self._plans[annotated] = self._plan(annotated)
            skipped.extend(plan.skipped)  # warned about once per combination of missing annotations
        n_tokens = len(doc)
        indexes: dict[str, _TokenIndex] = {}
        starts: list[int] | None = None  # punctuation sentence starts, then len(doc)
        candidates = set(plan.always)
        present: dict[str, set[int]] = {}
        for attr, index in plan.by_anchor.items():
            if index:
                array = doc.to_array(attr) if n_tokens else numpy.zeros(0, dtype=numpy.uint64)
                indexes[attr] = _TokenIndex(array)
                present[attr] = set(indexes[attr].values)
                for value in index.keys() & present[attr]:
                    candidates.update(index[value])
        for position in sorted(candidates):  # rules whose anchor word is not in the document are never run
            rule = self._guarded[position]
            if any(attr in present and hashes.isdisjoint(present[attr]) for attr, hashes in rule.requires):
                continue  # another word the rule needs is missing
            windows = [(0, n_tokens)]
            if rule.anchor is not None and not rule.dependency:
                attr = rule.anchor[0]
                positions = indexes[attr].positions(rule.anchor[1], present[attr])
                if rule.reach is not None:
                    windows = _windows(positions, rule.reach, n_tokens)
                else:  # unbounded (+, *, {n,}): the punctuation sentences that hold the anchor word
                    if starts is None:
                        from ..sentences import doc_punctuation_sentence_starts

                        starts = [*doc_punctuation_sentence_starts(doc), n_tokens]
                    windows = _sentence_windows(positions, starts)
                for attr, hashes in rule.requires:  # keep the windows that hold every other word the rule needs
                    if attr in indexes and windows:
                        needed = indexes[attr].positions(hashes, present[attr])
                        windows = [(lo, hi) for lo, hi in windows
                                   if (i := bisect_left(needed, lo)) < len(needed) and needed[i] < hi]
            if rule.dependency:
                for match_id, token_ids in rule.matcher(doc):
                    key = (vocab.strings[match_id], min(token_ids), max(token_ids) + 1)
                    found.add(key)
                    matched_tokens.setdefault(key, set()).update(token_ids)
                continue
            for lo, hi in windows:  # a match holds its anchor token, so it lies within its reach of it
                for match_id, start, end in rule.matcher(doc[lo:hi] if (lo, hi) != (0, n_tokens) else doc):
                    found.add((vocab.strings[match_id], lo + start, lo + end))
        new = [r for r in skipped if r not in self._warned_skipped]
        if new:
            self._warned_skipped.update(new)
            warnings.warn("the document lacks the annotations (lemmas, tags or a dependency parse) that these "
                          f"rules need, so {len(new)} were skipped (is the pipeline blank?): {_listed(new)}",
                          QDAWarning, stacklevel=2)
        matches = []
        for rule_id, start, end in found:
            rule = self.rules[rule_id]
            span = doc[start:end]
            tokens = tuple(sorted(matched_tokens.get((rule_id, start, end), ())))
            matches.append(RuleMatch(rule_id, rule.code_id, start, end, span.start_char, span.end_char, rule.weight,
                                     tokens))
        return sorted(matches, key=lambda m: (m.start_char, m.end_char, m.rule_id))


def _listed(ids: list[str], shown: int = 12) -> str:
    """Rule ids for a warning: the first ``shown``, then how many more (a blank pipeline skips hundreds).

    >>> _listed(["a", "b", "c"], shown=2)
    'a, b and 1 more'
    """
    if len(ids) <= shown:
        return ", ".join(ids)
    return f"{', '.join(ids[:shown])} and {len(ids) - shown} more"
