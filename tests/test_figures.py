"""Figures of the theme tables: the drawn data matches the table, the figures read well (no label over
another or over a node, legends and axis ends say what they encode), they display in Jupyter without
``%matplotlib`` and leave nothing in pyplot, and saved files are byte-identical."""

from __future__ import annotations

import base64
import itertools
import math
import re
import textwrap

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from asymmetry_qda.analysis import (
    QDAFigure,
    balance_plot,
    cooccurrence_graph,
    cooccurrence_heatmap,
    cooccurrence_network,
    figure_bytes,
    save_figure,
)
from asymmetry_qda.analysis._figures import BALANCE_XLABEL, group_label
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
    assert tick_texts(figure.axes[0].get_yticklabels()) == [
        "all participants (n = 15)", "leader: yes (n = 6)", "leader: no (n = 9)"]
    assert figure.axes[-1].get_xlabel() == BALANCE_XLABEL
    points = figure.axes[0].lines[-1]
    assert list(points.get_xdata()) == [0.2, 0.5, -0.1]


def test_balance_plot_of_one_theme():
    figure = balance_plot(balance(), theme="response")
    assert len(figure.axes) == 1
    assert tick_texts(figure.axes[0].get_yticklabels()) == ["leader: yes (n = 6)", "leader: no (n = 9)"]
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
        "from asymmetry_qda.analysis import _figures as figures\n"
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


# --- reading well: labels, legends, axis ends, group names ----------------------------------------

# codes and labels as the study codebook has them: long, and many
CROWDED_LABELS = {
    "agency": "Asymmetry of agency", "agency.responsibility": "Responsibility for whatever happens on one's watch",
    "agency.control": "Limited control", "agency.failure_inevitable": "Failure as normal and inevitable",
    "response": "Asymmetry of response", "response.blame": "Blame expected or received",
    "response.praise": "Praise and recognition", "response.praise_absent": "Praise absent or rare",
    "reason": "Asymmetry of reason", "reason.personal_fault": "Personal fault",
    "reason.complexity": "Task or system complexity", "failure.preventable": "Preventable failure",
    "failure.tolerable": "Tolerable (complexity-related) failure", "failure.intelligent": "Intelligent failure",
    "remedy.discipline": "Corrective or disciplinary procedure",
    "remedy.retraining": "Refresher training, briefing and supervision",
    "remedy.acknowledge_complexity": "Acknowledging that failure cannot be ruled out",
    "remedy.promising_practice": "Culture of promising practice", "stakeholder": "Stakeholders and oversight",
    "stakeholder.oversight": "Oversight and accountability bodies", "stakeholder.media": "Press and social media",
    "stakeholder.community": "Communities and the public", "stakeholder.own_officers": "Own officers as stakeholders",
    "stakeholder.victims_families": "Victims and families",
    "stakeholder.conflicting": "Conflicting stakeholder demands", "experience": "Experience of the work",
    "experience.loneliness": "Loneliness of decisions", "experience.defensiveness": "Defensiveness and self-protection",
    "experience.wellbeing": "Well-being and strain",
}
THEME_COLOURS = {"agency": "#1F77B4", "response": "#D62728", "reason": "#2CA02C", "failure": "#9467BD",
                 "remedy": "#FF7F0E", "stakeholder": "#8C564B", "experience": "#7F7F7F"}


def crowded_pairs(seed: int, p_together: float = 0.2) -> pd.DataFrame:
    """Every pair of 29 codes at the turn unit, with random counts: a dense network with long labels."""
    rng = np.random.default_rng(seed)
    codes = sorted(CROWDED_LABELS)
    counts = dict(zip(codes, rng.integers(1, 25, len(codes)).tolist()))
    rows = []
    for a, b in itertools.combinations(codes, 2):
        n_a, n_b = counts[a], counts[b]
        n_ab = int(rng.binomial(min(n_a, n_b), p_together))
        rows.append({"unit": "turn", "code_a": a, "code_b": b, "n_units": 330, "n_a": n_a, "n_b": n_b,
                     "n_ab": n_ab, "jaccard": n_ab / (n_a + n_b - n_ab)})
    return pd.DataFrame(rows)


def many_colours_pairs() -> pd.DataFrame:
    """pairs() and six more codes that co-occur with nothing: ten codes, few edges."""
    extra = pd.DataFrame({"code_a": "a", "code_b": list("efghij"), "n_a": 10, "n_b": 1, "n_ab": 0, "jaccard": 0.0})
    return pd.concat([pairs()[["code_a", "code_b", "n_a", "n_b", "n_ab", "jaccard"]], extra], ignore_index=True)


def drawn(figure: Figure, dpi: float):
    """The figure drawn at ``dpi`` (layouts run, label boxes set), and its renderer."""
    figure.set_dpi(dpi)
    figure.canvas.draw()
    return figure.canvas.get_renderer()


def boxes_overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def box_hits_circle(box, centre, radius) -> bool:
    nearest = (min(max(centre[0], box.x0), box.x1), min(max(centre[1], box.y0), box.y1))
    return math.dist(nearest, centre) < radius


def network_geometry(figure: Figure, dpi: float):
    """(label boxes, node centres, node radii) in display pixels, as drawn at ``dpi``."""
    renderer = drawn(figure, dpi)
    ax = figure.axes[0]
    labels = []
    for text in ax.texts:
        box = text.get_window_extent(renderer)  # the words themselves
        patch = text.get_bbox_patch()  # and the white box behind them
        labels.append((text.get_text(), box, patch.get_window_extent(renderer) if patch is not None else box))
    nodes = ax.collections[-1]
    centres = ax.transData.transform(np.asarray(nodes.get_offsets()))
    radii = np.broadcast_to(np.sqrt(nodes.get_sizes()) / 2 * dpi / 72, (len(centres),))
    return labels, centres, radii


NETWORKS = {
    "crowded-0": lambda: cooccurrence_network(crowded_pairs(0), threshold=0.05, min_count=2, colours=THEME_COLOURS,
                                              labels=CROWDED_LABELS, title="Code co-occurrence in turns"),
    "crowded-1": lambda: cooccurrence_network(crowded_pairs(1, 0.35), threshold=0.1, colours=THEME_COLOURS,
                                              labels=CROWDED_LABELS),
    "crowded-ids": lambda: cooccurrence_network(crowded_pairs(2), measure="n_ab", threshold=1),
    "no-edges": lambda: cooccurrence_network(crowded_pairs(3), threshold=0.99, labels=CROWDED_LABELS),
    "small": lambda: cooccurrence_network(pairs(), threshold=0.1, labels={"a": "alpha"}),
}


@pytest.mark.parametrize("name", NETWORKS)
@pytest.mark.parametrize("dpi", [100, 150])  # on screen and as saved
def test_network_labels_cover_no_other_label_and_no_node(name, dpi):
    figure = NETWORKS[name]()
    labels, centres, radii = network_geometry(figure, dpi)
    assert len(labels) == len(centres)  # every node has its label
    for (text_a, words_a, patch_a), (text_b, words_b, patch_b) in itertools.combinations(labels, 2):
        assert not boxes_overlap(patch_a, patch_b), f"{text_a!r} and {text_b!r} overlap"
        assert not boxes_overlap(words_a, words_b)
    for text, words, patch in labels:
        for centre, radius in zip(centres, radii):
            assert not box_hits_circle(patch, centre, radius), f"{text!r} covers a node at {centre}"
            assert not box_hits_circle(words, centre, radius)
    for (i, a), (j, b) in itertools.combinations(enumerate(centres), 2):
        assert math.dist(a, b) >= radii[i] + radii[j], "two nodes overlap"
    whole = figure.bbox
    for text, words, patch in labels:  # nothing cut at the figure's edges
        assert whole.x0 <= patch.x0 and patch.x1 <= whole.x1 and whole.y0 <= patch.y0 and patch.y1 <= whole.y1, text


def test_network_labels_are_the_code_labels_wrapped():
    labels, _, _ = network_geometry(NETWORKS["crowded-0"](), 100)
    texts = sorted(text for text, _, _ in labels)
    assert texts == sorted(textwrap.fill(label, 22, break_long_words=False, break_on_hyphens=False)
                           for label in CROWDED_LABELS.values())


def test_network_legends_say_what_node_area_and_edge_width_encode():
    table = pairs().assign(unit="turn", n_units=20)
    figure = cooccurrence_network(table, threshold=0.1)
    legends = {legend.get_title().get_text().split(":")[0]: legend for legend in figure.legends}
    assert set(legends) == {"Node area", "Edge width"}
    area_title = legends["Node area"].get_title().get_text()
    assert "turns coded" in area_title and "n_a" in area_title
    assert "Jaccard index" in legends["Edge width"].get_title().get_text()
    # the legend's samples are drawn on the network's own scales
    nodes = figure.axes[0].collections[-1]
    area_of = dict(zip(["a", "b", "c", "d"], nodes.get_sizes()))
    samples = dict(zip((t.get_text() for t in legends["Node area"].get_texts()),
                       (h.get_markersize() for h in legends["Node area"].legend_handles)))
    assert samples["10"] ** 2 == pytest.approx(area_of["a"])  # a: 10 turns
    assert min(map(float, samples)) == 2  # d, the least frequent
    widths = dict(zip((t.get_text() for t in legends["Edge width"].get_texts()),
                      (h.get_linewidth() for h in legends["Edge width"].legend_handles)))
    edges = figure.axes[0].collections[0]
    assert max(widths.values()) == pytest.approx(max(edges.get_linewidths()))
    assert all(len(text.split(".")[-1]) == 2 for text in widths)  # rounded: 0.67, not 0.6666666666666666
    words = " ".join(t.get_text() for t in figure.texts).replace("\n", " ")
    assert "Unit: participant turn (N = 20)." in words
    assert "Jaccard index = n_ab / (n_a + n_b \N{MINUS SIGN} n_ab) is above 0.1" in words
    assert figure.axes[0].get_title() == "Code co-occurrence in turns: Jaccard index"


def test_network_legend_of_a_table_without_counts_says_the_sizes_are_equal():
    figure = cooccurrence_network(pairs().drop(columns=["n_a", "n_b"]), threshold=0.1)
    titles = [legend.get_title().get_text() for legend in figure.legends]
    assert any(title.startswith("Node area: all equal") for title in titles)
    assert len(set(figure.axes[0].collections[-1].get_sizes())) == 1


def test_network_colours_sub_codes_by_their_theme_and_names_the_themes():
    figure = cooccurrence_network(crowded_pairs(0), threshold=0.05, colours=THEME_COLOURS, labels=CROWDED_LABELS)
    colours = figure.axes[0].collections[-1].get_facecolors()
    assert len({tuple(c) for c in colours}) == len(THEME_COLOURS)
    colour_legend = next(legend for legend in figure.legends if legend.get_title().get_text().startswith("Colour"))
    assert "Asymmetry of response" in [t.get_text() for t in colour_legend.get_texts()]


def balance_poles():
    return {"agency": ("agency.responsibility", "agency.control"), "response": ("response.blame", "response.praise")}


def axis_ends(ax, renderer):
    """{text: extent} of the texts at the ends of an axis (those with an arrow)."""
    return {t.get_text(): t.get_window_extent(renderer) for t in ax.texts
            if "\N{LEFTWARDS ARROW}" in t.get_text() or "\N{RIGHTWARDS ARROW}" in t.get_text()}


@pytest.mark.parametrize("source", ["poles", "columns"])
def test_balance_axis_ends_carry_the_pole_names_under_the_axis(source):
    if source == "poles":
        figure = balance_plot(balance(), poles=balance_poles())
    else:  # participant_balance's heavy_code / light_code columns, kept in the table
        heavy = {theme: poles[0] for theme, poles in balance_poles().items()}
        light = {theme: poles[1] for theme, poles in balance_poles().items()}
        figure = balance_plot(balance().assign(heavy_code=balance()["theme"].map(heavy),
                                               light_code=balance()["theme"].map(light)))
    renderer = drawn(figure, 150)
    expected = [("\N{LEFTWARDS ARROW} more control", "more responsibility \N{RIGHTWARDS ARROW}"),
                ("\N{LEFTWARDS ARROW} more praise", "more blame \N{RIGHTWARDS ARROW}")]
    for ax, (light_end, heavy_end) in zip(figure.axes, expected):
        ends = axis_ends(ax, renderer)
        assert set(ends) == {light_end, heavy_end}
        box = ax.get_window_extent(renderer)
        middle = (box.x0 + box.x1) / 2
        assert ends[light_end].x0 == pytest.approx(box.x0, abs=2) and ends[light_end].x1 < middle  # -1: light
        assert ends[heavy_end].x1 == pytest.approx(box.x1, abs=2) and ends[heavy_end].x0 > middle  # +1: heavy
        for end in ends.values():
            assert end.y1 < box.y0  # under the axis
            assert not any(boxes_overlap(end, tick.get_window_extent(renderer)) for tick in ax.get_xticklabels())


def test_balance_axis_ends_use_labels_and_say_so_without_poles():
    figure = balance_plot(balance(), theme="response", poles=balance_poles(),
                          labels={"response": "Asymmetry of response", "response.praise": "Praise and recognition"})
    ax = figure.axes[0]
    assert ax.get_title(loc="left") == "Asymmetry of response"
    assert sorted(axis_ends(ax, drawn(figure, 100))) == ["more blame \N{RIGHTWARDS ARROW}",
                                                         "\N{LEFTWARDS ARROW} more praise and recognition"]
    plain = balance_plot(balance(), theme="response")
    assert sorted(axis_ends(plain.axes[0], drawn(plain, 100))) == ["heavy pole \N{RIGHTWARDS ARROW}",
                                                                   "\N{LEFTWARDS ARROW} light pole"]


def test_group_label_reads_the_group_keys():
    assert group_label("leader=(missing)") == "leader: not recorded"
    assert group_label("leader=True") == "leader: yes"
    assert group_label("leader=False") == "leader: no"
    assert group_label("all") == "all participants"
    assert group_label("rank_band=senior, leader=nan") == "rank band: senior; leader: not recorded"
    assert group_label("function=response, investigation") == "function: response, investigation"
    assert group_label("a free label") == "a free label"
    assert group_label(None) == "not recorded"


def grouped_balance() -> pd.DataFrame:
    """group_balance's own table: groups everyone, leader=True/False and leader=(missing)."""
    from asymmetry_qda.analysis import group_balance

    people = pd.DataFrame({"theme": "response", "participant_id": [f"P{i}" for i in range(7)],
                           "balance": [0.5, 1.0, -0.5, 0.0, 0.25, -1.0, 0.5],
                           "leader": [True, True, False, False, None, None, True],
                           "status": "confirmed", "unit": "sentence"})
    return pd.concat([group_balance(people, n_resamples=99),
                      group_balance(people, by="leader", n_resamples=99).drop(columns="leader")], ignore_index=True)


RAW_KEY = re.compile(r"=\(missing\)|\w=(True|False|nan)\b")


@pytest.mark.parametrize("draw", [
    lambda: balance_plot(grouped_balance(), title="Balance by leader"),
    lambda: cooccurrence_heatmap(pairs().assign(leader="(missing)")),
    lambda: cooccurrence_network(pairs().assign(leader=NAN), threshold=0.1),
], ids=["balance", "heatmap", "network"])
def test_no_figure_draws_a_raw_group_key(draw):
    figure = draw()
    drawn(figure, 100)
    texts = [t.get_text() for t in figure.findobj(Text) if t.get_visible() and t.get_text()]
    assert not [t for t in texts if RAW_KEY.search(t)]
    assert any("not recorded" in t for t in texts)


DRAWINGS = {
    "heatmap": lambda: cooccurrence_heatmap(pairs().assign(unit="turn", n_units=20), measure="lift"),
    "heatmap-crowded": lambda: cooccurrence_heatmap(crowded_pairs(0), labels=CROWDED_LABELS),
    "network": lambda: cooccurrence_network(crowded_pairs(0), threshold=0.05, labels=CROWDED_LABELS),
    "network-legends-taller": lambda: cooccurrence_network(  # the legends are taller than the network
        many_colours_pairs(), threshold=0.1, colours=dict(zip("abcdefghij", matplotlib.colormaps["tab10"].colors)),
        title="A title long enough to be wrapped over two lines above so small a network"),
    "balance": lambda: balance_plot(grouped_balance(), title="Balance by leader"),
    "balance-poles": lambda: balance_plot(balance(), poles=balance_poles(), labels=CROWDED_LABELS),
}


@pytest.mark.parametrize("name", DRAWINGS)
def test_nothing_is_cut_at_the_edges_and_tick_labels_do_not_overlap(name):
    figure = DRAWINGS[name]()
    renderer = drawn(figure, 150)
    tight = figure.get_tightbbox(renderer)  # inches: every artist drawn, labels and legends included
    width, height = figure.get_size_inches()
    assert tight.x0 >= -0.01 and tight.y0 >= -0.01 and tight.x1 <= width + 0.01 and tight.y1 <= height + 0.01
    for ax in figure.axes:
        ticks = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
        if ax.xaxis.get_ticklabels() and not ax.xaxis.get_ticklabels()[0].get_rotation():
            ticks_x = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
            assert not any(boxes_overlap(a, b) for a, b in itertools.combinations(ticks_x, 2))
        assert not any(boxes_overlap(a, b) for a, b in itertools.combinations(ticks, 2))


def test_heatmap_lift_uses_round_ticks_and_rounded_cells():
    figure = cooccurrence_heatmap(pairs(), measure="lift")
    ax, colourbar = figure.axes
    ticks = [t.get_text() for t in colourbar.get_yticklabels()]
    assert "1" in ticks and all(len(t) <= 4 for t in ticks)
    assert {t.get_text() for t in ax.texts} == {"0.0", "1.0", "3.3"}  # one decimal for lift (3.33...)


# --- Jupyter and pyplot ----------------------------------------------------------------------------


@pytest.mark.parametrize("draw", list(DRAWINGS.values())[:1] + [lambda: cooccurrence_network(pairs()),
                                                                 lambda: balance_plot(balance())],
                         ids=["heatmap", "network", "balance"])
def test_figures_are_plain_figures_that_show_their_saved_png(draw):
    figure = draw()
    assert isinstance(figure, QDAFigure) and isinstance(figure, Figure)
    assert isinstance(figure.canvas, FigureCanvasAgg) and figure.canvas.manager is None
    data, metadata = figure._repr_png_()
    assert data == dict(figure_bytes(draw(), "f", formats=("png",)))["f.png"]  # what save_figure writes
    assert data == figure._repr_png_()[0]  # and again
    width, height = figure.get_size_inches()
    assert metadata == {"width": round(width * 100), "height": round(height * 100)}


def test_no_figure_is_left_in_pyplot():
    import matplotlib.pyplot as plt

    plt.close("all")
    for draw in [lambda: cooccurrence_heatmap(pairs(), measure="lift"), lambda: balance_plot(balance(), title="B"),
                 lambda: cooccurrence_network(pairs(), threshold=0.1),
                 lambda: cooccurrence_network(pairs(), threshold=1)]:
        figure = draw()
        figure._repr_png_()
        figure_bytes(figure, "f")
    NETWORKS["crowded-0"]()
    assert plt.get_fignums() == []


KERNEL_SETUP = """\
import pandas as pd
from asymmetry_qda.analysis import balance_plot, cooccurrence_heatmap, cooccurrence_network

pairs = pd.DataFrame({"code_a": ["a", "a", "b"], "code_b": ["b", "c", "c"], "n_a": [4, 4, 3],
                      "n_b": [3, 2, 2], "n_ab": [2, 1, 1], "jaccard": [0.4, 0.2, 0.25]})
frame = pd.DataFrame({"theme": ["agency", "agency"], "group": ["leader=True", "leader=(missing)"],
                      "mean_balance": [0.4, -0.1], "ci_low": [0.1, -0.5], "ci_high": [0.7, 0.3],
                      "n_participants": [6, 9]})
"""


@pytest.mark.slow
def test_figures_display_in_a_jupyter_kernel_without_matplotlib_magic(tmp_path, monkeypatch):
    """In a fresh kernel with no %matplotlib line, a figure as a cell's last expression and display(fig) give PNG."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from nbclient import NotebookClient

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        pytest.fail("no Jupyter kernel named 'python3' is installed; install ipykernel in this environment "
                    "(`make test` does, through jupyterlab) and check `jupyter kernelspec list`")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))  # no profile or startup file of the user's
    cells = [KERNEL_SETUP,
             "balance_plot(frame)",  # the last expression
             "figure = cooccurrence_network(pairs)\ndisplay(figure)",
             "display(cooccurrence_heatmap(pairs))\nNone",
             "from matplotlib.figure import Figure\nplain = Figure()\nplain.add_subplot()\nplain",  # matplotlib's own
             "import matplotlib.pyplot as plt\nprint(plt.get_fignums())"]
    assert not any("%matplotlib" in cell for cell in cells)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell) for cell in cells])
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                   ).execute()
    outputs = [cell.outputs for cell in notebook.cells]
    assert not [o for cell in outputs for o in cell if o.output_type == "error"]

    def pngs(cell_outputs, kind):
        return [base64.b64decode(o.data["image/png"]) for o in cell_outputs
                if o.output_type == kind and "image/png" in o.get("data", {})]

    assert [png[:8] for png in pngs(outputs[1], "execute_result")] == [b"\x89PNG\r\n\x1a\n"]
    assert [png[:8] for png in pngs(outputs[2], "display_data")] == [b"\x89PNG\r\n\x1a\n"]
    assert [png[:8] for png in pngs(outputs[3], "display_data")] == [b"\x89PNG\r\n\x1a\n"]
    assert "width" in outputs[1][0].metadata.get("image/png", {})
    # nothing went through pyplot (so no figure shows twice, or later, with the inline backend)
    assert [o.text.strip() for o in outputs[5] if o.output_type == "stream"] == ["[]"]
    # matplotlib's own Figure shows as text only in such a kernel: why the figures carry _repr_png_
    plain_png = pngs(outputs[4], "execute_result")
    if plain_png:
        pytest.fail("this kernel now shows a plain matplotlib Figure without %matplotlib: QDAFigure._repr_png_ "
                    "may no longer be needed (the figures still display; see the assertions above)")
