"""Figures of the theme tables: the drawn data matches the table, and saved files are byte-identical."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from asymmetry_qda.analysis.figures import (
    BALANCE_XLABEL,
    balance_plot,
    cooccurrence_graph,
    cooccurrence_heatmap,
    cooccurrence_network,
    save_figure,
)
from asymmetry_qda.errors import ArgumentError

NAN = math.nan


def pairs() -> pd.DataFrame:
    """Four codes, five of the six pairs (c-d never co-occur and is missing, as a sparse table would have it)."""
    counts = {"a": 10, "b": 6, "c": 4, "d": 2}
    rows = []
    for a, b, n_ab in [("a", "b", 3), ("a", "c", 2), ("a", "d", 1), ("b", "c", 4), ("b", "d", 0)]:
        n_a, n_b = counts[a], counts[b]
        rows.append({"code_a": a, "code_b": b, "n_a": n_a, "n_b": n_b, "n_ab": n_ab,
                     "jaccard": n_ab / (n_a + n_b - n_ab), "dice": 2 * n_ab / (n_a + n_b),
                     "lift": n_ab * 20 / (n_a * n_b), "p_b_given_a": n_ab / n_a, "p_a_given_b": n_ab / n_b})
    return pd.DataFrame(rows)


def drawn_matrix(figure: Figure) -> np.ndarray:
    """The heatmap's cell values, NaN where masked, in row/column order as drawn (first row on top)."""
    mesh = figure.axes[0].collections[0]
    return np.ma.filled(np.ma.masked_invalid(mesh.get_array()).astype(float), np.nan)


def tick_texts(labels) -> list[str]:
    return [label.get_text() for label in labels]


# --- heatmap -----------------------------------------------------------------------------------


def test_heatmap_draws_the_symmetric_matrix_with_a_blank_diagonal():
    table = pairs()
    figure = cooccurrence_heatmap(table, measure="jaccard")
    j = dict(zip(zip(table.code_a, table.code_b), table.jaccard))
    expected = np.array([
        [NAN, j["a", "b"], j["a", "c"], j["a", "d"]],
        [j["a", "b"], NAN, j["b", "c"], j["b", "d"]],
        [j["a", "c"], j["b", "c"], NAN, NAN],  # c-d is not in the table: blank
        [j["a", "d"], j["b", "d"], NAN, NAN],
    ])
    np.testing.assert_allclose(drawn_matrix(figure), expected)
    ax, colourbar = figure.axes
    assert tick_texts(ax.get_xticklabels()) == ["a", "b", "c", "d"]
    assert tick_texts(ax.get_yticklabels()) == ["a", "b", "c", "d"]
    assert colourbar.get_ylabel() == "Jaccard index"
    assert len(ax.texts) == 10  # annotated: every drawn cell, none on the diagonal or missing pairs


def test_heatmap_places_conditional_probabilities_by_direction():
    table = pairs()
    figure = cooccurrence_heatmap(table, measure="p_b_given_a", codes=["c", "a", "b"])
    # row r, column c holds P(column | row)
    expected = np.array([
        [NAN, 2 / 4, 4 / 4],   # P(a|c), P(b|c)
        [2 / 10, NAN, 3 / 10],  # P(c|a), P(b|a)
        [4 / 6, 3 / 6, NAN],   # P(c|b), P(a|b)
    ])
    np.testing.assert_allclose(drawn_matrix(figure), expected)


def test_heatmap_follows_the_given_code_order_and_labels():
    figure = cooccurrence_heatmap(pairs(), measure="n_ab", codes=["d", "b", "a"],
                                  labels={"a": "alpha", "d": "delta"}, title="Counts")
    ax = figure.axes[0]
    assert tick_texts(ax.get_xticklabels()) == ["delta", "b", "alpha"]
    assert tick_texts(ax.get_yticklabels()) == ["delta", "b", "alpha"]
    assert ax.get_title() == "Counts"
    np.testing.assert_allclose(drawn_matrix(figure), [[NAN, 0, 1], [0, NAN, 3], [1, 3, NAN]])


def test_heatmap_leaves_out_annotations_beyond_twenty_codes():
    codes = [f"c{i:02d}" for i in range(21)]
    table = pd.DataFrame({"code_a": codes[:-1], "code_b": codes[1:], "jaccard": 0.5})
    assert len(cooccurrence_heatmap(table).axes[0].texts) == 0


def test_heatmap_refuses_a_table_of_several_groups():
    table = pd.concat([pairs().assign(leader=True), pairs().assign(leader=False)], ignore_index=True)
    with pytest.raises(ValueError, match="filter the table to one group first"):
        cooccurrence_heatmap(table)
    # once filtered to one group, the constant column is no obstacle
    cooccurrence_heatmap(table[table["leader"]])


def test_heatmap_and_graph_refuse_a_pair_given_twice_with_different_values():
    table = pd.concat([pairs(), pairs().iloc[[0]].assign(jaccard=0.9)], ignore_index=True)
    with pytest.raises(ArgumentError, match=r"the pair \('a', 'b'\) appears more than once"):
        cooccurrence_heatmap(table)
    with pytest.raises(ArgumentError, match=r"the pair \('a', 'b'\) appears more than once"):
        cooccurrence_graph(table)


@pytest.mark.parametrize(("options", "message"), [
    ({"measure": "p_a_given_b"}, "measure: 'p_a_given_b'"),
    ({"measure": "dice", "codes": ["a", "a"]}, "codes: 'a' given more than once"),
])
def test_heatmap_names_a_bad_argument(options, message):
    with pytest.raises(ArgumentError, match=message):
        cooccurrence_heatmap(pairs(), **options)


def test_heatmap_of_conditional_probabilities_without_p_a_given_b_uses_the_counts():
    table = pairs()
    expected = drawn_matrix(cooccurrence_heatmap(table, measure="p_b_given_a"))
    np.testing.assert_allclose(drawn_matrix(cooccurrence_heatmap(table.drop(columns="p_a_given_b"),
                                                                 measure="p_b_given_a")), expected)


def test_heatmap_names_a_missing_column():
    with pytest.raises(ArgumentError, match="missing column.*'n_b'"):
        cooccurrence_heatmap(pairs().drop(columns=["p_a_given_b", "n_b"]), measure="p_b_given_a")


# --- network -----------------------------------------------------------------------------------


def test_graph_keeps_pairs_above_the_threshold_with_enough_co_occurrences():
    table = pairs()
    every = cooccurrence_graph(table)
    assert list(every.nodes) == ["a", "b", "c", "d"]
    assert sorted(every.edges) == [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c")]  # b-d: n_ab 0
    assert every.nodes["a"]["count"] == 10 and every.nodes["d"]["count"] == 2
    assert every.edges["b", "c"]["weight"] == pytest.approx(4 / 6)

    assert sorted(cooccurrence_graph(table, "jaccard", threshold=0.2).edges) == [("a", "b"), ("b", "c")]
    assert sorted(cooccurrence_graph(table, "jaccard", min_count=2).edges) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert sorted(cooccurrence_graph(table, "n_ab", threshold=2, min_count=1).edges) == [("a", "b"), ("b", "c")]
    assert list(cooccurrence_graph(table, threshold=0.9).nodes) == ["a", "b", "c", "d"]


def test_graph_refuses_an_asymmetric_measure():
    with pytest.raises(ArgumentError, match="use one of jaccard, dice, lift, n_ab"):
        cooccurrence_graph(pairs(), "p_b_given_a")


def test_network_draws_nodes_and_edges():
    figure = cooccurrence_network(pairs(), threshold=0.2, colours={"a": "#D62728"}, labels={"a": "alpha"})
    (ax,) = figure.axes
    assert not ax.axison
    edges, nodes = ax.collections  # the edge LineCollection, then the node PathCollection
    assert len(edges.get_paths()) == 2
    assert len(nodes.get_offsets()) == 4
    assert sorted(t.get_text() for t in ax.texts) == ["alpha", "b", "c", "d"]


def test_network_without_edges_still_draws_the_nodes():
    figure = cooccurrence_network(pairs(), threshold=0.99)
    (ax,) = figure.axes
    (nodes,) = ax.collections
    assert len(nodes.get_offsets()) == 4
    assert "no pair passes" in ax.get_title()


def test_network_layout_is_reproducible():
    def positions(table):
        return np.asarray(cooccurrence_network(table, seed=3).axes[0].collections[-1].get_offsets())

    np.testing.assert_array_equal(positions(pairs()), positions(pairs().iloc[::-1]))


# --- balance -----------------------------------------------------------------------------------


def balance() -> pd.DataFrame:
    return pd.DataFrame({
        "theme": ["agency", "agency", "agency", "response", "response"],
        "group": ["all", "leader=True", "leader=False", "leader=True", "leader=False"],
        "mean_balance": [0.2, 0.5, -0.1, NAN, -0.6],
        "ci_low": [0.0, 0.2, -0.4, NAN, -0.9],
        "ci_high": [0.4, 0.8, 0.2, NAN, -0.2],
        "n_participants": [15, 6, 9, 6, 9],
    })


def test_balance_plot_has_one_axes_per_theme_on_a_shared_scale():
    figure = balance_plot(balance(), title="Balance")
    assert len(figure.axes) == 2
    for ax, theme in zip(figure.axes, ["agency", "response"]):
        assert tuple(map(float, ax.get_xlim())) == (-1.0, 1.0)
        assert ax.get_title(loc="left") == theme
    assert tick_texts(figure.axes[0].get_yticklabels()) == ["all (n=15)", "leader=True (n=6)", "leader=False (n=9)"]
    assert figure.axes[-1].get_xlabel() == BALANCE_XLABEL
    points = figure.axes[0].lines[-1]
    assert list(points.get_xdata()) == [0.2, 0.5, -0.1]


def test_balance_plot_of_one_theme():
    figure = balance_plot(balance(), theme="response")
    assert len(figure.axes) == 1
    assert tick_texts(figure.axes[0].get_yticklabels()) == ["leader=True (n=6)", "leader=False (n=9)"]
    with pytest.raises(ArgumentError, match="theme: 'remedy'"):
        balance_plot(balance(), theme="remedy")


# --- saving ------------------------------------------------------------------------------------


@pytest.mark.parametrize("draw", [
    lambda: cooccurrence_heatmap(pairs(), measure="lift", labels={"a": "alpha"}, title="Lift"),
    lambda: cooccurrence_network(pairs(), threshold=0.1),
    lambda: balance_plot(balance(), title="Balance"),
], ids=["heatmap", "network", "balance"])
def test_saved_files_are_byte_identical(tmp_path, draw):
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    written = save_figure(draw(), first / "figure")
    again = save_figure(draw(), second / "figure.png")  # a trailing format suffix is dropped
    assert [p.name for p in written] == [p.name for p in again] == ["figure.png", "figure.svg"]
    for one, two in zip(written, again):
        assert one.read_bytes() == two.read_bytes()
    png, svg = (p.read_bytes() for p in written)
    assert png.startswith(b"\x89PNG") and b"Software" not in png
    assert b"<dc:date>" not in svg and b"Matplotlib" not in svg
    assert sorted(p.name for p in first.iterdir()) == ["figure.png", "figure.svg"]  # no temporary files left


def test_save_figure_refuses_an_unknown_format(tmp_path):
    with pytest.raises(ArgumentError, match="formats"):
        save_figure(balance_plot(balance()), tmp_path / "figure", formats=("png", "jpeg"))
    assert list(tmp_path.iterdir()) == []


def test_svg_bytes_do_not_depend_on_the_python_hash_seed(tmp_path):
    """Constrained layout can differ in the last bit between processes; the SVG must not."""
    import subprocess
    import sys

    script = tmp_path / "draw.py"
    script.write_text(
        "import hashlib, pandas as pd\n"
        "from asymmetry_qda.analysis import figures\n"
        "nan = float('nan')\n"
        "frame = pd.DataFrame({'theme': ['agency', 'response', 'reason'] + ['agency'] * 3 + ['response'] * 3\n"
        "    + ['reason'] * 3, 'group': ['all'] * 3 + ['leader=(missing)', 'leader=False', 'leader=True'] * 3,\n"
        "    'mean_balance': [-0.19, -0.057, 0.4, nan, nan, -0.19, -0.33, 0.018, -0.014, 1.0, 0.14, 0.29],\n"
        "    'ci_low': [-1.0, -0.37, -0.029, nan, nan, -1.0, nan, -0.6, -0.2, nan, nan, -0.14],\n"
        "    'ci_high': [0.33, 0.28, 0.83, nan, nan, 0.33, nan, 0.64, 0.33, nan, nan, 1.0],\n"
        "    'n_participants': [3, 6, 5, 0, 0, 3, 1, 2, 3, 1, 1, 3]})\n"
        "fig = figures.balance_plot(frame, title='Asymmetry balance: everyone and by leader')\n"
        "print(hashlib.sha256(dict(figures.figure_bytes(fig, 'b'))['b.svg']).hexdigest())\n", encoding="utf-8")
    digests = {subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True,
                              env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2", "3")}
    assert len(digests) == 1
