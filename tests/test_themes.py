"""Themes from codes (issue 22): made, reviewed, followed through code operations, tabulated like codes."""

from __future__ import annotations

import pytest

from asymmetry_qda.analysis import code_frequencies, load, theme_codings
from asymmetry_qda.errors import InputError, NotFoundError


def test_a_theme_groups_codes_and_keeps_its_history(coded):
    coded.create_theme("unfair_burden", label="An unfair burden", definition="Answerable, blamed, unthanked.",
                       codes=["agency.responsibility", "response.blame"], by="LT")
    coded.update_theme("unfair_burden", add=["response.praise"], status="reviewed", by="MK", reason="thanks too")
    themes = coded.themes()
    assert themes.loc[0, "codes"] == ["agency.responsibility", "response.blame", "response.praise"]
    assert themes.loc[0, "status"] == "reviewed" and themes.loc[0, "author"] == "MK"
    history = coded.theme_history("unfair_burden")
    assert list(history["status"]) == ["candidate", "reviewed"] and history["reason"].iloc[-1] == "thanks too"
    coded.drop_theme("unfair_burden", by="LT")
    assert coded.themes().empty and len(coded.themes(include_dropped=True)) == 1
    with pytest.raises(NotFoundError, match="not a theme"):
        coded.update_theme("unfair_burden", status="final", by="LT")


def test_every_problem_with_a_theme_is_reported_at_once(coded):
    with pytest.raises(InputError) as caught:
        coded.create_theme("agency", label="", definition="x", codes=["response.blam"], status="done", by="LT")
    text = str(caught.value)
    assert "4 problems" in text and "is a code id" in text and "needs a label" in text
    assert "did you mean response.blame" in text and "not a theme status" in text
    assert coded.themes().empty


def test_a_code_sits_in_one_final_theme_at_most(coded):
    coded.create_theme("one", label="One", definition="d", codes=["response.blame"], status="final", by="LT")
    coded.create_theme("two", label="Two", definition="d", codes=["response.blame"], by="LT")  # a candidate may
    with pytest.raises(InputError, match="already in the final theme 'one'"):
        coded.update_theme("two", status="final", by="LT")


def test_themes_follow_renames_merges_retirements_and_their_undo(coded):
    coded.create_theme("felt", label="Felt", definition="d", codes=["experience", "response.praise"], by="LT")
    coded.rename_code("experience", "feeling", by="LT")
    coded.merge_codes(["response.praise"], "response.blame", by="LT")
    assert coded.themes().loc[0, "codes"] == ["feeling", "response.blame"]
    coded.retire_code("feeling", by="LT")
    assert coded.themes().loc[0, "codes"] == ["response.blame"]
    for _ in range(3):
        coded.undo_code_change(by="LT")
    assert coded.themes().loc[0, "codes"] == ["experience", "response.praise"]


def test_tables_take_themes_where_they_take_codes(coded):
    coded.create_theme("burden", label="Burden", definition="d", codes=["agency", "response.blame"], by="LT")
    data = load(coded)  # LT's and MK's confirmed codings, the sentences of the coded documents
    codings = data.codings
    themed = theme_codings(codings, coded.themes())
    # agency's sub-codes count for it; the MK and LT codings of "Nobody ever says thanks" are two codings
    assert sorted(themed["member_code"]) == ["agency.control", "agency.responsibility", "response.blame",
                                             "response.blame"]
    table = code_frequencies(themed, units=data.units)
    assert list(table["code_id"]) == ["burden"]
    per_code = code_frequencies(codings, units=data.units).set_index("code_id")["n_units"]
    # a unit holding several of the theme's codes counts once for it
    assert table["n_units"].iloc[0] <= per_code[["agency.control", "agency.responsibility", "response.blame"]].sum()
    both = theme_codings(codings, coded.themes(), keep_codes=True)
    assert {"burden", "response.praise"} <= set(both["code_id"])


def test_the_command_line_makes_reviews_and_lists_themes(coded, capsys):
    import json

    from asymmetry_qda.cli import main

    path = str(coded.path)
    coded.close()
    assert main(["themes", "create", path, "burden", "--label", "Burden", "--definition", "Carried alone.",
                 "--codes", "agency.responsibility", "--by", "LT"]) == 0
    assert main(["themes", "update", path, "burden", "--add", "response.blame", "--status", "reviewed",
                 "--by", "MK", "--reason", "blame too", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert listed[0]["codes"] == ["agency.responsibility", "response.blame"] and listed[0]["status"] == "reviewed"
    assert main(["themes", "update", path, "burden", "--add", "respons.blame", "--by", "MK"]) == 2
    assert "did you mean response.blame" in capsys.readouterr().err
    assert main(["themes", "history", path, "burden"]) == 0
    out = capsys.readouterr().out
    assert "candidate  by LT" in out and "reviewed  by MK" in out and "(blame too)" in out
