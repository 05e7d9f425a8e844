"""Run one notebook for the grader, inside its sandbox: ``python -m softmax_course.tools.grade_worker JOB.json``.

``JOB.json`` (written by the grader) names the notebook, the per-cell timeout and the probes: after
which cell the answer of which exercise is taken out (see :mod:`.grade_probe`). The worker starts a
fresh kernel and runs the notebook's code cells in order. It writes one JSON line per event on its
standard output, as they happen, so the grader keeps what was done even if it must kill the job:

``{"event": "start", "cell": k}`` then ``{"event": "cell", "cell": k, "status": "ok" | "error" | "timeout", "error": "...", "seconds": t}``
    code cell ``k`` (counting all cells of the notebook from 1) has finished;
``{"event": "answer", "label": L, "cell": k, "status": ..., "answer": {...}}``
    the probe of exercise ``L`` ran after cell ``k`` (``answer`` is absent when it failed);
``{"event": "stopped", "cell": k, "reason": "timeout" | "died"}``
    the kernel had to be killed in cell ``k`` (it ignored the interrupt), or it died; the rest
    of the notebook does not run;
``{"event": "done"}``.

Every cell has a deadline. When it passes, the kernel is interrupted; a cell that then stops is
reported as a timeout (whatever error the interrupt produced); a kernel still busy after a grace
period (a long C call ignoring SIGINT) is killed and the cell is reported as a timeout.
Everything this process writes is untrusted data for the grader: the student's code runs in the
same sandbox.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import time
from pathlib import Path

GRACE = 3.0        # seconds a kernel has to stop after the interrupt before it is killed


def emit(event: dict) -> None:
    sys.stdout.write(json.dumps(event, ensure_ascii=False, allow_nan=False) + "\n")
    sys.stdout.flush()


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


class Kernel:
    """A fresh IPython kernel with a blocking client."""

    def __init__(self, cwd: str) -> None:
        from jupyter_client import KernelManager

        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    def run(self, code: str, timeout: float) -> dict:
        """Run ``code``; returns status, error text, published answers and elapsed seconds."""
        start = time.monotonic()
        msg_id = self.kc.execute(code, store_history=True, allow_stdin=False,
                                 stop_on_error=False)
        result = {"status": "ok", "error": "", "answers": [], "stopped": ""}
        deadline, interrupted = start + timeout, False
        while True:
            now = time.monotonic()
            if now >= deadline:
                if not interrupted:
                    interrupted = True
                    result["status"] = "timeout"
                    try:
                        self.km.interrupt_kernel()
                    except Exception:
                        pass
                    deadline = now + GRACE
                    continue
                self.kill()
                result["stopped"] = "timeout"
                break
            try:
                msg = self.kc.get_iopub_msg(timeout=min(0.5, deadline - now))
            except queue.Empty:
                if not self.km.is_alive():
                    result["stopped"] = "timeout" if interrupted else "died"
                    if not interrupted:
                        result["status"] = "error"
                        result["error"] = "内核意外退出（进程崩溃或被终止）"
                    break
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "error" and result["status"] != "timeout":
                result["status"] = "error"
                result["error"] = _short(f"{content.get('ename', 'Error')}: "
                                         f"{content.get('evalue', '')}")
            elif kind in ("display_data", "execute_result"):
                from .grade_probe import MIME

                data = content.get("data", {}).get(MIME)
                if data is not None:
                    result["answers"].append(data)
            elif kind == "status" and content.get("execution_state") == "idle":
                break
        result["seconds"] = round(time.monotonic() - start, 3)
        return result

    def kill(self) -> None:
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:
            pass

    def close(self) -> None:
        try:
            self.kc.stop_channels()
        finally:
            self.kill()


def _probe_code(probe: dict) -> str:
    inputs = probe.get("inputs")
    return ("import softmax_course.tools.grade_probe as __softmax_grade_probe\n"
            f"__softmax_grade_probe.answer({probe['label']!r}, {probe['kind']!r}, "
            f"lambda: {probe['variable']}, {inputs!r})\n")


def run(job: dict) -> int:
    # plain JSON: nbformat's schema validation imports take seconds on a read-only system
    with open(job["notebook"], encoding="utf-8") as f:
        cells = json.load(f)["cells"]
    cell_timeout = float(job["cell_timeout"])
    probes: dict[int, list[dict]] = {}
    for probe in job["probes"]:
        probes.setdefault(int(probe["after"]), []).append(probe)
    cache = job.get("matplotlib_cache")
    if cache and Path(cache).is_dir():          # a prebuilt font list saves seconds per job
        shutil.copytree(cache, os.environ.get("MPLCONFIGDIR", "/tmp/matplotlib"),
                        dirs_exist_ok=True)
    kernel = Kernel(job["cwd"])
    try:
        for k, cell in enumerate(cells, 1):
            if cell.get("cell_type") == "code":
                source = cell.get("source", "")
                source = "".join(source) if isinstance(source, list) else str(source)
                emit({"event": "start", "cell": k})
                res = kernel.run(source, cell_timeout)
                emit({"event": "cell", "cell": k, "status": res["status"],
                      "error": res["error"], "seconds": res["seconds"]})
                if res["stopped"]:
                    emit({"event": "stopped", "cell": k, "reason": res["stopped"]})
                    return 0
            for probe in probes.get(k, []):
                res = kernel.run(_probe_code(probe), cell_timeout)
                event = {"event": "answer", "label": probe["label"], "cell": k,
                         "status": res["status"], "error": res["error"]}
                mine = [a for a in res["answers"]
                        if isinstance(a, dict) and a.get("label") == probe["label"]]
                if mine and res["status"] == "ok":
                    event["answer"] = mine[0].get("answer")     # the probe's own, not a hook's
                emit(event)
                if res["stopped"]:
                    emit({"event": "stopped", "cell": k, "reason": res["stopped"],
                          "probe": probe["label"]})
                    return 0
        emit({"event": "done"})
    finally:
        if job.get("sandboxed"):
            # the sandbox's PID namespace ends with this process and kills the kernel with it
            sys.stdout.flush()
            os._exit(0)
        kernel.close()
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m softmax_course.tools.grade_worker JOB.json", file=sys.stderr)
        return 2
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    return run(job)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
