"""Server-rendered SVG charts, the same markup for the page and the PDF.

A small module of our own rather than a chart library: the CSP forbids inline styles and
scripts (which the libraries we looked at emit), and the charts need one thing they lack:
a line that breaks where the diary has a gap, so a quiet week is not drawn as a quiet illness.
Sizes are in CSS pixels for a 328 px wide phone column; the SVG scales to its container.
Legends are HTML under each chart (colour classes .series-0 ... match COLOURS), and a data
table follows each chart for screen readers.
"""
from dataclasses import dataclass
from datetime import timedelta

from markupsafe import Markup, escape

WIDTH, HEIGHT = 328, 200
LEFT, RIGHT, TOP, BOTTOM = 38, 8, 12, 30
FONT = 16
# The page's font stack: SVG text in every script of the shipped languages has real glyphs.
FONT_FAMILY = "Noto Sans, Noto Sans Devanagari, Noto Sans Bengali, Noto Sans Tamil, Noto Sans Arabic, sans-serif"
# Okabe-Ito colours: told apart by people with colour-blindness, and each series is also named.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2")


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple  # (datetime, value), oldest first


def _x(when, start, end):
    span = (end - start).total_seconds() or 1
    return LEFT + (when - start).total_seconds() / span * (WIDTH - LEFT - RIGHT)


def _y(value, low, high):
    return TOP + (1 - (value - low) / ((high - low) or 1)) * (HEIGHT - TOP - BOTTOM)


def _segments(points, gap):
    """Consecutive points split where more than `gap` passes between two of them."""
    segment = []
    for point in points:
        if segment and gap is not None and point[0] - segment[-1][0] > gap:
            yield segment
            segment = []
        segment.append(point)
    if segment:
        yield segment


def line_chart(series, *, start, end, low, high, y_ticks, x_labels, title, gap=timedelta(days=10)):
    """Lines over time; x_labels are (datetime, text) pairs, y_ticks the values to rule."""
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="{FONT_FAMILY}" font-size="{FONT}">'
    ]
    for tick in y_ticks:
        y = _y(tick, low, high)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5d9df"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 5:.1f}" text-anchor="end" fill="#3b4350">{escape(str(tick))}</text>')
    for when, label in x_labels:
        x = _x(when, start, end)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM + 4}" stroke="#3b4350"/>')
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 21}" text-anchor="middle" fill="#3b4350">'
                     f'{escape(label)}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" '
                 f'stroke="#3b4350"/>')
    for index, line in enumerate(series):
        colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        for segment in _segments(line.points, gap):
            coordinates = " ".join(f"{_x(w, start, end):.1f},{_y(v, low, high):.1f}" for w, v in segment)
            if len(segment) > 1:
                parts.append(f'<polyline points="{coordinates}" fill="none" stroke="{colour}" stroke-width="2.5"'
                             f'{dash_attribute} stroke-linejoin="round"/>')
            else:  # a lone point between gaps still shows
                parts.append(f'<circle cx="{coordinates.split(",")[0]}" cy="{coordinates.split(",")[1]}" r="3" '
                             f'fill="{colour}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(months, series, *, title, month_label):
    """Counts per month, one bar per series side by side; months are dates (first of month)."""
    high = max([1] + [count for _name, counts in series for count in counts])
    top = high if high <= 4 else -(-high // 4) * 4
    ticks = sorted({0, top // 2, top}) if top > 1 else [0, 1]
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="{FONT_FAMILY}" font-size="{FONT}">'
    ]
    for tick in ticks:
        y = _y(tick, 0, top)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5d9df"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 5:.1f}" text-anchor="end" fill="#3b4350">{tick}</text>')
    slot = (WIDTH - LEFT - RIGHT) / max(len(months), 1)
    bar = max(2.0, (slot - 4) / max(len(series), 1))
    label_every = max(1, round(len(months) / 6))
    for m, month in enumerate(months):
        for s, (_name, counts) in enumerate(series):
            if counts[m]:
                y = _y(counts[m], 0, top)
                parts.append(f'<rect x="{LEFT + m * slot + 2 + s * bar:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                             f'height="{HEIGHT - BOTTOM - y:.1f}" fill="{COLOURS[s % len(COLOURS)]}"/>')
        if m % label_every == 0:
            parts.append(f'<text x="{LEFT + (m + 0.5) * slot:.1f}" y="{HEIGHT - BOTTOM + 21}" text-anchor="middle" '
                         f'fill="#3b4350">{escape(month_label(month))}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" '
                 f'stroke="#3b4350"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
