"""The public API for rule packs: what a pack imports, and all it may rely on.

Everything a pack needs is importable from here; nothing else in ``auditor`` is a
contract. From version 0.4.0 these names, the documented fields of the model types
below, and the documented `Topology` methods change only with a major version (the
README's "Writing your own checks" lists them). Anything else may change in any release.

A check is ``check(topology, subject, params) -> Verdict | None``: ``subject`` is the
model type its `SubjectKind` names, ``params`` the rule's defaults overridden by
``--config``; ``None`` leaves the subject out of scope. Reading a value that could not be
collected goes through `need`, which raises `DataUnavailable`, and the engine turns that
into an ``error`` result: never a pass.

Model fields a check may read (documented and stable):

- `LoadBalancer`: ``arn``, ``name``, ``dns_name``, ``scheme``, ``internet_facing``,
  ``account``, ``region``, ``security_group_ids``, ``listeners``, ``attributes``, ``vpc_id``
- `Listener`: ``arn``, ``port``, ``protocol``, ``rules``; `ListenerRule`: ``arn``,
  ``priority``, ``forward_target_groups``
- `TargetGroup`: ``arn``, ``name``, ``account``, ``region``, ``health_check``
  (`HealthCheck`: ``enabled``, ``interval_seconds``, ``timeout_seconds``,
  ``healthy_threshold``, ``unhealthy_threshold``, ``path``), ``attributes``, ``targets``
- `LambdaFunction`: ``arn``, ``name``, ``qualifier``, ``account``, ``region``,
  ``timeout_seconds``, ``urls`` (`FunctionUrl`: ``qualifier``, ``auth_type``)
- `Distribution`: ``arn``, ``id``, ``domain_name``, ``aliases``, ``account``
- every subject: ``ref`` (a `ResourceRef`: ``arn``, ``type``, ``name``, ``account``,
  ``region``)

Fields typed ``X | Unavailable`` (listeners, attributes, timeout_seconds, urls, ...) are
read with ``need(value)``.
"""

from __future__ import annotations

from auditor.facets import Facet, FacetScope, ReadOnlyClients, ReadOnlyViolation
from auditor.findings import Severity, Verdict
from auditor.gaps import DataUnavailable, Unavailable, need
from auditor.inventory import (
    Distribution,
    FunctionUrl,
    HealthCheck,
    LambdaFunction,
    Listener,
    ListenerRule,
    LoadBalancer,
    ResourceRef,
    TargetGroup,
)
from auditor.packs import Case
from auditor.rule import Params, RetiredRule, Rule, SubjectKind
from auditor.topology import Topology

__all__ = [
    "Case",
    "DataUnavailable",
    "Distribution",
    "Facet",
    "FacetScope",
    "FunctionUrl",
    "HealthCheck",
    "LambdaFunction",
    "Listener",
    "ListenerRule",
    "LoadBalancer",
    "Params",
    "ReadOnlyClients",
    "ReadOnlyViolation",
    "ResourceRef",
    "RetiredRule",
    "Rule",
    "Severity",
    "SubjectKind",
    "TargetGroup",
    "Topology",
    "Unavailable",
    "Verdict",
    "need",
]
