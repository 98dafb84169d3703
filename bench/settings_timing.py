"""Anliegen's own settings plus the benchmark's Server-Timing middleware (bench only)."""

from anliegen.settings import *  # noqa: F403
from anliegen.settings import MIDDLEWARE

MIDDLEWARE = ["bench.peer_project.timing.ServerTiming", *MIDDLEWARE]
