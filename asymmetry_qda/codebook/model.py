"""The codebook as plain, frozen records.

A :class:`Codebook` holds :class:`Code` records in file order; a code's id is a
dotted path (``agency.responsibility``) whose prefix is its parent. A code may
declare two ``poles`` (a heavy and a light child) and ``fits`` (codes whose
situation it answers, used to align organisational responses with reasons for
failure). A code's :class:`Rule` records say how the tagger finds it; context
:class:`ContextTrigger` records say how the tagger marks negated, hypothetical
and reported matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

RuleKind = Literal["phrase", "tokens", "dependency"]
RULE_KINDS: tuple[str, ...] = ("phrase", "tokens", "dependency")
MatchAttr = Literal["lower", "lemma"]
Speakers = Literal["participants", "interviewers", "all"]
SPEAKERS: tuple[str, ...] = ("participants", "interviewers", "all")
ContextCategory = Literal["negated", "anticipated", "reported"]
CONTEXT_CATEGORIES: tuple[str, ...] = ("negated", "anticipated", "reported")
#: Other names accepted for a category when loading.
CATEGORY_ALIASES = {"hypothetical": "anticipated", "negation": "negated", "reported_speech": "reported"}
Direction = Literal["forward", "backward", "both", "terminate", "pseudo"]
DIRECTIONS: tuple[str, ...] = ("forward", "backward", "both", "terminate", "pseudo")


@dataclass(frozen=True, slots=True)
class Rule:
    """One way of finding a code: a list of phrases, a token pattern or a dependency pattern.

    ``pattern`` holds the phrases (a tuple of strings) for ``phrase`` rules and
    the spaCy pattern (a list of dicts) for ``tokens`` and ``dependency`` rules.
    ``suppress_negated`` overrides the code's setting for this rule's matches
    (``None``: the code's); see :meth:`Code.suppresses_negated`.
    """

    id: str
    code_id: str
    kind: RuleKind
    pattern: tuple[str, ...] | list[dict]
    weight: float = 1.0
    match: MatchAttr = "lower"
    note: str | None = None
    suppress_negated: bool | None = None


@dataclass(frozen=True, slots=True)
class Poles:
    heavy: str
    light: str


@dataclass(frozen=True, slots=True)
class Code:
    id: str
    label: str
    definition: str
    include: str | None = None
    exclude: str | None = None
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    colour: str | None = None
    rules: tuple[Rule, ...] = ()
    suppress_negated: bool = True
    speakers: Speakers = "participants"
    poles: Poles | None = None
    fits: tuple[str, ...] = ()
    memo: str | None = None
    implies: tuple[str, ...] = ()

    def suppresses_negated(self, rule_id: str) -> bool:
        """Whether a negated match of the rule ``rule_id`` is left out: the rule's own
        ``suppress_negated`` when it sets one, else the code's.

        A negation only ever suppresses the code whose match it covers; the other codes of the
        same passage are judged on their own matches.

        Examples
        --------
        >>> code = Code("c", "C", "d.", rules=(Rule("c.a", "c", "phrase", ("a",)),
        ...                                    Rule("c.b", "c", "phrase", ("b",), suppress_negated=False)))
        >>> code.suppresses_negated("c.a"), code.suppresses_negated("c.b")
        (True, False)
        """
        for rule in self.rules:
            if rule.id == rule_id:
                return self.suppress_negated if rule.suppress_negated is None else rule.suppress_negated
        return self.suppress_negated

    @property
    def parent_id(self) -> str | None:
        """The id one level up (``agency`` for ``agency.responsibility``), or ``None`` at the top."""
        return self.id.rsplit(".", 1)[0] if "." in self.id else None

    @property
    def depth(self) -> int:
        return self.id.count(".")


@dataclass(frozen=True, slots=True)
class ContextTrigger:
    """A ConText trigger: terms (or a token pattern) that mark matches in their scope.

    Categories: ``negated``; ``anticipated`` (hypothetical, feared or expected:
    "if it goes wrong it'll be me"; ``hypothetical`` is accepted as another
    name); ``reported`` speech.

    ``direction`` says where the scope lies: after the trigger (``forward``),
    before it (``backward``), or ``both``; ``terminate`` terms end any scope of
    the category, and ``pseudo`` terms look like triggers but are not (they
    stop the real trigger they contain from firing). ``max_scope`` counts tokens.
    """

    id: str
    category: ContextCategory
    direction: Direction
    terms: tuple[str, ...] = ()
    tokens: list[dict] | None = None
    max_scope: int | None = None


@dataclass(frozen=True)
class Codebook:
    """A validated codebook, with the hash and text of the file it was loaded from."""

    name: str
    version: str
    codes: tuple[Code, ...]
    context: tuple[ContextTrigger, ...] = ()
    description: str | None = None
    authors: tuple[str, ...] = ()
    content: str = ""
    content_hash: str = ""
    source: str | None = None
    _by_id: dict[str, Code] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {c.id: c for c in self.codes})

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._by_id

    def __getitem__(self, code_id: str) -> Code:
        return self._by_id[code_id]

    def children(self, code_id: str | None) -> list[Code]:
        """Direct children of ``code_id`` (top-level codes for ``None``), in file order."""
        return [c for c in self.codes if c.parent_id == code_id]

    def descendants(self, code_id: str) -> list[Code]:
        prefix = code_id + "."
        return [c for c in self.codes if c.id.startswith(prefix)]

    @property
    def rules(self) -> list[Rule]:
        return [r for c in self.codes for r in c.rules]

    @property
    def themes(self) -> list[Code]:
        """Codes that declare poles."""
        return [c for c in self.codes if c.poles is not None]

    def implied(self, code_id: str) -> tuple[str, ...]:
        """The codes ``code_id`` implies (the codebook's ``implies``), its own and its ancestors', transitively.

        A code declared on a parent applies to all its children: with ``failure.preventable: implies:
        [reason.personal_fault]``, ``failure.preventable.deviation`` implies ``reason.personal_fault``. Codes
        not in the codebook imply nothing.

        >>> from asymmetry_qda.codebook import parse_codebook
        >>> cb = parse_codebook(
        ...     "codebook: {name: t, version: '1'}\\n"
        ...     "codes:\\n"
        ...     "  - {id: fault, label: F, definition: d}\\n"
        ...     "  - {id: fail, label: X, definition: d, implies: [fault]}\\n"
        ...     "  - {id: fail.slip, label: S, definition: d}\\n")
        >>> cb.implied("fail.slip"), cb.implied("fault")
        (('fault',), ())
        """
        found: list[str] = []
        pending = [code_id]
        while pending:
            current = pending.pop()
            parts = current.split(".")
            for depth in range(len(parts), 0, -1):
                code = self._by_id.get(".".join(parts[:depth]))
                for target in code.implies if code is not None else ():
                    if target not in found and target != code_id:
                        found.append(target)
                        pending.append(target)
        return tuple(found)

    @property
    def implications(self) -> dict[str, tuple[str, ...]]:
        """``{code id: implied codes}`` for every code that implies something (see :meth:`implied`)."""
        return {c.id: implied for c in self.codes if (implied := self.implied(c.id))}
