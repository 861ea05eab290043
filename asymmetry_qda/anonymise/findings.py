"""A finding of the anonymisation audit, the kinds of finding, and which of overlapping findings is kept.

Examples
--------
>>> rank_name = Finding(0, 9, "DCI Walsh", "rank_name", "pattern.rank_name", "high", 4, 9)
>>> person = Finding(4, 9, "Walsh", "person", "ner.PERSON", "high", 4, 9)
>>> [f.source for f in resolve_overlaps([person, rank_name])]
['pattern.rank_name']
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KINDS", "Finding", "resolve_overlaps"]

#: Every kind of finding and what it means.
KINDS: dict[str, str] = {
    "person": "a person's name found by NER (ner.PERSON), high",
    "rank_name": "a rank or title followed by a capitalised name ('DCI Walsh', 'Mrs Patel'), high",
    "collar_number": "a collar, shoulder or warrant number ('PC 4471', 'warrant no. 123456'), high",
    "phone": "a UK phone number, high",
    "email": "an email address, high",
    "postcode": "a full UK postcode, high",
    "station": "a police station named or in slang ('Lewisham nick', 'custody at Brixton'), high",
    "deny_list": "a name from the caller's deny list, high, found even in ignored text",
    "vehicle_reg": "a current-format UK vehicle registration ('AB12 CDE'), medium",
    "url": "a web address, medium",
    "handle": "a social-media @handle, medium",
    "date": "a specific date (a day and a month, a numeric date, 'Tuesday the 3rd'), medium",
    "time": "a clock time ('2.15am', '14:30', '0300 hours'), medium",
    "street": "a street name ('Acacia Road', 'High Street'), medium",
    "place": "a town, borough, area or building (NER GPE/LOC/FAC, or after 'based at', 'posted to'), medium",
    "force": "a police force other than the study's ('Kent Police', 'GMP'), medium",
    "organisation": "any other organisation found by NER (ner.ORG), low",
}

_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One likely identifier: ``text`` is ``doc_text[start:end]``.

    ``core_start``/``core_end`` delimit the identifying part (the name in
    "DCI Walsh"), which is what ``allow``, ``pseudonyms`` and the vocabulary
    are checked against.
    """

    start: int
    end: int
    text: str
    kind: str
    source: str
    severity: str
    core_start: int
    core_end: int


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep the most specific finding where findings overlap.

    Pattern findings beat NER findings; then the longer span; then the more
    severe; then the earlier. Deny-list findings are always kept, and any other
    finding lying wholly inside a deny-list finding is dropped.

    Parameters
    ----------
    findings
        The findings of one text, in any order.

    Returns
    -------
    list of Finding
        The kept findings in the order they were chosen, then the deny-list
        findings (one per span) in the order found.
    """
    deny = {(f.start, f.end): f for f in findings if f.kind == "deny_list"}
    others = [f for f in findings if f.kind != "deny_list"]
    others.sort(key=lambda f: (f.source.startswith("ner."), -(f.end - f.start), _SEVERITY_RANK[f.severity],
                               f.start, f.source))
    chosen: list[Finding] = []
    for f in others:
        if any(f.start < c.end and c.start < f.end for c in chosen):
            continue
        if any(d.start <= f.start and f.end <= d.end for d in deny.values()):
            continue
        chosen.append(f)
    return chosen + list(deny.values())
