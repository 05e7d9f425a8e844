"""Run one submitted notebook for the grader (``python -m softmax_course.tools.grade_worker``).

Usage: ``python -m softmax_course.tools.grade_worker NOTEBOOK EXECUTED_OUT PID_FILE CELL_TIMEOUT CWD``.

The notebook runs in a fresh kernel with ``allow_errors``; a cell that runs longer than
``CELL_TIMEOUT`` seconds is interrupted and recorded as an error, and the next cell runs. The
kernel's process id and group are written to ``PID_FILE`` as soon as it starts, so that the
grader can kill the kernel if this whole process overruns its wall-clock limit. The executed
notebook (with the outputs) is written to ``EXECUTED_OUT``; the grader reads the verdicts from it.
Exit code 0 means the notebook ran to its end (cells may have failed).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run(notebook: Path, executed_out: Path, pid_file: Path, cell_timeout: int,
        cwd: Path) -> int:
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=cell_timeout, allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": "CellTimeoutError",
                          "evalue": f"cell interrupted after {cell_timeout} s",
                          "traceback": []},
        record_timing=False,
        store_widget_state=True,   # False breaks Output widgets in nbclient 0.11 (KeyError)
        resources={"metadata": {"path": str(cwd)}})

    def write_pid(**_: object) -> None:
        provisioner = getattr(client.km, "provisioner", None)
        pid = getattr(provisioner, "pid", None)
        pgid = getattr(provisioner, "pgid", None)
        pid_file.write_text(json.dumps({"pid": pid, "pgid": pgid}), encoding="utf-8")

    client.on_notebook_start = write_pid
    client.execute()
    nbformat.write(nb, executed_out)
    return 0


def main(argv: list[str]) -> int:
    notebook, executed_out, pid_file, cell_timeout, cwd = argv
    return run(Path(notebook), Path(executed_out), Path(pid_file), int(cell_timeout), Path(cwd))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
