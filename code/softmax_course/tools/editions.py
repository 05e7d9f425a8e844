"""Student edition of the book: the chapters without their solutions, built as a book.

``python -m softmax_course student OUT`` copies the book (``_config.yml``, ``_toc.yml``,
``chapters/`` and the asset folders the configuration names) into ``OUT``, removes from every
notebook the cells tagged ``solution``, clears the outputs of the answer and self-check cells,
builds the book with ``jupyter-book build`` (warnings as errors) and then searches everything
under ``OUT`` -- notebooks, HTML pages, ``_sources`` and every downloadable file -- for the text
of the solutions. Any trace of a solution is an error.

The teacher edition is the course book itself: solutions are folded under each exercise.
"""
from __future__ import annotations

import argparse
import copy
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

import nbformat

from .catalog import exercise_format_problems, find_exercises
from .common import cell_source, cell_tags, jupyter_book, output_text, repo_root

__all__ = ["make_student_notebook", "honest_submission", "make_student_edition",
           "solution_needles", "find_leaks", "normalize", "StudentEditionError", "MARKER_FILE",
           "cli"]

#: Written into every student edition, so that ``--force`` only ever replaces one of those.
MARKER_FILE = ".student-edition"
#: Shortest normalized text searched for as a trace of a solution (shorter lines are generic).
MIN_NEEDLE = 12
#: Fences and options of directives (```` ```{solution-start} ````, ``:class: dropdown``) are
#: generic lines, not solution text; whole marker cells are still searched.
DIRECTIVE_LINE = re.compile(r"^\s*(`{3,}|:{3,}|:[\w-]+:)")
#: Markup that rendering replaces (list numbers, headings, roles such as {eq}`label`): the
#: text between them is searched on its own, so that it is found in the HTML pages too.
MARKUP_SPLIT = re.compile(r"^\s*(?:\d+\.|[-*+>]|#+)\s+|\{[\w:-]+\}`[^`]*`")
CLEARED_TAGS = ("answer", "self-check")
SKIP_DIRS = {".git", ".ipynb_checkpoints", "__pycache__", "_build"}
BINARY_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".ttf",
                   ".otf", ".eot", ".pdf", ".zip", ".gz", ".npz", ".npy", ".pickle", ".doctree",
                   ".mo"}


class StudentEditionError(RuntimeError):
    """The student edition cannot be made (bad arguments, bad exercise format, a leak)."""


def make_student_notebook(nb: Any) -> Any:
    """The student version of a chapter notebook (a new notebook; ``nb`` is not changed).

    Every cell tagged ``solution`` is removed. Cells tagged ``answer`` or ``self-check`` lose
    their outputs and execution counts, so the student sees the stub and a self-check that has
    not run yet. All other cells keep their outputs (the student book still shows the plots).

    Examples
    --------
    >>> import nbformat.v4 as v4
    >>> nb = v4.new_notebook(cells=[v4.new_code_cell("x = 1", execution_count=1),
    ...     v4.new_code_cell("answer = ...", execution_count=2, metadata={"tags": ["answer"]}),
    ...     v4.new_code_cell("answer = 42", metadata={"tags": ["solution"]})])
    >>> student = make_student_notebook(nb)
    >>> [(c.source, c.execution_count) for c in student.cells]
    [('x = 1', 1), ('answer = ...', None)]
    """
    student = copy.deepcopy(nb)
    removed = [cell for cell in student.cells if "solution" in cell_tags(cell)]
    student.cells = [cell for cell in student.cells if "solution" not in cell_tags(cell)]
    if any(_WIDGET_VIEW in json.dumps(c.get("outputs", [])) for c in removed):
        _prune_widget_state(student)
    for cell in student.cells:
        if cell.cell_type == "code" and any(tag in cell_tags(cell) for tag in CLEARED_TAGS):
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    return student


_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_MODEL_REF = re.compile(r'IPY_MODEL_([0-9a-fA-F]+)|"model_id":\s*"([0-9a-fA-F]+)"')


def honest_submission(teacher_nb: Any) -> Any:
    """What a student who solved every exercise hands in: the student edition of a teacher
    notebook whose answer cells keep their stub and then run the code of the exercise's worked
    solution (the grading benchmark's class; the solutions themselves are removed)."""
    nb = copy.deepcopy(teacher_nb)
    for ex in find_exercises(nb):
        code = [nb.cells[k - 1].source for k in ex.solution_cells
                if nb.cells[k - 1].cell_type == "code"]
        cell = nb.cells[ex.answer_cells[0] - 1]
        cell.source = "\n\n".join([cell.source, *code])
    return make_student_notebook(nb)


def _prune_widget_state(nb: Any) -> None:
    """Keep only the saved widget models that the remaining cells display (and their parts).

    A widget shown by a solution cell must not stay in the notebook's metadata: its saved state
    (an Output widget's plot, a slider's value) could show the solution.
    """
    state = nb.metadata.get("widgets", {}).get(_WIDGET_STATE, {}).get("state")
    if not state:
        return
    todo = [a or b for c in nb.cells for a, b in _MODEL_REF.findall(json.dumps(
        c.get("outputs", [])))]
    keep: set[str] = set()
    while todo:
        model = todo.pop()
        if model in keep or model not in state:
            continue
        keep.add(model)
        todo += [a or b for a, b in _MODEL_REF.findall(json.dumps(state[model]))]
    for model in list(state):
        if model not in keep:
            del state[model]


# --------------------------------------------------------------------------- leak search
def normalize(text: str) -> str:
    """Text reduced to its letters and digits, lower case (markup and spacing removed).

    Rendering turns ``**粗体**`` into ``<strong>粗体</strong>`` and re-flows whitespace; comparing
    normalized texts finds a solution sentence whatever the format it ended up in.

    >>> normalize("answer = np.log(3)  # 以 e 为底")
    'answernplog3以e为底'
    """
    return re.sub(r"[\W_]+", "", text).lower()


def _cell_text(cell: Any) -> str:
    """A cell's source and everything it rendered, for the leak search."""
    return cell_source(cell) + "\n" + output_text(cell, rich=True)


def solution_needles(notebooks: Iterable[Any], allowed: Iterable[str] = ()) -> list[str]:
    """Normalized texts that mark a solution: its cells' sources and their distinctive lines.

    The texts are each solution cell's source, its lines, and the pieces of its lines between
    markup that rendering replaces. A text is kept when it is at least :data:`MIN_NEEDLE`
    characters long once normalized and does not occur in the legitimate content of the
    edition: the non-solution cells of ``notebooks`` (sources and outputs) and the extra texts
    in ``allowed`` (other pages).
    """
    notebooks = list(notebooks)
    public = [normalize(text) for text in allowed]
    for nb in notebooks:
        public += [normalize(_cell_text(c)) for c in nb.cells if "solution" not in cell_tags(c)]
    public_text = "\x00".join(public)
    needles: dict[str, None] = {}
    for nb in notebooks:
        for cell in nb.cells:
            if "solution" not in cell_tags(cell):
                continue
            lines = [ln for ln in cell.source.splitlines() if not DIRECTIVE_LINE.match(ln)]
            pieces = [p for ln in lines for p in MARKUP_SPLIT.split(ln) if p]
            for text in [cell.source, *lines, *pieces]:
                needle = normalize(text)
                if len(needle) >= MIN_NEEDLE and needle not in public_text:
                    needles[needle] = None
    return list(needles)


def _searchable_texts(path: Path) -> list[str]:
    """Normalized texts of a file as a reader or a downloader could see them."""
    if path.suffix.lower() in BINARY_SUFFIXES:
        return []
    try:
        raw = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    texts = [raw]
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".xml", ".svg"):
        texts.append(html.unescape(re.sub(r"<[^>]*>", " ", raw)))
    if suffix == ".ipynb":
        try:
            nb = nbformat.reads(raw, as_version=4)
            texts.append("\n".join(_cell_text(c) for c in nb.cells))
            texts.append(json.dumps(nb.metadata, ensure_ascii=False))
        except Exception:  # not a valid notebook: the raw text is still searched
            pass
    if re.search(r"\\u[0-9a-fA-F]{4}", raw):
        texts.append(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), raw))
    return [normalize(t) for t in texts]


def find_leaks(folder: Path, needles: Iterable[str]) -> list[tuple[Path, str]]:
    """Every ``(file, needle)`` such that a text file under ``folder`` contains the needle."""
    needles = list(needles)
    leaks = []
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file() or ".git" in path.parts:
            continue
        texts = _searchable_texts(path)
        for needle in needles:
            if any(needle in text for text in texts):
                leaks.append((path, needle))
    return leaks


# --------------------------------------------------------------------------- the edition
def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def _check_out_dir(out: Path, root: Path, force: bool, assets: Iterable[str] = ()) -> None:
    for name in ("chapters", "code", "tests", ".git", *assets):
        if _is_within(out, root / name):
            raise StudentEditionError(
                f"output folder {out} is inside the repository's {name}/ folder; choose a "
                f"folder outside it, e.g. {root.parent / 'student-edition'}")
    if _is_within(root, out):
        raise StudentEditionError(
            f"output folder {out} contains the repository {root}; choose a new, empty folder")
    if out.exists() and not out.is_dir():
        raise StudentEditionError(f"output path {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise StudentEditionError(
                f"output folder {out} is not empty; pass --force to replace a previous "
                f"student edition there, or choose an empty folder")
        if not (out / MARKER_FILE).is_file():
            raise StudentEditionError(
                f"output folder {out} is not empty and was not made by this command (no "
                f"{MARKER_FILE} file), so --force will not delete it; choose an empty folder")


def _config_paths(config: Any, root: Path, key: str = "") -> list[str]:
    """Relative paths named in ``_config.yml`` that exist in the book (assets, bib files...)."""
    found: list[str] = []
    if key == "exclude_patterns":
        return found
    if isinstance(config, dict):
        for k, v in config.items():
            found += _config_paths(v, root, str(k))
    elif isinstance(config, list):
        for v in config:
            found += _config_paths(v, root, key)
    elif isinstance(config, str) and config.strip() and "\n" not in config and len(config) < 200:
        candidate = (root / config).resolve()
        if (candidate != root and _is_within(candidate, root) and candidate.exists()
                and candidate.parts[len(root.parts)] not in ("chapters", "code", "tests", ".git")):
            found.append(str(candidate.relative_to(root).parts[0]))
    return found


def _copy_ignore(directory: str, names: list[str]) -> set[str]:
    return {n for n in names if n in SKIP_DIRS}


def _copy_ignore_notebooks(directory: str, names: list[str]) -> set[str]:
    """Skip notebooks too: only their student versions are written into the edition."""
    return _copy_ignore(directory, names) | {n for n in names if n.endswith(".ipynb")}


def _student_config(text: str, repository_url: str | None) -> str:
    import yaml

    config = yaml.safe_load(text) or {}
    config["title"] = f"{config.get('title', '')}（学生版）".strip()
    if repository_url:
        config.setdefault("repository", {})["url"] = repository_url
    header = "# Student edition, written by `python -m softmax_course student`: do not edit.\n"
    return header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def build_student_book(out: Path, timeout: int = 1800) -> subprocess.CompletedProcess:
    """Run ``jupyter-book build OUT`` with warnings as errors (HTML in ``OUT/_build/html``)."""
    cmd = [jupyter_book(), "build", str(out), "--warningiserror", "--nitpick", "--keep-going"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def make_student_edition(out_dir: Path | str, *, root: Path | str | None = None,
                         build: bool = True, force: bool = False,
                         repository_url: str | None = None,
                         log: Callable[[str], Any] = print) -> Path:
    """Write the student edition of the book into ``out_dir`` and (by default) build it.

    Parameters
    ----------
    out_dir : path
        New or empty folder (or, with ``force``, a previous student edition).
    root : path, optional
        The course repository (default: the one this package belongs to).
    build : bool
        Build the HTML book with ``jupyter-book build`` (warnings as errors).
    force : bool
        Replace a previous student edition in ``out_dir``.
    repository_url : str, optional
        Repository the student book's launch and repository buttons point to.
    log : callable
        Receives one progress line per step (``print`` by default).

    Returns
    -------
    Path
        The folder of the built HTML book (``out_dir/_build/html``), or ``out_dir`` when
        ``build`` is false.

    Raises
    ------
    StudentEditionError
        For a bad output folder, exercises whose format is broken (a solution could slip
        through), a failed build, or a solution text found anywhere in the edition.
    """
    root = Path(root or repo_root()).resolve()
    out = Path(out_dir).expanduser().resolve()
    config_text, extra = _read_course(root)
    _check_out_dir(out, root, force, extra)
    teacher, pages = _teacher_sources(root)
    _copy_course(root, out, config_text, extra, repository_url, log)
    _write_student_notebooks(teacher, root, out, log)

    needles = solution_needles(teacher.values(), [p.read_text(encoding="utf-8") for p in pages])
    _refuse_leaks(out, needles)
    log(f"no solution text in the student notebooks ({len(needles)} texts searched)")
    if not build:
        return out
    log(f"building the student book in {out / '_build' / 'html'} (takes a minute or two) ...")
    _build_without_warnings(out)
    _refuse_leaks(out, needles)
    html_dir = out / "_build" / "html"
    log(f"built {html_dir}; no solution text in its pages, _sources or downloads")
    return html_dir


def _read_course(root: Path) -> tuple[str, list[str]]:
    """The teacher's ``_config.yml`` text and the asset paths it names (to be copied)."""
    for required in ("_config.yml", "_toc.yml", "chapters"):
        if not (root / required).exists():
            raise StudentEditionError(f"{root} is not the course repository: it has no "
                                      f"{required}; pass root= the folder holding _toc.yml")
    config_text = (root / "_config.yml").read_text(encoding="utf-8")
    import yaml

    return config_text, sorted(set(_config_paths(yaml.safe_load(config_text) or {}, root)))


def _teacher_sources(root: Path) -> tuple[dict[Path, Any], list[Path]]:
    """The teacher notebooks (read) and Markdown pages; refuse any whose format could leak."""
    chapter_dir = root / "chapters"
    notebooks = [p for p in sorted(chapter_dir.rglob("*.ipynb"))
                 if not SKIP_DIRS.intersection(p.parts)]
    teacher = {p: nbformat.read(p, as_version=4) for p in notebooks}
    problems = [msg for p, nb in teacher.items()
                for msg in exercise_format_problems(nb, str(p.relative_to(root)))]
    pages = [p for p in chapter_dir.rglob("*.md") if not SKIP_DIRS.intersection(p.parts)]
    for page in pages:
        if re.search(r"\{solution(-start)?\}", page.read_text(encoding="utf-8")):
            problems.append(f"{page.relative_to(root)}: a solution in a Markdown page cannot be "
                            f"removed; put the exercise in a notebook with 'solution' tags")
    if problems:
        raise StudentEditionError("the exercises are not in the course format, so solutions "
                                  "could leak:\n  " + "\n  ".join(problems))
    return teacher, pages


def _copy_course(root: Path, out: Path, config_text: str, extra: list[str],
                 repository_url: str | None, log: Callable[[str], Any]) -> None:
    """A fresh ``out`` with the marker, the student config, the toc, assets and chapter files."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER_FILE).write_text("made by python -m softmax_course student\n",
                                   encoding="utf-8")
    (out / "_config.yml").write_text(_student_config(config_text, repository_url),
                                     encoding="utf-8")
    shutil.copy2(root / "_toc.yml", out / "_toc.yml")
    for name in extra:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=_copy_ignore)
        else:
            shutil.copy2(source, out / name)
    if extra:
        log(f"copied assets named in _config.yml: {', '.join(extra)}")
    shutil.copytree(root / "chapters", out / "chapters", ignore=_copy_ignore_notebooks)


def _write_student_notebooks(teacher: dict[Path, Any], root: Path, out: Path,
                             log: Callable[[str], Any]) -> None:
    for i, (path, nb) in enumerate(teacher.items(), 1):
        student = make_student_notebook(nb)
        rel = path.relative_to(root)
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student, out / rel)
        removed = len(nb.cells) - len(student.cells)
        n_ex = len(find_exercises(nb, path.name))
        log(f"[{i}/{len(teacher)}] {rel}: {n_ex} exercise(s), {removed} solution cell(s) "
            f"removed")


def _build_without_warnings(out: Path) -> None:
    proc = build_student_book(out)
    output = proc.stdout + proc.stderr
    warnings = [ln for ln in output.splitlines() if "WARNING" in ln or "ERROR" in ln]
    if proc.returncode != 0 or warnings:
        detail = "\n".join(warnings[:30]) or output[-3000:]
        raise StudentEditionError(f"jupyter-book build of the student edition failed "
                                  f"(exit code {proc.returncode}):\n{detail}")


def _refuse_leaks(out: Path, needles: list[str]) -> None:
    leaks = find_leaks(out, needles)
    if leaks:
        raise StudentEditionError(_leak_message(leaks, out))


def _leak_message(leaks: list[tuple[Path, str]], out: Path) -> str:
    lines = [f"{path.relative_to(out)}: contains solution text {needle[:60]!r}"
             for path, needle in leaks[:20]]
    more = f"\n  ... and {len(leaks) - 20} more" if len(leaks) > 20 else ""
    return "solution text found in the student edition:\n  " + "\n  ".join(lines) + more


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m softmax_course student",
        description="Write the student edition of the book (every cell tagged 'solution' "
                    "removed) into OUT and build it with jupyter-book (warnings as errors).")
    parser.add_argument("out", type=Path, help="new or empty output folder")
    parser.add_argument("--force", action="store_true",
                        help="replace a previous student edition in OUT")
    parser.add_argument("--no-build", action="store_true",
                        help="only write the notebooks, do not build the HTML book")
    parser.add_argument("--root", type=Path, default=None,
                        help="course repository (default: the one of this package)")
    parser.add_argument("--repository-url", default=None,
                        help="repository that the student book's buttons point to")
    args = parser.parse_args(argv)
    try:
        result = make_student_edition(args.out, root=args.root, build=not args.no_build,
                                      force=args.force, repository_url=args.repository_url)
    except StudentEditionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"student edition ready: {result}")
    return 0
