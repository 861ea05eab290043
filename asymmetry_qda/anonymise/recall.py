"""How many planted identifiers the anonymisation audit finds, kind by kind.

:data:`PLANTED` holds invented identifiers of every kind in
:data:`~asymmetry_qda.anonymise.audit.KINDS` (they refer to nobody);
:func:`planted_corpus` plants them in invented interview turns
(:data:`CARRIERS`) and returns the texts with the exact spans planted;
:func:`recall_by_kind` scores :func:`~asymmetry_qda.anonymise.audit.audit_texts`
findings against those spans.

Run ``python -m asymmetry_qda.anonymise.recall [--pipeline auto|blank] [--seed N]``
to print the table.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence

import pandas as pd

__all__ = ["CARRIERS", "KIND_CARRIERS", "PLANTED", "TRUTH_COLUMNS", "main", "planted_corpus", "recall_by_kind"]

#: Invented identifiers, at least eight of every kind the audit reports. Everything here is made up.
PLANTED: dict[str, tuple[str, ...]] = {
    "person": ("Julia Hargreaves", "Tom Okonkwo", "Grace Adeyemi", "Mark Delaney", "Priya Raman",
               "Kevin Brennan", "Siobhan Kelly", "Daniel Osei", "Aisha Begum", "Stuart Fairbairn"),
    "rank_name": ("Sergeant Okafor", "DC Priya Shah", "Insp. Hughes", "A/DS McAllister", "Mrs Patel",
                  "DCI Walsh", "Chief Inspector Deborah Lyle", "Det. Sgt. O'Brien", "PS Adeyemi-Cole",
                  "Superintendent Marsh"),
    "collar_number": ("PC 4471", "shoulder number 312", "warrant no. 123456", "PC 123AB", "collar number 2290",
                      "DC 5519", "PS 41RK", "warrant card number 204417", "badge number 7731", "Sgt 1203"),
    "phone": ("+44 7700 900123", "020 7946 0958", "07700 900456", "(020) 7946 0321", "0161 496 0753",
              "+44 (0)117 496 0012", "01632 960555", "0044 20 7946 0011", "0808 157 0192"),
    "email": ("j.bloggs@example.police.uk", "a.n.other@example.co.uk", "sgt.okafor@example.org",
              "team7-response@example.net", "priya.shah+work@example.com", "fedrep@example.org.uk",
              "d.walsh@example.gov.uk", "kev_brennan84@example.co.uk"),
    "postcode": ("SW1A 1AA", "M1 1AE", "SE13 6AB", "B33 8TH", "CR0 2XY", "EC1A 1BB", "W1A 0AX", "BR1 3QP",
                 "N1C 4AG"),
    "station": ("Lewisham nick", "custody at Brixton", "Brixton station", "Croydon police station",
                "the nick in Peckham", "Walworth nick", "cells at Wembley", "Bexleyheath police station",
                "Sutton custody"),
    "deny_list": ("Ashworth", "Quennell", "Zielinski", "Bramhall", "Nkemelu", "Thistlethwaite", "Loveday",
                  "Penhaligon"),
    "vehicle_reg": ("AB12 CDE", "LK19 XWZ", "YR68 TFA", "GX21 PLO", "BD51 SMR", "KM70PNE", "SN23 VHJ",
                    "WP15 RTY"),
    "url": ("https://www.example.org/report", "www.example-fedrep.co.uk", "example-borough.gov.uk/consultation",
            "http://intranet.example.police.uk/news", "tinyurl.com/y4abcd", "example.com/jobs?id=42",
            "https://example.net", "www.example.info/blog/2021"),
    "handle": ("@LewishamMPS", "@Sgt_Okafor", "@JulesH1982", "@TeamResponse7", "@example_fed", "@PCKaurOfficial",
               "@CroydonCops", "@dci_walsh"),
    "date": ("14th March", "03/04/2021", "Tuesday the 3rd", "14th of March 2021", "March 14th", "2021-04-03",
             "Friday 13th", "3.4.21", "Sept 11, 2019", "1st of June"),
    "time": ("2.15am", "14:30", "0300 hours", "3am", "10 p.m.", "4 o'clock", "1430hrs", "23:05", "6.45pm"),
    "street": ("Acacia Road", "High Street", "12 Mill Lane", "Coldharbour Lane", "Wellington Crescent",
               "Kingsley Avenue", "47 Elm Grove", "Tollgate Drive", "Fenwick Way"),
    "place": ("Croydon", "Bromley", "Hackney", "Margate", "Stevenage", "Luton", "Basingstoke", "Peckham",
              "Harrow", "Kingston upon Thames"),
    "force": ("Kent Police", "GMP", "Thames Valley Police", "Essex Police", "West Midlands Police",
              "Avon and Somerset Constabulary", "Sussex Police", "WMP", "PSNI",
              "Hampshire Constabulary"),
    "organisation": ("Tesco", "Barclays", "Vodafone", "Network Rail", "Deloitte", "Lloyds Bank", "Serco",
                     "Amazon", "HSBC", "Sainsbury's"),
}

#: Invented interview turns with a ``{x}`` slot for one identifier.
CARRIERS: tuple[str, ...] = (
    "P03: Well, after that {x} was on my back about the figures, you know.",
    "P05: I keep coming back to {x}, if I'm honest, because that's where it all started.",
    "P02: Nobody on the team mentioned {x} until much later, and by then it was too late.",
    "P04: To be fair, {x} came up again in the debrief and I just sort of nodded along.",
    "P06: It's in my notes somewhere, {x}, but I'd have to check before I said for certain.",
    "P01: The inspector wrote down {x} and said he'd take it further, which he never did.",
    "P07: I remember {x} clearly, because it was the week everything changed for us.",
)

#: Turns for kinds that read oddly in :data:`CARRIERS` ("burglaries in {x}" suits a town, not a person).
KIND_CARRIERS: dict[str, tuple[str, ...]] = {
    "place": (
        "P04: We had a lot of burglaries in {x} that winter, and the public were furious with us.",
        "P06: There was a big fight outside a pub in {x}, and we were the only car free.",
        "P03: She'd moved down from {x} the year before, so she didn't know the area at all.",
        "P02: My first posting after training was over in {x}, and honestly I loved it there.",
    ),
    "organisation": (
        "P02: The security manager at {x} rang us every week about shoplifters.",
        "P06: We had a joint operation with {x} and their fraud team, sharing the data.",
        "P03: The company, {x}, wouldn't hand over the footage without a court order.",
        "P04: I did a few years at {x} before I joined, in their head office.",
    ),
}

#: Columns of the truth frame :func:`planted_corpus` returns.
TRUTH_COLUMNS: tuple[str, ...] = ("doc_id", "start", "end", "text", "kind")

_FILLERS = ("Interviewer: Mm-hm.", "Interviewer: Go on.", "Interviewer: And how did that feel?",
            "Interviewer: Okay.")


def planted_corpus(seed: int = 0, *, turns_per_doc: int = 20) -> tuple[dict[str, str], pd.DataFrame]:
    """Invented transcripts with every :data:`PLANTED` identifier in a :data:`CARRIERS` turn.

    The identifiers are shuffled (``random.Random(seed)``), each is put in a
    randomly chosen carrier (from :data:`KIND_CARRIERS` for its kind if listed
    there, else :data:`CARRIERS`), and the turns are cut into documents
    ``REC01``, ``REC02`` ... of ``turns_per_doc`` turns, with an interviewer's
    prompt between turns. Returns ``(texts, truth)``: ``truth`` has columns
    :data:`TRUTH_COLUMNS`, one row per planted identifier, with
    ``texts[doc_id][start:end] == text``.

    >>> texts, truth = planted_corpus()
    >>> all(texts[d][s:e] == t for d, s, e, t in zip(truth.doc_id, truth.start, truth.end, truth.text))
    True
    """
    rng = random.Random(seed)
    items = [(kind, text) for kind, texts in PLANTED.items() for text in texts]
    rng.shuffle(items)
    texts: dict[str, str] = {}
    rows: list[tuple[str, int, int, str, str]] = []
    for n, first in enumerate(range(0, len(items), turns_per_doc), start=1):
        doc_id = f"REC{n:02d}"
        parts: list[str] = []
        offset = 0
        for kind, ident in items[first:first + turns_per_doc]:
            if parts:
                filler = rng.choice(_FILLERS) + "\n\n"
                parts.append(filler)
                offset += len(filler)
            before, after = rng.choice(KIND_CARRIERS.get(kind, CARRIERS)).split("{x}")
            rows.append((doc_id, offset + len(before), offset + len(before) + len(ident), ident, kind))
            turn = f"{before}{ident}{after}\n\n"
            parts.append(turn)
            offset += len(turn)
        texts[doc_id] = "".join(parts)
    truth = pd.DataFrame(rows, columns=list(TRUTH_COLUMNS)).astype({"start": "int64", "end": "int64"})
    return texts, truth


def recall_by_kind(findings: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Recall of planted identifiers, one row per planted kind.

    The unit is one planted identifier (one row of ``truth``). It is *found*
    when some finding in the same document overlaps its span
    (``finding.start < end`` and ``start < finding.end``), whatever the
    finding's kind; ``found_as_kind`` counts those overlapped by a finding of
    the planted kind. ``recall = found / planted``; ``missed`` joins the texts
    not found with ``';'``. Rows follow the order of
    :data:`~asymmetry_qda.anonymise.audit.KINDS`.

    >>> truth = pd.DataFrame({"doc_id": ["a", "a", "b"], "start": [0, 20, 5], "end": [9, 27, 12],
    ...                       "text": ["PC Kaur x", "Croydon", "GMP etc"], "kind": ["rank_name", "place", "force"]})
    >>> findings = pd.DataFrame({"doc_id": ["a", "a", "b"], "start": [3, 20, 0], "end": [7, 27, 4],
    ...                          "kind": ["rank_name", "organisation", "force"]})
    >>> recall_by_kind(findings, truth).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'kind': 'rank_name', 'planted': 1, 'found': 1, 'found_as_kind': 1, 'recall': 1.0, 'missed': ''},
     {'kind': 'place', 'planted': 1, 'found': 1, 'found_as_kind': 0, 'recall': 1.0, 'missed': ''},
     {'kind': 'force', 'planted': 1, 'found': 0, 'found_as_kind': 0, 'recall': 0.0, 'missed': 'GMP etc'}]
    """
    from .audit import KINDS

    by_doc = {doc_id: rows for doc_id, rows in findings.groupby("doc_id", sort=False)}
    stats: dict[str, list] = {}
    for t in truth.itertuples(index=False):
        entry = stats.setdefault(t.kind, [0, 0, 0, []])
        entry[0] += 1
        rows = by_doc.get(t.doc_id)
        over = rows[(rows.start < t.end) & (rows.end > t.start)] if rows is not None else None
        if over is not None and len(over):
            entry[1] += 1
            entry[2] += int((over.kind == t.kind).any())
        else:
            entry[3].append(t.text)
    order = [k for k in KINDS if k in stats] + sorted(k for k in stats if k not in KINDS)
    return pd.DataFrame(
        [{"kind": k, "planted": stats[k][0], "found": stats[k][1], "found_as_kind": stats[k][2],
          "recall": stats[k][1] / stats[k][0], "missed": ";".join(stats[k][3])} for k in order],
        columns=["kind", "planted", "found", "found_as_kind", "recall", "missed"])


def main(argv: Sequence[str] | None = None) -> int:
    """Audit the planted corpus and print recall by kind and overall."""
    from .audit import audit_texts

    parser = argparse.ArgumentParser(prog="python -m asymmetry_qda.anonymise.recall",
                                     description="Recall of the anonymisation audit on planted identifiers.")
    parser.add_argument("--pipeline", default="auto", help="spaCy pipeline: 'auto' (default), 'blank' or a name")
    parser.add_argument("--model", dest="pipeline", help="deprecated: the old name of --pipeline")
    parser.add_argument("--seed", type=int, default=0, help="shuffle seed for the planted corpus (default 0)")
    args = parser.parse_args(argv)
    if any(a == "--model" or a.startswith("--model=") for a in (sys.argv[1:] if argv is None else argv)):
        print("warning: --model is deprecated and will be removed in the next release; use --pipeline",
              file=sys.stderr)
    texts, truth = planted_corpus(args.seed)
    findings = audit_texts(texts, pipeline=args.pipeline, deny=PLANTED["deny_list"])
    table = recall_by_kind(findings, truth)
    print(table.to_string(index=False))
    found, planted = int(table.found.sum()), int(table.planted.sum())
    print(f"\noverall recall (pipeline={args.pipeline}): {found}/{planted} = {found / planted:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
