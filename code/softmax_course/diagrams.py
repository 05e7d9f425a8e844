"""Diagrams drawn with matplotlib (no image files to ship): the fully connected output layer."""
from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Circle

from . import plots
from ._validation import check_int

__all__ = ["draw_network"]

_NODE_RADIUS = 0.22
_MAX_NODES = 12


def _column(count: int) -> np.ndarray:
    """Vertical positions of ``count`` nodes, centred on 0, one unit apart (top to bottom)."""
    return (count - 1) / 2 - np.arange(count, dtype=float)


def draw_network(num_inputs: int = 4, num_outputs: int = 3, ax: Any = None, *,
                 highlight: int | None = None):
    r"""Draw the single-layer network of softmax regression: every input feeds every output.

    Parameters
    ----------
    num_inputs : int, default 4
        Number of input nodes :math:`x_1 \ldots x_d` (1 to 12).
    num_outputs : int, default 3
        Number of output nodes :math:`o_1 \ldots o_q` (1 to 12).
    ax : matplotlib Axes, optional
        Where to draw; a new figure in the course style is made when omitted.
    highlight : int, optional
        Code index (from 0) of an output whose incoming edges are drawn in colour, to show that
        it depends on every input. Nodes are labelled the way formulas count (from 1), so
        ``highlight=0`` is the node :math:`o_1`.

    Returns
    -------
    matplotlib.axes.Axes
        The axes. Its nodes are :class:`~matplotlib.patches.Circle` patches (gid ``"input"``
        or ``"output"``) and its edges one :class:`~matplotlib.collections.LineCollection`
        with gid ``"edges"`` holding ``num_inputs * num_outputs`` segments.

    Notes
    -----
    The layer is fully connected (dense): output :math:`o_j` is
    :math:`\sum_k x_k W_{kj} + b_j`, so there is one edge (one weight) per pair (input, output).

    Examples
    --------
    >>> ax = draw_network(4, 3)
    >>> len(ax.collections[0].get_segments())
    12
    """
    d = check_int(num_inputs, "num_inputs", minimum=1)
    q = check_int(num_outputs, "num_outputs", minimum=1)
    for value, name in ((d, "num_inputs"), (q, "num_outputs")):
        if value > _MAX_NODES:
            raise ValueError(f"{name}={value} is too many nodes to draw legibly; use at most "
                             f"{_MAX_NODES} (the diagram shows the pattern, not a real layer).")
    if highlight is not None:
        highlight = check_int(highlight, "highlight", minimum=0)
        if highlight >= q:
            raise ValueError(f"highlight={highlight} is not an output index; with "
                             f"num_outputs={q} use 0 to {q - 1} or None.")
    if ax is None:
        height = min(3.6, 0.55 * max(d, q) + 1.0)
        _, ax = plots.new_figure(width=min(6.4, 2.6 + 0.4 * max(d, q)), height=height)

    x_in, x_out = 0.0, 2.0
    y_in, y_out = _column(d), _column(q)
    segments, colours, widths = [], [], []
    for j in range(q):                      # one edge per weight W[k, j]
        for k in range(d):
            segments.append([(x_in + _NODE_RADIUS, y_in[k]), (x_out - _NODE_RADIUS, y_out[j])])
            on = highlight == j
            colours.append(plots.CLASS_COLORS[1] if on else "0.6")
            widths.append(1.8 if on else 0.9)
    ax.add_collection(LineCollection(segments, colors=colours, linewidths=widths, zorder=1,
                                     gid="edges"))

    for xs, ys, symbol, gid in ((x_in, y_in, "x", "input"), (x_out, y_out, "o", "output")):
        for i, yy in enumerate(ys, start=1):
            ax.add_patch(Circle((xs, yy), _NODE_RADIUS, facecolor="white",
                                edgecolor=plots.CLASS_COLORS[0], linewidth=1.5, zorder=2,
                                gid=gid))
            ax.text(xs, yy, f"${symbol}_{{{i}}}$", ha="center", va="center", fontsize=11,
                    zorder=3)

    top = max(d, q) / 2
    ax.text(x_in, top + 0.05, "输入层", ha="center", va="bottom", fontsize=11)
    ax.text(x_out, top + 0.05, "输出层", ha="center", va="bottom", fontsize=11)
    ax.set_xlim(-0.6, 2.6)
    ax.set_ylim(-top - 0.1, top + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
