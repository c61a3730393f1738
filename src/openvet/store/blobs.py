"""Uploaded files, kept on disk by content under ``<data dir>/files``.

A file is named by the SHA-256 of its bytes (``files/ab/abcdef…``), never by anything a client sent, so no
name a client chooses can reach outside the storage directory, and the same bytes uploaded twice are kept
once. Bytes are written to a temporary file in the same directory first and renamed into place, so a
reader never sees half a file. The database keeps the key; the bytes are written before the record that
names them, so a write refused afterwards leaves at most an unreferenced file behind (harmless: the same
upload reuses it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

KEY = re.compile(r"[0-9a-f]{64}")
CHUNK = 1 << 16


class TooLarge(Exception):
    """The bytes passed the size limit; nothing was kept."""


class Blobs:
    def __init__(self, root: Path | str):
        self.root = Path(root).resolve() / "files"

    def put(self, source: BinaryIO, limit: int) -> tuple[str, int]:
        """Keep the bytes read from ``source``; answer (key, size). Refuses past ``limit`` bytes."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(limit)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())  # on disk before a record names them: a crash loses no committed file
            key = digest.hexdigest()
            final = self.path(key)
            final.parent.mkdir(exist_ok=True)
            os.replace(temporary, final)
            _sync_directory(final.parent)
            return key, size
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def path(self, key: str) -> Path:
        """Where the bytes of ``key`` live; a key that is not a SHA-256 digest names nothing."""
        if not KEY.fullmatch(key or ""):
            raise FileNotFoundError("not a file key")
        return self.root / key[:2] / key

    def stat(self, key: str) -> tuple[Path, os.stat_result]:
        """Where the bytes of ``key`` are and their size and time, read once (the download answers with these);
        FileNotFoundError when they are not a regular file of the store."""
        path = self.path(key)
        found = path.stat()
        if not stat.S_ISREG(found.st_mode):
            raise FileNotFoundError(f"{key} is not a file")
        return path, found

    def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except FileNotFoundError:
            return False


def _sync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); nothing where a directory cannot be synced (Windows)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
