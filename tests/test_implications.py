"""Declared implications between codes (codebook `implies`): validation, inheritance, and theme tables."""

from __future__ import annotations

import pandas as pd
import pytest

from asymmetry_qda.analysis import code_frequencies, participant_balance
from asymmetry_qda.analysis._frame import implication_note, with_implied
from asymmetry_qda.codebook import load_codebook, parse_codebook
from asymmetry_qda.errors import InputError

from .conftest import REPO
from .test_theme_tables import UNITS, coding

BOOK = """
codebook: {name: t, version: "1"}
codes:
  - {id: reason, label: R, definition: d, poles: {heavy: reason.personal_fault, light: reason.complexity}}
  - {id: reason.personal_fault, label: F, definition: d}
  - {id: reason.complexity, label: C, definition: d}
  - {id: failure, label: X, definition: d}
  - {id: failure.preventable, label: P, definition: d, implies: [reason.personal_fault]}
  - {id: failure.preventable.deviation, label: D, definition: d}
  - {id: failure.tolerable, label: T, definition: d, implies: [reason.complexity]}
"""


def test_implications_are_inherited_by_sub_codes():
    book = parse_codebook(BOOK)
    assert book.implied("failure.preventable.deviation") == ("reason.personal_fault",)
    assert book.implied("failure.tolerable") == ("reason.complexity",)
    assert book.implied("reason.personal_fault") == () and book.implied("not.a.code") == ()
    assert book.implications == {"failure.preventable": ("reason.personal_fault",),
                                 "failure.preventable.deviation": ("reason.personal_fault",),
                                 "failure.tolerable": ("reason.complexity",)}


def test_bad_implications_are_reported_with_their_lines():
    bad = BOOK.replace("implies: [reason.personal_fault]", "implies: [no.such.code, failure]").replace(
        "implies: [reason.complexity]", "implies: [failure.tolerable]")
    with pytest.raises(InputError) as caught:
        parse_codebook(bad, source="cb.yaml")
    text = str(caught.value)
    assert "implies 'no.such.code' is not a code" in text
    assert "'failure.preventable' cannot imply 'failure'" in text and "cannot imply 'failure.tolerable'" in text
    assert "line 8" in text and "line 10" in text  # (BOOK starts with a blank line)


def test_the_study_codebook_declares_table_ones_reasons():
    book = load_codebook(REPO / "codebooks" / "asymmetries.yaml")
    assert book.implied("failure.preventable.inattention") == ("reason.personal_fault",)
    assert book.implied("failure.tolerable.complexity") == ("reason.complexity",)
    assert book.implied("failure.intelligent.innovation") == ()


def test_theme_tables_count_an_implied_code_and_say_so():
    book = parse_codebook(BOOK)
    codings = pd.DataFrame([coding("c1", "D1", "failure.preventable.deviation", 0, 0, 0, "P1", True),
                            coding("c2", "D1", "reason.personal_fault", 0, 0, 0, "P1", True),
                            coding("c3", "D2", "failure.tolerable", 1, 1, 0, "P2", False)])
    expanded = with_implied(codings, book)
    assert len(expanded) == 5 and set(expanded.loc[expanded["implied_by"] != "", "code_id"]) == {
        "reason.personal_fault", "reason.complexity"}
    table = code_frequencies(expanded, units=UNITS, roll_up=True).set_index("code_id")
    # sentence D1/0 holds the deviation and a personal-fault coding: one unit for reason.personal_fault
    assert table.at["reason.personal_fault", "n_units"] == 1 and table.at["reason.complexity", "n_units"] == 1
    assert table.at["reason", "n_units"] == 2
    plain = code_frequencies(codings, units=UNITS, roll_up=True).set_index("code_id")
    assert "reason.complexity" not in plain.index
    balance = participant_balance(expanded, poles={"reason": ("reason.personal_fault", "reason.complexity")},
                                  units=UNITS).set_index("participant_id")
    assert (balance.at["P1", "heavy"], balance.at["P2", "light"]) == (1, 1)
    note = implication_note(book)
    assert "failure.preventable => reason.personal_fault" in note and "failure.tolerable => reason.complexity" in note
    assert implication_note(None) == "" and with_implied(codings, None)["implied_by"].eq("").all()
