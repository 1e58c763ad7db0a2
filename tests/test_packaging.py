"""The image and the tree: hadolint-clean Dockerfile, ruff-clean code."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is a test dependency: pip install -e '.[test]'"
    return path


DOCKERFILES = [ROOT / "Dockerfile", ROOT / "deploy" / "lambda.Dockerfile"]


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfile_passes_hadolint(dockerfile):
    proc = subprocess.run([_tool("hadolint"), str(dockerfile)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def stages(dockerfile: Path) -> list[tuple[str, str]]:
    """(FROM line, body) of each stage, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", dockerfile.read_text())
    parts = re.split(r"^(FROM .+)$", text, flags=re.MULTILINE)
    return list(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfile_copies_what_exists_from_named_stages(dockerfile):
    names = {m.group(1) for m in re.finditer(r"^FROM \S+ AS (\w+)$",
                                            dockerfile.read_text(), re.MULTILINE)}
    for _, body in stages(dockerfile):
        for line in re.findall(r"^COPY (.+)$", body, re.MULTILINE):
            words = line.split()
            if words[0].startswith("--from="):
                assert words[0].split("=", 1)[1] in names, line
                continue
            for source in words[:-1]:
                assert (ROOT / source).exists(), source
        for stage in re.findall(r"from=(\w+)", body):
            assert stage in names, stage


def test_image_is_multi_stage_with_no_build_tools_in_the_final_stage():
    built = stages(ROOT / "Dockerfile")
    assert len(built) >= 2
    _, final = built[-1]
    assert "COPY " not in final  # the wheels are bind-mounted from the build stage
    assert not re.search(r"apt-get|gcc|build-essential|pip wheel", final)
    assert "pip uninstall --yes pip setuptools wheel" in final
    assert 'ENTRYPOINT ["edge-audit"]' in final
    user = re.search(r"^USER (\S+)$", final, re.MULTILINE)
    assert user and user.group(1).split(":")[0] not in ("root", "0")
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'edge-audit = "auditor.cli:main"' in pyproject


def test_the_build_stage_wheels_install_with_no_index(tmp_path):
    """What the image does, without Docker: build the wheels, install them into an empty
    venv with --no-index (so every dependency ships as a wheel: no compiler needed in the
    final stage), then run the console script it installed.

    django-rules (the ``rules`` distribution on PyPI) goes into the same venv: until 0.4.0
    the built-in packs installed as a top-level ``rules`` package and the two broke each
    other. Now the wheel adds one top-level name, ``auditor``, and both work."""
    wheels, venv = tmp_path / "wheels", tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir",
                    str(wheels), str(ROOT), "rules>=3"], check=True, timeout=600)
    [own] = wheels.glob("edge_auditor-*.whl")
    with zipfile.ZipFile(own) as wheel:
        tops = {name.split("/")[0] for name in wheel.namelist()
                if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"auditor"}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "--quiet", "--no-index", "--find-links",
                    str(wheels), str(own), "rules"], check=True, timeout=600)
    proc = subprocess.run([str(venv / "bin" / "edge-audit"), "rules", "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["rules"]) == 62
    handler = subprocess.run([str(venv / "bin" / "python"), "-c",
                              "import auditor.lambda_handler as h; print(h.handler.__name__)"],
                             capture_output=True, text=True, timeout=60)
    assert handler.stdout.strip() == "handler", handler.stderr
    django_rules = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import rules; from rules import predicate, add_rule, test_rule\n"
         "add_rule('ok', predicate(lambda: True)); print(test_rule('ok'), rules.__file__)"],
        capture_output=True, text=True, timeout=60)
    assert django_rules.returncode == 0, django_rules.stderr
    assert django_rules.stdout.startswith("True ") and "site-packages" in django_rules.stdout


def test_ruff_is_clean():
    proc = subprocess.run([_tool("ruff"), "check", str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
