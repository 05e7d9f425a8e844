"""One plotting style for the whole course, with a Chinese font registered once.

Importing this module changes nothing. :func:`setup` (called by :func:`new_figure`, which every
course figure is made with) registers the Noto Sans CJK SC font that the ``mplfonts`` wheel
ships (or a system CJK font) with matplotlib's font manager and applies the course style
(:data:`STYLE`) to the session's ``matplotlib.rcParams``; :func:`style` does the same only inside
a ``with`` block. Nothing is ever written to the user's matplotlibrc.

Phone screens: a figure is drawn 5.6 inches wide at 100 dpi (560 px) and shown about 360 px
wide on a phone, so the text sizes below (12-13 pt, 17-18 px) stay 10 px or more there.
"""
from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
from matplotlib import font_manager

__all__ = ["setup", "style", "STYLE", "cjk_font_path", "CLASS_COLORS", "new_figure", "show"]

#: One colour per class, used by every chapter so that 猫/鸡/狗 keep their colour.
CLASS_COLORS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3",
                "#937860", "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD")

_SYSTEM_CJK = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
_state: dict[str, str] = {}


def cjk_font_path() -> Path:
    """Path of a font file with Chinese glyphs: mplfonts' Noto Sans CJK SC, else a system font.

    Raises
    ------
    RuntimeError
        If neither is available, with the command that installs one.
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is not None and spec.origin is not None:
        candidate = Path(spec.origin).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
        if candidate.is_file():
            return candidate
    for path in _SYSTEM_CJK:
        if Path(path).is_file():
            return Path(path)
    raise RuntimeError("No font with Chinese glyphs was found, so plot labels would show as "
                       "boxes; install one with `pip install mplfonts` (or "
                       "`pip install -r requirements.txt`).")


#: The course style (besides the font, which :func:`setup` adds).
STYLE = {
    "axes.unicode_minus": False,       # the CJK font has no U+2212 minus sign
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (5.6, 3.4),
    "font.size": 12,                   # readable on a phone (see the module docstring)
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "figure.titlesize": 13,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    # Opaque white background: readable in the book's dark mode too.
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
}


def _font_family() -> str:
    """Register the CJK font with matplotlib's font manager (once) and return its name."""
    if "family" not in _state:
        path = cjk_font_path()
        font_manager.fontManager.addfont(str(path))
        _state["family"] = font_manager.FontProperties(fname=str(path)).get_name()
    return _state["family"]


def _settings() -> dict:
    family = _font_family()
    return {"font.family": "sans-serif", "font.sans-serif": [family, "DejaVu Sans"], **STYLE}


def setup() -> str:
    """Apply the course style and Chinese font to this session's ``rcParams``; return the
    font family name.

    Safe to call many times: the font is added to the font manager once per session.

    Example
    -------
    >>> import matplotlib
    >>> family = setup()
    >>> matplotlib.rcParams["font.sans-serif"][0] == family
    True
    """
    matplotlib.rcParams.update(_settings())
    return _state["family"]


@contextlib.contextmanager
def style() -> Iterator[str]:
    """The course style inside a ``with`` block only; yields the font family name.

    Example
    -------
    >>> import matplotlib
    >>> before = matplotlib.rcParams["font.size"]
    >>> with style():
    ...     matplotlib.rcParams["font.size"]
    12.0
    >>> matplotlib.rcParams["font.size"] == before
    True
    """
    with matplotlib.rc_context(_settings()):
        yield _state["family"]


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float = 5.6, height: float = 3.4,
               **kwargs):
    """``plt.subplots`` with the course style applied (:func:`setup`: this changes the session's
    ``rcParams``) and a size suited to a phone screen."""
    setup()
    return plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kwargs)


def show(fig, alt: str) -> None:
    """Display ``fig`` in a notebook with ``alt`` as its alternative text, then close it.

    For pictures drawn inside widgets: the book takes a figure's alt text from its cell's
    metadata, which a widget's output cannot have, so the text travels with the image data
    (``metadata={"image/png": {"alt": ...}}``) and the page's widget support script applies it.
    """
    from IPython.display import display

    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a non-empty description of the figure, e.g. "
                         "'三个类别的概率柱状图'; screen readers read it instead of the picture.")
    display(fig, metadata={"image/png": {"alt": alt}})
    plt.close(fig)
