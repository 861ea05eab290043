"""The regular-expression rules of the anonymisation audit: :class:`Rule`, :data:`RULES`, :func:`scan_patterns`.

The rules find what named-entity recognition misses in police talk: ranks
followed by names, collar numbers, phone numbers, postcodes, vehicle
registrations, specific dates and clock times, streets, station names and
slang ("Lewisham nick"). Every rule carries an example, and the test suite
checks that each rule finds its example. The words they are built from (ranks,
months, stop words ...) are the packaged word lists of
:mod:`~asymmetry_qda.anonymise.vocabulary`.

Examples
--------
>>> [(f.text, f.kind, f.severity) for f in scan_patterns("I rang Sergeant Okafor on 07700 900123.")]
[('Sergeant Okafor', 'rank_name', 'high'), ('07700 900123', 'phone', 'high')]
>>> scan_patterns("[Sergeant A] was at [Station B], the sergeant said.")
[]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..errors import ArgumentError
from .findings import Finding, resolve_overlaps
from .masks import Masks, prepare
from .vocabulary import (
    CALENDAR,
    COURT_WORDS,
    MONTH_ABBREVIATIONS,
    MONTHS,
    NAME_STOP,
    ORDINALS,
    PLACE_STOP,
    RANK_ABBREVIATIONS,
    RANK_TOKENS,
    RANK_WORDS,
    STOPWORDS,
    WEEKDAYS,
    Vocabulary,
    compile_vocabulary,
    key,
)

__all__ = ["RULES", "Rule", "scan_patterns"]

#: ``(start, end, core_start, core_end)`` of one match.
Span = tuple[int, int, int, int]
#: A rule's ``accept``: narrows a match to a :data:`Span`, or rejects it with ``None``.
Accept = Callable[[re.Match[str], str, Vocabulary], Span | None]


@dataclass(frozen=True)
class Rule:
    """A regular-expression rule: ``id`` (``pattern.<name>``), what it finds, an example it must find.

    ``core`` names the group holding the identifying part (the whole match if
    ``None``); ``accept(match, text, vocabulary)`` may narrow a match to
    ``(start, end, core_start, core_end)`` or reject it with ``None``, where
    ``vocabulary`` is the audit's compiled
    :class:`~asymmetry_qda.anonymise.vocabulary.Vocabulary` (a place made only
    of vocabulary words is no place).
    """

    id: str
    kind: str
    severity: str
    regex: re.Pattern[str]
    example: str
    finds: str
    description: str
    core: str | None = None
    accept: Accept | None = None

    def spans(self, text: str, vocabulary: Vocabulary | None = None) -> Iterator[Span]:
        """``(start, end, core_start, core_end)`` of every accepted match in ``text``, left to right.

        ``vocabulary`` defaults to the packaged study vocabulary.
        """
        words = Vocabulary.of() if vocabulary is None else vocabulary
        for m in self.regex.finditer(text):
            if self.accept is not None:
                span = self.accept(m, text, words)
                if span is not None:
                    yield span
                continue
            cs, ce = m.span(self.core) if self.core else m.span()
            yield m.start(), m.end(), cs, ce


# --- building blocks ---------------------------------------------------------------------------
def _spaced(words: str, gap: str) -> str:
    return gap.join(re.escape(w) for w in words.split())


_RANK_ALT = "|".join(
    sorted(["(?i:" + _spaced(w, r"\s+") + ")" for w in RANK_WORDS]
           + [_spaced(w, r"\.?\s+") + r"\.?" for w in RANK_ABBREVIATIONS],
           key=len, reverse=True))
_RANK = rf"(?:(?:[ATD]/\s?)?(?:{_RANK_ALT}))"
_NAME_WORD = r"(?:[A-Z]['’])?(?:Ma?c)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_PLACE_WORD = rf"(?:St\.?[ ])?{_NAME_WORD}"
_PLACE = rf"{_PLACE_WORD}(?:[ -](?:upon[ ]|on[ ]|under[ ]|in[ ]the[ ]|of[ ])?{_PLACE_WORD}){{0,2}}"
# (MONTH, WEEKDAY, ORDINAL_WORD, DAY_NUM, YEAR and AMPM are shared with the NER post-processing)
MONTH = rf"(?:{'|'.join(MONTHS)}|(?:{'|'.join(MONTH_ABBREVIATIONS)})\.?)"
WEEKDAY = rf"(?:{'|'.join(WEEKDAYS)})"
ORDINAL_WORD = rf"(?i:{'|'.join(sorted(ORDINALS, key=len, reverse=True))})"
DAY_NUM = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
_DAY = rf"(?:{DAY_NUM}|{ORDINAL_WORD})"
YEAR = r"(?:19|20)\d{2}(?!\d)"
AMPM = r"(?i:a\.m\.|p\.m\.|am|pm)(?![a-z])"
_TIME_CUE = re.compile(
    r"(?i:\b(?:at|about|around|by|until|till|til|from|before|after|gone|since|approx\.?|roughly)\s+$)")


def _words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start() + start, m.end() + start) for m in re.finditer(r"[^\s]+", text[start:end])]


def _name_span(text: str, start: int, end: int, stop: frozenset[str]) -> tuple[int, int] | None:
    """The name words from ``start``, up to the first stop word; ``None`` if the first is one."""
    words = _words(text, start, end)
    kept = []
    for ws, we in words:
        if key(text[ws:we]) in stop or key(re.sub(r"['’]s$", "", text[ws:we])) in stop:
            break
        kept.append((ws, we))
    if not kept:
        return None
    return kept[0][0], kept[-1][1]


_PLACE_LEAD = STOPWORDS | PLACE_STOP | CALENDAR | RANK_TOKENS  # words dropped from the start of a place


def _place_span(text: str, start: int, end: int, vocabulary: Vocabulary) -> tuple[int, int] | None:
    """A place name without leading stop words; ``None`` if nothing specific is left (or only vocabulary)."""
    words = _words(text, start, end)
    while words and key(text[words[0][0]:words[0][1]]) in _PLACE_LEAD:
        words = words[1:]
    if not words or any(key(text[s:e]) in CALENDAR for s, e in words):
        return None
    generic = vocabulary.tokens | PLACE_STOP | STOPWORDS
    if all(key(text[s:e]) in generic for s, e in words):
        return None
    return words[0][0], words[-1][1]


# --- accept functions --------------------------------------------------------------------------
def _accept_rank_name(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
    span = _name_span(text, m.start("name"), m.end("name"), NAME_STOP)
    if span is None:
        return None
    return m.start(), span[1], span[0], span[1]


def _accept_collar(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
    after = text[m.end():m.end() + 20]
    if re.match(r"\s*(?i:years?|yrs|months?|weeks?|days?|hours?|hrs|mins?|minutes|times|officers|people|%|percent)\b",
                after):
        return None
    return m.start(), m.end(), m.start("core"), m.end("core")


def _accept_phone(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
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


def _accept_email(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
    end = m.end()
    while text[end - 1] in ".-":
        end -= 1
    return m.start(), end, m.start(), end


def _accept_url(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
    end = m.end()
    while end > m.start() and text[end - 1] in ".,;:!?)'\"’”":
        end -= 1
    return (m.start(), end, m.start(), end) if end > m.start() + 4 else None


def _accept_numeric_date(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
    a, b = int(m.group("a")), int(m.group("b"))
    if not (1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12):
        return None
    return m.start(), m.end(), m.start(), m.end()


def _accept_day_month(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
    start = m.start() + 4 if m.group().startswith("the ") else m.start()  # "the" identifies no day
    return start, m.end(), start, m.end()


def _accept_weekday_date(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
    day = m.group("day")
    if day[0].isdigit() and not re.search(r"(st|nd|rd|th)$", day):
        return None  # "Tuesday 3 officers" is a count, "Tuesday 3rd" a date
    return m.start(), m.end(), m.start(), m.end()


def _accept_dotted_time(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
    if m.group("sep") == "." and not m.group("ampm") and not _TIME_CUE.search(text[max(0, m.start() - 12):m.start()]):
        return None  # "2.15" alone may be a price or a measure; "at 2.15" or "2.15am" is a time
    return m.start(), m.end(), m.start(), m.end()


def _accept_hours(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
    if not (m.group().startswith("0") or m.group("unit").lower().startswith("hr")
            or _TIME_CUE.search(text[max(0, m.start() - 12):m.start()])):
        return None  # "1000 hours of training" is a quantity
    return m.start(), m.end(), m.start(), m.end()


def _accept_street(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
    span = _place_span(text, m.start("name"), m.end("name"), vocabulary)
    if span is None:
        return None
    last = _words(text, *span)[-1]
    if m.group("suffix") == "Court" and key(text[last[0]:last[1]]) in COURT_WORDS:
        return None
    start = m.start() if m.group("num") else span[0]
    return start, m.end(), start, m.end()


def _accept_place_suffix(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
    span = _place_span(text, m.start("place"), m.end("place"), vocabulary)
    if span is None:
        return None
    return span[0], m.end(), span[0], span[1]


def _accept_place_cue(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
    span = _place_span(text, m.start("place"), m.end("place"), vocabulary)
    if span is None:
        return None
    return span[0], span[1], span[0], span[1]


def _accept_force(m: re.Match[str], text: str, vocabulary: Vocabulary) -> Span | None:
    if m.group("place") is None:
        return m.start(), m.end(), m.start(), m.end()
    span = _place_span(text, m.start("place"), m.end("place"), vocabulary)
    if span is None:
        return None
    return span[0], m.end(), span[0], span[1]


def _rule(id_: str, kind: str, severity: str, pattern: str, example: str, finds: str, description: str,
          core: str | None = None, accept: Accept | None = None, flags: int = 0) -> Rule:
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
          "a constable or sergeant abbreviation then a 3-6 digit number, optionally with a borough code "
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
          rf"(?<![\w])(?:{WEEKDAY},?[ ]+)?(?:the[ ]+)?{_DAY}[ ]+(?:of[ ]+)?{MONTH}(?![a-z])(?:,?[ ]+{YEAR})?",
          "it happened on the 14th of March 2021 late on", "14th of March 2021",
          "a day then a capitalised month ('14th March', 'the fourteenth of March', 'Tuesday 3 May 2022')",
          accept=_accept_day_month),
    _rule("date_month_day", "date", "medium",
          rf"(?<![\w])(?:{WEEKDAY},?[ ]+)?{MONTH}[ ]+(?:the[ ]+)?{_DAY}(?![a-z])(?:,?[ ]+{YEAR})?",
          "by March 14th everybody knew", "March 14th",
          "a capitalised month then a day ('March 14th', 'March the 3rd', 'Sept 11, 2019'); 'May 2021' is not a day"),
    _rule("date_weekday", "date", "medium",
          rf"(?<![\w]){WEEKDAY}[ ]+(?:the[ ]+)?(?P<day>{_DAY})(?![a-z])",
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
          rf"(?<![\w:.])(?:[01]?\d|2[0-3])(?P<sep>[:.])[0-5]\d(?![\d]|:\d|\.\d)(?:[ ]?(?P<ampm>{AMPM}))?",
          "we got the call at 2.15am and", "2.15am",
          "hh:mm, or hh.mm after 'at', 'about', 'until' ... or with am/pm ('14:30', 'at 2.15', '2.15am'); "
          "recording timestamps (hh:mm:ss, bracketed) are not clock times", accept=_accept_dotted_time),
    _rule("time_ampm", "time", "medium",
          rf"(?<![\w:.])(?:1[0-2]|0?[1-9])[ ]?{AMPM}",
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
          "the study's own force is in its vocabulary", accept=_accept_force),
)


def pattern_findings(text: str, masks: Masks, vocabulary: Vocabulary) -> list[Finding]:
    """Every rule's findings in ``text`` outside the masks, overlaps not resolved.

    A finding is dropped when its identifying part touches ignored text
    (labels, timestamps, placeholders) or lies wholly inside allowed text, or,
    except for a rank and a name, inside blocked text (the vocabulary's single
    words): "Sergeant Gold" is a name, "Gold" alone is not.
    """
    found = []
    for rule in RULES:
        for start, end, cs, ce in rule.spans(text, vocabulary):
            if end <= start or masks.ignored.touches(cs, ce):
                continue
            if (masks.allowed if rule.kind == "rank_name" else masks.blocked).covers(cs, ce):
                continue
            found.append(Finding(start, end, text[start:end], rule.kind, rule.id, rule.severity, cs, ce))
    return found


def scan_patterns(text: str, *, vocabulary: Iterable[str] | None = None) -> list[Finding]:
    """The pattern findings of :func:`~asymmetry_qda.anonymise.audit.audit_texts` for one text, without NER.

    Placeholders, speaker labels, recording timestamps and the vocabulary are
    left out and overlaps resolved, as in ``audit_texts``; no warnings.

    Parameters
    ----------
    text
        The text to scan.
    vocabulary
        Words and names of the study's world that identify no one (whole
        words, any case); default the packaged
        :data:`~asymmetry_qda.anonymise.vocabulary.STUDY_VOCABULARY`.

    Returns
    -------
    list of Finding
        Sorted by ``start`` and ``end``.

    Examples
    --------
    >>> [f.text for f in scan_patterns("P07: Call DCI Walsh, 020 7946 0958, at 14:30 on 3rd May.")]
    ['DCI Walsh', '020 7946 0958', '14:30', '3rd May']
    >>> [f.text for f in scan_patterns("I joined Kent Police in 2015.")]
    ['Kent Police']
    >>> scan_patterns("I joined Kent Police in 2015.", vocabulary=["Kent Police"])
    []
    """
    if not isinstance(text, str):
        raise ArgumentError(f"scan_patterns needs a str, not {type(text).__name__}")
    compiled = compile_vocabulary(vocabulary)
    masks = prepare(text, compiled)
    return sorted(resolve_overlaps(pattern_findings(text, masks, compiled)), key=lambda f: (f.start, f.end))
