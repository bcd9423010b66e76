"""The practical exam in real Chromium: an instructor composes and assigns a two-call exam and
records an accommodation, a trainee takes it keyboard-only with two lines at once and sees no
score, the instructor closes and locks it and reads the /50 report; axe on every exam page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Page, expect

from simulator.practice import braille
from simulator.web.testing import PASSWORD, make_app, seed_users
from tests.browser.conftest import LiveServer
from tests.browser.test_axe import assert_axe_clean
from tests.browser.test_keyboard import active_id, ready, tab_to

pytestmark = pytest.mark.browser
EXAM_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exam"


@pytest.fixture(scope="module")
def exam_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("exam-live")
    app = make_app(f"sqlite:///{tmp / 'exam.db'}", tmp, EXAM_FIXTURES)
    app.config["SEEDED_IDS"] = seed_users(app, trainees=("sara", "tina"))
    with LiveServer(app) as server:
        yield server


def keyboard_login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    tab_to(page, "f-username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/(practice|instructor/)$"))


def compose_by_keyboard(page: Page, base: str, title: str) -> int:
    """Compose the two-call exam (Italian message at 0 s, English fonogramma at 4 s)."""
    kb = page.keyboard
    page.goto(f"{base}/instructor/exams")
    tab_to(page, "ex-title")
    kb.type(title)
    tab_to(page, "ex-call1-scenario")
    kb.type("Messaggio")  # a closed select picks the option its typed text begins
    expect(page.locator("#ex-call1-scenario")).to_have_value("exam-messaggio")
    tab_to(page, "ex-call2-scenario")
    kb.type("A fonogramma")
    expect(page.locator("#ex-call2-scenario")).to_have_value("exam-fonogramma-en")
    kb.press("Tab")
    assert active_id(page) == "ex-call2-offset"
    kb.press("Control+A")
    kb.type("4")
    tab_to(page, "exam-create")
    kb.press("Enter")
    page.wait_for_url(re.compile(r"/instructor/exams/\d+$"))
    expect(page.locator("h1")).to_have_text(f"Esame: {title}")
    return int(page.url.rsplit("/", 1)[1])


def test_exam_end_to_end_by_keyboard(page: Page, exam_live: LiveServer) -> None:
    """Compose, assign, accommodate; two simultaneous lines by keyboard; no pause, no score;
    close and lock; the /50 report with both calls and the accommodation."""
    kb = page.keyboard
    base = exam_live.url
    ids = exam_live.app.config["SEEDED_IDS"]
    keyboard_login(page, base, "ada")
    exam_id = compose_by_keyboard(page, base, "Esame finale")
    tab_to(page, f"assign-{ids['sara']}")
    kb.press("Space")
    tab_to(page, "assign-button")
    kb.press("Enter")
    page.wait_for_url(f"**/instructor/exams/{exam_id}")
    expect(page.locator(".notice")).to_have_text("Allievi a cui hai assegnato l'esame: 1.")
    sitting_id = int(
        page.locator("[id^=record-]").first.get_attribute("id").split("-")[1]  # type: ignore[union-attr]
    )
    tab_to(page, f"mult-{sitting_id}")
    kb.press("ArrowDown")
    kb.press("ArrowDown")
    expect(page.locator(f"#mult-{sitting_id}")).to_have_value("2.0")
    tab_to(page, f"record-{sitting_id}")
    kb.press("Enter")
    expect(page.locator(".notice")).to_have_text("Adattamento registrato per l'esame.")
    expect(page.locator("main")).to_contain_text("Moltiplicatore dei tempi 2 registrato")

    # The trainee, keyboard only.
    keyboard_login(page, base, "sara")
    page.wait_for_url("**/practice")
    tab_to(page, f"exam-{sitting_id}")
    kb.press("Enter")
    page.wait_for_url(f"**/practice/exams/{sitting_id}")
    expect(page.locator("main")).to_contain_text("Pausa non consentita.")
    tab_to(page, "start-exam")
    kb.press("Enter")
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    ready(page)
    expect(page.locator("#lines-heading")).to_be_focused()
    expect(page.locator("#pause-button")).to_have_count(0)
    expect(page.locator("#exam-briefing")).to_contain_text("Nessun consiglio né punteggio")
    expect(page.get_by_role("alert")).to_contain_text("Squilla linea 1: 0971 234567")

    kb.press("Alt+Shift+KeyR")  # answer line 1
    expect(page.locator("#reply")).to_be_focused()
    expect(page.get_by_role("log")).to_contain_text(
        "Chiamante (linea 1): Buongiorno, sono Mario Rossi"
    )
    kb.type("Buongiorno, Acme Test. Vuole lasciare un messaggio?")
    kb.press("Enter")
    expect(page.get_by_role("log")).to_contain_text("richiamarmi per l'ordine 4512")
    # Line 2 rings while line 1 is in conversation: simultaneous lines, as the offsets say.
    expect(page.get_by_role("alert")).to_contain_text("Squilla linea 2", timeout=30_000)
    kb.press("Alt+Shift+KeyH")  # hold line 1
    expect(page.get_by_role("status").first).to_have_text("Linea 1 in attesa.")
    kb.press("Alt+Shift+KeyR")  # answer line 2
    expect(page.locator("#reply")).to_be_focused()
    expect(page.get_by_role("log")).to_contain_text(
        "Chiamante (linea 2): Good morning, this is Helen Marsh"
    )
    kb.type("Good morning, Acme Test. Yes, go ahead.")
    kb.press("Enter")
    expect(page.get_by_role("log")).to_contain_text("The meeting is moved to Friday.")
    kb.press("Alt+Shift+KeyF")  # fonogramma pad
    page.wait_for_url(re.compile(r"tool=fonogramma"))
    expect(page.locator("#fonogramma-sender")).to_be_focused()
    kb.type("Helen Marsh")
    kb.press("Tab")
    kb.type("Luca Bianchi")
    tab_to(page, "fonogramma-text")
    kb.type("The meeting is moved to Friday.")
    tab_to(page, "fonogramma-submit")
    kb.press("Enter")
    page.wait_for_url(re.compile(r"focus="))
    ready(page)
    expect(page.get_by_role("log")).to_contain_text("Thank you, goodbye.")
    kb.press("Alt+Shift+KeyH")  # resume line 1
    expect(page.locator("#hold-e1-l1")).to_be_visible()
    kb.press("Alt+Shift+KeyC")  # hang up line 1
    expect(page.get_by_role("status").first).to_contain_text("Linea 1 chiusa.")
    tab_to(page, "finish-button")
    expect(page.locator("#finish-button")).to_have_text("Termina e consegna l'esame")
    kb.press("Enter")
    page.wait_for_url(f"**/practice/exams/{sitting_id}")
    expect(page.locator("#exam-state")).to_have_text(
        "Esame consegnato. I risultati li comunica la commissione."
    )
    body = page.locator("main").inner_text()
    assert "/ 50" not in body and "superato" not in body

    # The instructor closes and locks it, and reads the report.
    keyboard_login(page, base, "ada")
    page.goto(f"{base}/instructor/exams/{exam_id}")
    expect(page.locator(f"#state-{sitting_id}")).to_have_text("consegnato, da chiudere")
    tab_to(page, f"close-{sitting_id}")
    kb.press("Enter")
    page.wait_for_url(f"**/instructor/exam-sittings/{sitting_id}/report")
    expect(page.locator("h1")).to_have_text("Verbale d'esame: Sara")
    expect(page.locator("#exam-total")).to_have_text(re.compile(r"^\d+\.\d / 50$"))
    expect(page.locator("#lock-state")).to_have_text("Bloccati: non cambiano più.")
    expect(page.locator("#accommodations")).to_contain_text(
        "Moltiplicatore dei tempi 2 registrato come adattamento per questo esame."
    )
    expect(page.locator("#accommodations")).to_contain_text("Pausa non consentita.")
    expect(page.locator("#call-1-heading")).to_contain_text("Messaggio per il signor Bianchi")
    expect(page.locator("#call-2-heading")).to_contain_text("A fonogramma in English")
    row = page.locator("tr", has=page.locator("th", has_text="Fonogramma trascritto"))
    expect(row).to_contain_text("superato")
    total = float(page.locator("#exam-total").inner_text().split(" /")[0])
    assert total > 0
    # Every table region and link of the report is reachable by Tab.
    focusables = page.evaluate(
        "[...document.querySelectorAll('main a, main [tabindex=\"0\"]')].length"
    )
    seen: set[str] = set()
    for _ in range(focusables + 20):
        kb.press("Tab")
        seen.add(
            str(
                page.evaluate(
                    "document.activeElement.getAttribute('aria-labelledby')"
                    " || document.activeElement.textContent.trim().slice(0, 30)"
                )
            )
        )
    assert {"call-1-caption", "call-2-caption"} <= seen
    # The commission's copies, downloaded by keyboard: a PDF and a BRF that read back.
    tab_to(page, "report-pdf")
    with page.expect_download() as download:
        kb.press("Enter")
    pdf = pypdf.PdfReader(download.value.path())
    pdf_text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Verbale d'esame: Sara" in pdf_text and f"{total:.1f} / 50" in pdf_text
    tab_to(page, "report-brf")
    with page.expect_download() as download:
        kb.press("Enter")
    assert download.value.suggested_filename == f"esame-{sitting_id}.brf"
    cells = Path(download.value.path()).read_text(encoding="ascii").replace("\f", "")
    brf_text = " ".join(braille.back_translate(line) for line in cells.split("\r\n"))
    assert "Candidato: Sara" in brf_text


def test_axe_on_every_exam_page(page: Page, exam_live: LiveServer) -> None:
    """Compose (empty, with errors), exam, provisional and locked report, printable report,
    trainee home, exam page, console in exam mode and the handed-in page: no violation."""
    base = exam_live.url
    ids = exam_live.app.config["SEEDED_IDS"]
    keyboard_login(page, base, "ada")
    page.goto(f"{base}/instructor/exams")
    assert_axe_clean(page, "exams, none yet")
    page.click("#exam-create")
    expect(page).to_have_title(re.compile("^Errore:"))
    expect(page.locator("#error-summary")).to_be_focused()
    assert_axe_clean(page, "compose with errors")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the summary's first link goes to its field
    expect(page).to_have_url(re.compile("#ex-"))
    page.fill("#ex-title", "Esame axe")
    page.select_option("#ex-call1-scenario", "exam-messaggio")
    page.fill("#ex-call1-offset", "tardi")
    page.click("#exam-create")
    expect(page.locator("#ex-call1-offset")).to_have_attribute("aria-invalid", "true")
    assert_axe_clean(page, "compose with a field error")
    page.fill("#ex-call1-offset", "0")
    page.select_option("#ex-call2-scenario", "exam-fonogramma-en")
    page.fill("#ex-call2-offset", "2")
    page.click("#exam-create")
    page.wait_for_url(re.compile(r"/instructor/exams/\d+$"))
    exam_url = page.url
    page.check(f"#assign-{ids['tina']}")
    page.click("#assign-button")
    assert_axe_clean(page, "exam with a sitting")
    sitting_id = page.locator("[id^=report-]").first.get_attribute("id").split("-")[1]  # type: ignore[union-attr]
    page.goto(f"{base}/instructor/exam-sittings/{sitting_id}/report")
    assert_axe_clean(page, "provisional report")

    keyboard_login(page, base, "tina")
    page.goto(f"{base}/practice")
    assert_axe_clean(page, "trainee home with an exam")
    page.goto(f"{base}/practice/exams/{sitting_id}")
    assert_axe_clean(page, "exam before start")
    page.click("#start-exam")
    ready(page)
    assert_axe_clean(page, "console in exam mode, ringing")
    page.click("#answer-e1-l1")
    expect(page.locator("#reply")).to_be_focused()
    assert_axe_clean(page, "console in exam mode, talking")
    page.click("#finish-button")
    page.wait_for_url(f"**/practice/exams/{sitting_id}")
    assert_axe_clean(page, "exam handed in")

    keyboard_login(page, base, "ada")
    page.goto(exam_url)
    page.click(f"#close-{sitting_id}")
    page.wait_for_url(re.compile(r"/report$"))
    assert_axe_clean(page, "locked report")
    page.goto(exam_url)
    page.click(f"#release-{sitting_id}")
    expect(page.locator(".notice")).to_have_text("Verbale mostrato all'allievo.")
    assert_axe_clean(page, "exam with a released report")
    keyboard_login(page, base, "tina")
    page.goto(f"{base}/practice/exams/{sitting_id}")
    expect(page.locator("#exam-total")).to_have_text(re.compile(r"/ 50$"))
    assert_axe_clean(page, "trainee reads the released report")
    keyboard_login(page, base, "ada")
    page.goto(f"{base}/instructor/exam-sittings/{sitting_id}/report.html")
    expect(page.locator("h1")).to_have_text("Verbale d'esame: Tina")
    assert_axe_clean(page, "printable report")


def test_exam_pages_reflow_at_320px_in_forced_colours(narrow_page: Page, exam_live: LiveServer):
    """Compose, exam and report pages: no horizontal scroll at 320 px, controls 24 px high."""
    page = narrow_page
    base = exam_live.url
    ids = exam_live.app.config["SEEDED_IDS"]
    keyboard_login(page, base, "ada")
    page.goto(f"{base}/instructor/exams")
    page.fill("#ex-title", "Esame stretto")
    page.select_option("#ex-call1-scenario", "exam-messaggio")
    page.select_option("#ex-call2-scenario", "exam-fonogramma-en")
    checked = [f"{base}/instructor/exams"]
    page.click("#exam-create")
    page.wait_for_url(re.compile(r"/instructor/exams/\d+$"))
    page.check(f"#assign-{ids['sara']}")
    page.click("#assign-button")
    checked.append(page.url)
    sitting = page.locator("[id^=report-]").last.get_attribute("id").split("-")[1]  # type: ignore[union-attr]
    checked.append(f"{base}/instructor/exam-sittings/{sitting}/report")
    for url in checked:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"horizontal scroll at 320 px ({width}) on {url}"
        small = page.evaluate(
            """() => [...document.querySelectorAll('main button, main input, main select')]
                .filter((el) => el.type !== 'hidden' && el.getBoundingClientRect().height < 24)
                .map((el) => el.id)"""
        )
        assert small == [], f"targets under 24 px on {url}: {small}"
