"""Fix plans (``edge-audit fix``): an ordered, reviewable remediation of a report's
failures, written as a bash script, a runbook or data, and never run by the tool."""
