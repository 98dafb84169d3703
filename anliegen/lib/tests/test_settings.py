"""Settings come from one place: anliegen/settings.py reads the environment, strictly, and the
apps read `settings.X`."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from anliegen import settings as anliegen_settings


def _start(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "anliegen.settings", **env},
        capture_output=True, text=True, timeout=60,
    )


def test_it_refuses_production_with_the_default_secret(tmp_path):
    result = _start({"ANLIEGEN_ENV": "production", "ANLIEGEN_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "ANLIEGEN_SECRET_KEY" in result.stderr


def test_it_starts_in_production_with_a_secret(tmp_path):
    result = _start({"ANLIEGEN_ENV": "production", "ANLIEGEN_SECRET_KEY": "x" * 50,
                     "ANLIEGEN_ALLOWED_HOSTS": "service.example", "ANLIEGEN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_it_explains_a_malformed_number(tmp_path):
    result = _start({"ANLIEGEN_ATTACHMENT_MAX_BYTES": "lots", "ANLIEGEN_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "ANLIEGEN_ATTACHMENT_MAX_BYTES must be a whole number" in result.stderr


def test_it_explains_a_mistyped_flag(tmp_path):
    result = _start({"ANLIEGEN_SMTP_STARTTLS": "ture", "ANLIEGEN_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "ANLIEGEN_SMTP_STARTTLS must be one of" in result.stderr

PACKAGE = Path(anliegen_settings.__file__).resolve().parent
# Modules that may read the environment themselves: the settings module, the entry points that
# choose the settings module, and the test and corpus helpers outside the running application.
ENVIRONMENT_READERS = {"settings.py", "cli.py", "asgi.py", "wsgi.py", "lib/corpora.py", "mail/testing_servers.py"}


@pytest.mark.parametrize("word, expected", [
    ("1", True), ("true", True), ("Yes", True), (" on ", True),
    ("0", False), ("false", False), ("NO", False), ("off", False), ("", False),
])
def test_it_reads_yes_and_no(monkeypatch, word, expected):
    monkeypatch.setenv("ANLIEGEN_SAMPLE", word)
    assert anliegen_settings.env_bool("ANLIEGEN_SAMPLE", not expected) is expected


def test_it_uses_the_default_when_a_flag_is_unset(monkeypatch):
    monkeypatch.delenv("ANLIEGEN_SAMPLE", raising=False)
    assert anliegen_settings.env_bool("ANLIEGEN_SAMPLE", True) is True


@pytest.mark.parametrize("word", ["ture", "enabled", "2", "y e s"])
def test_it_refuses_a_mistyped_flag(monkeypatch, word):
    monkeypatch.setenv("ANLIEGEN_SAMPLE", word)
    with pytest.raises(ImproperlyConfigured, match="ANLIEGEN_SAMPLE"):
        anliegen_settings.env_bool("ANLIEGEN_SAMPLE")


@pytest.mark.parametrize("word", ["ten", "1.5", "20MB"])
def test_it_refuses_a_number_that_is_none(monkeypatch, word):
    monkeypatch.setenv("ANLIEGEN_SAMPLE", word)
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        anliegen_settings.env_int("ANLIEGEN_SAMPLE", 3)


def test_it_refuses_a_number_below_its_minimum(monkeypatch):
    monkeypatch.setenv("ANLIEGEN_SAMPLE", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        anliegen_settings.env_int("ANLIEGEN_SAMPLE", 3, minimum=1)
    monkeypatch.setenv("ANLIEGEN_SAMPLE", "7")
    assert anliegen_settings.env_int("ANLIEGEN_SAMPLE", 3, minimum=1) == 7


def test_it_reads_a_list_separated_by_commas_or_spaces(monkeypatch):
    monkeypatch.setenv("ANLIEGEN_SAMPLE", "'self', https://a.example  https://b.example")
    assert anliegen_settings.env_list("ANLIEGEN_SAMPLE") == ["'self'", "https://a.example", "https://b.example"]


def _application_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]


def test_apps_read_settings_without_a_second_default():
    """`getattr(settings, "X", default)` repeats a default that settings.py already gives, and
    the two drift apart; an app reads settings.X."""
    offenders = [
        f"{p.relative_to(PACKAGE)}:{n}" for p in _application_modules()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"getattr\(\s*settings\s*,", line)
    ]
    assert offenders == []


def test_only_the_settings_module_reads_the_environment():
    offenders = [
        f"{p.relative_to(PACKAGE)}:{n}" for p in _application_modules()
        if p.relative_to(PACKAGE).as_posix() not in ENVIRONMENT_READERS
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"os\.environ|os\.getenv", line)
    ]
    assert offenders == []
