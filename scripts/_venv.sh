# Sourced by scripts/demo and scripts/test: make .venv with Python 3.11 and install kaohe from this
# checkout's pyproject.toml (again only when pyproject.toml changed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${KAOHE_PYTHON:-$(command -v python3.11 || command -v python3)}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "kaohe needs Python 3.11 (found: $("$PYTHON" --version 2>&1)); set KAOHE_PYTHON" >&2
    exit 2
fi
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
STAMP=.venv/.kaohe-installed
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    echo "kaohe: installing into .venv (log: .venv/install.log)…" >&2
    if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip \
           && .venv/bin/python -m pip install --disable-pip-version-check -e '.[test]'; } > .venv/install.log 2>&1; then
        tail -30 .venv/install.log >&2
        echo "kaohe: installation failed; see .venv/install.log" >&2
        exit 1
    fi
    echo "$WANT" > "$STAMP"
fi
export PREFECT_HOME="${PREFECT_HOME:-$ROOT/.prefect}"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export PREFECT_LOGGING_LEVEL="${PREFECT_LOGGING_LEVEL:-WARNING}"
