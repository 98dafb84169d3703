"""The `anliegen` command: every subcommand is a Django management command
(serve, worker, demo, createadmin, import-mail, ...). `anliegen help` lists them."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anliegen.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    # Allow dashed names on the command line (import-mail) for underscored commands.
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["anliegen", *args])


if __name__ == "__main__":
    main()
