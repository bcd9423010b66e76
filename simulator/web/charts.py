"""Geometry for the server-rendered SVG charts of the class results page (no canvas, no script).

Each chart is drawn by a template macro from these numbers, with a title, a description, a text
summary and its data table beside it. Series differ by marker shape and dash pattern as well as
by colour, and every point and bar is also written as text (WCAG 1.4.1, 1.1.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from simulator.practice.register import RAPoint

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
# Four series: distinct dash patterns and markers, colours of 3:1 or more on white.
STYLES = (
    {"colour": "#1d4f91", "dash": "", "marker": "circle"},
    {"colour": "#8a3b00", "dash": "6 4", "marker": "square"},
    {"colour": "#1b6b3a", "dash": "2 3", "marker": "triangle"},
    {"colour": "#6b1b6b", "dash": "10 3 2 3", "marker": "diamond"},
)


@dataclass(frozen=True, slots=True)
class Series:
    ra: str
    colour: str
    dash: str
    marker: str
    points: list[tuple[float, float, str]]  # x, y, label

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in self.points)


def ra_lines(points: Sequence[RAPoint], ra_ids: Sequence[str]) -> dict[str, Any]:
    """A line per RA across the weeks: the mean score (0-100 %) of its scored attempts."""
    weeks = sorted({p.period for p in points})
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(weeks) - 1, 1)

    def x_of(i: int) -> float:
        return LEFT + (i * step if len(weeks) > 1 else plot_w / 2)

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - value)

    series = []
    for n, ra in enumerate(ra_ids):
        style = STYLES[n % len(STYLES)]
        mine = {p.period: p for p in points if p.ra == ra}
        pts = [
            (x_of(i), y_of(mine[w].mean), f"{round(mine[w].mean * 100)}%")
            for i, w in enumerate(weeks)
            if w in mine
        ]
        if pts:
            series.append(Series(ra, style["colour"], style["dash"], style["marker"], pts))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "ticks": [(y_of(v / 100), v) for v in (0, 25, 50, 75, 100)],
        "weeks": [(x_of(i), w) for i, w in enumerate(weeks)],
        "series": series,
    }


def bars(items: Sequence[tuple[str, float, str]], width: int = WIDTH) -> dict[str, Any]:
    """Horizontal bars: (label, value 0-1, value as text), one row of 28 px each."""
    label_w, row_h = 220, 28
    plot_w = width - label_w - 64
    rows = [
        {
            "label": label,
            "y": TOP + i * row_h,
            "w": max(value, 0.0) * plot_w,
            "text": text,
        }
        for i, (label, value, text) in enumerate(items)
    ]
    return {
        "width": width,
        "height": TOP * 2 + row_h * max(len(rows), 1),
        "label_w": label_w,
        "rows": rows,
    }
