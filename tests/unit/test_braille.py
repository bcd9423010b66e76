"""BRF layout through the real liblouis: 40 cells a line, 25 lines a page with its number,
form feeds between pages, and text that back-translates to what was written."""

from __future__ import annotations

from simulator.practice import braille


def _pages(brf: bytes) -> list[list[str]]:
    text = brf.decode("ascii")
    assert text.endswith("\r\n\f")
    return [page.removesuffix("\r\n").split("\r\n") for page in text.split("\f")[:-1]]


def test_a_long_line_wraps_at_blank_cells_within_40_cells():
    words = "interno duecentouno ufficio acquisti Anna Verdi buyer " * 6
    lines = braille.brf_lines([words])
    assert len(lines) > 3
    assert all(0 < len(line) <= braille.CELLS_PER_LINE for line in lines)
    assert not any(line.startswith(" ") or line.endswith(" ") for line in lines)
    back = " ".join(braille.back_translate(line) for line in lines)
    assert back == words.strip()


def test_a_word_longer_than_a_line_is_cut_at_the_line_end():
    lines = braille.wrap_cells("A" * 95)
    assert [len(line) for line in lines] == [40, 40, 15]


def test_pages_have_25_lines_a_right_aligned_number_and_form_feeds():
    text = "\n".join(f"Riga {n}" for n in range(1, 51))  # 50 lines: 24 + 24 + 2
    pages = _pages(braille.to_brf(text))
    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):
        assert len(page) == braille.LINES_PER_PAGE
        assert all(len(line) <= braille.CELLS_PER_LINE for line in page)
        assert len(page[-1]) == braille.CELLS_PER_LINE and page[-1].lstrip() == page[-1].strip()
        assert braille.back_translate(page[-1].strip()) == str(number)
    assert braille.back_translate(pages[1][0]) == "Riga 25"
    assert pages[2][2:24] == [""] * 22  # the last page is filled with blank lines


def test_blank_lines_stay_blank_and_an_empty_text_is_one_page():
    assert braille.brf_lines(["Rubrica", "", "Reparti"])[1] == ""
    assert len(_pages(braille.to_brf(""))) == 1


def test_italian_letters_digits_and_capitals_back_translate():
    line = "Rossi Mario, interno 222, tel. 0971 234567"
    cells = braille.translate_line(line)
    assert cells.isascii() and cells.upper() == cells
    # Italian computer Braille gives "ss" and "§", capital "M" and "µ" the same cells.
    back = braille.back_translate(cells).replace("§", "ss").replace("µ", "M")
    assert back == line


def test_hyphens_and_typographic_quotes_become_cells_not_escapes():
    for text in ("Orari 9-13", "l’ufficio", "«Pronto»", "10 €"):
        assert "\\x" not in braille.back_translate(braille.translate_line(text)).lower()
        assert "'\\" not in braille.translate_line(text)
