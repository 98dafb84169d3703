"""Where the shared test corpora (real mail, customer feedback written by others) live.

They are test and benchmark data, never shipped: ANLIEGEN_CORPORA names the folder, else
../shared/corpora next to the project is used, else /work/shared/corpora (the layout of the
machines Anliegen is developed and tested on)."""

import os
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def corpora_dir() -> Path:
    configured = os.environ.get("ANLIEGEN_CORPORA")
    if configured:
        return Path(configured)
    for candidate in (PROJECT.parent / "shared" / "corpora", Path("/work/shared/corpora")):
        if candidate.is_dir():
            return candidate
    return PROJECT.parent / "shared" / "corpora"
