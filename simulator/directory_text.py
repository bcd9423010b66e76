"""The company directory as plain lines, the printed sheet an operator keeps beside the phone.

Departments with their hunt-group extension, then the staff by surname with department, role
and extension, so a Braille reader finds a name by its first cells. Private mobiles and
presence are left out: the sheet is what may lie on the desk. Used for the BRF download.
"""

from __future__ import annotations

from simulator.model import Company


def _surname_first(name: str) -> str:
    parts = name.split()
    return f"{parts[-1]} {' '.join(parts[:-1])}".strip() if len(parts) > 1 else name


def directory_lines(company: Company, lang: str) -> list[str]:
    """Every line of the directory sheet, in Italian or English."""
    en = lang == "en"
    departments = {d.id: d for d in company.departments}

    def department_name(dep_id: str) -> str:
        dep = departments.get(dep_id)
        if dep is None:
            return dep_id
        return (dep.name_en or dep.name) if en else dep.name

    out = [
        ("Directory: " if en else "Rubrica: ") + company.name,
        ("Switchboard: " if en else "Centralino: ") + company.number,
    ]
    if company.address:
        out.append(("Address: " if en else "Indirizzo: ") + company.address)
    out += ["", "Departments" if en else "Reparti"]
    for dep in company.departments:
        ext = f", {'extension' if en else 'interno'} {dep.extension}" if dep.extension else ""
        out.append(f"{department_name(dep.id)}{ext}")
    out += ["", "Staff, by surname" if en else "Personale, per cognome"]
    for member in sorted(company.staff, key=lambda m: _surname_first(m.name).lower()):
        role = f", {member.role}" if member.role else ""
        out.append(
            f"{_surname_first(member.name)}: {'extension' if en else 'interno'} "
            f"{member.extension}, {department_name(member.department)}{role}"
        )
    return out
