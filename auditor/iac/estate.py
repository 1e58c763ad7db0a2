"""The templates of one ``iac`` run as one estate: every stack's resources, resolved.

A path is a template (CloudFormation or SAM), or a CDK cloud assembly (``cdk.out``: every
stack of its manifest). Nested stacks with a local template are followed (a CDK nested
stack through its asset path); an ``Fn::ImportValue`` is answered by the stack of the run
that exports that name, else it is known only at deploy time.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from auditor.iac.identities import Identities, Place
from auditor.iac.intrinsics import Resolver
from auditor.iac.template import LoadedTemplate, Location, TemplateError, load
from auditor.iac.values import Unknown

STACK_TYPE = "AWS::CloudFormation::Stack"
CDK_STACK_ARTIFACT = "aws:cloudformation:stack"
CDK_ASSET_PATH = "aws:asset:path"
MAX_NESTING = 10


@dataclass
class Resource:
    logical: str
    type: str
    props: dict[str, Any]
    location: Location
    stack: Stack
    tags: dict[str, str] = field(default_factory=dict)
    # Ref and Fn::GetAtt, made once: the answers compare them across every resource
    _names: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ids(self) -> Identities:
        return self.stack.resolver.identities

    @property
    def place(self) -> Place:
        return self.stack.place

    def ref(self) -> Any:
        if "" not in self._names:
            self._names[""] = self.ids.ref(self.logical)
        return self._names[""]

    def attr(self, name: str) -> Any:
        if name not in self._names:
            self._names[name] = self.ids.attribute(self.logical, name)
        return self._names[name]


@dataclass
class Stack:
    name: str
    path: str
    place: Place
    resolver: Resolver
    resources: dict[str, Resource] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    account: str = "123456789012"
    region: str = "us-east-1"
    parameters: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)  # Terraform -var
    var_files: tuple[str, ...] = ()  # Terraform -var-file


@dataclass
class Estate:
    stacks: list[Stack] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def resources(self, kind: str | None = None) -> list[Resource]:
        return [r for s in self.stacks for r in s.resources.values()
                if kind is None or r.type == kind]

    @property
    def regions(self) -> list[str]:
        return sorted({s.place.region for s in self.stacks})


def _tags(props: dict) -> dict[str, str]:
    raw = props.get("Tags")
    if isinstance(raw, list):
        return {str(t.get("Key")): str(t.get("Value")) for t in raw
                if isinstance(t, dict) and not isinstance(t.get("Value"), Unknown)}
    if isinstance(raw, dict):  # AWS::Serverless and a few others take a map
        return {str(k): str(v) for k, v in raw.items() if not isinstance(v, Unknown)}
    return {}


class _Builder:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.estate = Estate()
        self.exports: dict[str, tuple[Stack, Any]] = {}  # export name -> (stack, raw value)
        self.nested: dict[tuple[int, str], Stack] = {}  # (parent, logical id) -> child
        self.unresolved: list[tuple[Stack, Any, int]] = []  # loaded, resources not resolved

    # ---------------------------------------------------------------- one stack

    def add_stack(self, path: str, name: str, place: Place, parameters: dict[str, Any],
                  depth: int = 0) -> Stack:
        return self.add_loaded(load(path, place.region), name, place, parameters, depth)

    def add_loaded(self, loaded: LoadedTemplate, name: str, place: Place,
                   parameters: dict[str, Any], depth: int = 0) -> Stack:
        path = loaded.path
        resolver = Resolver(loaded.body, path, place, parameters, self._import)
        stack = Stack(name, path, place, resolver, warnings=list(loaded.warnings))
        self.estate.stacks.append(stack)
        self.estate.warnings += loaded.warnings
        for output in (loaded.body.get("Outputs") or {}).values():
            export = (output or {}).get("Export") if isinstance(output, dict) else None
            if isinstance(export, dict) and "Name" in export:
                export_name = resolver.resolve(export["Name"])
                if isinstance(export_name, str):
                    self.exports[export_name] = (stack, output.get("Value"))
        resolver.nested_output = lambda logical, output, node: self._nested_output(
            stack, logical, output, node)
        self.unresolved.append((stack, loaded, depth))
        return stack

    def finish(self) -> Estate:
        """Resolve every loaded stack's resources, once all exports are known (a stack
        may import from one listed after it); nested stacks join as they are found."""
        while self.unresolved:
            stack, loaded, depth = self.unresolved.pop(0)
            self._resolve_resources(stack, loaded, depth)
        return self.estate

    def _resolve_resources(self, stack: Stack, loaded, depth: int) -> None:
        resolver = stack.resolver
        for logical, raw in resolver.resources.items():
            if not isinstance(raw, dict) or "Type" not in raw:
                raise resolver.fail(f"resource {logical} has no Type", raw)
            condition = raw.get("Condition")
            if condition is not None:
                created = resolver.condition(str(condition), raw)
                if created is False:
                    continue
                if isinstance(created, Unknown):
                    stack.warnings.append(
                        f"{stack.path}: whether {logical} is created depends on "
                        f"{created.why}: it is judged as if it were")
            kind = str(raw["Type"])
            location = loaded.locations.get(logical, Location(stack.path, 1, 1))
            if kind == STACK_TYPE:
                self._nested(stack, logical, raw, location, depth)
            props = raw.get("Properties") or {}
            if kind in RELEVANT or kind == STACK_TYPE:
                resolved = resolver.resolve(props)
            else:
                resolver.check_functions(props)
                resolved = {}
            resolved = resolved if isinstance(resolved, dict) else {}
            tags = _tags(resolved)
            tags.setdefault("aws:cloudformation:stack-name", stack.name)
            tags.setdefault("aws:cloudformation:logical-id", logical)
            stack.resources[logical] = Resource(logical, kind, resolved, location, stack, tags)
        self.estate.warnings += [w for w in stack.warnings if w not in self.estate.warnings]

    # ---------------------------------------------------------------- nested stacks

    def _nested(self, parent: Stack, logical: str, raw: dict, location: Location,
                depth: int) -> None:
        if depth >= MAX_NESTING:
            raise TemplateError(f"{location}: nested stacks deeper than {MAX_NESTING}")
        props = raw.get("Properties") or {}
        metadata = raw.get("Metadata") or {}
        url = metadata.get(CDK_ASSET_PATH) or props.get("TemplateURL")
        url = parent.resolver.resolve(url)
        if not isinstance(url, str) or (url.startswith(("https://", "http://", "s3://")) \
                and not metadata.get(CDK_ASSET_PATH)):
            parent.warnings.append(f"{location}: nested stack {logical} is not a local file "
                                   "(its resources are not judged)")
            return
        child_path = os.path.normpath(os.path.join(os.path.dirname(parent.path), url))
        if not os.path.isfile(child_path):
            raise TemplateError(f"{location}: nested stack {logical}: template {url} not "
                                f"found ({child_path})")
        parameters = parent.resolver.resolve(props.get("Parameters") or {})
        place = Place(parent.place.account, parent.place.region,
                      f"{parent.name}-{logical}", parent.place.partition)
        child = self.add_stack(child_path, place.stack, place, parameters, depth + 1)
        entry = next(u for u in self.unresolved if u[0] is child)
        self.unresolved.remove(entry)
        self.nested[(id(parent), logical)] = child
        self._resolve_resources(child, entry[1], depth + 1)

    def _nested_output(self, parent: Stack, logical: str, output: str, node: Any) -> Any:
        child = self.nested.get((id(parent), logical))
        if child is None:
            return Unknown(f"{logical}.Outputs.{output} (a nested stack not read)")
        outputs = child.resolver.body.get("Outputs") or {}
        if output not in outputs:
            raise parent.resolver.fail(f"{logical} has no output {output}", node)
        return child.resolver.resolve((outputs[output] or {}).get("Value"))

    # ---------------------------------------------------------------- imports

    def _import(self, name: str) -> Any:
        found = self.exports.get(name)
        if found is None:
            return Unknown(f"Fn::ImportValue {name}: no stack of this run exports it")
        stack, raw = found
        return stack.resolver.resolve(raw)

    # ---------------------------------------------------------------- CDK

    def add_assembly(self, folder: str) -> None:
        manifest_path = os.path.join(folder, "manifest.json")
        try:
            with open(manifest_path, encoding="utf-8") as handle:
                manifest = json.load(handle)
        except (OSError, json.JSONDecodeError) as exc:
            raise TemplateError(f"{manifest_path}: not a CDK cloud assembly ({exc})") from exc
        stacks = [(name, art) for name, art in (manifest.get("artifacts") or {}).items()
                  if art.get("type") == CDK_STACK_ARTIFACT]
        if not stacks:
            raise TemplateError(f"{manifest_path}: the assembly has no CloudFormation stack")
        # Exports first: a stack may import from one synthesized after it.
        pending = []
        for name, art in stacks:
            props = art.get("properties") or {}
            account, region = _environment(art.get("environment", ""), self.options)
            place = Place(account, region, props.get("stackName") or name)
            pending.append((os.path.join(folder, props.get("templateFile", "")), place, props))
        for path, place, props in pending:
            self.add_stack(path, place.stack, place,
                           {**(props.get("parameters") or {}), **self.options.parameters})


def _environment(env: str, options: Options) -> tuple[str, str]:
    """A CDK stack's ``aws://ACCOUNT/REGION``; the environment-agnostic parts take
    ``--account`` and ``--region``."""
    parts = env.removeprefix("aws://").split("/") if env.startswith("aws://") else []
    account = parts[0] if len(parts) == 2 and parts[0].isdigit() else options.account
    region = parts[1] if len(parts) == 2 and not parts[1].startswith("unknown") \
        else options.region
    return account, region


# The resource types the virtual account reads; others keep only their identities.
RELEVANT = frozenset({
    "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::ListenerCertificate",
    "AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::Lambda::Version",
    "AWS::Lambda::Permission", "AWS::Lambda::Url",
    "AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::PrefixList",
    "AWS::EC2::Subnet",
    "AWS::CloudFront::Distribution", "AWS::CloudFront::CachePolicy",
    "AWS::CloudFront::OriginRequestPolicy", "AWS::CloudFront::MonitoringSubscription",
    "AWS::CloudFront::VpcOrigin", "AWS::CloudFront::RealtimeLogConfig",
    "AWS::WAFv2::WebACL", "AWS::WAFv2::WebACLAssociation", "AWS::WAFv2::RuleGroup",
    "AWS::CertificateManager::Certificate",
    "AWS::CloudWatch::Alarm", "AWS::Route53::HostedZone", "AWS::Route53::RecordSet",
    "AWS::Route53::RecordSetGroup", "AWS::Logs::DeliverySource", "AWS::Logs::Delivery",
})


def is_assembly(path: str) -> bool:
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, "manifest.json"))


def build(paths: list[str], options: Options) -> Estate:
    builder = _Builder(options)
    for path in paths:
        if is_assembly(path):
            builder.add_assembly(path)
        elif is_terraform(path):
            _add_terraform(builder, path, options)
        elif os.path.isdir(path):
            raise TemplateError(f"{path}: a folder that is neither a CDK cloud assembly (no "
                                "manifest.json) nor Terraform source (no .tf file); give "
                                "the template files")
        else:
            name = os.path.splitext(os.path.basename(path))[0]
            place = Place(options.account, options.region, name)
            builder.add_stack(path, name, place, dict(options.parameters))
    return builder.finish()


def _add_terraform(builder: _Builder, path: str, options: Options) -> None:
    """A plan JSON or a folder of ``.tf`` source: one stack named after it, resources
    named by address."""
    from auditor.iac.terraform.convert import to_template

    if os.path.isdir(path):
        from auditor.iac.terraform.source import read_source

        resources, warnings, region = read_source(path, options.variables, options.region,
                                                  options.var_files)
    else:
        from auditor.iac.terraform.plan import PlanReader

        plan = PlanReader(path)
        resources, warnings, region = plan.resources(), [], plan.region() or options.region
    loaded = to_template(resources, path, region, warnings)
    loaded.warnings.extend(warnings)
    name = os.path.basename(os.path.normpath(path))
    name = os.path.splitext(name)[0] or "terraform"
    builder.add_loaded(loaded, name, Place(options.account, region, name), {})


def is_terraform(path: str) -> bool:
    from auditor.iac.terraform.plan import looks_like_plan

    if os.path.isdir(path):
        return any(f.endswith(".tf") for f in os.listdir(path))
    return looks_like_plan(path)
