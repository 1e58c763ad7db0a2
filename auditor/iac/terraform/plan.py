"""A Terraform plan in JSON (``terraform show -json plan.out``) as resources.

``planned_values`` holds what Terraform will set; what only ``apply`` can tell is missing
there and marked in ``resource_changes[].change.after_unknown``. For those, the
``configuration`` part says where the value comes from (``"references":
["aws_lb.api.dns_name", "aws_lb.api"]``), so an origin whose domain is an ALB's DNS name
is linked to that ALB although neither name exists yet. A reference through a module's
variable or output is followed to the module call; one through ``local.`` (which the
configuration part does not record) stays unknown. A state (``terraform show -json``
without a plan: ``values``) reads the same way, everything known.
"""

from __future__ import annotations

import json
import re
from typing import Any

from auditor.iac.template import Location, TemplateError
from auditor.iac.terraform.model import Reference, TfResource
from auditor.iac.values import Unknown

KNOWN_MAJOR_VERSIONS = ("0", "1")
TOKEN = re.compile(r'\[[^\]]*\]|[^.\[\]]+')
MODULE_INDEX = re.compile(r"\[[^\]]*\]")


def looks_like_plan(path: str) -> bool:
    if not path.endswith(".json"):
        return False
    try:
        with open(path, encoding="utf-8-sig") as handle:
            head = handle.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    return '"format_version"' in head and ('"terraform_version"' in head
                                           or '"planned_values"' in head)


def _tokens(reference: str) -> list[tuple[Any, bool]]:
    """``aws_lb.api["k"].arn`` -> [(aws_lb, False), (api, False), (k, True), (arn, False)]."""
    out: list[tuple[Any, bool]] = []
    for token in TOKEN.findall(reference):
        if token.startswith("["):
            inner = token[1:-1]
            out.append((int(inner) if inner.isdigit() else inner.strip('"'), True))
        else:
            out.append((token, False))
    return out


def _index_text(step: Any) -> str:
    return f"[{step}]" if isinstance(step, int) else f'["{step}"]'


class PlanReader:
    def __init__(self, path: str) -> None:
        self.path = path
        try:
            with open(path, encoding="utf-8-sig") as handle:
                self.text = handle.read()
            self.doc = json.loads(self.text)
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"{path}: cannot read the plan ({exc})") from exc
        except json.JSONDecodeError as exc:
            raise TemplateError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") \
                from exc
        version = str(self.doc.get("format_version", "")) if isinstance(self.doc, dict) \
            else ""
        if version.split(".")[0] not in KNOWN_MAJOR_VERSIONS:
            raise TemplateError(f"{path}:1: plan JSON format_version {version or 'missing'}: "
                                "this reader knows 0.x and 1.x (terraform show -json)")
        self.values_root = (self.doc.get("planned_values") or self.doc.get("values") or {}
                            ).get("root_module")
        if not isinstance(self.values_root, dict):
            raise TemplateError(f"{path}:1: a plan JSON without planned_values.root_module")
        self.unknown = {c.get("address"): (c.get("change") or {}).get("after_unknown") or {}
                        for c in self.doc.get("resource_changes") or []}
        self.variables = {k: (v or {}).get("value")
                          for k, v in (self.doc.get("variables") or {}).items()}
        self.config_root = (self.doc.get("configuration") or {}).get("root_module") or {}
        self._planned_at = self.text.find('"planned_values"')

    # ---------------------------------------------------------------- configuration

    def _config_module(self, calls: list[str]) -> dict:
        module = self.config_root
        for name in calls:
            module = ((module.get("module_calls") or {}).get(name) or {}).get("module") or {}
        return module

    @staticmethod
    def _calls(prefix: str) -> list[str]:
        """``module.a[0].module.b.`` -> [a, b] (configuration is per call, not instance)."""
        parts = MODULE_INDEX.sub("", prefix).split(".")
        return [parts[i + 1] for i in range(0, len(parts) - 1, 2) if parts[i] == "module"]

    def _expressions(self, prefix: str, resource: dict) -> dict:
        module = self._config_module(self._calls(prefix))
        kind = "data." if resource.get("mode") == "data" else ""
        wanted = f"{kind}{resource.get('type')}.{resource.get('name')}"
        for candidate in module.get("resources") or []:
            if candidate.get("address") == wanted:
                return candidate.get("expressions") or {}
        return {}

    def follow(self, prefix: str, references: list[str]) -> Any:
        """The first reference of an expression (the most specific: ``aws_lb.api.arn``
        before ``aws_lb.api``) as a `Reference`, followed through module variables and
        outputs; else unknown."""
        if not references:
            return Unknown("an expression without references (known after apply)")
        tokens = _tokens(references[0])
        steps = [t for t, _ in tokens]
        head = steps[0] if steps else ""
        calls = self._calls(prefix)
        if head == "var" and len(steps) >= 2:
            if not calls:
                return self.variables.get(steps[1], Unknown(f"var.{steps[1]}"))
            parent_prefix = prefix.rsplit("module.", 1)[0]
            call = (self._config_module(calls[:-1]).get("module_calls") or {}).get(calls[-1])
            expression = ((call or {}).get("expressions") or {}).get(steps[1]) or {}
            if "constant_value" in expression:
                return expression["constant_value"]
            return self.follow(parent_prefix, expression.get("references") or [])
        if head == "module" and len(steps) >= 3:
            child = self._config_module(calls + [str(steps[1])])
            output = (child.get("outputs") or {}).get(str(steps[2])) or {}
            expression = output.get("expression") or {}
            if "constant_value" in expression:
                return expression["constant_value"]
            return self.follow(f"{prefix}module.{steps[1]}.",
                               expression.get("references") or [])
        if head in ("local", "count", "each", "path", "terraform", "self"):
            return Unknown(f"{references[0]} (evaluated by terraform plan)")
        start = 2 if head == "data" else 1  # the name's position
        if len(tokens) <= start:
            return Unknown(f"{references[0]} (known after apply)")
        address = prefix + ".".join(str(s) for s in steps[:start + 1])
        rest = tokens[start + 1:]
        if rest and rest[0][1]:  # an instance key: aws_lb.api[0]
            address += _index_text(rest[0][0])
            rest = rest[1:]
        if not rest:
            return Unknown(f"{references[0]} (the plan records the resource, not which "
                           "attribute: known after apply)")
        return Reference(address, str(rest[0][0]), tuple(t for t, _ in rest[1:]))

    # ---------------------------------------------------------------- values

    def merge(self, prefix: str, values: Any, expressions: Any, unknown: Any,
              where: str) -> Any:
        """Planned values, with what is unknown taken from the configuration."""
        if not isinstance(values, dict):
            values = {}
        out = dict(values)
        unknown = unknown if isinstance(unknown, dict) else {}
        keys = set(out) | set(unknown) | set(expressions if isinstance(expressions, dict)
                                             else {})
        for key in keys:
            expression = expressions.get(key) if isinstance(expressions, dict) else None
            mask = unknown.get(key)
            value = out.get(key)
            if isinstance(expression, list) and (isinstance(value, list) or value is None):
                blocks = value if isinstance(value, list) else []
                masks = mask if isinstance(mask, list) else []
                count = max(len(blocks), len(expression)) if (blocks or mask) else \
                    len(expression)
                out[key] = [self.merge(prefix,
                                       blocks[i] if i < len(blocks) else {},
                                       expression[i] if i < len(expression) else {},
                                       masks[i] if i < len(masks) else {},
                                       f"{where}.{key}[{i}]") for i in range(count)]
                continue
            if mask is True or (value is None and isinstance(expression, dict)
                                and expression.get("references")):
                if isinstance(expression, dict) and expression.get("references"):
                    out[key] = self.follow(prefix, expression["references"])
                elif mask is True:
                    out[key] = Unknown(f"{where}.{key} (known after apply)")
            elif isinstance(mask, (dict, list)) and isinstance(value, (dict, list)):
                out[key] = self._mark(value, mask, f"{where}.{key}")
        return out

    def _mark(self, value: Any, mask: Any, where: str) -> Any:
        if mask is True:
            return Unknown(f"{where} (known after apply)")
        if isinstance(value, dict) and isinstance(mask, dict):
            marked = {k: self._mark(v, mask.get(k), f"{where}.{k}") for k, v in value.items()}
            marked.update({k: Unknown(f"{where}.{k} (known after apply)")
                           for k, m in mask.items() if m is True and k not in value})
            return marked
        if isinstance(value, list) and isinstance(mask, list):
            return [self._mark(v, mask[i] if i < len(mask) else None, f"{where}[{i}]")
                    for i, v in enumerate(value)]
        return value

    def _location(self, address: str) -> Location:
        found = re.search(r'"address"\s*:\s*' + re.escape(json.dumps(address)),
                          self.text[max(self._planned_at, 0):])
        if not found:
            return Location(self.path, 1, 1)
        offset = max(self._planned_at, 0) + found.start()
        line = self.text.count("\n", 0, offset) + 1
        return Location(self.path, line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1)

    def resources(self) -> list[TfResource]:
        found: list[TfResource] = []
        self._walk(self.values_root, found)
        return found

    def _walk(self, module: dict, found: list[TfResource]) -> None:
        for resource in module.get("resources") or []:
            address = str(resource.get("address", ""))
            name_part = f"{resource.get('type')}.{resource.get('name')}"
            if resource.get("mode") == "data":
                name_part = "data." + name_part
            prefix = address[:address.find(name_part)] if name_part in address else ""
            values = resource.get("values") if isinstance(resource.get("values"), dict) \
                else {}
            merged = self.merge(prefix, values, self._expressions(prefix, resource),
                                self.unknown.get(address), address)
            known = {k: v for k, v in values.items() if v is not None}
            found.append(TfResource(address, str(resource.get("type", "")),
                                    str(resource.get("mode", "managed")), merged,
                                    self._location(address), known))
        for child in module.get("child_modules") or []:
            self._walk(child, found)


    def region(self) -> str | None:
        """The default aws provider's region, when the configuration writes it."""
        config = ((self.doc.get("configuration") or {}).get("provider_config") or {})
        aws = config.get("aws") or {}
        region = ((aws.get("expressions") or {}).get("region") or {}).get("constant_value")
        if region is None and "var." in str((aws.get("expressions") or {}).get("region")):
            refs = aws["expressions"]["region"].get("references") or []
            value = self.follow("", refs)
            region = value if isinstance(value, str) else None
        return region if isinstance(region, str) else None


def read_plan(path: str) -> list[TfResource]:
    return PlanReader(path).resources()
