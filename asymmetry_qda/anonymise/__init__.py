"""Checking that transcripts are anonymised: :func:`audit_texts` finds likely identifiers left in them.

The audit's modules, one idea each: :mod:`.audit` (the driver), :mod:`.patterns` (the regular-expression
rules), :mod:`.ner` (named entities to findings), :mod:`.masks` (text never reported), :mod:`.findings`
(the finding record, its kinds, overlaps) and :mod:`.vocabulary` (the packaged word lists, ``data/*.txt``).

Examples
--------
>>> from asymmetry_qda.anonymise import scan_patterns
>>> [f.kind for f in scan_patterns("Lewisham nick, PC 4471, [Station B]")]
['station', 'collar_number']
"""

from .audit import COLUMNS, KINDS, RULES, STUDY_VOCABULARY, Finding, Rule, audit_texts, scan_patterns
from .vocabulary import read_word_list

__all__ = ["COLUMNS", "KINDS", "RULES", "STUDY_VOCABULARY", "Finding", "Rule", "audit_texts", "read_word_list",
           "scan_patterns"]
