import csv
import io

import pytest

from asymmetry_qda.attributes import attributes_from_records, parse_attributes
from asymmetry_qda.errors import InputError

HEADER = "doc_id,participant_id,pseudonym,rank,function,data_type,leader,years_service\n"


def parse(body: str, header: str = HEADER):
    return parse_attributes(io.StringIO(header + body), source="participants.csv")


def test_valid_table_derives_leader_and_keeps_extra_columns():
    table = parse("INT02,P02,Dev,Sergeant,response,interview,yes,11\n"
                  "INT04,P04,Rowan,Insp,response,interview,,17\n"
                  "FN03,P04,Rowan,Insp,response,fieldnote,,17\n"
                  "INT01,P01,Ash,PC,response,interview,,1\n")
    dev, rowan, ash = (table.participants[k] for k in ("P02", "P04", "P01"))
    assert (dev.leader, dev.leader_source) == (True, "table")
    assert (rowan.leader, rowan.leader_source, rowan.rank_level) == (True, "derived", 3)
    assert (ash.leader, ash.leader_source) == (False, "derived")
    assert rowan.attributes == {"years_service": "17"}
    assert table.doc_participant == {"INT02": "P02", "INT04": "P04", "FN03": "P04", "INT01": "P01"}
    assert table.doc_kind["FN03"] == "fieldnote"


def test_participant_id_defaults_to_pseudonym():
    table = parse("A,,Sam,Inspector,safeguarding,interview\n",
                  header="doc_id,participant_id,pseudonym,rank,function,data_type\n")
    assert list(table.participants) == ["Sam"]


def test_missing_required_columns_are_named_with_what_was_found():
    with pytest.raises(InputError, match=r"participants.csv line 1: missing required column\(s\) rank, "
                                         r"data_type \(found: doc_id, pseudonym, function\)"):
        parse("A,Sam,response\n", header="doc_id,pseudonym,function\n")


def test_every_bad_row_is_reported_at_once_with_its_line():
    with pytest.raises(InputError) as caught:
        parse("INT01,P01,Ash,Admiral,response,interview,,1\n"
              "INT02,P02,,Sergeant,response,interview,maybe,2\n"
              "INT01,P01,Ash,PC,response,interview,,1\n"
              "INT03,P03,Mo,PS,neighbourhood,survey,,3\n")
    text = str(caught.value)
    assert text.startswith("5 problems; nothing was written:")
    assert "participants.csv line 2: rank 'Admiral' is not a known UK police rank" in text
    assert "participants.csv line 3: pseudonym is empty for document 'INT02'" in text
    assert "participants.csv line 3: leader 'maybe' is not yes or no" in text
    assert "participants.csv line 4: duplicate row for document 'INT01' (first on line 2)" in text
    assert "participants.csv line 5: data_type 'survey' is not one of interview, fieldnote" in text


def test_one_person_with_conflicting_attributes_is_an_error():
    with pytest.raises(InputError, match="line 3: participant 'P04' has different attributes here"):
        parse("INT04,P04,Rowan,Insp,response,interview,,17\nFN03,P04,Rowan,Ch Insp,response,fieldnote,,17\n")


def test_unknown_document_ids_are_reported_by_line():
    table = parse("INT01,P01,Ash,PC,response,interview,,1\nINT99,P99,Zed,PC,response,interview,,1\n")
    [problem] = table.unknown_documents({"INT01", "INT02"})
    assert str(problem).startswith("participants.csv line 3: unknown document id 'INT99'. Fix: use the id of an "
                                   "ingested or ingesting document (INT01, INT02)")


@pytest.mark.parametrize("body", [
    "INT02,P02,Dev,Sergeant,response,interview,yes,11\nINT04,P04,Rowan,Insp,response,interview,,17\n",
    'INT02,P02,Dev,Sergeant,response,interview,maybe,"11\nyears"\nINT02,P03,Kim,Professor,,podcast,,\n',
], ids=["valid", "every-problem"])
def test_records_in_memory_give_the_table_or_the_problems_a_csv_gives(body):
    columns = HEADER.strip().split(",")
    records = [dict(zip(columns, row, strict=True)) for row in csv.reader(io.StringIO(body))]
    outcomes = []
    for read in (lambda: parse(body), lambda: attributes_from_records(records, source="participants.csv",
                                                                      columns=columns)):
        try:
            outcomes.append(read())
        except InputError as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]
