from anliegen.formats.common import *  # noqa: F403

DATE_FORMAT = "j F Y"  # day first: 1 December 2026
DATETIME_FORMAT = f"j F Y {TIME_FORMAT}"  # noqa: F405
