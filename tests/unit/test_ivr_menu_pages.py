"""The phone menu's pages and choices, pure: eight choices a page, 9 for more, 0 back, keys on
the page only, words for any family or title on offer; and the human names behind them."""

from __future__ import annotations

from ivr import menu
from simulator.model import FAMILIES, LANGUAGES
from simulator.names import FAMILY_NAMES, LANGUAGE_NAMES, family_name, language_name, level_name


def _entry(n: int, family: str = "smistamento", level: int = 1) -> menu.Entry:
    return menu.Entry(f"s{n:02d}", f"Titolo numero {n}", family, level, "it-IT")


def test_every_family_and_language_of_the_model_has_a_name_in_both_languages() -> None:
    assert set(FAMILIES) <= set(FAMILY_NAMES)
    assert set(LANGUAGES) <= set(LANGUAGE_NAMES)
    assert family_name("assistenza_tecnica") == "Assistenza tecnica"
    assert family_name("assistenza_tecnica", "en") == "Technical support"
    assert family_name("nuova_famiglia") == "Nuova famiglia"  # a later family, still readable
    assert level_name(1) == "Livello 1, base" and level_name(3, "en") == "Level 3, advanced"
    assert language_name("fr-FR") == "francese" and language_name("xx-YY") == "xx-YY"


def test_long_lists_are_read_eight_at_a_time_with_9_for_more_and_0_back() -> None:
    library = [_entry(n, level=1 + n % 3) for n in range(11)]
    first = menu.page("family:smistamento", 0, [], library, "it")
    digits = [o.digit for o in first.options]
    assert digits == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]
    assert first.options[8].token == "more" and first.options[9].token == "back"
    assert "Livello 1, base" in first.options[0].label  # level 1 first
    second = menu.page("family:smistamento", 1, [], library, "it")
    assert [o.digit for o in second.options] == ["1", "2", "3", "0"]
    assert menu.page("family:smistamento", 7, [], library, "it").number == 1  # clamped
    assert first.spoken()[-2:] == ["9: per altri.", "0: per tornare indietro."]


def test_top_page_lists_assigned_calls_then_free_practice() -> None:
    assigned = [_entry(1)]
    library = [_entry(1), _entry(2, "reclami")]
    top = menu.page(menu.start(assigned, library), 0, assigned, library, "it")
    assert [(o.digit, o.token) for o in top.options] == [("1", "s:s01"), ("2", "free")]
    assert menu.start([], library) == menu.FAMILIES
    assert menu.parent(menu.FAMILIES, []) is None
    assert menu.parent(menu.FAMILIES, assigned) == menu.TOP
    without_free = menu.page(menu.TOP, 0, assigned, [], "it")
    assert [o.token for o in without_free.options] == ["s:s01"]


def test_choices_by_key_and_by_voice() -> None:
    library = [_entry(n, "smistamento") for n in range(3)] + [_entry(9, "reclami")]
    families = menu.page(menu.FAMILIES, 0, [], library, "it")
    assert menu.choose(families, "2", "", [], library, "it-IT") == "f:reclami"
    assert menu.choose(families, "7", "", [], library, "it-IT") is None  # not on this page
    assert menu.choose(families, "", "reclami", [], library, "it-IT") == "f:reclami"
    assert menu.choose(families, "", "numero uno", [], library, "it-IT") == "f:smistamento"
    assert menu.choose(families, "", "titolo numero 9", [], library, "it-IT") == "s:s09"
    assert menu.choose(families, "", "pizza", [], library, "it-IT") is None
    inside = menu.page("family:smistamento", 0, [], library, "it")
    assert menu.choose(inside, "", "indietro", [], library, "it-IT") == "back"
    # A title that contains a family's name is the title, not the family.
    messages = [menu.Entry("notte", "Segreteria: i messaggi della notte", "segreteria", 2, "it-IT")]
    messages += [_entry(5, "messaggi")]
    assert (
        menu.choose(families, "", "segreteria i messaggi della notte", [], messages, "it-IT")
        == "s:notte"
    )
    assert menu.choose(families, "", "messaggi", [], messages, "it-IT") == "f:messaggi"
    # Without free practice the library is not on offer: its families are not understood.
    assert menu.choose(families, "", "reclami", [], [], "it-IT") is None
