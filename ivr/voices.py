"""Twilio ``<Say>`` voices per language: one for the switchboard, one per caller persona.

Names from Twilio's text-to-speech voice table (Amazon Polly voices as Twilio spells them).
A voice must match its language, or Twilio fails the ``<Say>``: every name here is listed with the
language it belongs to, and the tests check each persona gets a voice of its own language.
"""

from __future__ import annotations

import hashlib

from simulator.model import Persona

# language -> (female voices, male voices)
VOICES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "it-IT": (("Polly.Bianca", "Polly.Carla"), ("Polly.Giorgio", "Polly.Adriano-Neural")),
    "en-GB": (("Polly.Amy", "Polly.Emma"), ("Polly.Brian", "Polly.Arthur-Neural")),
    "fr-FR": (("Polly.Lea", "Polly.Celine"), ("Polly.Mathieu", "Polly.Remi-Neural")),
    "de-DE": (("Polly.Vicki", "Polly.Marlene"), ("Polly.Hans", "Polly.Daniel-Neural")),
    "es-ES": (("Polly.Lucia", "Polly.Conchita"), ("Polly.Enrique", "Polly.Sergio-Neural")),
}
# The switchboard's own announcements: a voice no caller of that language gets.
SYSTEM_VOICE = {"it": ("it-IT", "Polly.Carla"), "en": ("en-GB", "Polly.Emma")}


def system_voice(lang: str) -> tuple[str, str]:
    """(language, voice) of the switchboard's announcements for the trainee's language."""
    return SYSTEM_VOICE["en" if lang.startswith("en") else "it"]


def persona_voice(persona: Persona, language: str) -> str:
    """A voice of ``language`` for a caller, by the gender of its espeak variant (``m3``/``f2``).

    The first voice of each gender is kept for callers; the second is the switchboard's or a
    spare, so the trainee hears the caller and the announcements in different voices. Callers
    without a variant get one chosen by name, stable across calls and workers.
    """
    female, male = VOICES.get(language, VOICES["it-IT"])
    variant = (persona.voice.variant or "").lower()
    if variant.startswith("f"):
        return female[0]
    if variant.startswith("m"):
        return male[0]
    pick = hashlib.sha256(persona.name.encode("utf-8")).digest()[0] % 2
    return (female[0], male[0])[pick]
