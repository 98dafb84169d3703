# Shared by bin/demo and bin/test: find Python 3.12+, create .venv, install Anliegen into it.
# Usage: source bin/_env.sh [extras]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  local candidate
  for candidate in python3.12 python3.13 python3 "$HOME/.pyenv/versions/3.12.1/bin/python3"; do
    if command -v "$candidate" >/dev/null 2>&1 && \
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  # pyenv honours .python-version (3.12) in this folder.
  if command -v pyenv >/dev/null 2>&1; then
    local version; version="$(pyenv which python3 2>/dev/null || true)"
    if [ -n "$version" ] && "$version" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
      echo "$version"; return 0
    fi
  fi
  echo "Anliegen needs Python 3.12 or newer; none was found." >&2
  return 1
}

extras="${1:-}"
stamp=".venv/.installed${extras:+-$extras}"
if [ ! -x .venv/bin/python ]; then
  PYTHON="$(find_python)"
  echo "Creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "Installing Anliegen${extras:+ with [$extras]} into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}"
  touch "$stamp"
fi
# Message catalogues (German, Danish, English) are committed compiled; recompile when
# GNU gettext is at hand so an edited .po file takes effect.
if command -v msgfmt >/dev/null 2>&1 && [ -d anliegen/locale ]; then
  (cd anliegen && ../.venv/bin/anliegen compilemessages --verbosity 0)
fi
