"""Reviewing suggestions one at a time, in a notebook: a queue whose decisions go through the project's API.

:class:`ReviewQueue` works without a screen (``accept()``, ``reject()``,
``change_code()``, ``skip()`` on the current item), and shows itself as an
ipywidgets panel in JupyterLab: the unit with its matched words highlighted and
the sentences around it, the code and the rules that fired, Accept / Reject /
Change code buttons and a memo box.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project


class ReviewQueue:
    """Pending suggestions in document order; each decision appends a superseding row.

    Parameters
    ----------
    project
        The open project.
    coder
        Who decides (initials or name), recorded on every decision.
    code, status, where
        Which suggestions to queue (as :meth:`Project.suggestions`).
    context
        How many sentences before and after the unit to show.
    """

    def __init__(self, project: "Project", *, coder: str, code: str | None = None, status: str = "suggested",
                 where: str | None = None, context: int = 1):
        self.project = project
        self.coder = coder
        self.context = context
        self.items: pd.DataFrame = project.suggestions(code=code, status=status, where=where)
        self.position = 0
        self.decisions: list[tuple[str, str, str]] = []  # (suggestion id, decision, new row id)
        self._sentences = project.segments(unit="sentence")
        self._widget = None

    def __len__(self) -> int:
        return len(self.items)

    @property
    def remaining(self) -> int:
        return max(len(self.items) - self.position, 0)

    @property
    def current(self) -> pd.Series | None:
        """The suggestion under review, or ``None`` when the queue is done."""
        return self.items.iloc[self.position] if self.position < len(self.items) else None

    # -- decisions -------------------------------------------------------
    def accept(self, memo: str | None = None) -> str:
        return self._decide("accept", lambda cid: self.project.accept([cid], coder=self.coder, memo=memo)[0])

    def reject(self, memo: str | None = None) -> str:
        return self._decide("reject", lambda cid: self.project.reject([cid], coder=self.coder, memo=memo)[0])

    def change_code(self, code: str, memo: str | None = None) -> str:
        return self._decide(f"change to {code}",
                            lambda cid: self.project.modify(cid, coder=self.coder, code=code, memo=memo))

    def skip(self) -> None:
        self.position += 1
        self._refresh()

    def _decide(self, what: str, action) -> str:
        item = self.current
        if item is None:
            raise IndexError("the review queue is empty")
        new_id = action(item["coding_id"])
        self.decisions.append((item["coding_id"], what, new_id))
        self.position += 1
        self._refresh()
        return new_id

    # -- showing ---------------------------------------------------------
    def html(self) -> str:
        """The current unit with matched words marked, between its neighbouring sentences."""
        item = self.current
        if item is None:
            return f"<p>Queue done: {len(self.decisions)} decisions.</p>"
        text = self.project.text(item["doc_id"])
        sentences = self._sentences[self._sentences["doc_id"] == item["doc_id"]]
        before = sentences[sentences["end"] <= item["start"]].tail(self.context)
        after = sentences[sentences["start"] >= item["end"]].head(self.context)
        marks = sorted({(e["start"], e["end"]) for e in item["evidence"]
                        if item["start"] <= e["start"] and e["end"] <= item["end"]})
        pieces, cursor = [], item["start"]
        for start, end in marks:
            if start < cursor:
                continue
            pieces.append(html.escape(text[cursor:start]))
            pieces.append(f"<mark>{html.escape(text[start:end])}</mark>")
            cursor = end
        pieces.append(html.escape(text[cursor:item["end"]]))
        grey = '<span style="color:#888">{}</span>'
        rules = ", ".join(sorted({e["rule_id"] for e in item["evidence"]}))
        flags = ", ".join(item["context"]) or "none"
        return (f"<p><b>{html.escape(item['code_id'])}</b> · {item['doc_id']} · {html.escape(str(item['speaker']))} · "
                f"confidence {item['confidence']:.2f} · context: {flags} · rules: {html.escape(rules)} · "
                f"{self.position + 1} of {len(self.items)}</p><p>"
                + " ".join(grey.format(html.escape(t)) for t in before["text"])
                + " " + "".join(pieces) + " "
                + " ".join(grey.format(html.escape(t)) for t in after["text"]) + "</p>")

    def widget(self):
        """The ipywidgets panel (built once)."""
        if self._widget is None:
            import ipywidgets as widgets

            view = widgets.HTML()
            memo = widgets.Textarea(placeholder="memo (optional)", layout=widgets.Layout(width="100%"))
            codes = sorted(set(self.project.codings()["code_id"]) | set(self.items["code_id"]))
            choice = widgets.Dropdown(options=codes, description="code")
            buttons = {name: widgets.Button(description=name) for name in ("Accept", "Reject", "Change code", "Skip")}
            buttons["Accept"].on_click(lambda _: self.accept(memo.value or None))
            buttons["Reject"].on_click(lambda _: self.reject(memo.value or None))
            buttons["Change code"].on_click(lambda _: self.change_code(choice.value, memo.value or None))
            buttons["Skip"].on_click(lambda _: self.skip())
            self._widget = widgets.VBox([view, widgets.HBox([*buttons.values(), choice]), memo])
            self._view, self._memo = view, memo
        self._refresh()
        return self._widget

    def _refresh(self) -> None:
        if self._widget is not None:
            self._view.value = self.html()
            self._memo.value = ""

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget())
