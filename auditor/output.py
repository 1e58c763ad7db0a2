"""Where a rendered report goes: stdout, a local file (atomically), or S3; and where the
documents a run reads (``--baseline``, ``--config``) come from: a path or an s3:// URL."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterable

from auditor.process import UsageError
from auditor.publish import Delivery


def write_output(text: str | Iterable[str], path: str | None) -> None:
    """Write text (or an iterable of text pieces) to stdout, or atomically to a file: a
    temporary file renamed into place, so a reader never sees half a report. A path
    that is not a regular file (a device, a pipe) is written in place."""
    pieces = [text] if isinstance(text, str) else text
    if not path:
        for piece in pieces:
            sys.stdout.write(piece)
        sys.stdout.flush()
        return
    if os.path.exists(path) and not os.path.isfile(path):
        # /dev/null, /dev/stdout, a FIFO: write into it. Renaming over it would replace
        # the device node with a regular file.
        with open(path, "w", encoding="utf-8") as handle:
            for piece in pieces:
                handle.write(piece)
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".edge-audit-", dir=directory)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for piece in pieces:
                handle.write(piece)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_text(location: str, delivery_factory: Callable[[], Delivery]) -> str:
    """A local file's text, or an S3 object's (``delivery_factory()`` gives the client)."""
    from auditor.publish.s3 import get_text, is_s3

    if is_s3(location):
        try:
            return get_text(delivery_factory(), location)
        except ValueError as exc:  # a malformed s3:// URL
            raise UsageError(str(exc)) from exc
    try:
        with open(location, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read {location}: {exc.strerror or exc}") from exc
