"""The `fonogramma` kind: a dictated message transcribed verbatim and read back."""

from __future__ import annotations

from simulator.evaluators.base import Context, Note, not_judged
from simulator.language.accuracy import word_accuracy
from simulator.model import FonogrammaCriterion
from simulator.templates import expand


def fonogramma(criterion: FonogrammaCriterion, ctx: Context) -> tuple[float, Note]:
    reference = None
    line = criterion.line
    for call in ctx.scenario.calls:
        step = call.steps.get(criterion.step)
        if step is not None and step.dictate and (line is None or call.line == line):
            reference = expand(step.dictate, ctx.values(call.line))
            line = call.line
            break
    lang = ctx.language(line)
    forms = ctx.indexed("fonogramma", None, "trainee")
    if reference is None or not forms:
        return not_judged("nessun fonogramma trascritto.", "no fonogramma transcribed.")
    event = ctx.events[forms[-1]]
    accuracy = word_accuracy(reference, str(event.data.get("text", "")), lang)
    confirmed = [
        i
        for i in ctx.indexed("caller_said", line)
        if ctx.events[i].data.get("readback") and ctx.events[i].data.get("confirmed")
    ]
    pct = round(accuracy * 100)
    if not criterion.readback:
        value = accuracy if accuracy >= criterion.min_accuracy else accuracy * 0.5
        return value, Note(
            event.t, f"Trascrizione: {pct}% parole esatte.", f"Transcript: {pct}% words right."
        )
    value = 0.7 * accuracy + (0.3 if confirmed else 0.0)
    if accuracy < criterion.min_accuracy:
        value = min(value, criterion.pass_at - 0.01)
    if not confirmed:
        value = min(value, criterion.pass_at - 0.01)
        return value, Note(
            event.t,
            f"Trascrizione {pct}% esatta; rilettura non fatta o non confermata.",
            f"Transcript {pct}% right; no confirmed read-back.",
        )
    at = ctx.events[confirmed[0]].t
    return value, Note(
        at,
        f"Trascrizione {pct}% esatta; rilettura confermata.",
        f"Transcript {pct}% right; read-back confirmed.",
    )
