"""The image and the tree: hadolint-clean Dockerfile, ruff-clean code."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).parent.parent


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is a test dependency: pip install -e '.[test]'"
    return path


def test_dockerfile_passes_hadolint():
    proc = subprocess.run(
        [_tool("hadolint"), str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_dockerfile_copies_what_exists_and_runs_the_console_script():
    text = (ROOT / "Dockerfile").read_text()
    for line in re.findall(r"^COPY (.+)$", text, re.MULTILINE):
        for source in line.split()[:-1]:
            assert (ROOT / source).exists(), source
    assert 'ENTRYPOINT ["edge-audit"]' in text
    assert re.search(r"^USER (?!root)\w+", text, re.MULTILINE)
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'edge-audit = "auditor.cli:main"' in pyproject


def test_ruff_is_clean():
    proc = subprocess.run([_tool("ruff"), "check", str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
