"""The review queue cannot lose work: undo, a closed project, decisions by id, the widget's defaults and keys."""

from __future__ import annotations

import pytest

from asymmetry_qda import Project
from asymmetry_qda.codebook import parse_codebook
from asymmetry_qda.errors import InputError

from .test_coding_review import CODEBOOK, TEXT


@pytest.fixture()
def coded(project, write):
    project.ingest(write("INT04.txt", TEXT), pipeline="blank")
    project.code(parse_codebook(CODEBOOK), pipeline="blank", progress=False)
    return project


def test_undo_restores_the_suggestion_as_it_was_and_keeps_the_decision_in_the_history(coded):
    queue = coded.review_queue(coder="LT")
    first = queue.current.copy()
    accepted = queue.accept(memo="clear case")
    assert queue.current["coding_id"] != first["coding_id"]
    restored = queue.undo()
    assert queue.current["coding_id"] == restored and queue.remaining == 4 and queue.decisions == []
    pending = coded.suggestions(status="suggested").set_index("coding_id")
    assert restored in pending.index and first["coding_id"] not in pending.index
    row = pending.loc[restored]
    assert (row["code_id"], row["start"], row["end"], row["rule_id"], row["confidence"]) == \
        (first["code_id"], first["start"], first["end"], first["rule_id"], first["confidence"])
    chain = coded.history(restored)
    assert chain["coding_id"].tolist() == [first["coding_id"], accepted, restored]
    assert chain["status"].tolist() == ["suggested", "confirmed", "suggested"]
    assert "undo by LT" in chain["note"].iloc[-1]
    assert coded.memos()["text"].tolist() == ["clear case"]  # the memo stays with the decision it explained


def test_undo_of_a_coding_made_by_hand_is_refused_clearly(coded):
    mine = coded.code_span("INT04", 0, 10, "response.blame", coder="LT")
    with pytest.raises(InputError, match="nothing to return to.*reject it instead"):
        coded.undo(mine, coder="LT")


def test_a_queue_whose_project_was_closed_opens_it_again_and_stores_the_decision(coded):
    queue = coded.review_queue(coder="LT")
    item = queue.current["coding_id"]
    path = coded.path
    coded.close()  # as the last cell of a notebook run with "Run All" did
    new_id = queue.accept()
    assert "opened again" in queue.last_action
    with Project.open(path) as again:
        assert again.codings().set_index("coding_id").loc[new_id, "status"] == "confirmed"
        assert again.history(new_id)["coding_id"].tolist() == [item, new_id]
    queue.project.close()


def test_a_decision_by_id_acts_on_that_item_whatever_is_current(coded):
    queue = coded.review_queue(coder="LT")
    third = queue.items.iloc[2]["coding_id"]
    queue.skip()  # a click in the panel moved the queue on
    rejected = queue.reject(coding_id=third, memo="not blame")
    assert coded.history(rejected)["coding_id"].tolist() == [third, rejected]
    assert coded.memos().set_index("coding_id").loc[rejected, "text"] == "not blame"
    with pytest.raises(KeyError, match="not in this queue"):
        queue.accept(coding_id="nope")


def test_a_missing_coder_is_the_toolkits_own_error(coded):
    with pytest.raises(InputError, match="coder.*pass coder='LT'"):
        coded.review_queue()


def test_the_widget_starts_change_code_on_the_suggestions_code_shows_what_happened_and_takes_keys(coded):
    pytest.importorskip("ipywidgets")
    queue = coded.review_queue(coder="LT")
    widget = queue.widget()
    assert queue._choice.value == queue.current["code_id"]
    keys = widget.children[2].children[1]
    keys.value = "a"  # typing a key in the keys box accepts
    assert len(queue.decisions) == 1 and "accepted: response.blame" in queue._status.value
    keys.value = "u"
    assert queue.decisions == [] and "undid" in queue._status.value
    coded.close()
    queue.project.close()  # even a reopened project closed again: the error shows in the panel
    import unittest.mock as mock

    with mock.patch.object(type(queue.project), "accept", side_effect=RuntimeError("disk full")):
        queue._run(lambda: queue.project.accept(["x"], coder="LT"))
    assert "Nothing was stored" in queue._status.value and "disk full" in queue._status.value


def test_a_suggestion_someone_already_coded_is_marked(coded):
    queue = coded.review_queue(coder="LT")
    item = queue.current
    coded.code_span(item["doc_id"], int(item["start"]), int(item["end"]), item["code_id"], coder="MK")
    queue = coded.review_queue(coder="LT")
    assert len(queue.already_coded()) == 1 and "already coded by MK" in queue.html()


def test_a_projects_repr_says_what_is_in_it(coded):
    text = repr(coded)
    assert "1 document (1 interview), 0 participants" in text and "no coders" in text
    assert "current codings: 4 suggested, 1 suppressed (4 suggestions to review)" in text
    coded.accept([coded.suggestions()["coding_id"].iloc[0]], coder="LT")
    assert "coders LT; current codings: 1 confirmed, 3 suggested" in repr(coded)
    coded.close()
    assert repr(coded).endswith(", closed)")


def test_without_the_notebook_extra_the_panel_and_the_view_say_which_extra_to_install(coded, monkeypatch):
    import sys

    from asymmetry_qda.errors import MissingDependency

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets now raises ImportError
    monkeypatch.setitem(sys.modules, "IPython.display", None)
    queue = coded.review_queue(coder="LT")
    with pytest.raises(MissingDependency, match=r"review panel needs ipywidgets.*pip install 'asymmetry_qda\[notebook\]'"):
        queue.widget()
    with pytest.raises(ImportError, match=r"showing a view in Jupyter needs IPython"):
        coded.show("INT04", jupyter=True)
    assert "INT04" in coded.show("INT04", jupyter=False)  # the HTML needs neither
