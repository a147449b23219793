"""Server-drawn SVG charts: accessible, labelled, CSP-safe, not reliant on colour."""

import xml.etree.ElementTree as ET

from safeguarding.charts import Bar, bar_chart

NS = {"svg": "http://www.w3.org/2000/svg"}


def _parse(svg):
    return ET.fromstring(str(svg))


def test_bar_chart_is_an_accessible_image():
    svg = bar_chart(
        title="Notifications on time",
        description="2025: 3 of 5 on time",
        bars=[Bar("Notifications", 60, "60% (3 of 5)"), Bar("Rapid reviews", 50)],
        max_value=100,
        chart_id="t1",
    )
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "t1-title t1-desc"
    assert root.find("svg:title", NS).text == "Notifications on time"
    assert root.find("svg:desc", NS).text == "2025: 3 of 5 on time"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    # Every bar is labelled and carries its value as text.
    assert "Notifications" in texts and "60% (3 of 5)" in texts
    assert "Rapid reviews" in texts and "50" in texts


def test_no_style_attributes_or_scripts():
    svg = str(bar_chart(title="x", description="y", bars=[Bar("a", 1)], series=None))
    assert "style=" not in svg and "<script" not in svg and "<style" not in svg


def test_two_series_told_apart_by_pattern_and_words():
    svg = str(
        bar_chart(
            title="Returns",
            description="d",
            bars=[Bar("Police", 3, second=1)],
            series=("On time", "Late"),
            chart_id="t2",
        )
    )
    assert 'fill="url(#t2-hatch)"' in svg
    assert "On time (solid)" in svg and "Late (hatched)" in svg


def test_labels_are_escaped():
    svg = str(bar_chart(title="<b>", description="&", bars=[Bar("<script>", 1)]))
    assert "<script>" not in svg
    _parse(svg)


def test_empty_chart_says_so():
    assert "No data" in str(bar_chart(title="t", description="d", bars=[]))


def test_bar_lengths_are_proportional():
    root = _parse(bar_chart(title="t", description="d", bars=[Bar("a", 10), Bar("b", 5)]))
    rects = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("fill") == "#1d70b8"]
    assert float(rects[0].get("width")) == 2 * float(rects[1].get("width"))
