"""Kept for old commands: the prepare benchmark now lives in bench/prepare.py.

.venv/bin/python bench/prepare_heldout.py [--misses]   (same as bench/prepare.py)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from prepare import main

if __name__ == "__main__":
    main()
