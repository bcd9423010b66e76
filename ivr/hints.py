"""Speech hints for ``<Gather>``: the words this moment of the call is likely to contain.

Twilio accepts at most 500 hints of at most 100 characters each, comma separated. The step's
intent phrases come first (what the scenario listens for), then names the recogniser would
otherwise misspell (callers, organisations, staff, departments) and extensions, then commands.
"""

from __future__ import annotations

from collections.abc import Iterable

from ivr.commands import CODES
from simulator.call_state import CallState
from simulator.language.intents import intent_phrases

MAX_HINTS = 500
MAX_HINT_CHARS = 100


def _clean(phrase: str) -> str:
    # A comma would split one hint into two; braces are unexpanded placeholders.
    text = " ".join(phrase.replace(",", " ").replace("{", " ").replace("}", " ").split())
    return text[:MAX_HINT_CHARS].rstrip()


def limit(phrases: Iterable[str]) -> list[str]:
    """Cleaned, de-duplicated phrases within Twilio's limits, in order of importance."""
    out: list[str] = []
    seen: set[str] = set()
    for phrase in phrases:
        cleaned = _clean(phrase)
        if cleaned and cleaned.lower() not in seen:
            seen.add(cleaned.lower())
            out.append(cleaned)
            if len(out) >= MAX_HINTS:
                break
    return out


# Hints depend only on the scenario, company, step and language: computed once per process.
# Keyed by object identity (the web layer caches parsed models by content hash), bounded.
_CACHE: dict[tuple[int, int, str, str, str], tuple[object, object, list[str]]] = {}
_CACHE_SIZE = 512


def for_state(state: CallState, language: str) -> list[str]:
    """Hints for the active line's current step, the scenario's people and the commands."""
    active = state.lines.get(state.active_line or "")
    line = active.line if active is not None else ""
    step = (active.step or "") if active is not None else ""
    key = (id(state.scenario), id(state.company), line, step, language)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is state.scenario and cached[1] is state.company:
        return cached[2]
    found = _compute(state, language)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = (state.scenario, state.company, found)
    return found


def _compute(state: CallState, language: str) -> list[str]:
    scenario, company = state.scenario, state.company
    phrases: list[str] = []
    active = state.lines.get(state.active_line or "")
    if active is not None and active.step:
        step = active.call.steps[active.step]
        for rule in step.rules("say"):
            if rule.intent:
                phrases.extend(intent_phrases(rule.intent, language, scenario.intents))
    for intent_list in scenario.intents.values():
        phrases.extend(intent_list)
    for call in scenario.calls:
        phrases.append(call.caller.name)
        if call.caller.organisation:
            phrases.append(call.caller.organisation)
    phrases.append(company.name)
    for member in company.staff:
        phrases.extend((member.name, member.extension))
    for department in company.departments:
        phrases.append(department.name)
        if department.extension:
            phrases.append(department.extension)
    for code in CODES:
        phrases.extend(code.voice_en if language.startswith("en") else code.voice_it)
    return limit(phrases)


def joined(hints: list[str]) -> str:
    """The ``hints`` attribute value."""
    return ", ".join(hints)
