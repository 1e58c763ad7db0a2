"""Collectors: the only code that calls AWS. One module per service."""
