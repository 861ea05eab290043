"""The shape of a quotes frame: the units a query runs in, the context units, the statuses, the columns."""

from __future__ import annotations

from typing import Literal, get_args

from ._frame import CODING_COLUMNS

__all__ = ["CONTEXT_UNITS", "QUOTE_COLUMNS", "QUOTE_STATUSES", "QUOTE_UNITS", "ContextUnit", "QueryUnit",
           "QuoteStatus"]

#: A unit a query is evaluated in.
QueryUnit = Literal["sentence", "turn", "document"]
#: How context around a quote is measured: sentences, or characters (whole words only).
ContextUnit = Literal["sentence", "chars"]
#: A coding's status.
QuoteStatus = Literal["confirmed", "suggested", "suppressed", "rejected"]

QUOTE_UNITS: tuple[str, ...] = get_args(QueryUnit)
CONTEXT_UNITS: tuple[str, ...] = get_args(ContextUnit)
QUOTE_STATUSES: tuple[str, ...] = get_args(QuoteStatus)

#: The columns read first; the participant attribute columns of the codings follow ``pseudonym``.
_LEAD = ["text", "coder", "code", "doc_id", "kind", "speaker", "pseudonym"]
#: The columns after the attributes: status, context, then offsets and ids.
_TAIL = ["status", "left_context", "right_context", "start", "end", "n_codings", "coding_ids", "participant_id",
         "unit", "unit_ordinal"]
#: Every column of the result except the attribute columns (which sit between ``pseudonym`` and ``status``).
QUOTE_COLUMNS = [*_LEAD, *_TAIL]
#: Columns :func:`styled` leaves out by default (ids and query bookkeeping).
_NOT_SHOWN = ("coding_ids", "participant_id", "unit", "unit_ordinal")
_NOT_ATTRIBUTES = {*CODING_COLUMNS, *QUOTE_COLUMNS, "coder", "code", "pseudonym", "segment_speaker"}
