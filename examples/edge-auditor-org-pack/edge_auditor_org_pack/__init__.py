"""An example edge-auditor rule pack (README, "Writing your own checks").

Installed, the entry point ``org = "edge_auditor_org_pack"`` makes this module a pack:
``RULES`` are its rules, ``FACETS`` the extra read-only data they need, ``CASES`` what
``edge-audit rules --check-pack`` runs to prove them.
"""

from functools import partial

from auditor.api import Case
from edge_auditor_org_pack import _estate, naming, tags

__version__ = "1.0.0"

RULES = [*naming.RULES, *tags.RULES]
FACETS = [*tags.FACETS]

estate = partial(_estate.topology, facets=FACETS)
denied = partial(_estate.topology, facets=FACETS, deny=("elbv2:DescribeTags",))

CASES = [
    Case("ORG-001", "pass", estate, resource="targetgroup/team-orders/"),
    Case("ORG-001", "fail", estate, resource="targetgroup/legacy/"),
    Case("ORG-001", "pass", estate, resource="targetgroup/legacy/",
         params={"prefix": "legacy"}, name="ORG-001 honours its prefix parameter"),
    Case("ORG-001", "out-of-scope", estate, resource="legacy-instances"),
    Case("ORG-002", "pass", estate, resource="targetgroup/team-orders/"),
    Case("ORG-002", "fail", estate, resource="targetgroup/legacy/"),
    Case("ORG-002", "out-of-scope", estate, resource="legacy-instances"),
    Case("ORG-002", "error", denied, name="ORG-002 errors when DescribeTags is denied"),
]
