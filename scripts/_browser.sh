# Sourced by scripts/test: the browser tests drive Debian's Chromium (never a downloaded one). When
# /usr/bin/chromium is missing and we are root with apt-get, install it and the CJK fonts, once per
# checkout (a failed attempt is remembered in .venv/.chromium-attempted; delete it to try again).
# Without it the browser tests skip and say why.
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null \
   && [ ! -f .venv/.chromium-attempted ]; then
    echo "kaohe: installing chromium and fonts-noto-cjk for the browser tests (log: .venv/chromium-install.log)…" >&2
    touch .venv/.chromium-attempted
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk; } \
         > .venv/chromium-install.log 2>&1; then
        echo "kaohe: chromium could not be installed (see .venv/chromium-install.log); browser tests will be skipped" >&2
    fi
fi
