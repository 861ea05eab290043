"""Refining codes (issue 22): create, rename, move, merge, split, retire and undo, with codings carried."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from asymmetry_qda import Project
from asymmetry_qda import code_changes as changes
from asymmetry_qda.codebook import operations as ops
from asymmetry_qda.codebook import parse_codebook
from asymmetry_qda.codebook.yamlnodes import load_located
from asymmetry_qda.errors import InputError
from tests.conftest import CODE_CHANGES_CODEBOOK as CODEBOOK


def _data(text: str = CODEBOOK) -> dict:
    return load_located(text, source="t").value


def _state(project: Project) -> list[tuple]:
    """The current codings, as what a coding is: its words, code, status and who."""
    frame = project.codings()
    frame = frame[frame["status"] != "withdrawn"]
    return sorted(zip(frame["doc_id"], frame["start"], frame["end"], frame["code_id"], frame["status"],
                      frame["coder_id"], frame["origin"], frame["rule_id"].fillna(""), strict=True))


# -- the codebook's data --------------------------------------------------------------------------------------

def test_rename_takes_the_sub_codes_and_every_reference_along():
    change = ops.rename(_data(), "agency", "burden")
    ids = [c["id"] for c in change.data["codes"]]
    assert ids[:3] == ["burden", "burden.responsibility", "burden.control"]
    assert change.data["codes"][0]["poles"] == {"heavy": "burden.responsibility", "light": "burden.control"}
    assert change.mapping == {"agency": "burden", "agency.responsibility": "burden.responsibility",
                              "agency.control": "burden.control"}
    parse_codebook(ops.to_yaml(change.data))  # still a valid codebook


@pytest.mark.parametrize("call, message", [
    (lambda d: ops.rename(d, "agency", "response"), "already exists"),
    (lambda d: ops.rename(d, "agency.control", "steer"), "is not under agency"),
    (lambda d: ops.rename(d, "agncy", "x"), "did you mean agency"),
    (lambda d: ops.move(d, "agency", "agency.control"), "is 'agency' or under it"),
    (lambda d: ops.merge(d, ["agency"], "response"), "has sub-codes"),
    (lambda d: ops.merge(d, ["agency.control"], "agency.responsibility"), "poles one code"),
    (lambda d: ops.retire(d, "response.blame"), "is named by response.praise"),
    (lambda d: ops.retire(d, "agency.control"), "is named by agency"),
    (lambda d: ops.create(d, "Not An Id", label="x", definition="y"), "is not a code id"),
    (lambda d: ops.create(d, "nothing.here", label="x", definition="y"), "parent 'nothing' of"),
])
def test_an_operation_that_would_break_the_codebook_is_refused_with_a_fix(call, message):
    with pytest.raises(InputError, match=message) as caught:
        call(_data())
    assert "Fix" in str(caught.value) or "fix" in str(caught.value).lower()


def test_merge_brings_the_rules_and_examples_and_drops_a_self_reference():
    change = ops.merge(_data(), ["response.blame"], "response.praise")
    praise = next(c for c in change.data["codes"] if c["id"] == "response.praise")
    assert [r["id"] for r in praise["rules"]] == ["r.iopc"] and praise["examples"] == ["in front of the iopc"]
    assert "implies" not in praise  # it implied the code merged into it
    book = parse_codebook(ops.to_yaml(change.data))
    assert "response.blame" not in book and book["response.praise"].rules[0].id == "r.iopc"


def test_move_puts_the_code_after_its_new_parents_last_sub_code():
    change = ops.move(_data(), "experience", "response")
    assert [c["id"] for c in change.data["codes"]][3:7] == ["response", "response.blame", "response.praise",
                                                             "response.experience"]


def test_yaml_round_trips_and_the_diff_shows_only_the_change():
    data = _data()
    assert load_located(ops.to_yaml(data), source="t").value == data
    text = ops.diff(data, ops.rename(data, "experience", "feeling").data)
    changed = [line for line in text.splitlines()[2:] if line.startswith(("+", "-"))]
    assert changed == ["-- id: experience", "+- id: feeling"]


def test_in_vivo_ids_come_from_the_words():
    assert ops.in_vivo_id("Hung out to dry", parent="response.blame") == "response.blame.hung_out_to_dry"
    with pytest.raises(InputError, match="no letters"):
        ops.in_vivo_id("...")


# -- a project's codes ----------------------------------------------------------------------------------------

def test_rename_carries_every_coding_and_keeps_its_history(coded):
    before = _state(coded)
    carried = changes.rename_code(coded, "response.blame", "response.blamed", by="RS", reason="clearer")
    assert carried.attrs["version"] == 2 and len(carried) == 3  # LT's, MK's and the tagger's suggestion
    assert set(carried["code_after"]) == {"response.blamed"}
    after = _state(coded)
    assert after == sorted((*row[:3], "response.blamed" if row[3] == "response.blame" else row[3], *row[4:])
                           for row in before)
    story = changes.history(coded, carried["coding_id"].iloc[0])
    assert "renamed by RS in codebook version 2: clearer" in story
    versions = changes.versions(coded)
    assert list(versions["operation"]) == ["load", "rename"]
    assert list(versions["author"]) == ["the codebook file", "RS"] and "(T 1)" in versions["reason"].iloc[0]
    assert "response.blamed" in versions["diff"].iloc[1]
    book = coded.latest_codebook()
    assert "response.blamed" in book and book["response.blamed"].rules[0].id == "r.iopc"
    assert book["response.praise"].implies == ("response.blamed",)


def test_a_clash_is_refused_and_nothing_is_written(coded):
    from tests.conftest import snapshot

    before = snapshot(coded)
    with pytest.raises(InputError, match="already exists"):
        changes.rename_code(coded, "response.blame", "response.praise", by="RS")
    with pytest.raises(InputError, match="coder|name or initials"):
        changes.rename_code(coded, "response.blame", "response.x", by="")
    assert snapshot(coded) == before


def test_split_moves_the_chosen_codings_only(coded):
    frame = coded.codings()
    chosen = frame[(frame["code_id"] == "response.blame") & (frame["coder_id"] == "MK")]["coding_id"].tolist()
    carried = changes.split_code(coded, "response.blame", chosen, "response.blame.silence", label="Silence",
                                 definition="Blame by saying nothing.", by="LT")
    assert carried["supersedes"].tolist() == chosen
    codes = coded.codings().groupby("code_id").size()
    assert codes["response.blame.silence"] == 1 and codes["response.blame"] == 2
    with pytest.raises(InputError, match="not current"):
        changes.split_code(coded, "response.blame", chosen, "response.blame.other", label="O", definition="O.",
                           by="LT")


def test_retire_withdraws_and_undo_restores(coded):
    before = _state(coded)
    with pytest.raises(InputError, match="named by agency"):
        changes.retire_code(coded, "agency.responsibility", by="LT")
    changes.retire_code(coded, "experience", by="LT")
    changes.merge_codes(coded, ["response.praise"], "response.blame", by="LT")
    assert all(c != "response.praise" for c in coded.codings()["code_id"])
    changes.undo(coded, by="LT")
    assert _state(coded) == before
    changes.undo(coded, by="LT")  # the retirement
    assert _state(coded) == before and "experience" in coded.latest_codebook()
    with pytest.raises(InputError, match="no code operation to undo"):
        changes.undo(coded, by="LT")


def test_undo_of_a_rename_takes_later_codings_back_too(coded):
    changes.rename_code(coded, "experience", "feeling", by="LT")
    coded.code_span("INT07", 0, 11, "feeling", coder="LT")
    changes.undo(coded, by="LT")
    assert "feeling" not in set(coded.codings()["code_id"])
    assert (coded.codings()["code_id"] == "experience").sum() == 1


# -- the property of issue 22 ---------------------------------------------------------------------------------

_STEPS = st.lists(st.sampled_from(["rename", "move", "merge", "split", "retire", "create", "undo"]), min_size=1,
                  max_size=6)


@pytest.fixture
def template(coded, tmp_path):
    return coded.backup(tmp_path / "template.qda")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_STEPS, seed=st.integers(0, 10_000))
def test_any_sequence_of_operations_recodes_as_from_scratch_and_undo_restores(template, tmp_path_factory, steps,
                                                                            seed):
    import random

    copy = tmp_path_factory.mktemp("example") / "s.qda"
    with Project.open(template) as source:
        source.backup(copy)
    with Project.open(copy) as project:
        _run(project, steps, random.Random(seed))


def _run(coded: Project, steps: list[str], rng) -> None:
    start = coded.codings(current_only=False)
    expected = [_state(coded)]  # the state before each operation still in effect
    history_before = set(start["coding_id"])
    for n, step in enumerate(steps):
        book = coded.latest_codebook()
        leaves = [c.id for c in book.codes if not book.descendants(c.id)]
        state = _state(coded)
        recoded = None
        try:
            if step == "split":  # some of one code's current codings, chosen at random, go to a new sub-code
                frame = coded.codings()
                frame = frame[frame["status"] != "withdrawn"]
                code = rng.choice(sorted(set(frame["code_id"])))
                ids = frame.loc[frame["code_id"] == code, "coding_id"].tolist()
                chosen = set(rng.sample(ids, rng.randint(1, len(ids))))
                changes.split_code(coded, code, sorted(chosen), f"{code}.s{n}", label="S", definition="Split.",
                                   by="LT")
                frame = frame.assign(code_id=[f"{code}.s{n}" if i in chosen else c
                                              for i, c in zip(frame["coding_id"], frame["code_id"], strict=True)])
                recoded = sorted(zip(frame["doc_id"], frame["start"], frame["end"], frame["code_id"],
                                     frame["status"], frame["coder_id"], frame["origin"],
                                     frame["rule_id"].fillna(""), strict=True))
                mapping = {}
            elif step == "rename":
                code = rng.choice(leaves)
                new = code.rsplit(".", 1)[0] + f".r{n}" if "." in code else f"r{n}"
                changes.rename_code(coded, code, new, by="LT")
                mapping = {code: new}
            elif step == "move":
                code, parent = rng.choice(leaves), rng.choice([None, *[c.id for c in book.codes]])
                carried = changes.move_code(coded, code, parent, by="LT")
                mapping = dict(zip(carried["code_before"], carried["code_after"], strict=True))
                mapping[code] = (f"{parent}." if parent else "") + code.rsplit(".", 1)[-1]
            elif step == "merge":
                code, into = rng.sample([c.id for c in book.codes], 2)
                changes.merge_codes(coded, [code], into, by="LT")
                mapping = {code: into}
            elif step == "retire":
                code = rng.choice(leaves)
                changes.retire_code(coded, code, by="LT")
                mapping = {code: None}
            elif step == "create":
                changes.create_code(coded, f"new{n}", label="N", definition="New.", by="LT")
                mapping = {}
            else:
                changes.undo(coded, by="LT")
                if len(expected) > 1:
                    expected.pop()
                assert _state(coded) == expected[-1]
                event("undo applied")
                continue
        except InputError:  # refused (a clash, sub-codes, a reference): nothing changed
            event(f"{step} refused")
            assert _state(coded) == state
            continue
        event(f"{step} applied")
        if recoded is None:
            recoded = sorted((*row[:3], mapping.get(row[3], row[3]), *row[4:]) for row in state
                             if mapping.get(row[3], row[3]) is not None)
        assert _state(coded) == recoded
        expected.append(recoded)
        # every coding stays on the same characters, and no row of the history is lost
        frame = coded.codings()
        text = coded.text("INT07")
        assert all(text[s:e] == t for s, e, t in zip(frame["start"], frame["end"], frame["text"], strict=True))
        assert history_before <= set(coded.codings(current_only=False)["coding_id"])


def test_a_code_made_while_coding_is_one_transaction_and_a_new_version(coded, tmp_path):
    text = coded.text("INT07")
    start = text.index("goes wrong")
    coding = coded.code_span("INT07", start, start + 10, "experience.dread", coder="MK", create=True,
                             definition="Fear of what will happen.", label="Dread")
    book = coded.latest_codebook()
    assert book["experience.dread"].label == "Dread" and coded.codings().set_index("coding_id").loc[
        coding, "code_id"] == "experience.dread"
    versions = coded.codebook_versions()
    assert list(versions["operation"]) == ["load", "create"] and versions["author"].iloc[-1] == "MK"
    with pytest.raises(InputError, match="needs a definition"):
        coded.code_span("INT07", start, start + 10, "experience.other", coder="MK", create=True)
    assert len(coded.codebook_versions()) == 2  # the refused one left nothing
    with pytest.raises(InputError, match="retire the code instead"):
        coded.undo_code_change(by="MK")


def test_an_in_vivo_code_is_named_by_the_words(coded):
    text = coded.text("INT07")
    start = text.index("lands at my door")
    coded.code_in_vivo("INT07", start, start + 16, coder="LT", parent="agency")
    code = coded.latest_codebook()["agency.lands_at_my_door"]
    assert code.label == "lands at my door" and "still to be defined" in code.definition


def test_the_exported_codebook_is_the_projects_and_reads_back(coded, tmp_path):
    from asymmetry_qda.codebook import load_codebook
    from asymmetry_qda.refi.qdc import import_qdc

    coded.rename_code("experience", "feeling", by="LT")
    yaml_path = coded.export_codebook(tmp_path / "now.yaml")
    assert [c.id for c in load_codebook(yaml_path).codes] == [c.id for c in coded.latest_codebook().codes]
    assert "feeling" in load_codebook(yaml_path)
    qdc = coded.export_codebook(tmp_path / "now.qdc")
    assert "feeling" in [c["id"] for c in import_qdc(qdc).data["codes"]]
    with pytest.raises(InputError, match="not a codebook format"):
        coded.export_codebook(tmp_path / "now.txt")


def test_the_command_line_refines_codes_and_tells_the_history(coded, capsys):
    import json

    from asymmetry_qda.cli import main

    path = str(coded.path)
    coded.close()
    assert main(["codes", "rename", path, "experience", "feeling", "--by", "LT", "--reason", "the word used",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["version"] == 2 and out["operation"] == "rename"
    assert main(["codes", "merge", path, "agency.control", "--into", "agency.responsibility", "--by", "LT"]) == 2
    assert "poles one code. Fix" in capsys.readouterr().err  # refused, with the reason and a fix
    assert main(["codes", "undo", path, "--by", "LT"]) == 0
    capsys.readouterr()
    assert main(["codes", "history", path, "--diff"]) == 0
    out = capsys.readouterr().out
    assert "version 2" in out and "rename by LT: the word used" in out and "undo by LT" in out
    assert "+- id: feeling" in out
    assert main(["codes", "export", path, str(coded.path.with_suffix(".yaml"))]) == 0
    with Project.open(path) as project:
        assert "experience" in project.latest_codebook() and "feeling" not in project.latest_codebook()


def test_the_tagger_after_a_rename_uses_the_new_id_and_respects_the_carried_decisions(coded):
    suggestion = coded.suggestions()["coding_id"].tolist()
    coded.reject(suggestion, coder="LT")
    coded.rename_code("response.blame", "response.blamed", by="LT")
    run = coded.code(coded.latest_codebook(), pipeline="blank")  # the renamed code's rules came along
    assert "added 0 suggestions" in str(run) and "1 units already held that code" in str(run)
    rule_rows = coded.codings()[lambda f: f["origin"] == "rule"]
    assert rule_rows[["code_id", "status"]].values.tolist() == [["response.blamed", "rejected"]]


def test_the_review_queue_makes_a_new_code_and_confirms_the_span_under_it_in_one_step(coded):
    queue = coded.review_queue(coder="LT")
    assert len(queue) == 1
    suggestion = queue.current["coding_id"]
    with pytest.raises(InputError, match="needs a definition"):
        queue.new_code("response.blame.oversight", "")
    assert len(coded.codebook_versions()) == 0 and queue.remaining == 1  # nothing made, nothing decided
    new_id = queue.new_code("response.blame.oversight", "Blame from the oversight bodies.")
    row = coded.codings().set_index("coding_id").loc[new_id]
    assert row["code_id"] == "response.blame.oversight" and row["status"] == "confirmed"
    assert row["supersedes"] == suggestion and "response.blame.oversight" in coded.latest_codebook()
    assert coded.codebook_versions()["author"].iloc[-1] == "LT"


def test_a_stored_codebook_parsed_the_fast_way_gives_the_same_data():
    from asymmetry_qda.codebook.loader import codebook_from_data
    from asymmetry_qda.codebook.yamlnodes import load_trusted
    from tests.conftest import REPO

    text = (REPO / "codebooks" / "asymmetries.yaml").read_text(encoding="utf-8")
    assert load_trusted(text) == load_located(text, source="study").value
    assert codebook_from_data(load_trusted(text), text=text, source="study") == parse_codebook(text, source="study")
    tricky = "codes:\n  - {id: a, label: on, definition: no, tokens: [{LOWER: yes}], weight: 1.5, speakers: off}\n"
    assert load_trusted(tricky) == load_located(tricky, source="t").value == {"codes": [
        {"id": "a", "label": "on", "definition": "no", "tokens": [{"LOWER": "yes"}], "weight": 1.5,
         "speakers": "off"}]}
