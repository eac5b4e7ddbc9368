"""Charts as inline SVG made on the server: no script, no external file, so they show in a report saved to
disk, in the served page under its strict CSP (presentation attributes and classes, never `style=`), and on
paper. Every text is escaped here, as the SVG is handed to the templates as markup."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 520  # the viewBox width; the SVG scales to its container
PALETTE = ("#1f5fa8", "#c2571a", "#2e7d4f", "#8a3ea8", "#a61b1b", "#0f7c8c", "#7a5800", "#5b6570")
_LABEL_CHARS = 70  # what fits one line of the viewBox at 13 px


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    heading: bool = False  # a group's title line instead of a bar


def _short(text: str, limit: int = _LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(height: int, label: str, body: list[str], css_class: str) -> Markup:
    title = escape(label)
    return Markup(  # noqa: S704 -- every text in it went through escape()
        f'<svg class="{css_class}" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{title}" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>' + "".join(body) + "</svg>"
    )


def bar_chart(bars: list[Bar], label: str) -> Markup:
    """Horizontal bars, each with its label above it and its value after it; headings group them."""
    largest = max((b.value for b in bars if not b.heading), default=0) or 1
    span = WIDTH - 60  # room for the value after the longest bar
    body: list[str] = []
    y = 0
    for bar in bars:
        if bar.heading:
            heading = escape(_short(bar.label))
            body.append(f'<text x="0" y="{y + 18}" font-size="14" font-weight="bold">{heading}</text>')
            y += 26
            continue
        length = round(span * bar.value / largest) if bar.value else 0
        fill = PALETTE[0] if bar.value else "#c9d1d9"  # a hairline in grey: the section is there, and empty
        body.append(
            f"<g><title>{escape(bar.label)}: {bar.value}</title>"
            f'<text x="8" y="{y + 13}" font-size="13">{escape(_short(bar.label))}</text>'
            f'<rect x="8" y="{y + 18}" width="{max(length, 1)}" height="12" fill="{fill}"/>'
            f'<text x="{length + 14}" y="{y + 29}" font-size="12" font-weight="bold">{bar.value}</text></g>'
        )
        y += 38
    return _svg(max(y, 20), label, body, "chart bars")


def stacked_chart(rows: dict[str, dict[str, int]], series: dict[str, str], label: str) -> Markup:
    """One stacked bar per row (a class), a colour per series (a section), the legend above, total after."""
    keys = [key for key in series if any(key in parts for parts in rows.values())]
    colours = {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(keys)}
    largest = max((sum(parts.values()) for parts in rows.values()), default=0) or 1
    left, span = 56, WIDTH - 56 - 44
    body: list[str] = []
    y = 0
    for key in keys:
        body.append(
            f'<rect x="0" y="{y + 4}" width="12" height="12" fill="{colours[key]}"/>'
            f'<text x="18" y="{y + 14}" font-size="12">{escape(_short(series[key], 75))}</text>'
        )
        y += 20
    y += 6
    for name, parts in rows.items():
        total = sum(parts.values())
        body.append(f"<g><title>{escape(name)}: {total}</title>")
        body.append(f'<text x="0" y="{y + 14}" font-size="13" font-weight="bold">{escape(_short(name, 7))}</text>')
        x = float(left)
        for key in keys:
            n = parts.get(key, 0)
            if not n:
                continue
            width = span * n / largest
            body.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="14" fill="{colours[key]}">'
                f"<title>{escape(name)} · {escape(series[key])}: {n}</title></rect>"
            )
            x += width
        body.append(f'<text x="{x + 6:.1f}" y="{y + 14}" font-size="12">{total}</text></g>')
        y += 22
    return _svg(max(y, 20), label, body, "chart stacked")


def sparkline(values: list[int], label: str) -> Markup:
    """The totals of the last nights as a small line, the last one marked; empty markup for fewer than two."""
    if len(values) < 2:
        return Markup("")
    width, height, pad = 120, 28, 3
    top = max(values) or 1
    step = (width - 2 * pad) / (len(values) - 1)
    points = [(pad + i * step, height - pad - (height - 2 * pad) * v / top) for i, v in enumerate(values)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    last_x, last_y = points[-1]
    title = escape(f"{label}: " + ", ".join(str(v) for v in values))
    return Markup(  # noqa: S704 -- the only text is escaped; the rest are numbers
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{title}" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>'
        f'<polyline points="{line}" fill="none" stroke="{PALETTE[0]}" stroke-width="1.5"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" fill="{PALETTE[0]}"/></svg>'
    )
