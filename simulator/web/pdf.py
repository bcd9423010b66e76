"""HTML to PDF bytes with WeasyPrint, for documents that already exist as accessible pages.

A PDF is made from the same server-rendered HTML a screen reader reads on screen, so the two
never say different things. WeasyPrint lays it out with Pango (Debian's ``libpango-1.0-0`` and
``libpangoft2-1.0-0``, installed by ``scripts/setup.sh``); it fetches nothing from the network:
the page's stylesheet is read from the app's static folder through ``base_url``.

API: :func:`html_to_pdf` (HTML string -> PDF bytes) and :func:`pdf_response` (a download).
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app

# Print styles of our own, on top of nothing: system fonts, A4, page numbers in the margin.
PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm;
  @bottom-right { content: counter(page) " / " counter(pages); } }
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 10.5pt; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; margin-top: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0; }
caption { text-align: left; font-weight: bold; margin-bottom: 0.3em; }
th, td { border: 0.5pt solid #444; padding: 2pt 4pt; text-align: left; vertical-align: top; }
"""


def html_to_pdf(html: str, *, title: str | None = None, base_url: str | None = None) -> bytes:
    """Render an HTML document to PDF bytes (tagged with its title and language).

    Args:
        html: a whole document, with ``<html lang=...>`` and a ``<title>``.
        title: overrides the PDF's metadata title when given.
        base_url: where relative links resolve (a folder path); defaults to the static folder.
    """
    from weasyprint import CSS, HTML  # heavy import, only when a PDF is asked for

    root = base_url or str(Path(current_app.static_folder or ".").resolve()) + "/"
    document = HTML(string=html, base_url=root).render(stylesheets=[CSS(string=PRINT_CSS)])
    if title:
        document.metadata.title = title
    pdf: bytes = document.write_pdf(pdf_tags=True)
    return pdf


def pdf_response(html: str, filename: str, *, title: str | None = None) -> Response:
    """A PDF download made from ``html``."""
    return Response(
        html_to_pdf(html, title=title),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
