"""What a researcher sees of the toolkit's warnings and numbers in a Jupyter kernel."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest

from asymmetry_qda.analysis import styled
from asymmetry_qda.analysis._styling import format_number
from asymmetry_qda.errors import QDAWarning, _show_plainly, show_warnings_plainly


@pytest.fixture
def plain_warnings():
    saved = warnings.showwarning
    show_warnings_plainly()
    yield
    warnings.showwarning = saved


def test_the_toolkit_s_warnings_are_shown_whole_without_file_or_source(plain_warnings):
    stream = io.StringIO()
    message = "4 co-occurring pair(s) in overlap units " + "(a–b, c–d) " * 20 + "have one code over 5 times as frequent"
    warnings.showwarning(message, QDAWarning, "/tmp/ipykernel_1572/2455537029.py", 1, stream, "overlap = ...")
    assert stream.getvalue() == f"QDAWarning: {message}\n"


def test_other_warnings_go_to_the_function_that_was_there(monkeypatch):
    seen = []
    monkeypatch.setattr(warnings, "showwarning", lambda *args: seen.append(args))
    show_warnings_plainly()
    warnings.showwarning("pandas says", FutureWarning, "/x/frame.py", 12, None, None)
    warnings.showwarning("ours", QDAWarning, "/x/frame.py", 13, io.StringIO(), None)
    assert seen == [("pandas says", FutureWarning, "/x/frame.py", 12, None, None)]


def test_installing_twice_wraps_once(plain_warnings):
    show_warnings_plainly()
    assert warnings.showwarning is _show_plainly
    assert _show_plainly.previous is not _show_plainly


def test_warning_filters_and_catch_warnings_work_as_before(plain_warnings):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("kept", QDAWarning)
    assert [str(w.message) for w in caught] == ["kept"]
    assert warnings.showwarning is _show_plainly
    with warnings.catch_warnings():
        warnings.simplefilter("error", QDAWarning)
        with pytest.raises(QDAWarning):
            warnings.warn("an error now", QDAWarning)


@pytest.mark.parametrize("value, options, shown", [
    (33.333333, {}, "33.333"), (0.000012, {}, "1.2e-05"), (0.0004, {}, "4.0e-04"), (0.0005, {}, "0.001"),
    (0.0, {}, "0.000"), (-0.25, {"digits": 1}, "-0.2"), (3, {}, "3"), (7.0, {"whole": True}, "7"),
    (float("nan"), {}, ""), (None, {}, ""), (float("inf"), {}, "∞"), (True, {}, "yes"),
])
def test_format_number(value, options, shown):
    assert format_number(value, **options) == shown


def test_styled_rounds_each_float_column_and_keeps_the_frame():
    frame = pd.DataFrame({"code_id": ["agency", "response"], "n_units": [3.0, float("nan")],
                          "pct_units": [3.366584, 50.0], "p_adjusted": [0.000012, 0.9], "leader": [True, False]},
                         index=[4, 9])
    page = styled(frame).to_html()
    for shown in (">3.367<", ">50.000<", ">1.2e-05<", ">0.900<", ">3<", ">yes<", ">no<"):
        assert shown in page, shown
    assert "3.366584" not in page and ">3.000<" not in page
    assert ">4<" not in page  # a filtered row numbering is hidden
    assert frame.loc[4, "pct_units"] == 3.366584  # nothing rounded underneath
    assert ">4<" in styled(frame, index=True).to_html()
    assert ">agency<" in styled(frame.set_index("code_id")).to_html()  # a named index is shown


@pytest.mark.slow
def test_in_a_kernel_a_toolkit_warning_is_one_plain_line(tmp_path, monkeypatch):
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from nbclient import NotebookClient

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        pytest.fail("no Jupyter kernel named 'python3' is installed; install ipykernel in this environment")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    cells = ["import warnings\nimport asymmetry_qda\nfrom asymmetry_qda import QDAWarning",
             "warnings.warn('nothing says who speaks', QDAWarning)",
             "warnings.warn('a user warning', UserWarning)"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell) for cell in cells])
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                   ).execute()
    streams = [[o.text for o in cell.outputs if o.output_type == "stream"] for cell in notebook.cells]
    assert streams[1] == ["QDAWarning: nothing says who speaks\n"]
    assert len(streams[2]) == 1 and "UserWarning: a user warning" in streams[2][0] and ".py:1:" in streams[2][0]


def test_progress_shows_on_a_terminal_and_in_jupyter_only(monkeypatch):
    import sys

    from asymmetry_qda import progress

    class Stream(io.StringIO):
        def __init__(self, tty):
            super().__init__()
            self.tty = tty

        def isatty(self):
            return self.tty

    monkeypatch.setattr(sys, "stderr", Stream(True))
    assert progress.shows_progress(None) and not progress.shows_progress(False)
    monkeypatch.setattr(sys, "stderr", Stream(False))
    monkeypatch.setattr("asymmetry_qda.errors._in_ipython", lambda: False)
    assert not progress.shows_progress(None) and progress.shows_progress(True)
    assert progress.progress_bar(3, unit="code", desc="training", progress=None) is None
    monkeypatch.setattr("asymmetry_qda.errors._in_ipython", lambda: True)
    monkeypatch.setitem(sys.modules, "ipykernel", sys.modules.get("ipykernel") or object())
    assert progress.shows_progress(None)


def test_training_shows_one_step_per_code_fitted(monkeypatch):
    import sys

    from asymmetry_qda.suggester import CodeSuggester

    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    texts = [f"I was blamed for case {i}." for i in range(6)] + [f"They praised the team {i}." for i in range(6)]
    Y = pd.DataFrame({"response.blame": [1] * 6 + [0] * 6, "response.praise": [0] * 6 + [1] * 6})
    X = pd.DataFrame({"text": texts})
    quiet = CodeSuggester(min_examples=3, cv=2).fit(X, Y)
    assert stream.getvalue() == ""
    shown = CodeSuggester(min_examples=3, cv=2).fit(X, Y, progress=True)
    assert "training" in stream.getvalue() and "2/2" in stream.getvalue()
    assert (shown.predict_proba(X) == quiet.predict_proba(X)).all().all()
