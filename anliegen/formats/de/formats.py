from anliegen.formats.common import *  # noqa: F403
