"""Small bar charts as SVG markup, drawn on the server: no JavaScript, no image files.

Each chart is ``role="img"`` with an ``aria-label`` and a ``<title>`` (the caller's label,
in the page's language); each bar has its own ``<title>`` (its label and value), which
browsers show on hover and screen readers can reach.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 240
HEIGHT = 48
GAP = 1


def bar_chart(bars: Sequence[tuple[str, int]], css_class: str, label: str,
              width: int = WIDTH, height: int = HEIGHT) -> Markup:
    """``bars`` (label, value) left to right as an SVG of ``width`` x ``height``.

    >>> svg = bar_chart([("2025-05", 2), ("2025-06", 4)], "chart-months", "Articles")
    >>> 'role="img"' in svg and 'height="48.0"' in svg and 'height="24.0"' in svg
    True
    >>> "<title>2025-06: 4</title>" in svg
    True
    """
    top = max((value for _, value in bars), default=0)
    step = width / max(len(bars), 1)
    shapes = []
    for i, (name, value) in enumerate(bars):
        bar_height = round(height * value / top, 1) if top else 0.0
        # An empty slot keeps a hairline so the chart's extent stays visible.
        shown = max(bar_height, 1.0)
        css = "bar" if value else "bar empty"
        shapes.append(
            f'<rect class="{css}" x="{round(i * step, 1)}" y="{round(height - shown, 1)}"'
            f' width="{round(max(step - GAP, 1), 1)}" height="{shown}">'
            f"<title>{escape(name)}: {value}</title></rect>"
        )
    summary = label
    return Markup(
        f'<svg class="chart {escape(css_class)}" role="img" aria-label="{escape(summary)}"'
        f' width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' xmlns="http://www.w3.org/2000/svg"><title>{escape(summary)}</title>'
        + "".join(shapes) + "</svg>"
    )
