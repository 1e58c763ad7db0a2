"""Rule packs: where the rules of a run come from, loaded and checked one way.

A pack is a Python module with a ``RULES`` sequence (or a callable returning one) and,
optionally, ``FACETS`` (extra read-only data its checks read: auditor.facets), ``CASES``
(the cases ``edge-audit rules --check-pack`` runs: auditor.testing) and ``__version__``.
There are three ways in, all loaded by `load_pack`:

1. the built-in pack, ``auditor.rules`` (catalogue 1.1);
2. installed packs: every entry point of the group ``edge_auditor.rules`` names a module;
3. folders (``--rules-path DIR``, ``EDGE_AUDIT_RULES_PATH``): every ``*.py`` in DIR whose
   name does not start with ``_`` is a pack named after the file.

Packs are imported when the registry is built, never as a side effect of importing this
module. Every rule is validated on load, and an id or slug may be used once across all
packs (a retired id never again): a clash names both packs. Any problem is a `PackError`,
which the CLI turns into one line and exit 2.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from auditor import TOOL_NAME, __version__
from auditor.collect.plan import FACETS as BUILTIN_FACETS
from auditor.facets import Facet
from auditor.findings import Severity
from auditor.rule import PackRef, RetiredRule, Rule, SubjectKind

ENTRY_POINT_GROUP = "edge_auditor.rules"
BUILTIN_MODULE = "auditor.rules"
PATH_VARIABLE = "EDGE_AUDIT_RULES_PATH"
PARAM_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SCALARS = (bool, int, float, str)
EXPECTATIONS = ("fail", "pass", "out-of-scope", "error")


class PackError(Exception):
    """A pack that cannot be used: it does not import, a rule is malformed, or an id
    clashes with another pack's."""


@dataclass(frozen=True)
class Case:
    """A declared case of a pack's rule: on the topology ``topology()`` builds, the rule
    fires (``fail``), stays quiet (``pass``), leaves the subject out (``out-of-scope``) or
    cannot see its data (``error``) for the subject whose ARN or name contains
    ``resource`` (every subject when omitted)."""

    rule: str
    expect: str
    topology: Callable[[], Any]
    resource: str | None = None
    params: Mapping[str, Any] | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.expect not in EXPECTATIONS:
            raise ValueError(f"case of {self.rule}: expect one of {', '.join(EXPECTATIONS)}, "
                             f"not {self.expect!r}")


@dataclass(frozen=True)
class RulePack:
    ref: PackRef
    origin: str  # "built-in", "entry point org = org_pack (org-pack 1.2.0)", a file path
    rules: tuple[Rule, ...]
    facets: tuple[Facet, ...] = ()
    cases: tuple[Case, ...] = ()
    retired: tuple[RetiredRule, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.ref.name!r} ({self.origin})"


@dataclass(frozen=True)
class Registry:
    """The packs of a run, the built-in one first."""

    packs: tuple[RulePack, ...]

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(r for p in self.packs for r in p.rules)

    @property
    def facets(self) -> tuple[Facet, ...]:
        return tuple(f for p in self.packs for f in p.facets)

    @property
    def retired(self) -> tuple[RetiredRule, ...]:
        return tuple(r for p in self.packs for r in p.retired)

    @property
    def plugins(self) -> tuple[RulePack, ...]:
        return self.packs[1:]


# ------------------------------------------------------------------ loading one pack

def _members(module: Any) -> tuple[Any, Any, Any, Any]:
    if isinstance(module, ModuleType):
        return (getattr(module, "RULES", None), getattr(module, "FACETS", ()),
                getattr(module, "CASES", ()), getattr(module, "RETIRED", ()))
    return module, (), (), ()  # an entry point that names RULES itself


def load_pack(module: Any, ref: PackRef, origin: str) -> RulePack:
    """One pack from its module (or its RULES object), every rule validated and stamped
    with the pack it came from."""
    rules, facets, cases, retired = _members(module)
    label = f"rule pack {ref.name!r} ({origin})"
    if rules is None:
        raise PackError(f"{label} has no RULES")
    try:
        rules = rules() if callable(rules) else rules
        rules, facets, cases = tuple(rules), tuple(facets), tuple(cases)
    except Exception as exc:
        raise PackError(f"{label}: cannot read its RULES: {type(exc).__name__}: {exc}") from exc
    for facet in facets:
        if not isinstance(facet, Facet):
            raise PackError(f"{label}: FACETS holds {type(facet).__name__}, not Facet")
        if facet.name in BUILTIN_FACETS:
            raise PackError(f"{label}: facet {facet.name!r} is a built-in facet's name")
    known = set(BUILTIN_FACETS) | {f.name for f in facets}
    stamped = tuple(replace(_valid(rule, label, known), pack=ref) for rule in rules)
    ids = {r.id for r in stamped}
    for case in cases:
        if not isinstance(case, Case) or case.rule not in ids:
            raise PackError(f"{label}: a case names no rule of the pack: {case!r}")
    return RulePack(ref, origin, stamped, facets, cases, tuple(retired))


def _valid(rule: Any, label: str, facets: set[str]) -> Rule:
    if not isinstance(rule, Rule):
        raise PackError(f"{label}: RULES holds {type(rule).__name__}, not auditor.api.Rule")
    where = f"{label}: rule {rule.id}"
    if not isinstance(rule.severity, Severity):
        raise PackError(f"{where}: severity must be a Severity, not {rule.severity!r}")
    if not isinstance(rule.subject, SubjectKind):
        raise PackError(f"{where}: subject must be a SubjectKind, not {rule.subject!r}")
    if not callable(rule.check):
        raise PackError(f"{where}: check is not callable")
    for name in ("title", "cites", "recommendation", "rationale", "remediation"):
        if not isinstance(getattr(rule, name), str) or not getattr(rule, name).strip():
            raise PackError(f"{where}: {name} must be a non-empty string")
    if not isinstance(rule.params, dict):
        raise PackError(f"{where}: params must be a dict")
    for key, value in rule.params.items():
        if not isinstance(key, str) or not PARAM_NAME.match(key):
            raise PackError(f"{where}: parameter name {key!r} is not snake_case")
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, SCALARS) for v in values):
            raise PackError(f"{where}: parameter {key} must be a bool, number, string or a "
                            f"list of them (what --config can set), not {value!r}")
    unknown = sorted(set(rule.needs) - facets)
    if unknown:
        raise PackError(f"{where}: needs unknown facet(s) {', '.join(unknown)}")
    return rule


def _imported(name: str, import_it: Callable[[], Any], label: str) -> Any:
    try:
        return import_it()
    except PackError:
        raise
    except Exception as exc:  # SyntaxError, ImportError, a ValueError from Rule(...)
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise PackError(f"rule pack {name!r} ({label}) failed to import: "
                        f"{type(exc).__name__}: {first}") from exc


def builtin_pack() -> RulePack:
    module = importlib.import_module(BUILTIN_MODULE)
    return load_pack(module, PackRef(TOOL_NAME, __version__), "built-in")


def installed_packs() -> list[RulePack]:
    """The packs installed as ``edge_auditor.rules`` entry points, by name."""
    packs = []
    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist is not None else "?"
        origin = f"entry point {ep.name} = {ep.value} in {dist}"
        module = _imported(ep.name, ep.load, origin)
        version = ep.dist.version if ep.dist is not None else None
        packs.append(load_pack(module, PackRef(ep.name, version), origin))
    return packs


def _import_file(path: Path, name: str | None = None) -> ModuleType:
    """A ``.py`` file as module ``name`` (default: ``edge_auditor_packs.<stem>``), or a
    package folder (its ``__init__.py``) under its own name, so its absolute imports of
    its own modules work as they will once it is installed."""
    package = path.is_dir()
    if name is None:
        name = f"edge_auditor_packs.{re.sub(r'[^A-Za-z0-9_]', '_', path.stem)}"
    spec = importlib.util.spec_from_file_location(
        name, path / "__init__.py" if package else path,
        submodule_search_locations=[str(path)] if package else None)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def folder_packs(folders: Iterable[str]) -> list[RulePack]:
    packs = []
    for folder in folders:
        directory = Path(folder).expanduser()
        if not directory.is_dir():
            raise PackError(f"--rules-path {folder}: not a directory")
        for path in sorted(directory.glob("*.py")):
            if path.name.startswith("_"):
                continue  # helpers and __init__.py: not packs
            module = _imported(path.stem, lambda p=path: _import_file(p), str(path))
            packs.append(load_pack(module, PackRef(path.stem, getattr(
                module, "__version__", None)), str(path)))
    return packs


# ------------------------------------------------------------------ the registry

def _check_unique(packs: Sequence[RulePack]) -> None:
    owner: dict[str, RulePack] = {}
    slugs: dict[str, RulePack] = {}
    facets: dict[str, RulePack] = {}
    names: dict[str, RulePack] = {}
    for pack in packs:
        if pack.ref.name in names:
            raise PackError(f"two rule packs are named {pack.ref.name!r}: "
                            f"{names[pack.ref.name].origin} and {pack.origin}")
        names[pack.ref.name] = pack
        for old in pack.retired:
            owner.setdefault(old.id, pack)
        for rule in pack.rules:
            for key, seen, what in ((rule.id, owner, "id"), (rule.slug, slugs, "slug")):
                if key in seen:
                    other = seen[key]
                    retired = " (a retired id: never reused)" if any(
                        r.id == key for r in other.retired) else ""
                    raise PackError(f"rule {what} {key}{retired} of pack {pack.label} "
                                    f"is already used by pack {other.label}")
                seen[key] = pack
        for facet in pack.facets:
            if facet.name in facets:
                raise PackError(f"facet {facet.name!r} of pack {pack.label} is already "
                                f"declared by pack {facets[facet.name].label}")
            facets[facet.name] = pack


def rules_path_from(environ: Mapping[str, str]) -> list[str]:
    """``EDGE_AUDIT_RULES_PATH``: folders separated by ``:`` (``os.pathsep``)."""
    import os

    return [p for p in environ.get(PATH_VARIABLE, "").split(os.pathsep) if p.strip()]


def load_registry(paths: Sequence[str] = (), plugins: bool = True) -> Registry:
    """The built-in pack, then (unless ``plugins`` is false) the installed packs, then the
    folder packs of ``paths``."""
    packs = [builtin_pack()]
    if plugins:
        packs += installed_packs()
        packs += folder_packs(paths)
    _check_unique(packs)
    return Registry(tuple(packs))


def builtin_registry() -> Registry:
    return Registry((builtin_pack(),))


# ------------------------------------------------------------------ --check-pack

@dataclass(frozen=True)
class PackCheck:
    """What ``edge-audit rules --check-pack`` found: the packs, their rules and cases."""

    packs: tuple[RulePack, ...]
    outcomes: tuple[Any, ...]  # auditor.testing.CaseOutcome

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)

    def render(self) -> str:
        lines = []
        for pack in self.packs:
            lines.append(f"rule pack {pack.ref.name} {pack.ref.version or ''} ({pack.origin}): "
                         f"{len(pack.rules)} rule(s), {len(pack.facets)} facet(s), "
                         f"{len(pack.cases)} case(s): valid")
            lines += [f"  {r.id} {r.slug} ({r.severity.value}, {r.subject.value})"
                      for r in pack.rules]
            if not pack.cases:
                lines.append("  no CASES declared: nothing proves its rules fire")
        lines += [o.line() for o in self.outcomes]
        failed = sum(not o.passed for o in self.outcomes)
        lines.append(f"{len(self.outcomes)} case(s), {failed} failed")
        return "\n".join(lines) + "\n"


def check_pack(path: str) -> PackCheck:
    """Load the pack(s) in ``path`` (a ``.py`` file, a package folder, a folder of ``.py``
    files, or an installed module's name) beside the
    built-in pack, so a clash is found as a scan would find it, then run their cases."""
    from auditor.testing import run_cases

    target = Path(path).expanduser()
    if target.is_file() or (target / "__init__.py").is_file():  # a module or a package
        name = target.name if target.is_dir() else None
        module = _imported(target.stem, lambda: _import_file(target, name), str(target))
        packs = [load_pack(module, PackRef(target.stem, getattr(module, "__version__", None)),
                           str(target))]
    elif target.is_dir():
        packs = folder_packs([str(target)])
    elif re.fullmatch(r"[A-Za-z_][\w.]*", path):  # an installed pack's module
        module = _imported(path, lambda: importlib.import_module(path), "installed module")
        packs = [load_pack(module, PackRef(path, getattr(module, "__version__", None)),
                           f"module {path}")]
    else:
        raise PackError(f"--check-pack {path}: no such file, folder or module")
    _check_unique([builtin_pack(), *packs])
    outcomes = tuple(o for pack in packs for o in run_cases(pack))
    return PackCheck(tuple(packs), outcomes)
