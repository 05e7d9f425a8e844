"""The repository keeps its promises: README commands, CI script, requirements."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", readme)


def test_readme_has_exactly_two_setup_commands():
    commands = readme_commands()
    assert len(commands) == 2, commands
    assert "jupyter-book build" in commands[0]
    assert "pytest" in commands[1]
    assert all(c.startswith("pip install -r requirements.txt && ") for c in commands)


def test_ci_runs_exactly_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines()]
    assert readme_commands()[1] in lines
    assert "python3 -m venv" in script and "mktemp -d" in script
    assert script.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in script


def test_requirements_pin_jupyter_book_1_and_install_the_package():
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert "jupyter-book>=1.0.4,<2" in lines
    assert lines[-1] == "-e ."
    for name in ("numpy", "matplotlib", "ipywidgets", "nbval", "pytest", "hypothesis", "scipy",
                 "scikit-learn", "pooch", "sphinx-exercise", "nbclient", "ipykernel", "mplfonts",
                 "jieba"):
        assert any(line.startswith(name) for line in lines), name


def test_no_package_named_code():
    assert not (ROOT / "code" / "__init__.py").exists()
    assert (ROOT / "code" / "softmax_course" / "__init__.py").is_file()
