import os
import subprocess
import sys


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
