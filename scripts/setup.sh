#!/usr/bin/env bash
# Installs everything Centralino needs on a fresh Debian machine, idempotently:
# Debian packages (speech, browser for the tests), a virtual environment with the project.
# Usage: bash scripts/setup.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Festival's two Italian voices are the default callers in Italian (audio/festival_tts.py).
debs="espeak-ng libespeak-ng1 sox festival festvox-italp16k festvox-itapc16k"
# Braille (BRF downloads): liblouis with its Italian tables and its ctypes binding, linked into
# the venv below. PDF exports: WeasyPrint's Pango and a font with Italian letters.
debs="$debs liblouis20 liblouis-data python3-louis libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
[ "$dev" -eq 1 ] && debs="$debs chromium"
# Trainee voices for the recognition tests (Festival shifted with sox) and the Redis queue test.
[ "$dev" -eq 1 ] && debs="$debs festival festvox-italp16k festvox-itapc16k redis-server"
# A real screen reader for tests/browser/test_orca.py: Orca on Xvfb with the AT-SPI bus.
[ "$dev" -eq 1 ] && debs="$debs orca xvfb dbus-x11 at-spi2-core speech-dispatcher"
missing=""
for pkg in $debs; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "Installazione pacchetti di sistema / installing system packages:$missing"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq $missing >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "Creazione ambiente virtuale / creating virtual environment (.venv)"
  "$python" -m venv .venv
fi
extras=""
[ "$dev" -eq 1 ] && extras="[dev]"
stamp=".venv/.installed$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "Installazione dipendenze Python / installing Python dependencies"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".$extras"
  touch "$stamp"
fi
# Debian's `louis` binding is pure Python over liblouis.so (ctypes) and is installed for
# /usr/bin/python3 only; link that one package into the venv (not all of dist-packages).
louis_src=$(dpkg -L python3-louis | grep -m1 '/louis/__init__.py$' | xargs dirname)
purelib=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
if [ -n "$louis_src" ] && [ ! -e "$purelib/louis" ]; then
  ln -s "$louis_src" "$purelib/louis"
fi
.venv/bin/python -c 'import louis; louis.translateString(["en-us-brf.dis", "it-it-comp6.utb"], "prova")' \
  || { echo "liblouis: la tabella italiana non si carica / the Italian table does not load" >&2; exit 1; }
# Compiled translations are build products: make them from the committed .po files.
if [ -d simulator/web/translations ]; then
  .venv/bin/pybabel compile -d simulator/web/translations >/dev/null
fi
