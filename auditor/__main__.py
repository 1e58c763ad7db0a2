"""``python -m auditor``: the ``edge-audit`` command, for environments without its script."""

from auditor.cli import main

main()
