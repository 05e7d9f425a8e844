"""Small helpers for showing things in a notebook."""
from __future__ import annotations

import inspect
from typing import Any

__all__ = ["show_source", "table", "Table"]


def show_source(obj: Any):
    """Display the source code of a function or class of the package as a highlighted block.

    Chapters use it to show the one implementation the course has, instead of a copy. What a
    reader needs is the code that teaches: the signature, the comments and the body. The
    docstrings (English, with reST markup and TeX written for the API reference) are left out;
    the chapter's prose explains the function in Chinese.

    Examples
    --------
    >>> from softmax_course import show_source, softmax
    >>> block = show_source(softmax).data
    >>> block.splitlines()[1].startswith("def softmax(")
    True
    >>> chr(34) * 3 in block                          # no docstring quotes
    False
    """
    from IPython.display import Markdown

    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as exc:
        raise TypeError(f"show_source needs a function or class defined in Python source, "
                        f"but got {type(obj).__name__}: {exc}") from None
    return Markdown(f"```python\n{strip_docstrings(source).rstrip()}\n```")


def strip_docstrings(source: str) -> str:
    """``source`` (a function or class definition) without its docstrings.

    Removes the docstring of every function and class in ``source``; comments and code stay
    as written, and a body that held only a docstring gets ``...``.

    Example
    -------
    >>> q = chr(34) * 3                               # three double quotes
    >>> code = f"def f(x):\\n    {q}Twice x: :math:`2x`.{q}\\n    # double it\\n    return 2 * x\\n"
    >>> print(strip_docstrings(code), end="")
    def f(x):
        # double it
        return 2 * x
    """
    import ast
    import io
    import textwrap

    dedented = textwrap.dedent(source)
    indent = len(source) - len(source.lstrip(" ")) if source.strip() else 0
    tree = ast.parse(dedented)
    lines = io.StringIO(dedented).readlines()      # split at newlines only (not at \f)
    drop: list[tuple[int, int, int]] = []          # (first line, last line, indent) 1-based
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = node.body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                drop.append((first.lineno, first.end_lineno, first.col_offset))
                if len(node.body) == 1:
                    lines[first.end_lineno - 1] += " " * first.col_offset + "...\n"
    for start, end, _ in sorted(drop, reverse=True):
        tail = lines[end - 1].splitlines(keepends=True)[1:]  # the "..." added above, if any
        lines[start - 1:end] = tail
    text = "".join(lines)
    return textwrap.indent(text, " " * indent) if indent else text


class Table:
    """A table shown as a real table: Markdown in the book and JupyterLab, aligned text elsewhere.

    Use :func:`table` to make one. ``text/plain`` (what nbval compares and a terminal shows)
    is the aligned text; ``text/markdown`` is a pipe table, which the book renders as HTML.
    """

    def __init__(self, rows: list[list[str]], headers: list[str]):
        self.rows, self.headers = rows, headers

    def _repr_markdown_(self) -> str:
        def cells(row: list[str]) -> str:
            return "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |"
        align = ["---:" if _numeric(col) else "---" for col in zip(*self.rows)] or \
            ["---"] * len(self.headers)
        return "\n".join([cells(self.headers), "| " + " | ".join(align) + " |",
                          *(cells(r) for r in self.rows)])

    def __repr__(self) -> str:
        widths = [max(_width(c) for c in col) for col in zip(self.headers, *self.rows)]
        lines = [self.headers, *self.rows]
        return "\n".join("  ".join(c + " " * (w - _width(c)) for c, w in zip(line, widths)).rstrip()
                         for line in lines)


def _width(text: str) -> int:
    """Display width in a monospaced font: CJK characters take two columns."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _numeric(column: tuple[str, ...]) -> bool:
    try:
        [float(c.replace("×", "").replace("%", "")) for c in column]
        return True
    except ValueError:
        return False


def table(rows: Any, headers: Any, *, floatfmt: str = ".3f") -> Table:
    """A table of ``rows`` (a list of rows, each a list of values) under ``headers``.

    Floats are formatted with ``floatfmt``; everything else with ``str``.

    Examples
    --------
    >>> t = table([[1, 0.5], [2, 0.25]], ["m", "准确率"])
    >>> print(repr(t))
    m  准确率
    1  0.500
    2  0.250
    >>> print(t._repr_markdown_())
    | m | 准确率 |
    | ---: | ---: |
    | 1 | 0.500 |
    | 2 | 0.250 |
    """
    headers = [str(h) for h in headers]
    rows = [[format(v, floatfmt) if isinstance(v, float) else str(v) for v in row] for row in rows]
    bad = [i for i, row in enumerate(rows) if len(row) != len(headers)]
    if bad:
        raise ValueError(f"every row needs {len(headers)} values (one per header), but row "
                         f"{bad[0]} has {len(rows[bad[0]])}; pad or trim it.")
    return Table(rows, headers)
