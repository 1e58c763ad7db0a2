"""A folder of Terraform source (``.tf``) as resources, the way a pull request shows it.

Each module is one scope: variables (given with ``-var``/``--var-file``, from
``terraform.tfvars`` and ``*.auto.tfvars`` as Terraform loads them, else their default),
locals, resources and data sources (``count``/``for_each`` expanded where they are known),
local module calls (``source = "./..."``; their variables and outputs followed) and
outputs. A registry or git module is not read: what it makes is unknown and a warning says
so. The region is the default ``aws`` provider's, where the source sets it.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass
from typing import Any

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from auditor.iac.template import Location, TemplateError
from auditor.iac.terraform.expressions import EvalError, Evaluator, Lazy, ResourceRef
from auditor.iac.terraform.model import TfResource
from auditor.iac.values import Unknown

META_ARGUMENTS = {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner",
                  "connection", "providers", "source", "version"}
MAX_DEPTH = 10


@dataclass
class Block:
    kind: str
    labels: list[str]
    body: Tree
    file: str
    line: int

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, 1)


def _label(node: Any) -> str:
    if isinstance(node, Tree) and node.data == "string":
        return "".join(str(p.children[0]) for p in node.children
                       if isinstance(p, Tree) and p.children and isinstance(
                           p.children[0], Token))
    if isinstance(node, Tree):
        return str(node.children[0])
    return str(node)


def _items(body: Tree) -> list[Tree]:
    return [c for c in body.children if isinstance(c, Tree)
            and c.data in ("attribute", "block")]


def _arguments(body: Tree) -> dict[str, Tree]:
    """A block body's arguments (``name = expression``), by name."""
    return dict(map(_attribute, (i for i in _items(body) if i.data == "attribute")))


def _block(node: Tree, file: str) -> Block:
    parts = [c for c in node.children if isinstance(c, Tree)
             and c.data != "new_line_or_comment"]
    body = next(c for c in parts if c.data == "body")
    labels = [_label(c) for c in parts if c is not body]
    return Block(labels[0], labels[1:], body, file, getattr(node.meta, "line", 1))


def _attribute(node: Tree) -> tuple[str, Tree]:
    parts = [c for c in node.children if isinstance(c, Tree)]
    return _label(parts[0]), parts[-1]


def parse_file(path: str) -> list[Block]:
    import hcl2

    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        tree = hcl2.parses_to_tree(text)
    except UnexpectedInput as exc:
        raise TemplateError(f"{path}:{exc.line}:{exc.column}: not Terraform (HCL): "
                            f"{str(exc).splitlines()[0]}") from exc
    except (LarkError, OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: not Terraform (HCL): {str(exc).splitlines()[0]}") \
            from exc
    body = next(c for c in tree.children if isinstance(c, Tree))
    return [_block(c, path) if c.data == "block" else Block("=", [_attribute(c)[0]], c, path,
                                                            getattr(c.meta, "line", 1))
            for c in _items(body)]


def literal(text: str) -> Any:
    """A ``-var`` value: HCL (numbers, lists, maps), else the plain string it is."""
    import hcl2

    try:
        tree = hcl2.parses_to_tree(f"v = {text}\n")
    except LarkError:
        return text
    value = Evaluator(lambda name: Unknown(name)).eval(
        _attribute(_items(next(c for c in tree.children if isinstance(c, Tree)))[0])[1])
    return text if isinstance(value, Unknown) else value


def tfvars(path: str) -> dict[str, Any]:
    if path.endswith(".json"):
        try:
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, json.JSONDecodeError) as exc:
            raise TemplateError(f"{path}: not a variables file ({exc})") from exc
    plain = Evaluator(lambda name: Unknown(f"{name} in a variables file"))
    return {b.labels[0]: plain.eval(_attribute(b.body)[1])
            for b in parse_file(path) if b.kind == "="}


class Module:
    """One module instance: its blocks evaluated in its own scope."""

    def __init__(self, reader: SourceReader, folder: str, prefix: str,
                 inputs: dict[str, Any], depth: int) -> None:
        if depth > MAX_DEPTH:
            raise TemplateError(f"{folder}: modules nested deeper than {MAX_DEPTH}")
        self.reader, self.folder, self.prefix, self.depth = reader, folder, prefix, depth
        self.blocks = reader.blocks(folder)
        self.resources = {(b.kind, b.labels[0], b.labels[1]): b for b in self.blocks
                          if b.kind in ("resource", "data") and len(b.labels) == 2}
        self.types = {(kind, t) for kind, t, _ in self.resources}
        self.locals = {name: (node, b) for b in self.blocks if b.kind == "locals"
                       for name, node in map(_attribute, _items(b.body))}
        self.outputs = {b.labels[0]: b for b in self.blocks if b.kind == "output"}
        self.calls = {b.labels[0]: b for b in self.blocks if b.kind == "module"}
        self._local_values: dict[str, Any] = {}
        self._evaluating: list[str] = []
        self._instances: dict[tuple[str, str, str], Any] = {}
        self._children: dict[str, Any] = {}
        self.evaluator = Evaluator(self._root)
        self.variables = self._variables(inputs)

    # ------------------------------------------------------------ scope

    def _variables(self, inputs: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for block in (b for b in self.blocks if b.kind == "variable"):
            name = block.labels[0]
            spec = _arguments(block.body)
            if name in inputs:
                values[name] = inputs[name]
            elif "default" in spec:
                values[name] = self._eval(spec["default"])
            elif "sensitive" in spec and self._eval(spec["sensitive"]) is True:
                # a secret given at deploy time: it matches only itself
                values[name] = "{{resolve:secretsmanager:terraform/" + \
                    f"{self.prefix}var.{name}:value" + "}}"
            else:
                values[name] = Unknown(f"{self.prefix}var.{name} (no default and not "
                                       "given: -var or --var-file)")
        return values

    def _eval(self, node: Tree, evaluator: Evaluator | None = None) -> Any:
        try:
            return (evaluator or self.evaluator).eval(node)
        except EvalError as exc:
            return Unknown(f"an expression Terraform would reject or evaluate at plan ({exc})")
        except RecursionError:
            return Unknown("an expression nested too deep")

    def _root(self, name: str) -> Any:
        if name == "var":
            return Lazy("var", lambda n: self.variables[n] if n in self.variables
                        else Unknown(f"var.{n} (not declared)"))
        if name == "local":
            return Lazy("local", self._local)
        if name == "path":
            return {"module": self.folder, "root": self.reader.root, "cwd": os.getcwd()}
        if name == "terraform":
            return {"workspace": "default"}
        if name == "module":
            return Lazy("module", self._module_outputs)
        if name == "data":
            return Lazy("data", lambda t: Lazy(t, lambda n: self.instances("data", t, n)))
        if ("resource", name) in self.types:
            return Lazy(name, lambda n: self.instances("resource", name, n))
        if name in ("count", "each", "self"):
            raise EvalError(f"{name} outside a resource that sets it")
        return Unknown(f"{name} (not a resource of this configuration)")

    def _local(self, name: str) -> Any:
        if name in self._local_values:
            return self._local_values[name]
        if name not in self.locals:
            raise EvalError(f"local.{name} is not declared")
        if name in self._evaluating:
            return Unknown(f"local.{name} (a circular reference)")
        self._evaluating.append(name)
        try:
            value = self._eval(self.locals[name][0])
        finally:
            self._evaluating.pop()
        self._local_values[name] = value
        return value

    # ------------------------------------------------------------ resources

    def _expansion(self, block: Block, evaluator: Evaluator | None = None) -> Any:
        """None (one instance), a count, a for_each map, or Unknown."""
        meta = _arguments(block.body)
        if "count" in meta:
            count = self._eval(meta["count"], evaluator)
            return count if isinstance(count, Unknown) else int(count)
        if "for_each" in meta:
            each = self._eval(meta["for_each"], evaluator)
            if isinstance(each, list) and all(isinstance(v, str) for v in each):
                return {v: v for v in each}
            if isinstance(each, dict):
                return each
            return each if isinstance(each, Unknown) else Unknown(
                f"for_each of {'.'.join(block.labels)} (known after apply)")
        return None

    def address(self, kind: str, rtype: str, name: str) -> str:
        return f"{self.prefix}{'data.' if kind == 'data' else ''}{rtype}.{name}"

    def instances(self, kind: str, rtype: str, name: str) -> Any:
        key = (kind, rtype, name)
        if key not in self.resources:
            raise EvalError(f"{self.address(kind, rtype, name)} is not declared")
        if key not in self._instances:
            expansion = self._expansion(self.resources[key])
            base = self.address(kind, rtype, name)
            if expansion is None:
                found: Any = ResourceRef(base)
            elif isinstance(expansion, Unknown):
                found = expansion
            elif isinstance(expansion, int):
                found = [ResourceRef(f"{base}[{i}]") for i in range(expansion)]
            else:
                found = {k: ResourceRef(f'{base}["{k}"]') for k in expansion}
            self._instances[key] = found
        return self._instances[key]

    def body(self, body: Tree, evaluator: Evaluator) -> dict[str, Any]:
        """A block's arguments and nested blocks (a list per block name, as the plan's)."""
        values: dict[str, Any] = {}
        for item in _items(body):
            if item.data == "attribute":
                name, node = _attribute(item)
                if name not in META_ARGUMENTS:
                    values[name] = self._eval(node, evaluator)
                continue
            block = _block(item, "")
            if block.kind in META_ARGUMENTS:
                continue
            if block.kind == "dynamic":
                self._dynamic(block, evaluator, values)
                continue
            values.setdefault(block.kind, []).append(self.body(block.body, evaluator))
        return values

    def _dynamic(self, block: Block, evaluator: Evaluator, values: dict) -> None:
        name = block.labels[0]
        meta = _arguments(block.body)
        content = next((_block(i, "") for i in _items(block.body) if i.data == "block"
                        and _block(i, "").kind == "content"), None)
        each = self._eval(meta["for_each"], evaluator) if "for_each" in meta else []
        iterator = (_bare(meta["iterator"]) or name) if "iterator" in meta else name
        found = values.setdefault(name, [])
        if isinstance(each, Unknown) or content is None:
            found.append(each if isinstance(each, Unknown) else Unknown(
                f"dynamic {name} (known after apply)"))
            return
        items = each.items() if isinstance(each, dict) else enumerate(each)
        for key, value in items:
            inner = evaluator.with_names({iterator: {"key": key, "value": value}})
            found.append(self.body(content.body, inner))

    def read(self, found: list[TfResource], warnings: list[str]) -> None:
        for (kind, rtype, name), block in self.resources.items():
            expansion = self._expansion(block)
            base = self.address(kind, rtype, name)
            if isinstance(expansion, Unknown):
                warnings.append(f"{block.location}: how many {base} there are depends on "
                                f"{expansion.why}: it is judged as one")
                expansion = None
            if expansion is None:
                instances = [(base, {})]
            elif isinstance(expansion, int):
                instances = [(f"{base}[{i}]", {"count": {"index": i}})
                             for i in range(expansion)]
            else:
                instances = [(f'{base}["{k}"]', {"each": {"key": k, "value": v}})
                             for k, v in expansion.items()]
            for address, names in instances:
                evaluator = self.evaluator.with_names(names)
                found.append(TfResource(address, rtype, "data" if kind == "data" else
                                        "managed", self.body(block.body, evaluator),
                                        block.location))
        for name, call in self.calls.items():
            for child in self._call(name, call, warnings):
                child.read(found, warnings)

    # ------------------------------------------------------------ modules

    def _call(self, name: str, call: Block, warnings: list[str]) -> list[Module]:
        if name in self._children:
            return self._children[name]
        args = _arguments(call.body)
        source = self._eval(args["source"]) if "source" in args else None
        children: list[Module] = []
        if not (isinstance(source, str) and source.startswith(("./", "../"))):
            warnings.append(f"{call.location}: module {name} comes from {source!r}, which is "
                            "not read (only local modules are): what it makes is not judged")
            self._children[name] = children
            return children
        folder = os.path.normpath(os.path.join(self.folder, source))
        if not os.path.isdir(folder):
            raise TemplateError(f"{call.location}: module {name}: folder {source} not found")
        expansion = self._expansion(call)
        if isinstance(expansion, Unknown):
            warnings.append(f"{call.location}: how many module.{name} there are depends on "
                            f"{expansion.why}: it is judged as one")
            expansion = None
        keyed = [("", {})] if expansion is None else \
            [(f"[{i}]", {"count": {"index": i}}) for i in range(expansion)] \
            if isinstance(expansion, int) else \
            [(f'["{k}"]', {"each": {"key": k, "value": v}}) for k, v in expansion.items()]
        for suffix, names in keyed:
            evaluator = self.evaluator.with_names(names)
            inputs = {k: self._eval(v, evaluator) for k, v in args.items()
                      if k not in META_ARGUMENTS}
            children.append(Module(self.reader, folder, f"{self.prefix}module.{name}{suffix}.",
                                   inputs, self.depth + 1))
        self._children[name] = children
        return children

    def _module_outputs(self, name: str) -> Any:
        if name not in self.calls:
            raise EvalError(f"module.{name} is not declared")
        children = self._call(name, self.calls[name], self.reader.warnings)
        if not children:
            return Unknown(f"module.{name} (a module that is not read)")
        if len(children) == 1 and not children[0].prefix.endswith("]."):
            return Lazy(f"module.{name}", children[0].output)
        return [Lazy(f"module.{name}", c.output) for c in children]

    def output(self, name: str) -> Any:
        block = self.outputs.get(name)
        if block is None:
            raise EvalError(f"{self.prefix}output {name} is not declared")
        spec = _arguments(block.body)
        return self._eval(spec["value"]) if "value" in spec else None

    def region(self) -> Any:
        for block in self.blocks:
            if block.kind == "provider" and block.labels == ["aws"]:
                spec = _arguments(block.body)
                if "alias" not in spec and "region" in spec:
                    return self._eval(spec["region"])
        return None


def _bare(node: Tree) -> str | None:
    """The word of an expression that is one bare identifier (``iterator = rule``)."""
    while isinstance(node, Tree) and node.data == "expr_term":
        inner = [c for c in node.children if isinstance(c, Tree)]
        node = inner[0] if inner else node
        if not inner:
            break
    if isinstance(node, Tree) and node.data == "identifier":
        return str(node.children[0])
    return None


class SourceReader:
    def __init__(self, root: str, variables: dict[str, Any],
                 var_files: tuple[str, ...]) -> None:
        self.root = os.path.normpath(root)
        self.warnings: list[str] = []
        self._parsed: dict[str, list[Block]] = {}  # a module called many times parses once
        given: dict[str, Any] = {}
        auto = [os.path.join(self.root, n) for n in ("terraform.tfvars",
                                                     "terraform.tfvars.json")]
        auto += sorted(glob.glob(os.path.join(self.root, "*.auto.tfvars")))
        auto += sorted(glob.glob(os.path.join(self.root, "*.auto.tfvars.json")))
        for path in [p for p in auto if os.path.isfile(p)] + list(var_files):
            if not os.path.isfile(path):
                raise TemplateError(f"--var-file {path}: not found")
            given.update(tfvars(path))
        given.update({k: literal(v) if isinstance(v, str) else v
                      for k, v in variables.items()})
        self.module = Module(self, self.root, "", given, 0)

    def blocks(self, folder: str) -> list[Block]:
        if folder not in self._parsed:
            files = sorted(glob.glob(os.path.join(folder, "*.tf")))
            self._parsed[folder] = [b for f in files for b in parse_file(f)]
        return self._parsed[folder]


def read_source(folder: str, variables: dict[str, Any], region: str,
                var_files: tuple[str, ...] = ()) -> tuple[list[TfResource], list[str], str]:
    """(resources, warnings, the region they deploy to)."""
    reader = SourceReader(folder, variables, var_files)
    found: list[TfResource] = []
    reader.module.read(found, reader.warnings)
    provider_region = reader.module.region()
    return found, reader.warnings, provider_region if isinstance(provider_region, str) \
        and provider_region else region
