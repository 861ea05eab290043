"""Reviewing suggestions one at a time, in a notebook: a queue whose decisions go through the project's API.

:class:`ReviewQueue` works without a screen (``accept()``, ``reject()``,
``change_code()``, ``skip()``, ``undo()``) and shows itself as an ipywidgets
panel in JupyterLab: the unit with its matched words highlighted and the
sentences around it, the code and the rules that fired, whether a person has
already coded it, Accept / Reject / Change code / Skip / Undo buttons, a "New code" button (a code made
on the spot, its definition beside it), a memo
box, and a line saying what the last action did.

A queue cannot lose work:

- each click is one transaction through :class:`~asymmetry_qda.project.Project`;
  an error is shown in the panel itself (red), never only in JupyterLab's log;
- if the project was closed after the queue was made (``project.close()`` in a
  later cell), the queue opens the project file again for its decision and
  says so; it never writes through a closed connection;
- **Undo** appends a row that restores the suggestion (see
  :meth:`~asymmetry_qda.project.Project.undo`) and brings it back to the front;
- "Change code" starts on the suggestion's own code;
- keys work too: click in the "keys" box and type ``a`` (accept), ``r``
  (reject), ``c`` (change code), ``s`` (skip) or ``u`` (undo).

Decisions from code can name the item they are about (``queue.accept(coding_id=...)``),
so that a cell run after clicks in the panel cannot act on whichever item
happens to be current.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from .errors import InputError, MissingDependency, Problem

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from .codebook.model import Codebook
    from .store.sqlite import Store


class ReviewedProject(Protocol):
    """What the queue uses of a project: :class:`~asymmetry_qda.project.Project` has all of it.

    (The queue is a view over the project's API, so it imports nothing of ``Project``; a closed project is opened
    again through ``type(project).open``.)
    """

    @property
    def path(self) -> "Path": ...
    @property
    def closed(self) -> bool: ...
    def suggestions(self, *, code=None, status="suggested", where=None) -> pd.DataFrame: ...
    def segments(self, *, unit=None, doc_id=None, include_interviewer=True) -> pd.DataFrame: ...
    def codings(self, *, current_only: bool = True) -> pd.DataFrame: ...
    def text(self, doc_id: str) -> str: ...
    def accept(self, ids=None, *, coder: str, rule=None, code=None, memo=None) -> list[str]: ...
    def reject(self, ids=None, *, coder: str, rule=None, code=None, memo=None) -> list[str]: ...
    def modify(self, coding_id: str, *, coder: str, start=None, end=None, code=None, memo=None) -> str: ...
    def undo(self, coding_id: str, *, coder: str, memo=None) -> str: ...
    def create_code(self, code: str, *, label: str, definition: str, by: str, reason=None, **fields): ...
    def transaction(self): ...
    def latest_codebook(self) -> "Codebook | None": ...
    @property
    def store(self) -> "Store": ...

KEYS = {"a": "Accept", "r": "Reject", "c": "Change code", "s": "Skip", "u": "Undo"}


def _speaker(item: pd.Series) -> str:
    """The item's speaker, or what stands in for one (a field note has none)."""
    speaker = item.get("speaker")
    return "field note" if speaker is None or (isinstance(speaker, float) and pd.isna(speaker)) else str(speaker)


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

    def __init__(self, project: ReviewedProject, *, coder: str, code: str | None = None, status: str = "suggested",
                 where: str | None = None, context: int = 1):
        self.project = project
        self.coder = coder
        self.context = context
        self.items: pd.DataFrame = project.suggestions(code=code, status=status, where=where)
        self.position = 0
        #: (suggestion id, decision, new row id), in the order made; an undo removes its entry
        self.decisions: list[tuple[str, str, str]] = []
        self.last_action: str = ""
        self._sentences = project.segments(unit="sentence")
        self._human = self._human_codings()
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

    # -- the project, open ------------------------------------------------
    def _open_project(self) -> ReviewedProject:
        """The project, opened again from its file if it was closed since the queue was made."""
        if self.project.closed:
            self.project = type(self.project).open(self.project.path)
            self.last_action = f"(the project had been closed; it was opened again from {self.project.path.name}) "
        return self.project

    # -- decisions -------------------------------------------------------
    def accept(self, memo: str | None = None, *, coding_id: str | None = None) -> str:
        """Confirm the current suggestion (or ``coding_id``); returns the new row's id."""
        return self._decide("accepted", coding_id,
                            lambda p, cid: p.accept([cid], coder=self.coder, memo=memo)[0])

    def reject(self, memo: str | None = None, *, coding_id: str | None = None) -> str:
        """Reject the current suggestion (or ``coding_id``); returns the new row's id."""
        return self._decide("rejected", coding_id,
                            lambda p, cid: p.reject([cid], coder=self.coder, memo=memo)[0])

    def change_code(self, code: str, memo: str | None = None, *, coding_id: str | None = None) -> str:
        """Confirm the current suggestion's span (or ``coding_id``'s) under another code."""
        return self._decide(f"changed to {code}", coding_id,
                            lambda p, cid: p.modify(cid, coder=self.coder, code=code, memo=memo))

    def new_code(self, code: str, definition: str, *, label: str | None = None, memo: str | None = None,
                 coding_id: str | None = None) -> str:
        """Confirm the current suggestion's span (or ``coding_id``'s) under a code made now, in one transaction.

        The code joins the project's codebook as a new version by this queue's coder (see
        :meth:`Project.create_code <asymmetry_qda.project.Project.create_code>`); undoing the decision puts the
        suggestion back and leaves the code (retire it if it is not wanted).
        """
        def create_and_modify(project, cid: str) -> str:
            with project.transaction():
                project.create_code(code, label=label or code.rsplit(".", 1)[-1].replace("_", " "),
                                    definition=definition, by=self.coder, reason="made while reviewing suggestions")
                return project.modify(cid, coder=self.coder, code=code, memo=memo)

        new_id = self._decide(f"new code {code}", coding_id, create_and_modify)
        if self._widget is not None and code not in self._choice.options:
            self._choice.options = sorted({*self._choice.options, code})
        return new_id

    def skip(self) -> None:
        """Leave the current suggestion undecided and go to the next."""
        item = self.current
        self.position += 1
        self.last_action = (f"skipped {item['code_id']} in {item['doc_id']}" if item is not None else "")
        self._refresh()

    def undo(self) -> str:
        """Undo the last decision made in this queue: the suggestion is pending again, first in the queue."""
        if not self.decisions:
            raise IndexError("nothing to undo: no decision was made in this queue")
        project = self._open_project()
        suggestion_id, what, new_id = self.decisions.pop()
        restored = project.undo(new_id, coder=self.coder)
        again = project.suggestions(status="suggested")
        again = again[again["coding_id"] == restored]
        at = self._index_of(suggestion_id)
        items = self.items
        if at is not None:
            items = items.drop(items.index[at]).reset_index(drop=True)
            if at < self.position:
                self.position -= 1
        # the restored suggestion is the current item again
        self.items = pd.concat([items.iloc[:self.position], again, items.iloc[self.position:]]).reset_index(drop=True)
        self._human = self._human_codings()
        self.last_action += f"undid: {what} (the suggestion is back, row {restored[:8]})"
        self._refresh()
        return restored

    def _index_of(self, coding_id: str) -> int | None:
        hits = [i for i, cid in enumerate(self.items["coding_id"]) if cid == coding_id]
        return hits[0] if hits else None

    def _decide(self, what: str, coding_id: str | None, action) -> str:
        if coding_id is None:
            item = self.current
            if item is None:
                raise IndexError("the review queue is empty")
            at = self.position
        else:
            at = self._index_of(coding_id)
            if at is None:
                raise KeyError(f"{coding_id!r} is not in this queue. Fix: use an id from queue.items['coding_id']")
            item = self.items.iloc[at]
        self.last_action = ""
        project = self._open_project()
        new_id = action(project, item["coding_id"])
        self.decisions.append((item["coding_id"], f"{what}: {item['code_id']} in {item['doc_id']}", new_id))
        # the decided item moves before the current position, so that the queue goes on with the next one
        if at >= self.position:
            order = list(range(len(self.items)))
            order.insert(self.position, order.pop(at))
            self.items = self.items.iloc[order].reset_index(drop=True)
            self.position += 1
        self._human = self._human_codings()
        self.last_action += f"{what}: {item['code_id']} in {item['doc_id']} (new row {new_id[:8]})"
        self._refresh()
        return new_id

    # -- showing ---------------------------------------------------------
    def _human_codings(self) -> pd.DataFrame:
        frame = self.project.codings() if not self.project.closed else pd.DataFrame(
            columns=["doc_id", "start", "end", "code_id", "coder_id", "status", "origin"])
        return frame[(frame["status"] == "confirmed") & (frame["origin"] == "human")]

    def already_coded(self, item: pd.Series | None = None) -> pd.DataFrame:
        """Confirmed human codings of the same code (or a sub-code) that overlap the item: someone coded it."""
        item = self.current if item is None else item
        if item is None:
            return self._human.iloc[:0]
        h = self._human
        code = item["code_id"]
        return h[(h["doc_id"] == item["doc_id"]) & (h["start"] < item["end"]) & (h["end"] > item["start"])
                 & ((h["code_id"] == code) | h["code_id"].str.startswith(code + ".")
                    | pd.Series([code.startswith(c + ".") for c in h["code_id"]], index=h.index, dtype=bool))]

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
        grey = '<span style="color:#666">{}</span>'
        rules = ", ".join(sorted({e["rule_id"] for e in item["evidence"]}))
        flags = ", ".join(item["context"]) or "none"
        coded = self.already_coded(item)
        badge = ""
        if len(coded):
            who = ", ".join(sorted({f"{r.coder_id} ({r.code_id})" for r in coded.itertuples()}))
            badge = (f'<p style="color:#8a5a00; background:#fff4d6; padding:2px 6px; margin:4px 0">'
                     f"already coded by {html.escape(who)}: accepting adds this coder's decision beside it</p>")
        return (f"<p><b>{html.escape(item['code_id'])}</b> · {html.escape(str(item['doc_id']))} · "
                f"{html.escape(_speaker(item))} · confidence {item['confidence']:.2f} · context: "
                f"{html.escape(flags)} · rules: {html.escape(rules)} · {self.position + 1} of {len(self.items)}</p>"
                f"{badge}<p>"
                + " ".join(grey.format(html.escape(t)) for t in before["text"])
                + " " + "".join(pieces) + " "
                + " ".join(grey.format(html.escape(t)) for t in after["text"]) + "</p>")

    def widget(self):
        """The ipywidgets panel (built once)."""
        if self._widget is None:
            try:
                import ipywidgets as widgets
            except ImportError:
                raise MissingDependency("the review panel", "ipywidgets", "notebook") from None

            view = widgets.HTML()
            status = widgets.HTML()
            memo = widgets.Textarea(placeholder="memo (optional): why this decision",
                                    layout=widgets.Layout(width="100%"))
            codebook_codes = self._codebook_codes()
            codes = sorted(set(codebook_codes) | set(self.items["code_id"]))
            choice = widgets.Dropdown(options=codes, description="code", layout=widgets.Layout(width="24em"))
            keys = widgets.Text(placeholder="keys: a r c s u", description="keys",
                                layout=widgets.Layout(width="16em"))
            new_id = widgets.Text(placeholder="new code id, e.g. response.blame.hindsight_police",
                                  description="new code", layout=widgets.Layout(width="32em"))
            new_definition = widgets.Text(placeholder="what the new code means", description="definition",
                                          layout=widgets.Layout(width="40em"))
            make = widgets.Button(description="New code", tooltip="make the code and confirm this span under it")
            buttons = {name: widgets.Button(description=name, tooltip=f"key {key}")
                       for key, name in KEYS.items()}
            buttons["Accept"].button_style = "success"
            buttons["Reject"].button_style = "danger"
            actions = {
                "Accept": lambda: self.accept(memo.value or None),
                "Reject": lambda: self.reject(memo.value or None),
                "Change code": lambda: self.change_code(choice.value, memo.value or None),
                "Skip": self.skip,
                "Undo": self.undo,
            }
            for name, button in buttons.items():
                button.on_click(lambda _, name=name: self._run(actions[name]))
            make.on_click(lambda _: self._run(lambda: self.new_code(new_id.value.strip(), new_definition.value,
                                                                    memo=memo.value or None)))

            def on_key(change: dict[str, Any]) -> None:
                typed = (change["new"] or "").strip().lower()
                if typed:
                    keys.value = ""
                    if typed[-1] in KEYS:
                        self._run(actions[KEYS[typed[-1]]])

            keys.observe(on_key, names="value")
            self._widget = widgets.VBox([view, widgets.HBox([*buttons.values()]), widgets.HBox([choice, keys]),
                                         widgets.HBox([new_id, new_definition, make]), memo, status])
            self._view, self._memo, self._status, self._choice = view, memo, status, choice
        self._refresh()
        return self._widget

    def _codebook_codes(self) -> list[str]:
        latest = self.project.latest_codebook()
        return [c.id for c in latest.codes] if latest is not None else []

    def _run(self, action) -> None:
        """Run a button's action; an error is shown in the panel, and nothing else happens."""
        try:
            action()
        except Exception as exc:  # shown to the researcher, not lost in JupyterLab's log console
            if self._widget is not None:
                self._status.value = (f'<p style="color:#b00020"><b>Nothing was stored:</b> '
                                      f"{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</p>")
            return

    def _refresh(self) -> None:
        if self._widget is not None:
            self._view.value = self.html()
            self._memo.value = ""
            item = self.current
            if item is not None and item["code_id"] in self._choice.options:
                self._choice.value = item["code_id"]  # "Change code" starts on the suggestion's code
            done = f"{len(self.decisions)} decided, {self.remaining} to go"
            self._status.value = (f'<p style="color:#1b5e20">{html.escape(self.last_action)}'
                                  f'{" · " if self.last_action else ""}{done}</p>')

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget())


#: the orders a queue can take (see :func:`review_queue`)
STRATEGIES = ("document", "uncertainty", "likely")


def review_queue(project: ReviewedProject, *, coder: str | None = None, code: str | None = None,
                 status: str = "suggested", where: str | None = None, context: int = 1, strategy: str = "document",
                 version: str | None = None) -> ReviewQueue:
    """A :class:`ReviewQueue` of ``project``'s suggestions in the order ``strategy`` names.

    This is :meth:`Project.review_queue <asymmetry_qda.project.Project.review_queue>` (see there); ``"uncertainty"``
    and ``"likely"`` order by the trained suggester ``version`` (default the newest).
    """
    from .decisions import check_coder

    check_coder(coder)
    if strategy not in STRATEGIES:
        raise InputError(Problem("strategy", f"{strategy!r} is not a review order",
                                 fix="use 'document', 'likely' or 'uncertainty'"))
    queue = ReviewQueue(project, coder=coder, code=code, status=status, where=where, context=context)
    if strategy == "uncertainty":
        from .suggester.service import uncertainty_order

        queue.items = uncertainty_order(project, queue.items, version=version)
    elif strategy == "likely":
        from .suggester.service import likelihood_order

        queue.items = likelihood_order(project, queue.items, version=version)
    return queue
