"""The SVG chart helper: accessible, escaped, proportional, no script and no inline style."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405  (our own SVG, not untrusted input)
from itertools import pairwise

import pytest

from huddles.reports.charts import Bar, bar_chart, column_chart, percent
from huddles.reports.csv import safe_cell, to_csv

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  (our own SVG, not untrusted input)


@pytest.mark.parametrize("chart", [bar_chart, column_chart])
def test_a_chart_is_valid_accessible_svg(chart):
    svg = str(chart("Rate by week", [Bar("W1", 0.5, "50 %"), Bar("W2", 1.0, "100 %")], maximum=1))
    root = parse(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find("svg:title", NS).get("id") == title_id
    assert root.find("svg:title", NS).text == "Rate by week"
    assert root.find("svg:desc", NS).get("id") == desc_id
    assert [g.find("svg:title", NS).text for g in root.findall("svg:g", NS)] == [
        "W1: 50 %",
        "W2: 100 %",
    ]
    assert "<script" not in svg and "style" not in svg and " on" not in svg


@pytest.mark.parametrize("chart", [bar_chart, column_chart])
def test_bars_are_proportional_and_clamped(chart):
    svg = str(chart("t", [Bar("a", 1), Bar("b", 2), Bar("c", 8)], maximum=4))
    root = parse(svg)
    attribute = "width" if chart is bar_chart else "height"
    sizes = [
        float(g.find("svg:rect[@class='chart-bar']", NS).get(attribute))
        for g in root.findall("svg:g", NS)
    ]
    assert sizes[1] == pytest.approx(2 * sizes[0])
    assert sizes[2] == pytest.approx(4 * sizes[0])  # 8 of at most 4: a full bar, not more


def test_right_to_left_the_bars_are_mirrored():
    """An Arabic page's chart reads from the right: the label at the right, the bar growing to
    the left, and the text anchors meant in the chart's own stated direction."""
    bars = [Bar("الصباح", 2), Bar("المساء", 4)]
    ltr, rtl = parse(str(bar_chart("t", bars))), parse(str(bar_chart("t", bars, rtl=True)))
    assert ltr.get("direction") == "ltr" and rtl.get("direction") == "rtl"
    width = float(rtl.get("viewBox").split()[2])
    for left, right in zip(ltr.findall("svg:g", NS), rtl.findall("svg:g", NS), strict=True):
        for part in ("svg:text[@class='chart-label']", "svg:text[@class='chart-value']"):
            assert float(right.find(part, NS).get("x")) == pytest.approx(
                width - float(left.find(part, NS).get("x"))
            )
        bar_l, bar_r = (g.find("svg:rect[@class='chart-bar']", NS) for g in (left, right))
        assert bar_r.get("width") == bar_l.get("width")
        assert float(bar_r.get("x")) + float(bar_r.get("width")) == pytest.approx(
            width - float(bar_l.get("x"))
        )
    label = rtl.find("svg:g/svg:text[@class='chart-label']", NS)
    bar = rtl.find("svg:g/svg:rect[@class='chart-bar']", NS)
    assert float(label.get("x")) > float(bar.get("x")) + float(bar.get("width"))
    weeks = [Bar("W1", 1), Bar("W2", 2)]
    columns = parse(str(column_chart("t", weeks, rtl=True))).findall("svg:g/svg:rect", NS)
    assert float(columns[0].get("x")) > float(columns[1].get("x"))  # the first week on the right


@pytest.mark.parametrize("rtl", [False, True])
def test_a_quarters_weeks_are_labelled_every_few_columns_inside_the_chart(rtl):
    weeks = [Bar(f"{day:02d}.{month:02d}.", 1) for month in (9, 10, 11) for day in (1, 8, 15, 22)]
    root = parse(str(column_chart("t", [*weeks, Bar("30.11.", 5)], rtl=rtl)))
    width = float(root.get("viewBox").split()[2])
    groups = root.findall("svg:g", NS)
    labelled = [g.find("svg:text[@class='chart-label']", NS) for g in groups]
    shown = [label for label in labelled if label is not None]
    assert 2 <= len(shown) < len(groups)
    assert labelled[-1] is not None and labelled[-1].text.strip("\u2068\u2069") == "30.11."
    # Every column keeps its name for a screen reader.
    assert all(g.find("svg:title", NS).text.endswith(": 1") for g in groups[:-1])
    xs = sorted(float(label.get("x")) for label in shown)
    assert all(0 <= x <= width for x in xs)
    assert min(b - a for a, b in pairwise(xs)) >= len("30.11.") * 7.5  # no two overlap
    few = parse(str(column_chart("t", weeks[:4], rtl=rtl))).findall("svg:g/svg:text", NS)
    assert len([t for t in few if t.get("class") == "chart-label"]) == 4
    # Rates of a quarter's weeks are set smaller to fit their columns, and stay inside the chart.
    rates = [Bar(bar.label, 0.88, "88 %") for bar in weeks]
    values = parse(str(column_chart("t", rates, maximum=1, rtl=rtl))).findall(
        "svg:g/svg:text[@class='chart-value chart-value-small']", NS
    )
    assert len(values) == len(rates) and all(0 <= float(v.get("x")) <= width for v in values)
    few = parse(str(column_chart("t", rates[:4], maximum=1, rtl=rtl)))
    assert len(few.findall("svg:g/svg:text[@class='chart-value']", NS)) == 4


def test_labels_are_escaped():
    svg = str(bar_chart("<b>x</b>", [Bar('<img src=x onerror="1">', 1)]))
    assert "<img" not in svg and "<b>" not in svg
    parse(svg)


def test_an_empty_chart_still_draws():
    parse(str(bar_chart("Nothing", [])))
    parse(str(column_chart("Nothing", [])))


@pytest.mark.parametrize(
    ("value", "text"), [(None, "–"), (0, "0 %"), (0.825, "82 %"), (0.8251, "83 %"), (1, "100 %")]
)
def test_percent(value, text):
    assert percent(value) == text


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1234", "'+49 30 1234"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Zoë", "Zoë"),
        (None, ""),
        (3, "3"),
        (0.5, "0.5"),
        (True, "true"),
    ],
)
def test_csv_cells_never_run_as_formulas(cell, text):
    assert safe_cell(cell) == text


def test_csv_has_a_header_and_quotes():
    assert to_csv(["a", "b"], [["x,y", '"q"']]) == 'a,b\r\n"x,y","""q"""\r\n'
    assert re.match(r"^a,b\r\n", to_csv(["a", "b"], []))
