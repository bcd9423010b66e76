"""The domain stays pure: importing it loads no web, telephony, database or audio library."""

from __future__ import annotations

import subprocess
import sys

DOMAIN = [
    "simulator.engine",
    "simulator.scoring",
    "simulator.loader",
    "simulator.harness",
    "simulator.coverage",
    "simulator.transcript",
    "simulator.directory",
    "simulator.language",
    "simulator.expected",
    "simulator.breaks",
    "simulator.next_practice",
    "simulator.directory_text",
]
FORBIDDEN = [
    "flask",
    "twilio",
    "sqlalchemy",
    "audio",
    "ivr",
    "pyttsx3",
    "speech_recognition",
    "pocketsphinx",
    "numpy",
]


def test_domain_imports_no_edge_library() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in DOMAIN)
        + f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
