"""The offline engine: deterministic, pure rules over text (no store, no network)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def rules_version() -> str:
    """A fingerprint of the rules' source: rows derived by older rules are recomputed."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
