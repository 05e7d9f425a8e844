"""The grading sandbox: bubblewrap (``bwrap``) with resource limits.

:func:`sandbox_command` wraps a command so that it runs

* in new mount, PID, network, IPC and UTS namespaces (``--unshare-*``, no network but loopback),
  in a new session, killed with everything it started when the grader stops it
  (``--die-with-parent``; the PID namespace dies with its first process);
* on a root file system that is an empty read-only tmpfs with only what Python needs mounted
  read-only: ``/usr`` (and its ``/bin``, ``/lib`` links), ``/etc``, the Python installation, the
  virtual environment and the ``softmax_course`` package itself -- not the repository around it
  (teacher chapters, tests), not the submissions folder, not the grader's output; the grader
  passes a copy of the package taken when grading started (``package_copy``), so that editing
  the repository during a long run cannot change what later notebooks import;
* with a private writable ``/tmp`` and working folder (size-limited tmpfs), and the job's own
  folder (its copy of the notebook, the grader's inputs) read-only at ``/job``;
* as an unprivileged user: a fresh numeric uid/gid per job (so that the process limit of one job
  cannot starve another), no supplementary groups, no capabilities, ``no_new_privs``
  (``setpriv``);
* under ``prlimit`` limits: address space (memory), CPU seconds, number of processes and
  threads, size of any file written, open files.

Everything the job writes is lost when it ends, except what it prints on standard output, which
the grader reads with a byte cap.
"""
from __future__ import annotations

import os
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Limits", "SandboxUnavailable", "bwrap_path", "copy_package", "sandbox_command",
           "SANDBOX_ENV"]

JOB_DIR = "/job"
WORK_DIR = "/home/student"


class SandboxUnavailable(RuntimeError):
    """bubblewrap (or setpriv/prlimit) is missing, so submissions cannot be isolated."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one job (each process of it, for memory and CPU)."""

    memory_mb: int = 2048          # address space of each process
    cpu_seconds: int = 300         # CPU time of each process
    processes: int = 128           # processes and threads of the job's user
    file_mb: int = 64              # largest file it may write
    tmp_mb: int = 256              # size of /tmp and of the working folder (each)
    open_files: int = 1024


SANDBOX_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
    "MPLCONFIGDIR": "/tmp/matplotlib",
    "MPLBACKEND": "agg",
    "IPYTHONDIR": "/tmp/ipython",
    "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
    "JUPYTER_DATA_DIR": "/tmp/jupyter-data",
    "JUPYTER_PLATFORM_DIRS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


def bwrap_path() -> str | None:
    """The ``bwrap`` executable, when bubblewrap and the tools it is combined with exist."""
    found = shutil.which("bwrap")
    if found and shutil.which("setpriv") and shutil.which("prlimit"):
        return found
    return None


def _package_dir() -> Path:
    import softmax_course

    return Path(softmax_course.__file__).resolve().parent


def copy_package(target: Path) -> Path:
    """A world-readable copy of the installed ``softmax_course`` folder at ``target``."""
    shutil.copytree(_package_dir(), target,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def _read_only_paths() -> list[Path]:
    """What Python and the course package need, besides /usr and /etc."""
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), _package_dir()}
    exe = Path(sys.executable)
    paths.add(exe.parent.resolve())
    paths.add(exe.resolve().parent.parent)
    # never mount a folder holding the package's repository (chapters, tests) as a whole
    keep = []
    for path in sorted(paths):
        if any(parent in paths for parent in path.parents):
            continue                                    # inside another mounted path
        if str(path) in ("/", "/usr", "/etc") or str(path).startswith(("/usr/", "/etc/")):
            continue
        keep.append(path)
    package = _package_dir()
    for path in keep:
        if path != package and package.is_relative_to(path):
            raise SandboxUnavailable(
                f"the Python environment {path} contains the course repository {package.parent}; "
                f"install the course into a virtual environment outside the repository so that "
                f"the sandbox can hide the teacher's files")
    return keep


def _dirs_for(paths: list[Path]) -> list[str]:
    """Create the parents of the mount points, world-readable (bwrap makes them 0700)."""
    args: list[str] = []
    made: set[Path] = set()
    for path in paths:
        for parent in reversed(path.parents):
            if parent == Path("/") or parent in made:
                continue
            made.add(parent)
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def sandbox_command(argv: list[str], job_dir: Path, *, limits: Limits = Limits(),
                    uid: int | None = None, package_copy: Path | None = None) -> list[str]:
    """``argv`` wrapped to run in the sandbox, with ``job_dir`` read-only at ``/job``.

    ``uid`` defaults to a random unprivileged id (200000–999999) used by no one else.
    ``package_copy``, a copy of the ``softmax_course`` folder, is mounted where the package is
    installed, in place of the live package.
    """
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap is not installed (Debian/Ubuntu: apt-get install "
                                 "bubblewrap; it also needs setpriv and prlimit from util-linux)")
    uid = uid if uid is not None else 200_000 + secrets.randbelow(800_000)
    ro = _read_only_paths()
    cmd = [bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
           "--unshare-cgroup-try", "--die-with-parent", "--new-session",
           "--hostname", "sandbox", "--tmpfs", "/",
           "--perms", "1777", "--size", str(limits.tmp_mb * 2**20), "--tmpfs", "/tmp"]
    cmd += _dirs_for(ro + [Path(JOB_DIR), Path(WORK_DIR)])
    cmd += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for link in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        target = Path("/") / link
        if target.is_symlink():
            cmd += ["--symlink", os.readlink(target), f"/{link}"]
        elif target.is_dir():
            cmd += ["--ro-bind", str(target), f"/{link}"]
    for path in ro:
        cmd += ["--ro-bind", str(path), str(path)]
    if package_copy is not None:
        cmd += ["--ro-bind", str(Path(package_copy).resolve()), str(_package_dir())]
    cmd += ["--dev", "/dev", "--proc", "/proc",
            "--ro-bind", str(Path(job_dir).resolve()), JOB_DIR,
            "--perms", "1777", "--size", str(limits.tmp_mb * 2**20), "--tmpfs", WORK_DIR,
            "--remount-ro", "/", "--chdir", WORK_DIR, "--clearenv"]
    for key, value in SANDBOX_ENV.items():
        cmd += ["--setenv", key, value]
    cmd += ["--", "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
            "prlimit", f"--as={limits.memory_mb * 2**20}", f"--cpu={limits.cpu_seconds}",
            f"--nproc={limits.processes}", f"--fsize={limits.file_mb * 2**20}",
            f"--nofile={limits.open_files}", "--core=0", "--"]
    return cmd + list(argv)
