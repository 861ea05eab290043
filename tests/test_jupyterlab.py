"""Notebook 01 in JupyterLab in a real headless browser: Run All, then clicks in the review panel store exactly
the decisions clicked (Accept, Reject with a memo, Change code, Undo), checked through the project file.

Needs Debian's Chromium and the playwright package (``make test`` installs both); skips, saying why, elsewhere.
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from . import browser

pytestmark = pytest.mark.skipif(browser.unavailable() is not None, reason=str(browser.unavailable()))

DECISION = re.compile(r"(accepted|rejected|changed to [\w.]+): ([\w.]+) in (\w+) \(new row ([0-9a-f]{8})\)")


def _rows(path):
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return {r["coding_id"]: dict(r) for r in db.execute("SELECT * FROM codings")}


def _memos(path):
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return {r[0]: r[1] for r in db.execute("SELECT coding_id, text FROM memos")}


def _one(rows, prefix):
    [row] = [r for cid, r in rows.items() if cid.startswith(prefix)]
    return row


def _last_decision(panel, kind: str, before: str) -> re.Match:
    status = panel.locator(".widget-html").last
    status.filter(has_text=kind).wait_for(timeout=30_000)
    text = status.inner_text()
    assert text != before, text
    m = DECISION.search(text)
    assert m and m.group(1).startswith(kind), text
    return m


def test_run_all_then_clicks_in_the_review_panel_store_exactly_those_decisions(tmp_path):
    with browser.jupyterlab(tmp_path, ["01_coding_transcripts.ipynb"]) as base, browser.browser() as page:
        browser.open_notebook(page, base, "01_coding_transcripts.ipynb")
        browser.run_all(page)
        assert browser.errors_shown(page) == []
        [project] = tmp_path.glob("*.qda")
        before = _rows(project)

        panel = browser.output_of(page, "queue = project.review_queue")
        panel.scroll_into_view_if_needed()
        status = panel.locator(".widget-html").last
        panel.get_by_role("button", name="Accept").click()
        accepted = _last_decision(panel, "accepted", "")
        panel.locator("textarea").fill("names the phrase only: not blame")
        panel.get_by_role("button", name="Reject").click()
        rejected = _last_decision(panel, "rejected", "")
        select = panel.locator("select")
        current = select.input_value()
        other = next(o for o in select.locator("option").all_inner_texts() if o != current)
        select.select_option(label=other)
        panel.get_by_role("button", name="Change code").click()
        changed = _last_decision(panel, "changed to", "")
        assert changed.group(1) == f"changed to {other}" and changed.group(2) == current
        panel.get_by_role("button", name="Undo").click()
        status.filter(has_text="undid").wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        after = _rows(project)

    new = {cid: r for cid, r in after.items() if cid not in before}
    assert len(new) == 4, new  # accept, reject, the change, and the row the undo wrote: nothing else
    a, r, c = (_one(new, m.group(4)) for m in (accepted, rejected, changed))
    assert (a["status"], a["coder_id"], a["code_id"]) == ("confirmed", "LT", accepted.group(2))
    assert (r["status"], r["coder_id"]) == ("rejected", "LT")
    assert _memos(project)[r["coding_id"]] == "names the phrase only: not blame"
    assert (c["code_id"], c["status"]) == (other, "confirmed")
    [restore] = [row for row in new.values() if row["supersedes"] == c["coding_id"]]
    suggestion = after[c["supersedes"]]
    assert restore["status"] == "suggested" and restore["code_id"] == suggestion["code_id"] == current
    assert (restore["start"], restore["end"]) == (suggestion["start"], suggestion["end"])
    assert all(after[x]["status"] == "suggested" for x in (a["supersedes"], r["supersedes"]))  # what was decided
