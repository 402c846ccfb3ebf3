"""Server-rendered SVG charts of the public page (no JavaScript, no CDN).

Crowding classes are never told by colour alone: each class also has its own
fill pattern, every bar carries a text label (``<title>`` and the level's number,
1 low to 3 high, as in the legend), every cell its value, and the page shows the same numbers in a table.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

COLOURS = {1: "#4c9a52", 2: "#e0a526", 3: "#c8412f"}
PATTERNS = {1: "aff-low", 2: "aff-medium", 3: "aff-high"}

DEFS = """<defs>
<pattern id="aff-low" width="6" height="6" patternUnits="userSpaceOnUse">
<rect width="6" height="6" fill="#4c9a52"/></pattern>
<pattern id="aff-medium" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
<rect width="6" height="6" fill="#e0a526"/><rect width="2" height="6" fill="#a87500"/></pattern>
<pattern id="aff-high" width="6" height="6" patternUnits="userSpaceOnUse">
<rect width="6" height="6" fill="#c8412f"/><path d="M0 0L6 6M6 0L0 6" stroke="#6d150b" stroke-width="1.2"/></pattern>
</defs>"""


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def slot_chart(rows: Sequence[Sequence[Any]], labels: dict[int, str], title: str,
               value_label: str, use_load: bool = False) -> str:
    """Bars by slot (P50) with the P10-P90 band as a whisker.

    ``rows`` are the page slice rows (see ``pagedata.ROW_FIELDS``); with
    ``use_load`` the on-board load is drawn instead of boardings.
    """
    if not rows:
        return ""
    value = 5 if use_load else 1
    low, high = (6, 7) if use_load else (2, 3)
    top = max((r[high] if r[high] is not None else r[value] or 0) for r in rows) or 1
    width, height, left, bottom, pad = 720, 260, 44, 40, 16
    plot_w, plot_h = width - left - 8, height - bottom - pad
    step = plot_w / len(rows)
    bar = max(step * 0.7, 2)

    def y(v: float | None) -> float:
        return pad + plot_h - (v or 0) / top * plot_h

    parts = [f'<svg class="affluence-chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>", DEFS]
    for tick in range(5):
        v = top * tick / 4
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                     f'stroke="#ddd"/><text x="{left - 4}" y="{y(v) + 4:.1f}" '
                     f'text-anchor="end" font-size="11">{v:.0f}</text>')
    every = max(1, round(len(rows) / 12))
    for i, row in enumerate(rows):
        x = left + i * step + (step - bar) / 2
        level = int(row[4])
        v = row[value]
        label = (f"{row[0]} : {_fmt(v)} {value_label}, {_fmt(row[low])}–{_fmt(row[high])} "
                 f"(P10–P90), {labels[level]}")
        parts.append(f'<g><title>{escape(label)}</title>'
                     f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{bar:.1f}" '
                     f'height="{max(y(0) - y(v), 0):.1f}" fill="url(#{PATTERNS[level]})" '
                     f'stroke="{COLOURS[level]}"/>')
        if row[low] is not None and row[high] is not None:
            cx = x + bar / 2
            parts.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(row[high]):.1f}" '
                         f'y2="{y(row[low]):.1f}" stroke="#222" stroke-width="1.5"/>'
                         f'<line x1="{cx - 3:.1f}" x2="{cx + 3:.1f}" y1="{y(row[high]):.1f}" '
                         f'y2="{y(row[high]):.1f}" stroke="#222"/>'
                         f'<line x1="{cx - 3:.1f}" x2="{cx + 3:.1f}" y1="{y(row[low]):.1f}" '
                         f'y2="{y(row[low]):.1f}" stroke="#222"/>')
        if bar >= 9:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y(0) - 3:.1f}" text-anchor="middle" '
                         f'font-size="10" fill="#fff" font-weight="bold">{level}</text>')
        parts.append("</g>")
        if i % every == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" '
                         f'text-anchor="middle" font-size="11">{escape(str(row[0]))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def heatmap(stops: Sequence[tuple[str, str]], slots: Sequence[str],
            cell: Callable[[str, str], Sequence[Any] | None], labels: dict[int, str],
            title: str, value_label: str, use_load: bool = False) -> str:
    """Stops (rows, in line order) x time of day (columns), coloured by class."""
    if not stops or not slots:
        return ""
    name_w, cell_w, cell_h, head = 170, 30, 18, 22
    width = name_w + cell_w * len(slots) + 4
    height = head + cell_h * len(stops) + 4
    value = 5 if use_load else 1
    # Natural size at most: a short day must not blow the cells up.
    parts = [f'<svg class="affluence-heatmap" viewBox="0 0 {width} {height}" role="img" '
             f'style="max-width:{width}px;min-width:{min(width, 640)}px" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>", DEFS]
    every = 1 if cell_w >= 30 else 2
    for j, slot in enumerate(slots):
        if j % every == 0:
            parts.append(f'<text x="{name_w + j * cell_w + cell_w / 2:.0f}" y="{head - 6}" '
                         f'text-anchor="middle" font-size="10">{escape(slot[:5])}</text>')
    for i, (stop_id, stop_name) in enumerate(stops):
        yy = head + i * cell_h
        short = stop_name if len(stop_name) <= 24 else stop_name[:23] + "…"
        parts.append(f'<text x="{name_w - 4}" y="{yy + 13}" text-anchor="end" font-size="11">'
                     f'{escape(short)}</text>')
        for j, slot in enumerate(slots):
            row = cell(stop_id, slot)
            xx = name_w + j * cell_w
            if row is None:
                parts.append(f'<rect x="{xx}" y="{yy}" width="{cell_w - 1}" height="{cell_h - 1}" fill="#f3f3f3"/>')
                continue
            level = int(row[4])
            label = f"{stop_name}, {slot} : {_fmt(row[value])} {value_label}, {labels[level]}"
            parts.append(f'<g><title>{escape(label)}</title><rect x="{xx}" y="{yy}" '
                         f'width="{cell_w - 1}" height="{cell_h - 1}" fill="url(#{PATTERNS[level]})"/>'
                         f'<text x="{xx + cell_w / 2:.0f}" y="{yy + 13}" text-anchor="middle" '
                         f'font-size="9" fill="#fff" font-weight="bold">{_fmt(row[value])}</text></g>')
    parts.append("</svg>")
    return "".join(parts)
