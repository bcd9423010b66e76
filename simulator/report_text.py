"""The score report as plain text: short lines, key word first, good on a Braille line.

Criteria are named by their plain-language title and each RA by its title from the
qualification, with the code after it; evidence is written as sentences in the chosen language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from simulator.scoring import CriterionResult, ScoreReport
from simulator.verdicts import Override


def _mark(criterion: CriterionResult, en: bool) -> str:
    if not criterion.judged:
        return "NOT JUDGED" if en else "NON VALUTABILE"
    if criterion.passed:
        return "PASS" if en else "SUPERATO"
    return "FAIL" if en else "NON SUPERATO"


def override_sentence(author: str, reason: str, automatic: str, en: bool) -> str:
    """Who changed or confirmed a verdict, why, and what the scorer had said (one sentence,
    the same in the score report and the exam report)."""
    why = f": {reason}" if reason else ""
    if en:
        return f"Instructor's verdict ({author}){why}. Automatic verdict: {automatic}."
    return f"Verdetto dell'istruttore ({author}){why}. Verdetto automatico: {automatic}."


def render_report(report: ScoreReport, lang: str = "it", overrides: Sequence[Override] = ()) -> str:
    """The report as text; ``report`` is the effective one when ``overrides`` are given (each
    overridden criterion says who judged it, why, and what the scorer had said)."""
    en = lang == "en"
    by_id: Mapping[str, Override] = {o.criterion_id: o for o in overrides}
    ok, ko = ("PASS", "FAIL") if en else ("SUPERATO", "NON SUPERATO")
    lines = [
        ("Result" if en else "Esito") + f": {ok if report.passed else ko}",
        f"Scenario: {report.scenario}",
    ]
    for ra, result in report.ra.items():
        title = result.title_en if en else result.title
        judged, total = result.judged, len(result.criteria)
        basis = ""
        if judged < total:
            basis = (
                f", judged on {judged} of {total} criteria"
                if en
                else f", calcolato su {judged} criteri di {total}"
            )
        lines.append("")
        lines.append(
            f"{title} ({ra}): {ok if result.passed else ko}, {round(result.score * 100)}% "
            + (
                f"(threshold {round(result.threshold * 100)}%{basis})"
                if en
                else f"(soglia {round(result.threshold * 100)}%{basis})"
            )
        )
        for criterion in result.criteria:
            score = f", {round(criterion.score * 100)}%" if criterion.judged else ""
            left_out = ""
            if not criterion.counted:
                left_out = " (not counted)" if en else " (non conteggiato)"
            lines.append(f"- {_mark(criterion, en)}: {criterion.name(lang)}{score}{left_out}")
            override = by_id.get(criterion.id)
            if override is not None:
                automatic = ok if override.automatic_passed else ko
                lines.append(
                    "  " + override_sentence(override.author, override.reason, automatic, en)
                )
            lines.append(
                "  " + ("Evidence" if en else "Prova") + ": " + criterion.evidence.render(lang)
            )
            if criterion.judged and not criterion.passed:
                lines.append("  " + ("Advice" if en else "Consiglio") + f": {criterion.advice}")
    return "\n".join(lines)
