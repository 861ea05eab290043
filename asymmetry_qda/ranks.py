"""UK police ranks on one ordered scale, and who counts as a leader.

Officer ranks are ordered by ``level``. Metropolitan Police and City of London
titles sit beside the equivalent ranks of other forces (a commander is at the
level of an assistant chief constable). Police staff (including PCSOs) are a
separate track with no level. Detective ranks share the level of the uniform
rank; "acting" and "temporary" ranks (``A/Insp``, ``T/Supt``) take the level
of the rank held, with ``acting=True``.

A *leader*, by the study's working definition, is an officer of inspector
rank or above; an attributes table can override this per participant (for
example a sergeant who supervises a large team).

Examples
--------
>>> r = normalise_rank("T/DCI")
>>> (r.rank, r.level, r.band, r.track, r.acting, r.leader)
('chief inspector', 4, 'chief inspector', 'officer', True, True)
>>> normalise_rank("PCSO").track
'staff'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: (canonical name, level, band) for officer ranks, lowest first.
OFFICER_RANKS: tuple[tuple[str, int, str], ...] = (
    ("constable", 1, "constable"),
    ("sergeant", 2, "sergeant"),
    ("inspector", 3, "inspector"),
    ("chief inspector", 4, "chief inspector"),
    ("superintendent", 5, "superintendent"),
    ("chief superintendent", 6, "chief superintendent"),
    ("commander", 7, "chief officer"),
    ("assistant chief constable", 7, "chief officer"),
    ("deputy assistant commissioner", 8, "chief officer"),
    ("deputy chief constable", 8, "chief officer"),
    ("assistant commissioner", 9, "chief officer"),
    ("chief constable", 9, "chief officer"),
    ("deputy commissioner", 10, "chief officer"),
    ("commissioner", 11, "chief officer"),
)
#: Rank bands in order, for tables.
RANK_BANDS: tuple[str, ...] = ("constable", "sergeant", "inspector", "chief inspector", "superintendent",
                               "chief superintendent", "chief officer", "police staff")
LEADER_MIN_LEVEL = 3  # inspector

_ALIASES: dict[str, str] = {
    # constables
    "pc": "constable", "police constable": "constable", "dc": "constable", "wpc": "constable",
    "detective constable": "constable", "student officer": "constable", "student constable": "constable",
    "probationer": "constable", "probationary constable": "constable", "trainee constable": "constable",
    "student police constable": "constable", "spc": "constable", "special constable": "constable", "tdc": "constable",
    "trainee detective constable": "constable",
    # sergeants
    "ps": "sergeant", "sgt": "sergeant", "ds": "sergeant", "det sgt": "sergeant", "dsgt": "sergeant",
    "police sergeant": "sergeant", "detective sergeant": "sergeant", "custody sergeant": "sergeant",
    # inspectors
    "insp": "inspector", "di": "inspector", "det insp": "inspector", "detective inspector": "inspector",
    "police inspector": "inspector", "duty inspector": "inspector",
    # chief inspectors
    "ci": "chief inspector", "ch insp": "chief inspector", "chief insp": "chief inspector",
    "dci": "chief inspector", "detective chief inspector": "chief inspector",
    # superintendents
    "supt": "superintendent", "dsupt": "superintendent", "det supt": "superintendent",
    "detective superintendent": "superintendent", "superintendant": "superintendent",
    # chief superintendents
    "ch supt": "chief superintendent", "chief supt": "chief superintendent", "c supt": "chief superintendent",
    "csupt": "chief superintendent", "dcs": "chief superintendent", "det ch supt": "chief superintendent",
    "detective chief superintendent": "chief superintendent",
    # chief officers
    "cmdr": "commander", "cdr": "commander", "acc": "assistant chief constable",
    "dac": "deputy assistant commissioner", "dcc": "deputy chief constable",
    "ac": "assistant commissioner", "cc": "chief constable", "dep commissioner": "deputy commissioner",
}
_STAFF: frozenset[str] = frozenset({
    "police staff", "staff", "civilian", "police civilian", "civilian staff", "pcso",
    "police community support officer",
    "detention officer", "investigator", "police staff investigator",
})
_OFFICER_INDEX = {name: (level, band) for name, level, band in OFFICER_RANKS}
_ACTING = re.compile(r"^(?:(?:a|t|acting|temporary|temp)\s*/\s*|(?:acting|temporary)\s+)", re.I)
_UNKNOWN = frozenset({"", "unknown", "n/a", "na", "mixed", "various", "none", "-"})


@dataclass(frozen=True, slots=True)
class Rank:
    """A rank as written and where it sits on the scale."""

    raw: str
    rank: str | None
    level: int | None
    band: str | None
    track: str | None
    acting: bool = False

    @property
    def leader(self) -> bool | None:
        """Inspector or above; ``False`` for police staff; ``None`` when the rank is unknown."""
        if self.track == "staff":
            return False
        if self.level is None:
            return None
        return self.level >= LEADER_MIN_LEVEL


class UnknownRankError(ValueError):
    """A rank text that matches nothing on the scale."""


def _key(text: str) -> str:
    text = text.strip().lower().replace(".", " ").replace("-", " ")
    return " ".join(text.split())


def known_ranks() -> list[str]:
    """Canonical officer ranks, then ``police staff``, for messages."""
    return [name for name, _, _ in OFFICER_RANKS] + ["police staff"]


def normalise_rank(raw: str | None) -> Rank:
    """Place a rank as written (``"Ch. Supt"``, ``"DCI"``, ``"A/Insp"``) on the scale.

    Blank, ``unknown``, ``mixed`` and ``n/a`` give an unknown rank. Anything
    else that matches no rank raises :class:`UnknownRankError`.
    """
    text = "" if raw is None else str(raw)
    if _key(text) in _UNKNOWN:
        return Rank(text, None, None, None, None)
    acting = False
    body = text.strip()
    m = _ACTING.match(body)
    if m:
        acting, body = True, body[m.end():]
    key = _key(body)
    if key in _STAFF:
        return Rank(text, "police staff", None, "police staff", "staff", acting)
    for candidate in (key, key.removeprefix("detective "), key.removeprefix("det ")):
        name = _ALIASES.get(candidate, candidate)
        if name in _OFFICER_INDEX:
            level, band = _OFFICER_INDEX[name]
            return Rank(text, name, level, band, "officer", acting)
    raise UnknownRankError(text)
