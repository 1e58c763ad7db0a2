"""CloudFormation's intrinsic functions, resolved where the template determines them.

``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split``,
``Fn::If`` with its conditions, ``Fn::FindInMap``, ``Fn::ImportValue``, ``Fn::GetAZs``,
``Fn::Base64`` and the pseudo parameters. What only a deployment can tell (an import no
stack of the run exports, an SSM parameter, an attribute AWS assigns that nothing here
models) becomes `Unknown` with its reason; a template error (a reference to nothing, an
unknown function, a loop) is a `TemplateError` with the file and line.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

from auditor.iac.identities import Identities, Place
from auditor.iac.template import TemplateError
from auditor.iac.values import (
    DYNAMIC_REFERENCE,
    NO_VALUE,
    DeployTimeSecret,
    Unknown,
    dynamic_reference,
)

CONDITIONS = ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition")
FUNCTIONS = ("Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If",
             "Fn::FindInMap", "Fn::ImportValue", "Fn::GetAZs", "Fn::Base64", "Fn::Cidr",
             "Fn::Length", "Fn::ToJsonString", "Fn::Transform", *CONDITIONS)
SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")
SSM_PARAMETER_TYPE = "AWS::SSM::Parameter::Value<"


def _line(node: Any) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def _pseudo(place: Place) -> dict[str, Any]:
    suffix = "amazonaws.com.cn" if place.partition == "aws-cn" else "amazonaws.com"
    return {
        "AWS::AccountId": place.account, "AWS::Region": place.region,
        "AWS::Partition": place.partition, "AWS::StackName": place.stack,
        "AWS::URLSuffix": suffix, "AWS::NoValue": NO_VALUE,
        "AWS::StackId": f"arn:{place.partition}:cloudformation:{place.region}:"
                        f"{place.account}:stack/{place.stack}/"
                        "00000000-0000-4000-8000-000000000000",
        "AWS::NotificationARNs": Unknown("AWS::NotificationARNs"),
    }


SECRET_TYPE = "AWS::SecretsManager::Secret"
# GenerateSecretString's PasswordLength when omitted (AWS::SecretsManager::Secret docs)
SECRETS_MANAGER_DEFAULT_LENGTH = 32


class Resolver:
    """Resolves one stack's values. ``imports``: export name -> value of the other
    stacks of the run (a CDK assembly's cross-stack references); ``parameters``: the
    values given, else each parameter's default."""

    def __init__(self, body: dict, path: str, place: Place, parameters: dict[str, Any],
                 imports: Callable[[str], Any] | None = None) -> None:
        self.body, self.path, self.place = body, path, place
        self.resources: dict[str, dict] = {str(k): v for k, v in
                                           (body.get("Resources") or {}).items()}
        self.identities = Identities(place, self.resources, self.resolve)
        self.parameters = self._parameters(parameters)
        self.pseudo = _pseudo(place)
        self.imports = imports or (lambda name: Unknown(f"Fn::ImportValue {name}"))
        self._conditions: dict[str, Any] = {}
        # set by the estate: (nested stack's logical id, output name, node) -> its value
        self.nested_output: Callable[[str, str, Any], Any] = \
            lambda logical, output, node: Unknown(f"{logical}.Outputs.{output}")
        self._evaluating: list[str] = []

    # ---------------------------------------------------------------- inputs

    def _parameters(self, given: dict[str, Any]) -> dict[str, Any]:
        declared = self.body.get("Parameters") or {}
        values: dict[str, Any] = {}
        for name, spec in declared.items():
            spec = spec if isinstance(spec, dict) else {}
            kind = str(spec.get("Type", "String"))
            if name in given:
                value = given[name]
            elif kind.startswith(SSM_PARAMETER_TYPE):
                value = Unknown(f"SSM parameter {spec.get('Default', name)} (parameter "
                                f"{name})")
                values[str(name)] = value
                continue
            elif "Default" in spec:
                value = spec["Default"]
            else:
                value = Unknown(f"parameter {name}, which has no default and was not given "
                                "(--parameter)")
                values[str(name)] = value
                continue
            if (kind == "CommaDelimitedList" or kind.startswith("List<")) and \
                    isinstance(value, str):
                value = [v.strip() for v in value.split(",")]
            values[str(name)] = value
        return values

    def fail(self, message: str, node: Any = None) -> TemplateError:
        line = _line(node)
        return TemplateError(f"{self.path}{f':{line}' if line else ''}: {message}")

    # ---------------------------------------------------------------- values

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                key = str(next(iter(value)))
                if key in FUNCTIONS and key != "Condition":
                    return self._function(key, value[key], value)
                if key.startswith("Fn::"):
                    raise self.fail(f"unknown intrinsic function {key}", value)
            out = {}
            for k, v in value.items():
                resolved = self.resolve(v)
                if resolved is not NO_VALUE:
                    out[str(k)] = resolved
            return out
        if isinstance(value, list):
            return [r for r in (self.resolve(v) for v in value) if r is not NO_VALUE]
        if isinstance(value, str):
            found = dynamic_reference(value)
            if isinstance(found, DeployTimeSecret):
                found = self._generated(value, found)
            return found if found is not None else str(value)
        return value

    def _generated(self, text: str, secret: DeployTimeSecret) -> DeployTimeSecret:
        """A reference to a secret this template generates (``GenerateSecretString``)
        carries the generated length, so BYP-009 can judge it; any other stays untold."""
        found = DYNAMIC_REFERENCE.search(text)
        parts = found.group(2).split(":") if found else []
        if not parts or found.group(1) != "secretsmanager":
            return secret
        secret_id, key = parts[0], parts[2] if len(parts) > 2 and parts[2] else None
        for logical, raw in self.resources.items():
            if not isinstance(raw, dict) or raw.get("Type") != SECRET_TYPE:
                continue
            props = raw.get("Properties") or {}
            generate = props.get("GenerateSecretString")
            if not isinstance(generate, dict):
                continue
            names = {str(self.identities.ref(logical))}
            name = props.get("Name")
            if name is not None:
                names.add(str(self.resolve(name)))
            generated_key = generate.get("GenerateStringKey")
            if secret_id in names and (key is None or key == generated_key or (
                    generated_key is None and "SecretStringTemplate" not in generate)):
                length = generate.get("PasswordLength", SECRETS_MANAGER_DEFAULT_LENGTH)
                if isinstance(length, int):
                    return DeployTimeSecret(f"{text[:found.end() - 2]}:generated={length}}}}}")
        return secret

    def check_functions(self, value: Any) -> None:
        """Refuse an unknown ``Fn::`` anywhere, without resolving: a resource the pattern
        does not read is not evaluated, but CloudFormation would reject the template."""
        if isinstance(value, dict):
            for key, inner in value.items():
                if str(key).startswith("Fn::") and key not in FUNCTIONS and \
                        key not in CONDITIONS:
                    raise self.fail(f"unknown intrinsic function {key}", value)
                self.check_functions(inner)
        elif isinstance(value, list):
            for inner in value:
                self.check_functions(inner)

    def _function(self, name: str, arg: Any, node: Any) -> Any:
        if name in CONDITIONS:
            return self._truth({name: arg})
        handler = getattr(self, "_fn_" + name.removeprefix("Fn::").lower())
        return handler(arg, node)

    def _fn_ref(self, arg: Any, node: Any) -> Any:
        target = self.resolve(arg)
        if not isinstance(target, str):
            raise self.fail("Ref takes a name", node)
        if target in self.pseudo:
            return self.pseudo[target]
        if target in self.parameters:
            return self.parameters[target]
        if target in self.resources:
            return self.identities.ref(target)
        raise self.fail(f"Ref to {target}, which is neither a parameter nor a resource", node)

    def _fn_getatt(self, arg: Any, node: Any) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not isinstance(arg, list) or len(arg) != 2:
            raise self.fail("Fn::GetAtt takes [LogicalId, Attribute]", node)
        logical, attribute = str(arg[0]), self.resolve(arg[1])
        if logical not in self.resources:
            raise self.fail(f"Fn::GetAtt of {logical}, which is not a resource", node)
        if isinstance(attribute, Unknown):
            return attribute
        if self.resources[logical].get("Type") == "AWS::CloudFormation::Stack" and \
                str(attribute).startswith("Outputs."):
            output = str(attribute).removeprefix("Outputs.")
            return self._guarded(f"{logical}.{attribute}", node,
                                 lambda: self.nested_output(logical, output, node))
        return self._guarded(f"{logical}.{attribute}", node,
                             lambda: self.identities.attribute(logical, str(attribute)))

    def _guarded(self, key: str, node: Any, compute: Callable[[], Any]) -> Any:
        if key in self._evaluating:
            chain = " -> ".join([*self._evaluating[self._evaluating.index(key):], key])
            raise self.fail(f"circular reference: {chain}", node)
        self._evaluating.append(key)
        try:
            return compute()
        finally:
            self._evaluating.pop()

    def _fn_sub(self, arg: Any, node: Any) -> Any:
        if isinstance(arg, list):
            if len(arg) != 2 or not isinstance(arg[1], dict):
                raise self.fail("Fn::Sub takes a string or [string, {variables}]", node)
            text, variables = arg[0], {k: self.resolve(v) for k, v in arg[1].items()}
        else:
            text, variables = arg, {}
        if not isinstance(text, str):
            raise self.fail("Fn::Sub takes a string", node)
        unknown: list[Unknown] = []

        def value_of(match: re.Match) -> str:
            name = match.group(1).strip()
            if name in variables:
                found = variables[name]
            elif "." in name and name.split(".", 1)[0] in self.resources:
                found = self._fn_getatt(name.split(".", 1), node)
            else:
                found = self._fn_ref(name, node)
            if isinstance(found, Unknown):
                unknown.append(found)
                return ""
            return str(found) if not isinstance(found, list) else ",".join(map(str, found))

        result = SUB_VARIABLE.sub(value_of, text).replace("${!", "${")
        if unknown:
            return Unknown(unknown[0].why)
        return self.resolve(result)  # a dynamic reference built by Sub is one too

    def _fn_join(self, arg: Any, node: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            raise self.fail("Fn::Join takes [delimiter, [values]]", node)
        delimiter, items = self.resolve(arg[0]), self.resolve(arg[1])
        for item in (items if isinstance(items, list) else [items]):
            if isinstance(item, Unknown):
                return item
        if isinstance(items, Unknown):
            return items
        if not isinstance(items, list):
            raise self.fail("Fn::Join takes a list of values", node)
        return str(delimiter).join(str(i) for i in items)

    def _fn_select(self, arg: Any, node: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            raise self.fail("Fn::Select takes [index, [values]]", node)
        index, items = self.resolve(arg[0]), self.resolve(arg[1])
        if isinstance(index, Unknown) or isinstance(items, Unknown):
            return index if isinstance(index, Unknown) else items
        try:
            return items[int(index)]
        except (IndexError, ValueError, TypeError, KeyError) as exc:
            raise self.fail(f"Fn::Select index {index} is out of range", node) from exc

    def _fn_split(self, arg: Any, node: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            raise self.fail("Fn::Split takes [delimiter, string]", node)
        delimiter, text = self.resolve(arg[0]), self.resolve(arg[1])
        if isinstance(text, Unknown):
            return text
        return str(text).split(str(delimiter))

    def _fn_if(self, arg: Any, node: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 3:
            raise self.fail("Fn::If takes [condition, value if true, value if false]", node)
        chosen = self.condition(str(arg[0]), node)
        if isinstance(chosen, Unknown):
            return chosen
        return self.resolve(arg[1] if chosen else arg[2])

    def _fn_findinmap(self, arg: Any, node: Any) -> Any:
        if not isinstance(arg, list) or len(arg) not in (3, 4):
            raise self.fail("Fn::FindInMap takes [map, top-level key, second-level key]", node)
        keys = [self.resolve(a) for a in arg[:3]]
        for key in keys:
            if isinstance(key, Unknown):
                return key
        mapping = (self.body.get("Mappings") or {}).get(keys[0])
        try:
            return self.resolve(mapping[keys[1]][keys[2]])
        except (KeyError, TypeError) as exc:
            if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
                return self.resolve(arg[3]["DefaultValue"])
            raise self.fail(f"Fn::FindInMap: {keys[0]}/{keys[1]}/{keys[2]} is not in the "
                            "template's Mappings", node) from exc

    def _fn_importvalue(self, arg: Any, node: Any) -> Any:
        name = self.resolve(arg)
        if isinstance(name, Unknown):
            return name
        return self._guarded(f"Fn::ImportValue {name}", node, lambda: self.imports(str(name)))

    def _fn_getazs(self, arg: Any, node: Any) -> Any:
        region = self.resolve(arg) or self.place.region
        return [f"{region}{z}" for z in "abc"]

    def _fn_base64(self, arg: Any, node: Any) -> Any:
        text = self.resolve(arg)
        if isinstance(text, Unknown):
            return text
        return base64.b64encode(str(text).encode()).decode()

    def _fn_cidr(self, arg: Any, node: Any) -> Any:
        return Unknown("Fn::Cidr")

    def _fn_length(self, arg: Any, node: Any) -> Any:
        items = self.resolve(arg)
        return items if isinstance(items, Unknown) else len(items)

    def _fn_tojsonstring(self, arg: Any, node: Any) -> Any:
        value = self.resolve(arg)
        return value if isinstance(value, Unknown) else json.dumps(value, default=str)

    def _fn_transform(self, arg: Any, node: Any) -> Any:
        return Unknown("Fn::Transform (a macro runs at deploy time)")

    # ---------------------------------------------------------------- conditions

    def condition(self, name: str, node: Any = None) -> bool | Unknown:
        if name in self._conditions:
            return self._conditions[name]
        declared = self.body.get("Conditions") or {}
        if name not in declared:
            raise self.fail(f"condition {name} is not declared", node)
        result = self._guarded(f"Condition {name}", node,
                               lambda: self._truth(declared[name]))
        self._conditions[name] = result
        return result

    def _truth(self, expr: Any) -> bool | Unknown:
        if not isinstance(expr, dict) or len(expr) != 1:
            raise self.fail("a condition is one Fn::Equals, Fn::And, Fn::Or, Fn::Not or "
                            "Condition", expr)
        key, arg = str(next(iter(expr))), next(iter(expr.values()))
        if key == "Condition":
            return self.condition(str(arg), expr)
        if key == "Fn::Equals":
            if not isinstance(arg, list) or len(arg) != 2:
                raise self.fail("Fn::Equals takes two values", expr)
            a, b = self.resolve(arg[0]), self.resolve(arg[1])
            if isinstance(a, Unknown) or isinstance(b, Unknown):
                return a if isinstance(a, Unknown) else b
            return str(a) == str(b) if not isinstance(a, list) else a == b
        if key in ("Fn::And", "Fn::Or", "Fn::Not"):
            values = [self._truth(v) for v in (arg if isinstance(arg, list) else [arg])]
            known = [v for v in values if not isinstance(v, Unknown)]
            if key == "Fn::Not":
                return values[0] if isinstance(values[0], Unknown) else not values[0]
            if key == "Fn::And" and False in known:
                return False
            if key == "Fn::Or" and True in known:
                return True
            unknown = [v for v in values if isinstance(v, Unknown)]
            return unknown[0] if unknown else key == "Fn::And"
        if key in FUNCTIONS:
            value = self._function(key, arg, expr)
            return value if isinstance(value, Unknown) else bool(value)
        raise self.fail(f"unknown condition function {key}", expr)
