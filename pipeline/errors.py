"""Errors raised by the readers.

A :class:`ReadError` always names the file and says in plain words why it
could not be read; ``kind`` is a stable machine-readable code.
"""
from __future__ import annotations

from pathlib import Path

READ_ERROR_KINDS = frozenset(
    {"empty", "corrupt", "encrypted", "no_text_layer", "unsupported_format", "too_large", "encoding"}
)


class ReadError(Exception):
    """A document could not be read.

    kind: one of :data:`READ_ERROR_KINDS`.
    """

    def __init__(self, kind: str, message: str, path: str | Path | None = None) -> None:
        if kind not in READ_ERROR_KINDS:
            raise ValueError(f"unknown ReadError kind {kind!r}")
        self.kind = kind
        self.path = str(path) if path is not None else None
        self.message = message
        super().__init__(f"{self.path}: {message}" if self.path else message)

    def __reduce__(self):  # picklable across process pools
        return (ReadError, (self.kind, self.message, self.path))
