"""The commission's exam report as plain text: short lines, key word first, good on a Braille line.

The same facts as the HTML report (trainee, exam, date and time, accommodations, marks per call
and criterion with evidence, total out of 50, pass or fail), so a Braille (BRF) or print
rendering can be made from it without reading HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.exam import CriterionMarks, ExamMarks
from simulator.report_text import override_sentence
from simulator.scoring import format_time


@dataclass(frozen=True, slots=True)
class ExamReport:
    """Everything the commission reads about one sitting."""

    exam_title: str
    trainee: str
    started: str  # "dd/mm/yyyy hh:mm", already in the reader's time zone
    closed: str | None
    locked: bool
    # The time multiplier recorded as an accommodation for this exam; None: real timing.
    multiplier: float | None
    allow_pause: bool
    marks: ExamMarks


def _marks(value: float, en: bool = False) -> str:
    """Marks to one decimal, with the reader's decimal sign."""
    return f"{value:.1f}" if en else f"{value:.1f}".replace(".", ",")


def _status(status: str, en: bool) -> str:
    if status == "not_judged":
        return "NOT JUDGED" if en else "NON VALUTABILE"
    if status == "passed":
        return "PASS" if en else "SUPERATO"
    return "FAIL" if en else "NON SUPERATO"


def _override_line(criterion: CriterionMarks, en: bool) -> str:
    override = criterion.override or {}
    automatic = _status(str(override.get("automatic_status", "")), en)
    return override_sentence(
        str(override.get("author") or ""), str(override.get("reason") or ""), automatic, en
    )


def accommodation_text(multiplier: float | None, allow_pause: bool, lang: str = "it") -> str:
    """The accommodations in one sentence, as both the text and the HTML report say them."""
    en = lang == "en"
    if multiplier is None:
        timing = (
            "Real timing: no time multiplier recorded for this exam."
            if en
            else "Tempi reali: nessun moltiplicatore dei tempi registrato per questo esame."
        )
    else:
        shown = f"{multiplier:g}".replace(".", "," if not en else ".")
        timing = (
            f"Time multiplier {shown} recorded as an accommodation for this exam."
            if en
            else f"Moltiplicatore dei tempi {shown} registrato come adattamento per questo esame."
        )
    pause = (
        ("Pause allowed." if allow_pause else "Pause not allowed.")
        if en
        else ("Pausa consentita." if allow_pause else "Pausa non consentita.")
    )
    return f"{timing} {pause}"


def exam_report_text(report: ExamReport, lang: str = "it") -> str:
    """The report as plain text lines in ``lang`` ('it' or 'en')."""
    en = lang == "en"
    marks = report.marks
    verdict = (
        ("PASSED" if marks.passed else "FAILED")
        if en
        else ("SUPERATO" if marks.passed else "NON SUPERATO")
    )
    not_yet = "not yet" if en else "non ancora"
    if report.locked:
        locked = "Locked: the marks can no longer change." if en else "Bloccato: voti definitivi."
    else:
        locked = "Not locked: provisional marks." if en else "Non bloccato: voti provvisori."
    lines = [
        ("Practical exam" if en else "Esame pratico") + f": {report.exam_title}",
        ("Candidate" if en else "Candidato") + f": {report.trainee}",
        ("Started" if en else "Iniziato") + f": {report.started}",
        ("Closed" if en else "Chiuso") + f": {report.closed or not_yet}",
        locked,
        ("Accommodations" if en else "Adattamenti")
        + ": "
        + accommodation_text(report.multiplier, report.allow_pause, lang),
        "",
        ("Total" if en else "Totale")
        + f": {_marks(marks.total, en)} / {marks.total_marks:.0f}, "
        + ("pass mark" if en else "soglia")
        + f" {_marks(marks.pass_mark, en)}: {verdict}",
    ]
    for call in marks.calls:
        lines.append("")
        lines.append(
            ("Call" if en else "Chiamata")
            + f" {call.number}: {call.title}, "
            + f"{_marks(call.earned, en)} / {_marks(call.available, en)}"
        )
        lines.append(
            ("Rings at" if en else "Squilla a")
            + f" {format_time(call.offset_s)}, "
            + ("language" if en else "lingua")
            + f" {call.language}"
        )
        for criterion in call.criteria:
            title = criterion.title_en if en else criterion.title
            if not criterion.counted:
                share = "left out" if en else "escluso"
            else:
                share = f"{_marks(criterion.earned, en)} / {_marks(criterion.available, en)}"
            lines.append(f"- {title} ({criterion.ra}): {_status(criterion.status, en)}, {share}")
            if criterion.override:
                lines.append("  " + _override_line(criterion, en))
            evidence = criterion.evidence_en if en else criterion.evidence
            if evidence:
                lines.append(("  Evidence: " if en else "  Prova: ") + evidence)
    return "\n".join(lines) + "\n"
