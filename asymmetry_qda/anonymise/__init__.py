"""Checking that transcripts are anonymised: :func:`audit_texts` finds likely identifiers left in them.

Examples
--------
>>> from asymmetry_qda.anonymise import scan_patterns
>>> [f.kind for f in scan_patterns("Lewisham nick, PC 4471, [Station B]")]
['station', 'collar_number']
"""

from .audit import COLUMNS, KINDS, RULES, STUDY_VOCABULARY, Finding, Rule, audit_texts, scan_patterns

__all__ = ["COLUMNS", "KINDS", "RULES", "STUDY_VOCABULARY", "Finding", "Rule", "audit_texts", "scan_patterns"]
