"""The `hold_etiquette` kind: asked before holding, thanked on return.

Judged hold by hold: the trainee asks the caller's leave ('@hold_request') on that line within
``ask_within_s`` before pressing hold, and thanks or apologises for the wait ('@hold_thanks')
within ``thank_within_s`` of taking the line back. A hold that ends in a transfer or a hang-up
needs no thanks. Nobody held: not judged.
"""

from __future__ import annotations

from simulator.evaluators.base import Context, Note, heard_texts, lines_of, mmss, not_judged
from simulator.language.lexicon import family_phrases
from simulator.language.match import present
from simulator.model import HoldEtiquetteCriterion


def _said(ctx: Context, line: str, start: float, end: float, phrases: list[str], lang: str) -> bool:
    for i in ctx.indexed("say", line, "trainee"):
        if start <= ctx.effective[i] <= end:
            for heard in heard_texts(ctx.events[i]):
                if present(heard, phrases, lang) is not None:
                    return True
    return False


def hold_etiquette(criterion: HoldEtiquetteCriterion, ctx: Context) -> tuple[float, Note]:
    # One check per courtesy owed: (done, at, what went wrong it/en, what was expected).
    checks: list[tuple[bool, float, str, str, str]] = []
    holds = 0
    for line in lines_of(ctx, criterion.line):
        lang = ctx.language(line)
        ask = family_phrases("hold_request", lang) + family_phrases("ask_wait", lang)
        thank = family_phrases("hold_thanks", lang)
        # Answering another line holds this one by itself ('auto'): the caller is held all the
        # same, and is owed the same courtesy.
        for i in ctx.indexed("hold", line):
            holds += 1
            at = ctx.effective[i]
            held = ctx.events[i].t
            checks.append(
                (
                    _said(ctx, line, at - criterion.ask_within_s, at, ask, lang),
                    held,
                    f"messa in attesa alle {mmss(held)} senza chiederlo",
                    f"put on hold at {mmss(held)} without asking",
                    " / ".join(ask[:2]),
                )
            )
            back = next((j for j in ctx.indexed("resume", line) if j > i), None)
            if back is None:  # transferred or ended while held: no return to thank for
                continue
            again = ctx.effective[back]
            resumed = ctx.events[back].t
            checks.append(
                (
                    _said(ctx, line, again, again + criterion.thank_within_s, thank, lang),
                    resumed,
                    f"ripresa alle {mmss(resumed)} senza ringraziare per l'attesa",
                    f"taken back at {mmss(resumed)} without thanks for holding",
                    " / ".join(thank[:2]),
                )
            )
    if not checks:
        return not_judged("nessuno è stato messo in attesa.", "nobody was put on hold.")
    missed = [check for check in checks if not check[0]]
    if missed:
        _, at, it, en, expected = missed[0]
        value = 1.0 - len(missed) / len(checks)
        return value, Note(at, f"Attesa: {it}.", f"Hold: {en}.", expected=expected, passed=False)
    return 1.0, Note(
        checks[0][1],
        f"Attese gestite con cortesia ({holds}).",
        f"Holds handled politely ({holds}).",
        passed=True,
    )
