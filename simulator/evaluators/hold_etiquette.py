"""The `hold_etiquette` kind: asked before holding, thanked on return.

Judged hold by hold: the trainee asks the caller's leave ('@hold_request') on that line within
``ask_within_s`` before pressing hold, and thanks or apologises for the wait ('@hold_thanks')
within ``thank_within_s`` of taking the line back. A hold that ends in a transfer or a hang-up
needs no thanks. Nobody held: not judged.
"""

from __future__ import annotations

from simulator.evaluators.base import Context, Note, heard_texts, lines_of, mmss, not_judged
from simulator.language.intents import phrase_present
from simulator.language.lexicon import family_phrases
from simulator.model import HoldEtiquetteCriterion


def _said(ctx: Context, line: str, start: float, end: float, phrases: list[str], lang: str) -> bool:
    for i in ctx.indexed("say", line, "trainee"):
        if start <= ctx.effective[i] <= end:
            for heard in heard_texts(ctx.events[i]):
                if phrase_present(heard, phrases, lang) is not None:
                    return True
    return False


def hold_etiquette(criterion: HoldEtiquetteCriterion, ctx: Context) -> tuple[float, Note]:
    checks: list[tuple[bool, float, str, str]] = []  # (ok, at, it, en)
    for line in lines_of(ctx, criterion.line):
        lang = ctx.language(line)
        ask = family_phrases("hold_request", lang) + family_phrases("ask_wait", lang)
        thank = family_phrases("hold_thanks", lang)
        # Answering another line holds this one by itself ('auto'): the caller is held all the
        # same, and is owed the same courtesy.
        for i in ctx.indexed("hold", line):
            at = ctx.effective[i]
            held = ctx.events[i].t
            asked = _said(ctx, line, at - criterion.ask_within_s, at, ask, lang)
            checks.append(
                (
                    asked,
                    held,
                    f"messa in attesa alle {mmss(held)} senza chiederlo",
                    f"put on hold at {mmss(held)} without asking",
                )
            )
            back = next((j for j in ctx.indexed("resume", line, "trainee") if j > i), None)
            if back is not None:
                again = ctx.effective[back]
                thanked = _said(ctx, line, again, again + criterion.thank_within_s, thank, lang)
                resumed = ctx.events[back].t
                checks.append(
                    (
                        thanked,
                        resumed,
                        f"ripresa alle {mmss(resumed)} senza ringraziare per l'attesa",
                        f"taken back at {mmss(resumed)} without thanks for holding",
                    )
                )
    if not checks:
        return not_judged("nessuno è stato messo in attesa.", "nobody was put on hold.")
    missed = [c for c in checks if not c[0]]
    value = 1.0 - len(missed) / len(checks)
    if missed:
        _, at, it, en = missed[0]
        return value, Note(
            at, f"Attesa: {it}.", f"Hold: {en}.", expected=" / ".join(ask[:2]), passed=False
        )
    holds = sum(1 for c in checks if "hold" in c[3] and "without asking" in c[3])
    return 1.0, Note(
        checks[0][1],
        f"Attese gestite con cortesia ({holds}).",
        f"Holds handled politely ({holds}).",
        passed=True,
    )
