"""Command line of the course: ``python -m softmax_course COMMAND [ARGS]``.

Commands:
  execute [NOTEBOOK ...]   re-execute notebooks in place (all chapters when none named)
  student OUT              write the student edition (no solutions) and build its book
  grade SUBMISSIONS_DIR    run submitted notebooks and collect the self-check verdicts
  bench [--smoke]          benchmark the kernels, the training and the course itself
  pdf [OUT.pdf]            print the whole book to one PDF with headless Chromium
  launch --repository-url URL [--jupyterhub-url URL] [--check]
                           point the repository button, the Binder/Colab/JupyterHub links and
                           every chapter's install cell at one repository (a fork)
"""
from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "execute": "softmax_course.tools.execute",
    "student": "softmax_course.tools.editions",
    "grade": "softmax_course.tools.grading",
    "bench": "softmax_course.tools.bench",
    "pdf": "softmax_course.tools.pdf",
    "launch": "softmax_course.tools.launch",
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"unknown command {command!r}; choose one of: {', '.join(COMMANDS)}",
              file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[command])
    return int(module.cli(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
