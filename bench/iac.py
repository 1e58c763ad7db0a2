"""``python -m bench.iac``: how long ``edge-audit iac`` takes on large inputs.

Goals (issue 14): a template of 1,000 resources in under 2 s, a CDK assembly of 20 stacks
in under 5 s, on the project's 2-core machine; Terraform source is held to the template's
rate (2 s per 1,000 resources). The inputs are made from the test suite's
naive template (10 resources per app), each app's logical ids suffixed; the assembly has a
manifest as ``cdk synth`` writes it. Each size is timed end to end (read, resolve, collect
through the virtual account, seal, evaluate every rule), best of three; the JSON report's
rendering (every result validated against the schema) is timed apart, as the CLI run.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from pathlib import Path

from auditor import cli

TESTS = Path(__file__).parent.parent / "tests"
NAIVE = TESTS / "iac_templates" / "naive.yaml"
LAB = TESTS / "iac_terraform" / "armageddon_tokyo"
LAB_ADDITION = TESTS / "iac_terraform" / "additions" / "lambda_api.tf"
GOALS = {"template": 2.0, "assembly": 5.0, "terraform": 2.0}


def _app_resources(index: int) -> dict:
    """The naive template's resources as JSON, every logical id suffixed with ``index``."""
    from auditor.iac.template import decode

    body, _ = decode(str(NAIVE))
    text = json.dumps(body)
    for logical in body["Resources"]:
        text = re.sub(rf'"{logical}(["\.])', rf'"{logical}{index}\1', text)
    return json.loads(text)


def template(apps: int) -> dict:
    first = _app_resources(0)
    resources: dict = {}
    for i in range(apps):
        resources.update(_app_resources(i)["Resources"])
    return {"Parameters": first["Parameters"], "Resources": resources}


def assembly(folder: Path, stacks: int, apps_per_stack: int) -> Path:
    artifacts = {}
    for s in range(stacks):
        name = f"App{s}Stack"
        (folder / f"{name}.template.json").write_text(json.dumps(template(apps_per_stack)))
        artifacts[name] = {"type": "aws:cloudformation:stack",
                           "environment": "aws://unknown-account/unknown-region",
                           "properties": {"templateFile": f"{name}.template.json"}}
    (folder / "manifest.json").write_text(json.dumps({"version": "36.0.0",
                                                      "artifacts": artifacts}))
    return folder


def terraform(folder: Path, modules: int) -> tuple[Path, int]:
    """A root calling the test suite's lab (with its Lambda route) ``modules`` times as a
    local module: (the root, how many resources it declares)."""
    import shutil

    from auditor.iac.estate import Options, build

    shutil.copytree(LAB, folder / "lab")
    shutil.copy(LAB_ADDITION, folder / "lab" / LAB_ADDITION.name)
    calls = "".join(f'module "edge{i}" {{\n  source = "./lab"\n  db_password = "x"\n}}\n'
                    for i in range(modules))
    (folder / "main.tf").write_text(calls)
    return folder, len(build([str(folder)], Options()).resources())


def _best(work) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def evaluated(path: Path) -> float:
    from auditor.iac.estate import Options
    from auditor.iac.source import collect_templates, evaluate_templates
    from auditor.packs import load_registry

    rules = list(load_registry(plugins=False).rules)

    def work() -> None:
        run, run_rules = collect_templates([str(path)], Options(), rules)
        evaluate_templates(run, run_rules)

    return _best(work)


def cli_json(path: Path) -> float:
    def work() -> None:
        code = cli.run(["iac", str(path), "--format", "json", "-o", "/dev/null", "-q"])
        if code not in (0, 1):
            raise SystemExit(f"iac exited {code}")

    return _best(work)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        big = root / "big.json"
        body = template(125)
        big.write_text(json.dumps(body))
        one, one_cli = evaluated(big), cli_json(big)
        (root / "cdk.out").mkdir()
        cdk = assembly(root / "cdk.out", 20, 5)
        twenty, twenty_cli = evaluated(cdk), cli_json(cdk)
        (root / "tf").mkdir()
        tf, declared = terraform(root / "tf", 12)
        source, source_cli = evaluated(tf), cli_json(tf)
    GOALS["terraform"] = 2.0 * max(declared, 1000) / 1000
    rows = [("template", f"{len(body['Resources'])} resources", one, one_cli),
            ("assembly", "20 stacks, 800 resources", twenty, twenty_cli),
            ("terraform", f"12 modules, {declared} resources", source, source_cli)]
    for kind, size, took, whole in rows:
        verdict = "ok" if took < GOALS[kind] else "OVER GOAL"
        print(f"{kind:9} {size:26} evaluated {took:5.2f} s (goal {GOALS[kind]} s: {verdict}); "
              f"with the JSON report {whole:5.2f} s")
    return 0 if all(t < GOALS[k] for k, _, t, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
