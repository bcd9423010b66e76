"""The company's safety procedure as plain lines, the way a trainee reads a printed sheet.

The terminal prints them one per line (a screen reader and a Braille display read them in
order); the web console renders the same data as headings and lists. Italian first, English when
the trainee reads in English; the written procedures stay in the company's own words.
"""

from __future__ import annotations

from simulator.model import Company, Procedure

DUTY_NAMES: dict[str, tuple[str, str]] = {
    "first_aid": ("primo soccorso", "first aid"),
    "fire": ("antincendio", "fire warden"),
    "evacuation": ("evacuazione", "evacuation"),
}


def duty_name(duty: str, lang: str) -> str:
    it, en = DUTY_NAMES[duty]
    return en if lang == "en" else it


def procedure_lines(company: Company, lang: str) -> list[str]:
    """Every line of the procedure sheet, or one line saying there is none."""
    en = lang == "en"
    procedure: Procedure | None = company.procedure
    if procedure is None:
        return [
            "No safety procedure for this company." if en else "Nessuna procedura di sicurezza."
        ]
    staff = {member.id: member for member in company.staff}
    out = ["Emergency numbers:" if en else "Numeri di emergenza:"]
    out += [
        f"  {n.number}: {n.name}" + (f" ({n.use})" if n.use else "")
        for n in procedure.emergency_numbers
    ]
    out.append(
        ("Address for the rescue services: " if en else "Indirizzo per i soccorsi: ")
        + procedure.rescue_address
    )
    if procedure.rescue_access:
        out.append(("Access: " if en else "Accesso dei mezzi: ") + procedure.rescue_access)
    if procedure.callback_number:
        out.append(
            ("Callback number: " if en else "Numero per la richiamata: ")
            + procedure.callback_number
        )
    if procedure.announcement_extension:
        out.append(
            ("Public address: extension " if en else "Diffusione sonora: interno ")
            + procedure.announcement_extension
        )
    if procedure.wardens:
        out.append("Wardens:" if en else "Addetti alle emergenze:")
        for warden in procedure.wardens:
            member = staff.get(warden.staff)
            who = (
                f"{member.name}, {'ext.' if en else 'interno'} {member.extension}"
                if member
                else warden.staff
            )
            area = f", {warden.area}" if warden.area else ""
            out.append(f"  {duty_name(warden.duty, lang)}: {who}{area}")
    if procedure.assembly_points:
        out.append("Assembly points:" if en else "Punti di raccolta:")
        out += [
            f"  {p.name}" + (f" ({p.serves})" if p.serves else "")
            for p in procedure.assembly_points
        ]
    if procedure.threat_checklist:
        out.append("Threat call checklist:" if en else "Scheda per le minacce telefoniche:")
        out += [f"  {question}" for question in procedure.threat_checklist]
    for document in procedure.documents:
        out.append(f"{document.title}:")
        out += [f"  {n}. {step}" for n, step in enumerate(document.steps, start=1)]
    return out
