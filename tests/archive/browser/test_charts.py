"""archive/browser/charts.py: a pure function from bars to accessible SVG markup."""

from __future__ import annotations

from lxml import etree

from portal_archive.archive.browser.charts import bar_chart


def test_bars_are_proportional_and_titled() -> None:
    svg = etree.fromstring(str(bar_chart([("a", 1), ("b", 0), ("c", 4)], "chart-x", "Label"),
                                   ).encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    rects = svg.findall("s:rect", ns)
    heights = [float(r.get("height")) for r in rects]
    assert heights[2] == float(svg.get("height")) and heights[0] == heights[2] / 4
    assert heights[1] < heights[0] and "empty" in rects[1].get("class")
    assert [r.find("s:title", ns).text for r in rects] == ["a: 1", "b: 0", "c: 4"]
    assert svg.get("role") == "img" and svg.get("aria-label") == "Label"
    assert "chart-x" in svg.get("class")


def test_labels_are_escaped_and_no_bars_is_an_empty_chart() -> None:
    markup = str(bar_chart([], "c", 'x"<script>'))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "<rect" not in markup
