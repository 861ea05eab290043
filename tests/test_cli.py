"""The command line: each command, its output files, and errors without tracebacks."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from asymmetry_qda import Project
from asymmetry_qda.cli import main

from .conftest import INTERVIEW, REPO, SAMPLES, requires_model

ATTRS = "doc_id,pseudonym,rank,function,data_type\nINT07,Kit,DI,investigation,interview\n"


@pytest.fixture
def cli_project(tmp_path, write, capsys):
    project = tmp_path / "study.qda"
    assert main(["init", str(project)]) == 0
    assert main(["ingest", str(project), str(write("INT07.txt", INTERVIEW)),
                 "--attributes", str(write("participants.csv", ATTRS)), "--pipeline", "blank"]) == 0
    capsys.readouterr()
    return project


def test_init_ingest_info(cli_project, capsys):
    assert main(["info", str(cli_project), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["by_kind"]["interview"]["documents"] == 1
    assert info["by_kind"]["interview"]["participant_turns"] == 2
    assert info["by_kind"]["total"]["participants"] == 1
    assert main(["info", str(cli_project)]) == 0
    assert "interview" in capsys.readouterr().out


def test_segments_csv_has_the_promised_columns_and_exact_text(cli_project, tmp_path):
    out = tmp_path / "segments.csv"
    assert main(["segments", str(cli_project), "--out", str(out), "--unit", "turn"]) == 0
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["doc_id", "segment_id", "unit", "start", "end", "speaker", "is_interviewer", "text"]
    assert rows[1]["text"] == INTERVIEW.split("P07: ")[1].split("\n\nInterviewer")[0]
    assert INTERVIEW.replace("\r\n", "\n")[int(rows[1]["start"]):int(rows[1]["end"])] == rows[1]["text"]
    assert [r["is_interviewer"] for r in rows] == ["True", "False", "True", "False"]


def test_segments_to_stdout_and_filters(cli_project, capsys):
    assert main(["segments", str(cli_project), "--out", "-", "--no-interviewer", "--unit", "sentence"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert len(rows) == 4 and {r["speaker"] for r in rows} == {"P07"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["info", "{missing}"], "no project file there"),
        (["init", "{project}"], "a file already exists there"),
        (["ingest", "{project}", "{bad}"], "EMPTY.txt: the file is empty"),
        (["ingest", "{project}"], "ingest needs at least one PATH or --attributes CSV"),
        (["segments", "{project}", "--out", "{nofolder}"], "does not exist. Fix: create it first"),
        (["segments", "{project}", "--out", "-", "--doc", "NOPE"], "no document 'NOPE'"),
    ],
)
def test_errors_print_one_message_and_exit_2(cli_project, tmp_path, write, capsys, argv, message):
    values = {"missing": str(tmp_path / "missing.qda"), "project": str(cli_project),
              "bad": str(write("EMPTY.txt", b"")), "nofolder": str(tmp_path / "no" / "x.csv")}
    assert main([a.format(**values) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_unexpected_failure_is_reported_without_traceback_unless_debug(cli_project, capsys, monkeypatch):
    from asymmetry_qda import project as project_module

    monkeypatch.setattr(project_module.Project, "info", lambda self: 1 / 0)
    assert main(["info", str(cli_project)]) == 70
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError" in err and "Traceback" not in err
    assert main(["info", str(cli_project), "--debug"]) == 70
    assert "Traceback" in capsys.readouterr().err


def test_warnings_are_printed_once_as_warning_lines(tmp_path, write, capsys):
    project = tmp_path / "p.qda"
    main(["init", str(project)])
    path = write("OLD.txt", "Interviewer: Caf\xe9?\n\nP01: Oui.\n".encode("cp1252"))
    assert main(["ingest", str(project), str(path), "--pipeline", "blank"]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: OLD.txt: not valid UTF-8") == 1


def test_every_command_has_help_with_an_example(capsys):
    for command in ["init", "ingest", "info", "segments", "code", "codings", "tables", "report", "import-codings",
                    "agreement", "evaluate", "suggest", "export-qdpx", "import-qdpx", "reproduce", "review", "audit"]:
        with pytest.raises(SystemExit) as stop:
            main([command, "--help"])
        assert stop.value.code == 0
        assert "Example: asymmetry-qda" in capsys.readouterr().out


def test_python_dash_m_and_console_script_run(tmp_path):
    project = tmp_path / "p.qda"
    result = subprocess.run([sys.executable, "-m", "asymmetry_qda", "init", str(project)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and project.exists()
    script = subprocess.run([str(__import__("pathlib").Path(sys.executable).with_name("asymmetry-qda")), "info",
                             str(tmp_path / "missing.qda")], capture_output=True, text=True, check=False)
    assert script.returncode == 2 and script.stderr.startswith("error: ") and "Traceback" not in script.stderr


@requires_model
def test_demo_job_on_the_sample_data(tmp_path, capsys):
    (tmp_path / "demo").mkdir()
    project = tmp_path / "demo" / "sample.qda"  # the key goes outside the project's folder
    assert main(["init", str(project)]) == 0
    assert main(["ingest", str(project), str(SAMPLES / "transcripts"),
                 "--attributes", str(SAMPLES / "participants.csv")]) == 0
    out = capsys.readouterr().out
    assert "documents: 15 added" in out and "participants: 14 added" in out
    assert main(["info", str(project), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)["by_kind"]
    assert (info["interview"]["documents"], info["fieldnote"]["documents"]) == (12, 3)
    # the main job goes on to code the sample and tabulate the suggestions
    assert main(["code", str(project), "--codebook", str(REPO / "codebooks" / "asymmetries.yaml"), "--quiet"]) == 0
    # nothing with quotes leaves before the planted slips are dealt with
    assert main(["codings", str(project), "--out", str(tmp_path / "codings.csv")]) == 2
    err = capsys.readouterr().err
    assert "refusing to write codings" in err and "'Sergeant Okafor' (rank_name)" in err and "Traceback" not in err
    assert not (tmp_path / "codings.csv").exists()
    keys = tmp_path / "keys"
    keys.mkdir()
    assert main(["pseudonymise", str(project), "--key", str(keys / "key.json"), "--by", "demo", "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert sorted(r["pseudonym"] for r in done["replacements"]) == ["[OFFICER-1]", "[OFFICER-2]", "[STATION-1]"]
    assert main(["codings", str(project), "--out", str(tmp_path / "codings.csv"), "--status", "suggested"]) == 0
    assert main(["tables", str(project), "--out", str(tmp_path / "tables"), "--include-suggestions",
                 "--no-figures"]) == 0
    from asymmetry_qda.codebook import load_codebook

    book = load_codebook(REPO / "codebooks" / "asymmetries.yaml")
    with open(tmp_path / "codings.csv", encoding="utf-8", newline="") as handle:
        # a coding counts for its theme and for the themes of the codes it implies (codebook `implies`)
        by_theme = __import__("collections").Counter(
            theme for row in csv.DictReader(handle)
            for theme in {row["theme"], *(c.split(".")[0] for c in book.implied(row["code"]))})
    with open(tmp_path / "tables" / "frequencies.csv", encoding="utf-8", newline="") as handle:
        table = {row["code_id"]: row for row in csv.DictReader(handle)}
    for theme, count in by_theme.items():  # a theme's rolled-up codings are every coding under it or implying it
        assert int(table[theme]["n_codings"]) == count, theme
        assert table[theme]["status"] == "suggested"
    alignment = (tmp_path / "tables" / "alignment.csv").read_text(encoding="utf-8")
    assert alignment.startswith("reason,response,n_units,n_participants,fits,aligned,flagged")


def test_tables_writes_every_format_and_a_manifest_byte_identically_twice(cli_project, tmp_path, capsys):
    from asymmetry_qda import Project

    assert main(["tables", str(cli_project), "--out", str(tmp_path / "none")]) == 2
    assert "no confirmed codings to tabulate" in capsys.readouterr().err
    with Project.open(cli_project) as project:
        text = project.text("INT07")
        for quote, code in [("everything on the borough lands at my door", "agency.responsibility"),
                            ("it'll be me in front of the IOPC", "response.blame")]:
            start = text.index(quote)
            project.code_span("INT07", start, start + len(quote), code, coder="ana")
    codebook = str(REPO / "codebooks" / "asymmetries.yaml")
    for out in ("a", "b"):
        assert main(["tables", str(cli_project), "--out", str(tmp_path / out), "--codebook", codebook]) == 0
    assert "(2 confirmed codings)" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    names = {f["path"] for f in manifest["files"]}
    assert {"frequencies.csv", "cooccurrence_turn.csv", "balance_participants.csv", "tables.xlsx", "tables.md",
            "tables.tex", "cooccurrence_heatmap.png", "balance.svg"} <= names
    assert manifest["codings"]["statuses"] == ["confirmed"] and manifest["codebook"]["version"] == "1.0.0"
    assert [d["doc_id"] for d in manifest["documents"]] == ["INT07"]
    for entry in manifest["files"]:
        a, b = (tmp_path / "a" / entry["path"]).read_bytes(), (tmp_path / "b" / entry["path"]).read_bytes()
        assert a == b, entry["path"]
        assert __import__("hashlib").sha256(a).hexdigest() == entry["sha256"]
    with open(tmp_path / "a" / "frequencies.csv", encoding="utf-8", newline="") as handle:
        rows = {row["code_id"]: row for row in csv.DictReader(handle)}
    assert rows["response.blame"]["n_units"] == "1" and rows["response"]["n_units"] == "1"
    assert rows["response.praise"]["n_units"] == "0" and rows["response.blame"]["status"] == "confirmed"


def test_import_codings_agreement_and_evaluate_commands(cli_project, tmp_path, write, capsys):
    header = "doc_id,code,quote,occurrence,memo\n"
    bad = write("bad.csv", header + "INT07,response.blame,not said at all,,\n")
    assert main(["import-codings", str(cli_project), str(bad), "--coder", "MK"]) == 2
    assert "bad.csv line 2: the quote 'not said at all' is not in INT07's text" in capsys.readouterr().err
    folder = tmp_path / "codings"
    for coder, quotes in {"LT": ["everything on the borough lands at my door", "it'll be me in front of the IOPC"],
                          "MK": ["it'll be me in front of the IOPC"]}.items():
        (folder / coder).mkdir(parents=True)
        (folder / coder / "INT07.csv").write_text(
            header + "".join(f"INT07,response.blame,{q},,\n" for q in quotes), encoding="utf-8")
    assert main(["import-codings", str(cli_project), str(folder)]) == 0
    assert "LT: 2 codings added" in capsys.readouterr().out
    out = tmp_path / "agreement.csv"
    assert main(["agreement", str(cli_project), "--coders", "LT,MK", "--out", str(out),
                 "--disagreements", str(tmp_path / "dis.csv")]) == 0
    with open(out, encoding="utf-8", newline="") as handle:
        pooled = [r for r in csv.DictReader(handle) if r["code_id"] == "(pooled)"][0]
    assert (pooled["n_LT"], pooled["n_MK"], pooled["n_all"]) == ("2", "1", "1")
    with open(tmp_path / "dis.csv", encoding="utf-8", newline="") as handle:
        assert [r["coded_by"] for r in csv.DictReader(handle)] == ["LT"]
    capsys.readouterr()
    assert main(["evaluate", str(cli_project), "--reference", "LT", "--candidate", "MK", "--out", "-",
                 "--quiet"]) == 0
    micro = list(csv.DictReader(capsys.readouterr().out.splitlines()))[-1]
    assert (micro["tp"], micro["fn"], micro["precision"], micro["recall"]) == ("1", "1", "1.0", "0.5")
    assert main(["agreement", str(cli_project), "--coders", "LT,ZZ", "--out", "-"]) == 2
    assert "coder 'ZZ' has no confirmed codings" in capsys.readouterr().err


def test_suggest_without_human_decisions_is_a_clear_error(cli_project, capsys):
    assert main(["suggest", str(cli_project)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err


@requires_model
def test_reproduce_twice_gives_byte_identical_outputs(tmp_path, capsys):
    for out in ("one", "two"):
        assert main(["reproduce", "--out", str(tmp_path / out), "--no-figures", "--quiet"]) == 0
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file())
    assert len(files) > 20
    for name in files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    assert {"tables/manifest.json", "reliability/agreement.csv", "reliability/tagger_evaluation.csv",
            "codings.csv"} <= {str(f) for f in files}


def test_review_by_rule_and_from_a_csv_of_decisions_all_or_nothing(cli_project, tmp_path, write, capsys):
    from asymmetry_qda import Project
    from asymmetry_qda.codebook import parse_codebook

    with Project.open(cli_project) as project:
        project.code(parse_codebook("""
codebook: {name: T, version: "1"}
codes:
  - id: response
    label: Response
    definition: Response.
    rules: [{id: r.iopc, phrase: [front of the iopc]}, {id: r.door, phrase: [lands at my door]}]
"""), pipeline="blank", progress=False)
        pending = project.suggestions().set_index("rule_id")["coding_id"]
    assert main(["review", str(cli_project), "--coder", "LT", "--reject", "--rule", "r.door", "--memo", "no"]) == 0
    assert "rejected 1 suggestions" in capsys.readouterr().out
    bad = write("bad.csv", f"coding_id,decision\n{pending['r.iopc']},accept\n{pending['r.iopc']},maybe\n")
    assert main(["review", str(cli_project), "--coder", "LT", "--decisions", str(bad)]) == 2
    assert "line 3: decision 'maybe' is not accept, reject or modify" in capsys.readouterr().err
    stale = write("stale.csv", f"coding_id,decision\n{pending['r.iopc']},accept\n{pending['r.door']},accept\n")
    assert main(["review", str(cli_project), "--coder", "LT", "--decisions", str(stale)]) == 2
    with Project.open(cli_project) as project:  # the first row was rolled back with the refused second one
        assert project.suggestions()["coding_id"].tolist() == [pending["r.iopc"]]
    good = write("good.csv", f"coding_id,decision,code,memo\n{pending['r.iopc']},modify,response.blame,better\n")
    assert main(["review", str(cli_project), "--coder", "LT", "--decisions", str(good)]) == 0
    with Project.open(cli_project) as project:
        current = project.codings()
        assert current.set_index("code_id").loc["response.blame", "status"] == "confirmed"
        assert project.suggestions().empty


def test_json_output_for_scripts(cli_project, tmp_path, write, capsys):
    quotes = write("LT.csv", "doc_id,code,quote,occurrence,memo\nINT07,response.blame,it'll be me in front of the "
                             "IOPC,,\n")
    capsys.readouterr()
    assert main(["import-codings", str(cli_project), str(quotes), "--coder", "LT", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"coder": "LT", "added": 1, "already_present": 0}]
    assert main(["code", str(cli_project), "--pipeline", "blank", "--codebook",
                 str(REPO / "codebooks" / "asymmetries.yaml"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["turns"] == 2 and report["unit"] == "sentence"
    assert main(["tables", str(cli_project), "--out", str(tmp_path / "t"), "--no-figures", "--json"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["codings"]["count"] == 1 and manifest["files"]


def test_audit_lists_identifiers_and_keeps_the_projects_deny_list(cli_project, tmp_path, capsys):
    out = tmp_path / "audit.csv"
    assert main(["audit", str(cli_project), "--out", str(out), "--pipeline", "blank", "--deny", "borough"]) == 0
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {"doc_id", "start", "end", "text", "kind", "source", "severity"} <= set(rows[0])
    denied = [r for r in rows if r["kind"] == "deny_list"]
    assert [r["text"].lower() for r in denied] == ["borough"] and denied[0]["severity"] == "high"
    from asymmetry_qda import Project

    with Project.open(cli_project) as project:
        assert project.audit_lists() == {"allow": [], "deny": ["borough"]}
        text = project.text("INT07")
        for r in rows:
            assert text[int(r["start"]):int(r["end"])] == r["text"]


def test_the_old_model_flag_still_works_with_a_warning(tmp_path, write, capsys):
    project = tmp_path / "p.qda"
    main(["init", str(project)])
    path = write("INT01.txt", "Interviewer: How was it?\n\nP01: Quiet.\n")
    assert main(["ingest", str(project), str(path), "--model", "blank"]) == 0
    err = capsys.readouterr().err
    assert "warning: --model is deprecated and will be removed in the next release; use --pipeline" in err
    with Project.open(project) as opened:
        assert opened.documents()["doc_id"].tolist() == ["INT01"]
