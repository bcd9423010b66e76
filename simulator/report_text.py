"""The score report as plain text: short lines, key word first, good on a Braille line."""

from __future__ import annotations

from simulator.scoring import ScoreReport


def render_report(report: ScoreReport, lang: str = "it") -> str:
    en = lang == "en"
    ok, ko = ("PASS", "FAIL") if en else ("SUPERATO", "NON SUPERATO")
    lines = [
        ("Result" if en else "Esito") + f": {ok if report.passed else ko}",
        f"Scenario: {report.scenario}",
    ]
    for ra, result in report.ra.items():
        lines.append("")
        lines.append(
            f"{ra}: {ok if result.passed else ko}, {round(result.score * 100)}% "
            + (
                f"(threshold {round(result.threshold * 100)}%)"
                if en
                else f"(soglia {round(result.threshold * 100)}%)"
            )
        )
        for criterion in result.criteria:
            mark = ok if criterion.passed else ko
            lines.append(f"- {mark}: {criterion.id}, {round(criterion.score * 100)}%")
            lines.append(
                "  " + ("Evidence" if en else "Prova") + ": " + criterion.evidence.render(lang)
            )
            if not criterion.passed:
                lines.append("  " + ("Advice" if en else "Consiglio") + f": {criterion.advice}")
    return "\n".join(lines)
