"""Tests of softmax_course.diagrams: the fully connected network diagram."""
from __future__ import annotations

import doctest

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

from softmax_course import diagrams  # noqa: E402
from softmax_course.diagrams import draw_network  # noqa: E402


def test_doctests():
    result = doctest.testmod(diagrams)
    assert result.attempted >= 2 and result.failed == 0
    plt.close("all")


def _nodes(ax, gid):
    return [p for p in ax.patches if isinstance(p, Circle) and p.get_gid() == gid]


def _edges(ax):
    (coll,) = [c for c in ax.collections if c.get_gid() == "edges"]
    return coll


@pytest.mark.parametrize("d, q", [(4, 3), (1, 1), (2, 5), (12, 10)])
def test_nodes_and_every_edge(d, q):
    ax = draw_network(d, q)
    inputs, outputs = _nodes(ax, "input"), _nodes(ax, "output")
    assert (len(inputs), len(outputs)) == (d, q)
    segments = _edges(ax).get_segments()
    assert len(segments) == d * q
    # every (input, output) pair is joined by exactly one edge
    in_y = {round(float(c.center[1]), 6) for c in inputs}
    out_y = {round(float(c.center[1]), 6) for c in outputs}
    pairs = {(round(float(s[0][1]), 6), round(float(s[1][1]), 6)) for s in segments}
    assert pairs == {(a, b) for a in in_y for b in out_y}
    labels = sorted(t.get_text() for t in ax.texts)
    assert "输入层" in labels and "输出层" in labels
    assert "$x_{%d}$" % d in labels and "$o_{%d}$" % q in labels
    plt.close(ax.figure)


def test_highlight_colours_the_edges_of_one_output():
    ax = draw_network(4, 3, highlight=1)
    colours = _edges(ax).get_colors()
    grey = matplotlib.colors.to_rgba("0.6")
    coloured = [i for i, c in enumerate(colours) if not np.allclose(c, grey)]
    assert coloured == [4, 5, 6, 7]               # edges j * d + k for j = 1
    plt.close(ax.figure)


def test_highlight_index_counts_from_0_and_labels_from_1():
    # code counts outputs from 0, formulas (and node labels) from 1: highlight=1 is o_2
    ax = draw_network(4, 3, highlight=1)
    label_y = {t.get_text(): t.get_position()[1] for t in ax.texts}
    grey = matplotlib.colors.to_rgba("0.6")
    edges = _edges(ax)
    ends = {round(seg[1][1], 9) for seg, c in zip(edges.get_segments(), edges.get_colors())
            if not np.allclose(c, grey)}
    assert ends == {round(label_y["$o_{2}$"], 9)}
    assert {"$x_{1}$", "$x_{4}$", "$o_{1}$", "$o_{3}$"} <= set(label_y)
    plt.close(ax.figure)


def test_draws_on_given_axes():
    fig, ax = plt.subplots()
    assert draw_network(3, 2, ax=ax) is ax
    plt.close(fig)


def test_bad_arguments():
    with pytest.raises(ValueError, match="num_inputs=13 is too many nodes.*at most 12"):
        draw_network(13, 3)
    with pytest.raises(ValueError, match="num_outputs must be at least 1, but got 0"):
        draw_network(4, 0)
    with pytest.raises(ValueError, match="highlight=3 is not an output index.*use 0 to 2"):
        draw_network(4, 3, highlight=3)
    with pytest.raises(TypeError, match="num_inputs must be an int"):
        draw_network("4", 3)
