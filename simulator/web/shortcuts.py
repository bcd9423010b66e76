"""The console's keyboard shortcuts: one table for the buttons, the help page and the script.

All are Alt+Shift+key, read from ``KeyboardEvent.code`` so they work on any keyboard layout.
None uses Insert or CapsLock (screen-reader keys) and none is a single key. Letters Chrome keeps
for itself with Alt+Shift (A, B, I, T) are avoided. Trainees can switch them off in Settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True, slots=True)
class Shortcut:
    key: str  # the letter or digit, as in KeyboardEvent.code ("KeyR" -> "R")
    name: str  # the id the page uses in data-shortcut
    label: object  # lazy translated description


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("R", "answer", _l("Rispondi alla linea che squilla")),
    Shortcut("H", "hold", _l("Metti in attesa o riprendi la linea")),
    Shortcut("C", "hangup", _l("Chiudi la linea attiva")),
    Shortcut("O", "reply", _l("Vai al campo della tua risposta")),
    Shortcut("Y", "repeat", _l("Ripeti l'ultima frase del chiamante")),
    Shortcut("L", "lines", _l("Vai all'elenco delle linee")),
    Shortcut("D", "transfer", _l("Trasferisci (devia) la chiamata")),
    Shortcut("M", "message", _l("Blocco messaggi")),
    Shortcut("F", "fonogramma", _l("Fonogramma")),
    Shortcut("V", "report", _l("Rapporto (verbale) della chiamata")),
    Shortcut("S", "ticket", _l("Segnalazione al supporto tecnico")),
    Shortcut("U", "outgoing", _l("Chiamata uscente")),
    Shortcut("G", "voicemail", _l("Segreteria telefonica")),
    Shortcut("E", "directory", _l("Aggiorna l'elenco (rubrica)")),
    Shortcut("X", "knowledge", _l("Base di conoscenza: cerca orari, prodotti e procedure")),
    Shortcut("P", "pause", _l("Pausa o ripresa dell'esercitazione")),
    Shortcut("Z", "mute", _l("Silenzia o riattiva la suoneria")),
    Shortcut("J", "summary", _l("Stato delle linee: stato, chiamante e tempi di ogni linea")),
    Shortcut("W", "announcement", _l("Ripeti l'ultimo annuncio")),
    Shortcut("Q", "last_operation", _l("Di' l'ultima operazione fatta")),
    Shortcut("N", "until_pause", _l("Di' quanto manca alla prossima pausa")),
    Shortcut(
        "K", "talk", _l("Parla: inizia a registrare la risposta, premi di nuovo per inviarla")
    ),
)

KEY_OF: dict[str, str] = {s.name: s.key for s in SHORTCUTS}


def aria_keys(name: str) -> str:
    """The aria-keyshortcuts value of an action ("Alt+Shift+R")."""
    key = KEY_OF.get(name)
    return f"Alt+Shift+{key}" if key else ""


@dataclass(frozen=True, slots=True)
class ReplayShortcut:
    code: str  # KeyboardEvent.code
    shown: str  # the key as printed on the keyboard
    name: str
    label: object


# The replay page's own keys: none of them is a console key (the console is not on the page).
REPLAY_SHORTCUTS: tuple[ReplayShortcut, ...] = (
    ReplayShortcut("Period", ".", "next_verdict", _l("Vai al verdetto successivo")),
    ReplayShortcut("Comma", ",", "previous_verdict", _l("Vai al verdetto precedente")),
    ReplayShortcut("KeyY", "Y", "play_turn", _l("Ascolta il turno in cui sei (o del verdetto)")),
)


def replay_keys(name: str) -> str:
    """The aria-keyshortcuts value of a replay action ("Alt+Shift+.")."""
    found = next((s for s in REPLAY_SHORTCUTS if s.name == name), None)
    return f"Alt+Shift+{found.shown}" if found else ""
