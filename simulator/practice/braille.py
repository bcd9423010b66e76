"""Plain text to a BRF file (Braille Ready Format) through liblouis and its Italian table.

BRF is what embossers and Braille notetakers read: six-dot cells written as North American
Braille ASCII, 40 cells a line, 25 lines a page, a form feed between pages. We translate with
liblouis (Debian's ``liblouis-data`` tables, its ``louis`` ctypes binding) through
:data:`FORWARD_TABLES`: Italian 6-dot computer Braille (``it-it-comp6.utb``, one cell per
character, the code Italian switchboard operators read) shown as BRF ASCII (``en-us-brf.dis``).
Line breaks are made on the translated cells, so a wrapped line never splits a cell sequence
that liblouis produced for one word. The last line of each page holds the page number, right
aligned, translated like the text.

API: :func:`to_brf` (text -> BRF bytes) and :func:`back_translate` (BRF -> text, for tests and
for anyone checking a file by ear).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import louis

CELLS_PER_LINE = 40
LINES_PER_PAGE = 25
FORM_FEED = "\f"
LINE_END = "\r\n"
FORWARD_TABLES = ("en-us-brf.dis", "it-it-comp6.utb")
# Back-translation needs letters and digits defined before the table's own digit cells (the
# Italian table defines digits first, so a back-translated "c" would read "3"); both tables
# ship with liblouis. Computer Braille gives some accented letters the cell of an ASCII sign
# ("à" and "[" share dots 12356), so a back-translation can only be compared cell for cell.
BACK_TABLES = ("en-us-brf.dis", "latinLetterDef6Dots.uti", "litdigits6Dots.uti", "it-it-comp6.utb")
# Characters the Italian table lacks (it defines its hyphen on U+00AD), mapped to ones it has.
_MISSING = str.maketrans(
    {
        "-": "\u00ad",
        "–": "\u00ad",
        "—": "\u00ad",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "€": "EUR",
        "\t": " ",
    }
)


def translate_line(text: str) -> str:
    """One line of text as BRF ASCII cells (no wrapping)."""
    if not text.strip():
        return ""
    return str(louis.translateString(list(FORWARD_TABLES), text.translate(_MISSING)))


def wrap_cells(cells: str, width: int = CELLS_PER_LINE) -> list[str]:
    """Break a translated line at blank cells into lines of at most ``width`` cells.

    A word longer than a line is cut at the line's end (a long e-mail address, say).
    """
    lines: list[str] = []
    current = ""
    for word in cells.split(" "):
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current = f"{current} {word}"
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return [line.rstrip() for line in lines]


def brf_lines(text_lines: Iterable[str]) -> list[str]:
    """Every text line translated and wrapped to 40 cells; blank lines kept as blank lines."""
    out: list[str] = []
    for line in text_lines:
        out.extend(wrap_cells(translate_line(line)))
    return out


def paginate(lines: Sequence[str]) -> list[list[str]]:
    """Pages of 25 lines: 24 of text and, last, the page number aligned right."""
    body = LINES_PER_PAGE - 1
    chunks = [list(lines[i : i + body]) for i in range(0, len(lines), body)] or [[]]
    pages: list[list[str]] = []
    for number, chunk in enumerate(chunks, start=1):
        label = translate_line(str(number))
        pages.append(chunk + [""] * (body - len(chunk)) + [label.rjust(CELLS_PER_LINE)])
    return pages


def to_brf(text: str) -> bytes:
    """A whole BRF file: translated, wrapped, paginated, CR LF line ends, form feeds between."""
    pages = paginate(brf_lines(text.splitlines()))
    body = (LINE_END + FORM_FEED).join(LINE_END.join(page) for page in pages)
    return (body + LINE_END + FORM_FEED).encode("ascii", errors="replace")


def back_translate(cells: str) -> str:
    """BRF ASCII cells back to text (liblouis's back-translator on :data:`BACK_TABLES`)."""
    if not cells.strip():
        return ""
    return str(louis.backTranslateString(list(BACK_TABLES), cells))
