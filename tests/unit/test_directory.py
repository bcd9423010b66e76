"""Directory search, transfer-target resolution and directory updates on a small company."""

from __future__ import annotations

import pytest

from simulator.directory import (
    DirectoryHit,
    Target,
    apply_directory_update,
    resolve_target,
    search,
)
from simulator.model import Company, Department, Presence, StaffMember, StaffPresence


def member(
    staff_id: str,
    name: str,
    department: str,
    extension: str,
    role: str = "",
    status: Presence = Presence.AVAILABLE,
) -> StaffMember:
    return StaffMember.model_validate(
        {
            "id": staff_id,
            "name": name,
            "department": department,
            "extension": extension,
            "role": role,
            "presence": {"status": status, "until": "lunedì 10:00", "note": "ferie"}
            if status is Presence.ABSENT
            else {"status": status},
        }
    )


@pytest.fixture
def company() -> Company:
    return Company(
        id="acme",
        name="Acme Srl",
        number="+39 0971 111111",
        departments=[
            Department(
                id="acquisti", name="Ufficio acquisti", name_en="Purchasing", extension="200"
            ),
            Department(id="tecnico", name="Assistenza tecnica", name_en="Technical support"),
            Department(id="direzione", name="Direzione", extension="100"),
        ],
        staff=[
            member("esposito-mario", "Mario Esposito", "acquisti", "214", "Responsabile acquisti"),
            member("ferrari-luca", "Luca Ferrari", "tecnico", "301", "Tecnico", Presence.BUSY),
            member("ferraris-anna", "Anna Ferraris", "tecnico", "302", "Tecnica"),
            member(
                "deluca-paola", "Paola De Luca", "direzione", "110", "Direttrice", Presence.ABSENT
            ),
            member("russo-giorgio", "Giorgio Russo", "acquisti", "215"),
            member("colombo-sara", "Sara Colombo", "direzione", "111", "Segreteria"),
            member("rossi-anna", "Anna Rossi", "acquisti", "216", status=Presence.ABSENT),
            member("rossi-marco", "Marco Rossi", "tecnico", "303", status=Presence.BUSY),
            member("bianchi-rossi-ugo", "Ugo Bianchi", "tecnico", "304"),
        ],
    )


def ids(hits: list[DirectoryHit]) -> list[str]:
    return [hit.id for hit in hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Esposito", "esposito-mario"),
        ("Sposito", "esposito-mario"),
        ("Espostio", "esposito-mario"),
        ("il dottor Esposito", "esposito-mario"),
        ("Ferari", "ferrari-luca"),
        ("Deluca", "deluca-paola"),
        ("De Luca", "deluca-paola"),
        ("de luca paola", "deluca-paola"),
        ("Russo", "russo-giorgio"),
        ("Colombi", "colombo-sara"),
        ("Giorgio", "russo-giorgio"),
        ("interno due uno quattro", "esposito-mario"),
        ("214", "esposito-mario"),
        ("vorrei parlare con l'ufficio acquisti", "acquisti"),
        ("purchasing", "acquisti"),
        ("assistenza tecnica", "tecnico"),
    ],
)
def test_search_forgives_misspelt_names(company: Company, query: str, expected: str) -> None:
    """Misspelt Italian surnames, titles, spoken extensions and departments are found first."""
    hits = search(company, query)
    assert hits and hits[0].id == expected, hits


def test_exact_match_ranks_before_near_match(company: Company) -> None:
    """ "Ferrari" lists Ferrari before Ferraris, though Ferrari is busy and Ferraris free."""
    hits = search(company, "Ferrari")
    assert ids(hits)[:2] == ["ferrari-luca", "ferraris-anna"]
    assert hits[0].score == 1.0 > hits[1].score


def test_presence_breaks_ties(company: Company) -> None:
    """Two equally good matches list the available colleague first, the absent one last."""
    assert ids(search(company, "Rossi"))[:2] == ["rossi-marco", "rossi-anna"]
    assert ids(search(company, "Anna"))[:2] == ["ferraris-anna", "rossi-anna"]


def test_hit_carries_what_the_operator_needs(company: Company) -> None:
    """A hit gives name, extension, department and presence for the console to read out."""
    hit = search(company, "De Luca")[0]
    assert hit == DirectoryHit(
        kind="staff",
        id="deluca-paola",
        name="Paola De Luca",
        extension="110",
        department="Direzione",
        presence=Presence.ABSENT,
        score=1.0,
    )
    department = search(company, "assistenza tecnica")[0]
    assert (department.kind, department.extension, department.presence) == (
        "department",
        None,
        Presence.AVAILABLE,
    )


def test_search_limit_and_nonsense(company: Company) -> None:
    """Results are capped, and a query that matches nobody returns nothing."""
    assert len(search(company, "acquisti", limit=2)) == 2
    assert search(company, "xyz qwerty") == []
    assert search(company, "") == []


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("214", ("staff", "esposito-mario")),
        ("due uno quattro", ("staff", "esposito-mario")),
        ("interno 214", ("staff", "esposito-mario")),
        ("esposito-mario", ("staff", "esposito-mario")),
        ("acquisti", ("department", "acquisti")),
        ("200", ("department", "acquisti")),
        ("Sposito", ("staff", "esposito-mario")),
        ("Anna Rossi", ("staff", "rossi-anna")),
        ("Ferraris", ("staff", "ferraris-anna")),
        ("Direzione", ("department", "direzione")),
    ],
)
def test_resolve_target(company: Company, target: str, expected: tuple[str, str]) -> None:
    """Transfers accept an extension, an id or an unambiguous name."""
    resolved = resolve_target(company, target)
    assert resolved is not None and (resolved.kind, resolved.id) == expected


@pytest.mark.parametrize("target", ["Rossi", "Anna", "999", "qualcuno", ""])
def test_resolve_refuses_unknown_or_ambiguous(company: Company, target: str) -> None:
    """An ambiguous name or an unknown extension resolves to nothing, never to a guess."""
    assert resolve_target(company, target) is None


def test_resolved_target_has_presence(company: Company) -> None:
    """The engine learns whether the colleague can take the call."""
    assert resolve_target(company, "301") == Target(
        "staff", "ferrari-luca", "301", "Luca Ferrari", Presence.BUSY
    )


def test_directory_update_returns_a_new_company(company: Company) -> None:
    """An update changes one colleague in a copy and leaves the original untouched."""
    updated = apply_directory_update(company, "esposito-mario", "extension", "219")
    assert resolve_target(updated, "219") is not None
    assert resolve_target(company, "219") is None
    assert [m.id for m in updated.staff] == [m.id for m in company.staff]


def test_presence_update_clears_stale_details(company: Company) -> None:
    """Marking an absent colleague available drops the old "until" and private reason."""
    updated = apply_directory_update(company, "deluca-paola", "presence", "available")
    paola = next(m for m in updated.staff if m.id == "deluca-paola")
    assert paola.presence == StaffPresence.model_validate({"status": "available"})


@pytest.mark.parametrize(
    ("staff_id", "field", "value", "message"),
    [
        ("nessuno", "extension", "219", "unknown staff member"),
        ("esposito-mario", "salary", "1", "field cannot be changed"),
        ("esposito-mario", "extension", "abc", "invalid value"),
        ("esposito-mario", "presence", "on holiday", "invalid value"),
        ("esposito-mario", "department", "marketing", "unknown department"),
    ],
)
def test_directory_update_errors(
    company: Company, staff_id: str, field: str, value: str, message: str
) -> None:
    """Bad updates fail with an Italian and English message, changing nothing."""
    with pytest.raises(ValueError, match=message) as raised:
        apply_directory_update(company, staff_id, field, value)
    assert " / " in str(raised.value)
