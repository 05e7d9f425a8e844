"""What every explorer of the course shows, wherever its notebook is read.

An explorer is one object with three views, chosen by the front end from its
``_repr_mimebundle_``:

- ``application/vnd.jupyter.widget-view+json``: ipywidgets controls and a matplotlib picture,
  recomputed by the package in a running kernel (JupyterLab, Binder, Colab);
- ``text/html``: ``<div class="course-explorer" data-kind=... data-config=...>`` holding a
  picture of the initial state; in the book the course's own script
  ``_assets/explorers/explorers.js`` turns it into controls and an SVG chart that compute in
  the browser (the book prefers ``text/html``: ``nb_mime_priority_overrides`` in
  ``_config.yml``). A notebook opened without a kernel in JupyterLab (untrusted output) shows
  the same ``text/html`` without running scripts, that is the picture;
- ``image/png`` (the initial picture, for PDF and other non-HTML outputs) and a deterministic
  ``text/plain``.

The JSON config holds only numbers and labels, never code; the formulas live twice, once in
the package (tested against scipy) and once in ``explorers.js`` (tested in a browser against
the package).
"""
from __future__ import annotations

import base64
import html
import io
import json
from functools import cached_property
from typing import Any

__all__ = ["Explorer", "figure_png", "picture_output", "live_output"]


def figure_png(fig, *, dpi: int = 80) -> bytes:
    """The PNG bytes of a matplotlib figure, without a timestamp or software tag, then close it.

    Examples
    --------
    >>> from softmax_course import plots
    >>> fig, ax = plots.new_figure(width=2, height=1)
    >>> figure_png(fig)[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def picture_output(fig, alt: str, extra_html: str = "") -> dict:
    """A display_data output holding the figure (as ``<img alt>`` HTML and PNG) and some HTML.

    JupyterLab ignores the ``alt`` of ``image/png`` metadata, so the picture is sent as
    ``text/html`` ``<img alt=...>`` too (outputs made in the running session are trusted).
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a non-empty description of the figure, e.g. "
                         "'三个类别的概率柱状图'; screen readers read it instead of the picture.")
    data = base64.b64encode(figure_png(fig, dpi=100)).decode("ascii")
    return {"output_type": "display_data",
            "data": {"text/html": f'<img src="data:image/png;base64,{data}" '
                                  f'alt="{html.escape(alt, quote=True)}">{extra_html}',
                     "image/png": data, "text/plain": alt},
            "metadata": {"image/png": {"alt": alt}}}


def live_output(controls: dict, draw):
    """An ``ipywidgets.Output`` redrawn by ``draw(**values)`` whenever a control changes.

    ``draw`` returns ``(figure, alt)``, ``(figure, alt, extra_html)`` or a message string. The
    output is written into the widget's ``outputs`` state (not printed while the cell runs), so
    the cell itself has one output in every front end, and nbval sees the same as the book.
    """
    import ipywidgets as widgets

    out = widgets.Output()

    def redraw(_=None) -> None:
        result = draw(**{name: c.value for name, c in controls.items()})
        if isinstance(result, str):
            out.outputs = ({"output_type": "display_data", "metadata": {},
                            "data": {"text/plain": result,
                                     "text/html": f"<p>{html.escape(result)}</p>"}},)
        else:
            out.outputs = (picture_output(*result),)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return out


class Explorer:
    """Base class: subclasses set ``kind`` and implement ``config``, ``alt``, ``draw`` and
    ``build_widget``.

    ``config()`` returns the JSON-able dict the browser script reads; ``draw()`` returns the
    matplotlib figure of the initial state; ``build_widget()`` returns the ipywidgets view for a
    running kernel; ``alt()`` describes the initial picture for screen readers; ``summary()``
    is the one-line ``text/plain``.
    """

    kind: str = ""
    title: str = ""

    def config(self) -> dict[str, Any]:
        raise NotImplementedError

    def alt(self) -> str:
        raise NotImplementedError

    def draw(self):
        raise NotImplementedError

    def build_widget(self):
        raise NotImplementedError

    def summary(self) -> str:
        return f"<{self.title}：在网页版中直接操作控件，或在运行中的 Jupyter 里运行本单元格>"

    # -- the views -------------------------------------------------------------------------
    @cached_property
    def widget(self):
        """The ipywidgets view (built on first use; it redraws through the kernel)."""
        return self.build_widget()

    def png(self) -> bytes:
        """The initial picture as PNG bytes."""
        return figure_png(self.draw())

    def html(self, png: bytes | None = None) -> str:
        """The ``text/html`` view: the container the book's script hydrates, with the picture."""
        png = self.png() if png is None else png
        data = base64.b64encode(png).decode("ascii")
        config = json.dumps(self.config(), ensure_ascii=False, separators=(",", ":"),
                            sort_keys=True)
        return (f'<div class="course-explorer" data-kind="{self.kind}" '
                f'data-config="{html.escape(config, quote=True)}">'
                f'<img class="course-explorer-picture" src="data:image/png;base64,{data}" '
                f'alt="{html.escape(self.alt(), quote=True)}"></div>')

    def _repr_mimebundle_(self, include=None, exclude=None):
        png = self.png()
        data = {"text/plain": self.summary(), "text/html": self.html(png),
                "image/png": base64.b64encode(png).decode("ascii")}
        metadata = {"image/png": {"alt": self.alt()}}
        try:
            bundle = self.widget._repr_mimebundle_()
        except ImportError:          # no ipywidgets: the static views still work
            bundle = None
        if bundle:
            view = bundle.get("application/vnd.jupyter.widget-view+json")
            if view:
                data["application/vnd.jupyter.widget-view+json"] = view
        return data, metadata

    def __repr__(self) -> str:
        return self.summary()
