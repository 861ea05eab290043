"""I1, I2, I4, I5, I7, I9: text that leaves the toolkit (CSV, XLSX, LaTeX, Markdown, HTML, figures) is neutralised."""

from __future__ import annotations

import csv
import re

import openpyxl
import pandas as pd
import pytest

from asymmetry_qda import Project
from asymmetry_qda.analysis import load, write_tables
from asymmetry_qda.cli import main
from asymmetry_qda.escaping import (
    FORMULA_START,
    latex_escape,
    markdown_cell,
    mathtext_safe,
    neutralise_formulas,
    restore_formulas,
)

from .conftest import REPO

HOSTILE = ('Interviewer: Q?\n\nP01: =HYPERLINK("http://x","click") they blamed me for it.\n\n'
           "Interviewer: And?\n\nP01: -5 officers | on shift\nand $5m lost, @home. It was complicated and they "
           "sacked him for it.\n")
DOC = "=1+1"
CODER = r"\input{/etc/passwd}_%"
CODINGS = [('=HYPERLINK("http://x","click")', '=HYPERLINK("http://x","code")'),
           ("they blamed me", "<script>alert(2)</script>"),
           ("-5 officers | on shift\nand", "failure.tolerable.complexity"),  # flagged: its quote is published
           ("$5m lost", r"$\input{x}$ a|b"),
           ("they sacked him for it", "remedy.discipline")]


@pytest.fixture
def hostile(tmp_path):
    source = tmp_path / f"{DOC}.txt"
    source.write_text(HOSTILE, encoding="utf-8")
    with Project.create(tmp_path / "p.qda") as project:
        project.ingest(source, pipeline="blank")
        text = project.text(DOC)
        for quote, code in CODINGS:
            start = text.index(quote)
            project.code_span(DOC, start, start + len(quote), code, coder=CODER)
        yield project


def _csv_cells(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


# --- the helpers ----------------------------------------------------------------------------------
def test_neutralise_prefixes_text_never_numbers_and_covers_headers_and_index():
    frame = pd.DataFrame({"quote": ["=1+1", "+x", "-5 officers", "@SUM(A1)", "\tx", "\rx", "fine", None],
                          "n": [-5, -1.5, 0, 1, 2, 3, 4, 5]},
                         index=pd.Index(["-a", "b", "c", "d", "e", "f", "g", "h"], name="=code"))
    frame["=col"] = pd.Categorical(["-x"] * 8)
    out = neutralise_formulas(frame)
    assert out["quote"].tolist()[:7] == ["'=1+1", "'+x", "'-5 officers", "'@SUM(A1)", "'\tx", "'\rx", "fine"]
    assert pd.isna(out["quote"].iloc[7])
    assert out["n"].tolist() == [-5, -1.5, 0, 1, 2, 3, 4, 5] and out["n"].dtype == frame["n"].dtype
    assert list(out.columns) == ["quote", "n", "'=col"] and out.index.name == "'=code" and out.index[0] == "'-a"
    assert frame["quote"].iloc[0] == "=1+1"  # a copy: the caller's frame is unchanged
    lines = out.to_csv(lineterminator="\n").splitlines()
    assert lines[0] == "'=code,quote,n,'=col" and lines[1] == "'-a,'=1+1,-5.0,'-x"
    assert [restore_formulas(v) for v in out["quote"].tolist()[:7]] == frame["quote"].tolist()[:7]


def test_latex_markdown_and_mathtext_escapes():
    assert latex_escape(r"\input{/etc/passwd} 95% n_units & #1 $x$ ~^ [a]") == (
        r"\textbackslash{}input\{/etc/passwd\} 95\% n\_units \& \#1 \$x\$ \textasciitilde{}\textasciicircum{} "
        r"{[}a{]}")
    assert latex_escape("a\n\nb") == "a b"
    assert markdown_cell("a|b\nc\r\nd") == r"a\|b<br>c<br>d" and markdown_cell(r"x\|") == r"x\\\|"
    assert markdown_cell(3) == 3
    assert mathtext_safe(r"$\input{x}$") == r"\$\input{x}\$" and mathtext_safe("no dollars") == "no dollars"


# --- I1, I2, I4, I5: write_tables -------------------------------------------------------------------
def test_tables_hold_no_formula_no_raw_latex_and_no_broken_markdown_rows(hostile, tmp_path):
    data = load(hostile, codebook=REPO / "codebooks" / "asymmetries.yaml", coders=[CODER])
    out = tmp_path / "tables"
    write_tables(data, out)
    csvs = sorted(out.glob("*.csv"))
    assert len(csvs) > 10
    cells = [c for path in csvs for c in _csv_cells(path)]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    assert f"'{DOC}" in cells and "'=HYPERLINK(\"http://x\",\"code\")" in cells
    quotes = _csv_cells(out / "alignment_quotes.csv")
    assert "'-5 officers | on shift\nand" in quotes
    # I2: not one formula cell, and the hostile strings are there as text
    book = openpyxl.load_workbook(out / "tables.xlsx")
    every = [c for ws in book for row in ws.iter_rows() for c in row]
    assert sum(c.data_type == "f" for c in every) == 0
    texts = {c.value for c in every if isinstance(c.value, str)}
    assert DOC in texts and '=HYPERLINK("http://x","code")' in texts
    # I4: captions escaped like the cells
    tex = (out / "tables.tex").read_text(encoding="utf-8")
    captions = re.findall(r"\\caption(\[[^\]]*\])?\{(.*?)\} (?:\\label|\\\\)", tex)
    assert len(captions) > 10
    for short, caption in captions:
        assert not re.search(r"(?<!\\)[%_&#$]", short + caption), caption
        assert r"\input" not in caption
    assert r"\textbackslash{}input\{/etc/passwd\}\_\%" in tex
    assert "\n\n" not in "".join(re.findall(r"\\midrule\n(.*?)\\end\{longtable\}", tex, re.S)).replace(
        "\\\\\n", "")  # no blank line (paragraph) inside a table
    # I5: every row of a Markdown table has as many cells as its header
    md = (out / "tables.md").read_text(encoding="utf-8")
    for block in re.findall(r"(?:^\|.*\|\n)+", md, re.M):
        rows = block.strip("\n").split("\n")
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, rows
    assert r"a\|b" in md and "-5 officers \\| on shift<br>and" in md


# --- I1: the CLI's CSVs ---------------------------------------------------------------------------
def test_cli_csv_exports_are_neutralised(hostile, tmp_path, capsys):
    path = str(hostile.path)
    hostile.close()
    for command in ("segments", "codings"):
        out = tmp_path / f"{command}.csv"
        assert main([command, path, "--out", str(out)]) == 0
        cells = _csv_cells(out)
        assert not [c for c in cells if c.startswith(FORMULA_START)], command
        assert f"'{DOC}" in cells
    assert main(["segments", path, "--out", "-"]) == 0
    printed = capsys.readouterr().out
    assert f"\n'{DOC}," in printed and f"\n{DOC}," not in printed


# --- I7: show() -----------------------------------------------------------------------------------
def test_show_escapes_code_ids_and_the_document_title(tmp_path):
    source = tmp_path / "<b>X & Y.txt"
    source.write_text("P01: they blamed me for it.\n", encoding="utf-8")
    with Project.create(tmp_path / "s.qda") as project:
        project.ingest(source, pipeline="blank")
        text = project.text("<b>X & Y")
        start = text.index("blamed")
        project.code_span("<b>X & Y", start, start + 6, "<script>alert(2)</script>", coder="ana")
        html = project.show("<b>X & Y", jupyter=False)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html and "&lt;b&gt;X &amp; Y" in html
    assert "&amp;lt;" not in html  # escaped once, not twice


# --- I9: figures ----------------------------------------------------------------------------------
def test_dollar_labels_are_drawn_literally_and_deterministically():
    from matplotlib.cbook import is_math_text

    from asymmetry_qda.analysis import _figures as figures

    pairs = pd.DataFrame({"code_a": ["a", "a"], "code_b": ["b", "c"], "n_a": [4, 4], "n_b": [3, 2],
                          "n_ab": [2, 1], "jaccard": [0.4, 0.2]})
    labels = {"a": r"$\input{x}$", "b": "Blame for $5m overspend, $2m saved", "c": "plain"}
    heatmap = figures.cooccurrence_heatmap(pairs, labels=labels)
    ticks = [t.get_text() for t in heatmap.axes[0].get_xticklabels()]
    assert ticks == [r"\$\input{x}\$", r"Blame for \$5m overspend, \$2m saved", "plain"]
    assert not any(is_math_text(t) for t in ticks)
    frame = pd.DataFrame({"theme": ["$a$"], "group": ["$x$"], "mean_balance": [0.1], "ci_low": [0.0],
                          "ci_high": [0.2], "n_participants": [3]})
    balance = figures.balance_plot(frame)
    assert balance.axes[0].get_title(loc="left") == r"\$a\$"
    for draw in (lambda: figures.cooccurrence_heatmap(pairs, labels=labels),
                 lambda: figures.cooccurrence_network(pairs, labels=labels),
                 lambda: figures.balance_plot(frame)):
        first = dict(figures.figure_bytes(draw(), "f"))  # drawing raised ParseFatalException before
        assert first == dict(figures.figure_bytes(draw(), "f"))
