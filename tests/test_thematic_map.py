"""The thematic map (issue 22): themes and their codes, sized by coded units or participants, joined by
co-occurrence at a declared unit; the graph holds the numbers of code_frequencies and cooccurrence, the figure
says what they count."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from asymmetry_qda.analysis import (
    QDAFigure,
    code_frequencies,
    cooccurrence,
    figure_bytes,
    load,
    save_figure,
    thematic_map,
    thematic_map_graph,
    theme_codings,
)
from asymmetry_qda.codebook import parse_codebook
from asymmetry_qda.errors import ArgumentError

from .conftest import CODE_CHANGES_CODEBOOK
from .test_figures import box_hits_circle, boxes_overlap, network_geometry


@pytest.fixture
def mapped(coded):
    """The coded project with two themes, one of them sharing a code with the other, and its loaded data."""
    coded.create_theme("burden", label="An unfair burden", definition="Answerable and blamed.",
                       codes=["agency", "response.blame"], status="final", by="LT")
    coded.create_theme("unthanked", label="Unthanked", definition="Nobody says thanks.",
                       codes=["response.praise", "response.blame"], by="LT")
    data = load(coded)
    return data, coded.themes()


def _graph(mapped, **options):
    data, themes = mapped
    return thematic_map_graph(data.codings, data.units, themes, **options)


def test_the_graph_has_a_node_per_theme_and_per_code_of_a_theme(mapped):
    graph = _graph(mapped)
    assert list(graph.nodes) == ["burden", "unthanked", "agency", "response.blame", "response.praise"]
    assert [graph.nodes[n]["kind"] for n in graph] == ["theme"] * 2 + ["code"] * 3
    assert graph.nodes["burden"]["label"] == "An unfair burden" and graph.nodes["burden"]["status"] == "final"
    assert graph.nodes["unthanked"]["status"] == "candidate"
    assert graph.nodes["response.blame"]["themes"] == ["burden", "unthanked"]
    members = sorted((a, b) if a in ("burden", "unthanked") else (b, a)
                     for a, b, kind in graph.edges(data="kind") if kind == "member")
    assert members == [("burden", "agency"), ("burden", "response.blame"), ("unthanked", "response.blame"),
                       ("unthanked", "response.praise")]


@pytest.mark.parametrize("size", ["units", "participants"])
@pytest.mark.parametrize("unit", ["sentence", "turn"])
def test_sizes_are_those_of_code_frequencies(mapped, unit, size):
    data, themes = mapped
    graph = _graph(mapped, unit=unit, size=size)
    column = {"units": "n_units", "participants": "n_participants"}[size]
    # a code counts with its sub-codes (agency is coded through agency.control and agency.responsibility)
    per_code = code_frequencies(data.codings, units=data.units, unit=unit, roll_up=True).set_index("code_id")
    per_theme = code_frequencies(theme_codings(data.codings, themes), units=data.units, unit=unit)
    per_theme = per_theme.set_index("code_id")
    for code in ("agency", "response.blame", "response.praise"):
        assert graph.nodes[code]["size"] == per_code.loc[code, column]
        assert graph.nodes[code]["n_units"] == per_code.loc[code, "n_units"]
    for theme in ("burden", "unthanked"):
        assert graph.nodes[theme]["size"] == per_theme.loc[theme, column]
    assert graph.nodes["agency"]["n_units"] == 1  # both agency codings are in one sentence
    assert graph.graph["n_units"] == per_code["units_total"].iloc[0] and graph.graph["unit"] == unit


@pytest.mark.parametrize("measure", ["jaccard", "lift", "n_ab"])
def test_edge_weights_are_those_of_cooccurrence(mapped, measure):
    data, themes = mapped
    graph = _graph(mapped, measure=measure)
    codes = ["agency", "response.blame", "response.praise"]
    # a code with its sub-codes: the codings theme_codings gives a theme of that one code
    rolled = theme_codings(data.codings, pd.DataFrame({"theme_id": codes, "codes": [[c] for c in codes]}))
    table = cooccurrence(rolled, units=data.units, codes=codes)
    edges = {tuple(sorted((a, b))): (w, n) for a, b, kind, w, n in
             ((a, b, d["kind"], d.get("weight"), d.get("n_ab")) for a, b, d in graph.edges(data=True))
             if kind == "cooccurrence"}
    expected = {(a, b): (float(value), int(n_ab)) for a, b, value, n_ab in zip(table["code_a"], table["code_b"], table[measure],
                                                                   table["n_ab"]) if n_ab >= 1}
    assert edges == expected and edges  # the same numbers, not recomputed


def test_edges_below_the_threshold_are_left_out_and_themes_can_be_joined(mapped):
    data, themes = mapped
    weights = [w for _, _, w in _graph(mapped).edges(data="weight") if w is not None]
    strongest = max(weights)
    kept = _graph(mapped, min_weight=strongest)
    assert [w for _, _, w in kept.edges(data="weight") if w is not None] == [strongest] * weights.count(strongest)
    assert not [w for _, _, w in _graph(mapped, min_count=10).edges(data="weight") if w is not None]
    between = _graph(mapped, between="themes")
    table = cooccurrence(theme_codings(data.codings, themes), units=data.units)
    assert between.edges["burden", "unthanked"]["weight"] == pytest.approx(table["jaccard"].iloc[0])
    assert between.edges["burden", "unthanked"]["n_ab"] == table["n_ab"].iloc[0]
    assert not any(kind == "cooccurrence" and "theme" != between.nodes[a]["kind"]
                   for a, _, kind in between.edges(data="kind"))


def test_the_codebook_gives_the_codes_labels(mapped):
    graph = _graph(mapped, codebook=parse_codebook(CODE_CHANGES_CODEBOOK))
    assert graph.nodes["response.blame"]["label"] == "Blame" and graph.nodes["burden"]["label"] == "An unfair burden"


@pytest.mark.parametrize(("options", "message"), [
    ({"unit": "window"}, "unit"), ({"size": "codings"}, "size"), ({"measure": "p_b_given_a"}, "measure"),
    ({"between": "both"}, "between")])
def test_a_bad_option_is_named(mapped, options, message):
    with pytest.raises(ArgumentError, match=message):
        _graph(mapped, **options)


def test_no_theme_and_a_theme_named_like_a_code_are_refused(mapped):
    data, themes = mapped
    with pytest.raises(ArgumentError, match="no theme to map"):
        thematic_map_graph(data.codings, data.units, themes.iloc[:0])
    with pytest.raises(ArgumentError, match="both a theme and a code"):
        thematic_map_graph(data.codings, data.units, themes.assign(theme_id=["agency", "unthanked"]))


def _caption(figure) -> str:
    return " ".join(figure.texts[0].get_text().split())


def test_the_map_renders_with_a_caption_naming_unit_measure_threshold_and_sizes(mapped):
    data, themes = mapped
    figure = thematic_map(data.codings, data.units, themes, unit="turn", min_weight=0.1,
                          codebook=parse_codebook(CODE_CHANGES_CODEBOOK), colours={"response": "#FF7F0E"})
    assert isinstance(figure, QDAFigure) and isinstance(figure.canvas, FigureCanvasAgg)
    assert figure._repr_png_()[0][:4] == b"\x89PNG"
    caption = _caption(figure)
    assert "Unit: participant turn (N = 2; all units of coded documents)" in caption
    assert "Jaccard index = n_ab / (n_a + n_b" in caption and "at least 0.1" in caption
    assert "Node area: the turns coded with the theme or code (n_units)" in caption
    drawn = {text.get_text() for text in figure.axes[0].texts}
    assert drawn == {"An unfair burden\n(final)", "Unthanked\n(candidate)", "Agency", "Blame", "Praise"}
    legends = {legend.get_title().get_text().split(":")[0]: legend for legend in figure.legends}
    assert list(legends) == ["Node area", "Edge width", "Nodes and lines", "Colour"]
    assert "turns coded" in legends["Node area"].get_title().get_text()
    assert [t.get_text() for t in legends["Colour"].get_texts()] == ["Agency", "Response"]
    assert [t.get_text() for t in legends["Nodes and lines"].get_texts()] == [
        "theme: final", "theme: candidate", "code", "theme holds the code"]


def test_the_map_of_participants_says_what_it_counts(mapped):
    data, themes = mapped
    figure = thematic_map(data.codings, data.units, themes, size="participants")
    assert "participants with a participant sentence coded with the theme or code (n_participants" in _caption(figure)
    assert "n_participants" in figure.legends[0].get_title().get_text()


def test_the_map_is_drawn_the_same_every_time(mapped):
    data, themes = mapped

    def positions(seed):
        figure = thematic_map(data.codings, data.units, themes, seed=seed)
        return figure.axes[0].collections[-1].get_offsets().tolist()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert positions(0) == positions(0)


def crowded(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Codings of eight codes on 60 sentences of four participants, units, and three themes with long labels."""
    rng = np.random.default_rng(seed)
    codes = ["agency.control", "agency.responsibility", "agency.voice", "response.blame", "response.praise",
             "experience.strain", "experience.pride", "experience.isolation"]
    rows = []
    for sentence in range(60):
        for code in rng.choice(codes, size=rng.integers(1, 4), replace=False):
            rows.append({"coding_id": f"c{len(rows)}", "doc_id": "D1", "participant_id": f"P{sentence // 15}",
                         "code_id": str(code), "status": "confirmed", "sentence": sentence,
                         "sentence_last": sentence, "turn": sentence // 3, "turn_last": sentence // 3})
    units = pd.DataFrame({"doc_id": "D1", "unit": "sentence", "ordinal": range(60),
                          "participant_id": [f"P{s // 15}" for s in range(60)]})
    themes = pd.DataFrame({
        "theme_id": ["burden", "recognition", "cost"],
        "label": ["Answerable for what others control", "Recognition that never comes", "What the job costs"],
        "status": ["final", "reviewed", "candidate"],
        "codes": [["agency.control", "agency.responsibility", "response.blame"],
                  ["response.praise", "experience.pride", "agency.voice"],
                  ["experience", "response.blame"]]})
    return pd.DataFrame(rows), units, themes


@pytest.mark.parametrize("options", [{}, {"between": "themes", "measure": "lift"}, {"min_weight": 0.3},
                                     {"size": "participants", "measure": "n_ab", "min_count": 3}])
@pytest.mark.parametrize("dpi", [100, 150])  # on screen and as saved
def test_map_labels_cover_no_other_label_and_no_node(options, dpi):
    codings, units, themes = crowded()
    figure = thematic_map(codings, units, themes, colours={"agency": "#1F77B4", "response": "#FF7F0E"}, **options)
    labels, centres, radii = network_geometry(figure, dpi)
    assert len(labels) == len(centres) == 3 + 7  # three themes and the seven codes they hold (experience rolled up)
    for (text_a, words_a, patch_a), (text_b, words_b, patch_b) in itertools.combinations(labels, 2):
        assert not boxes_overlap(patch_a, patch_b), f"{text_a!r} and {text_b!r} overlap"
    for text, _, patch in labels:
        for centre, radius in zip(centres, radii):
            assert not box_hits_circle(patch, centre, radius), f"{text!r} covers a node at {centre}"
    for (i, a), (j, b) in itertools.combinations(enumerate(centres), 2):
        assert math.dist(a, b) >= radii[i] + radii[j], "two nodes overlap"
    whole = figure.bbox
    for text, _, patch in labels:  # nothing cut at the figure's edges
        assert whole.x0 <= patch.x0 and patch.x1 <= whole.x1 and whole.y0 <= patch.y0 and patch.y1 <= whole.y1, text


def test_theme_nodes_are_drawn_larger_than_their_codes_on_one_scale():
    codings, units, themes = crowded()
    graph = thematic_map_graph(codings, units, themes)
    figure = thematic_map(codings, units, themes)
    areas = dict(zip(graph.nodes, figure.axes[0].collections[-1].get_sizes()))
    for theme in themes["theme_id"]:
        for code in graph.nodes[theme]["codes"]:
            assert graph.nodes[theme]["size"] >= graph.nodes[code]["size"]
            assert areas[theme] >= areas[code]
    largest = max(size for _, size in graph.nodes(data="size"))
    for node, size in graph.nodes(data="size"):
        assert areas[node] == pytest.approx(max(300.0 if graph.nodes[node]["kind"] == "theme" else 50.0,
                                                1400.0 * size / largest))


def test_saved_maps_are_byte_identical_and_nothing_is_left_in_pyplot(tmp_path):
    import matplotlib.pyplot as plt

    plt.close("all")
    codings, units, themes = crowded(1)
    first = save_figure(thematic_map(codings, units, themes, seed=3), tmp_path / "one")
    second = save_figure(thematic_map(codings, units, themes, seed=3), tmp_path / "two")
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()
    assert plt.get_fignums() == []


def test_a_dollar_in_a_theme_label_is_drawn_literally():
    codings, units, themes = crowded()
    themes.loc[0, "label"] = "$5m of blame"
    figure = thematic_map(codings, units, themes)
    drawn = {text.get_text() for text in figure.axes[0].texts}
    assert r"\$5m of blame" + "\n(final)" in drawn  # escaped, so mathtext draws the dollar itself
    assert dict(figure_bytes(figure, "f")) == dict(figure_bytes(thematic_map(codings, units, themes), "f"))
