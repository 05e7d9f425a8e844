"""Small helpers for showing things in a notebook."""
from __future__ import annotations

import inspect
from typing import Any

__all__ = ["show_source"]


def show_source(obj: Any):
    """Display the source code of a function or class of the package as a highlighted block.

    Chapters use it to show the one implementation the course has, instead of a copy.

    Examples
    --------
    >>> from softmax_course import show_source, softmax
    >>> show_source(softmax).data.startswith("```python")
    True
    """
    from IPython.display import Markdown

    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as exc:
        raise TypeError(f"show_source needs a function or class defined in Python source, "
                        f"but got {type(obj).__name__}: {exc}") from None
    return Markdown(f"```python\n{source.rstrip()}\n```")
