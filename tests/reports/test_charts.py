"""SVG charts: well-formed, accessible, inert text, numbers as text."""

import xml.etree.ElementTree as ET

import pytest

from portal.reports import charts
from portal.reports.charts import bar_chart, column_chart

NS = {"svg": "http://www.w3.org/2000/svg"}
LABELS = ["ঢাকা", "Cox's Bazar & Teknaf", "<script>alert(1)</script>"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def parse(chart) -> ET.Element:
    return ET.fromstring(chart.svg)  # noqa: S314 - our own output, in a test


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iterfind(".//svg:text", NS)]


@pytest.fixture(params=["bar", "stacked", "column"])
def any_chart(request):
    if request.param == "bar":
        return bar_chart("Participants by district", LABELS, [120, 45, 3])
    if request.param == "stacked":
        return bar_chart("By gender", LABELS, [70, 20, 1], second=[50, 25, 2], series=("নারী", "Male"))
    return column_chart("Check-ins per month", MONTHS, [5, 0, 12, 40, 33, 8, 1, 0, 0, 19, 27, 1200])


def test_chart_is_well_formed_svg_with_a_viewbox(any_chart):
    root = parse(any_chart)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox").startswith("0 0 360 ")
    assert root.get("width") == "100%" and root.get("height") is None


def test_chart_is_labelled_by_its_title_and_desc(any_chart):
    root = parse(any_chart)
    assert root.get("role") == "img"
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text and desc.text


def test_chart_has_no_script_links_or_external_resources(any_chart):
    lowered = any_chart.svg.lower()
    for needle in ("<script", "href", "url(", "@import", "<foreignobject"):
        assert needle not in lowered
    attributes = {name.lower() for element in parse(any_chart).iter() for name in element.attrib}
    assert not [name for name in attributes if name.startswith("on")]  # no event handlers


def test_bar_chart_labels_are_escaped_text():
    chart = bar_chart("Participants by district", LABELS, [120, 45, 3])
    root = parse(chart)
    assert "<script>alert(1)</script>" in texts(root)
    assert "Cox's Bazar & Teknaf" in texts(root)
    assert root.find(".//svg:script", NS) is None and root.find(".//script") is None


def test_title_and_desc_are_escaped():
    root = parse(bar_chart("</title><script>x</script>", ["<b>"], [1]))
    assert root.find("svg:title", NS).text == "</title><script>x</script>"
    assert "<b> 1" in root.find("svg:desc", NS).text


def test_bar_chart_writes_every_value_as_text():
    root = parse(bar_chart("Participants by district", LABELS, [1200, 45, 3]))
    assert {"1,200", "45", "3"} <= set(texts(root))


def test_stacked_bar_chart_shows_legend_parts_and_totals():
    root = parse(bar_chart("By gender", LABELS, [70, 20, 1], second=[50, 25, 2], series=("নারী", "Male")))
    assert {"নারী", "Male", "70", "50", "120", "45", "3"} <= set(texts(root))


def test_bar_chart_returns_a_table_alternative():
    chart = bar_chart("By gender", LABELS, [70, 20, 1], second=[50, 25, 2], series=("নারী", "Male"))
    assert chart.headers == ("", "নারী", "Male", "Total")
    assert chart.rows[0] == ("ঢাকা", "70", "50", "120")
    assert chart.rows[2][0] == "<script>alert(1)</script>"  # raw: the template escapes it


def test_desc_summarises_the_data_for_screen_readers():
    desc = parse(bar_chart("By gender", ["ঢাকা"], [70], second=[50], series=("নারী", "Male"))).find(
        "svg:desc", NS
    )
    assert desc.text == "Bar chart: ঢাকা 120 (নারী 70, Male 50)."


def test_long_labels_are_shortened_in_the_svg_but_whole_in_the_table():
    label = "চট্টগ্রাম বিভাগের একটি অনেক লম্বা নামের সংগঠন ও তার শাখা অফিস"
    chart = bar_chart("Organisations", [label], [4])
    assert max(len(t) for t in texts(parse(chart))) <= charts.MAX_LABEL
    assert chart.rows[0][0] == label


def test_control_characters_in_labels_do_not_break_the_svg():
    root = parse(bar_chart("Bell\x07", ["Ra\x00him"], [1]))
    assert "Rahim" in texts(root)


def test_column_chart_writes_month_labels_and_values():
    chart = column_chart("Check-ins per month", MONTHS, [5, 0, 12, 40, 33, 8, 1, 0, 0, 19, 27, 1200])
    assert set(MONTHS) | {"1,200", "0"} <= set(texts(parse(chart)))
    assert chart.rows[-1] == ("Dec", "1,200")


def test_column_chart_thins_axis_labels_when_months_are_many():
    labels = [f"{y}-{m:02}" for y in (2023, 2024, 2025) for m in range(1, 13)]
    chart = column_chart("Three years", labels, [1] * 36)
    shown = [t for t in texts(parse(chart)) if t.startswith("20")]
    assert 3 <= len(shown) < 36
    assert len(chart.rows) == 36


@pytest.mark.parametrize("make", [bar_chart, column_chart])
def test_empty_chart_says_no_data(make):
    root = parse(make("Nothing yet", [], []))
    assert "No data" in texts(root)
    assert root.find("svg:desc", NS).text.endswith("no data.")


@pytest.mark.parametrize("values", [[-1], [float("nan")], [1, 2]])
def test_chart_refuses_values_it_cannot_draw(values):
    with pytest.raises(ValueError):
        bar_chart("Bad", ["one"], values)


def test_chart_refuses_a_blank_title():
    with pytest.raises(ValueError):
        column_chart(" ", ["Jan"], [1])


def test_stacked_chart_needs_two_series_names():
    with pytest.raises(ValueError):
        bar_chart("By gender", ["ঢাকা"], [1], second=[2])


def test_same_chart_renders_identically_and_ids_can_be_chosen():
    first = bar_chart("A", ["x"], [1])
    assert first.svg == bar_chart("A", ["x"], [1]).svg
    assert (
        parse(bar_chart("A", ["x"], [1], chart_id="gender")).find("svg:title", NS).get("id")
        == "c-gender-title"
    )


def test_chart_renders_itself_in_a_template():
    chart = column_chart("Per month", MONTHS[:2], [1, 2])
    assert chart.__html__() == str(chart) == chart.svg


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("foreground", "background", "minimum"),
    [
        (charts.TEXT, "#ffffff", 4.5),
        (charts.MUTED, "#ffffff", 4.5),
        *[(colour, "#ffffff", 4.5) for colour in charts.SERIES],  # bars, and white numbers on them
    ],
)
def test_colours_meet_wcag_contrast(foreground, background, minimum):
    assert _contrast(foreground, background) >= minimum


def test_column_ticks_are_written_whole_and_the_table_keeps_the_labels():
    from portal.reports.charts import column_chart

    chart = column_chart("Check-ins", ["September 2026", "October 2026"], [3, 4], ticks=["সেপ্টে ২৬", "অক্টো ২৬"],
                         links=["/a?m=9", "/a?m=10"])
    assert ">সেপ্টে ২৬</text>" in chart.svg and ">অক্টো ২৬</text>" in chart.svg
    assert chart.rows == (("September 2026", "3"), ("October 2026", "4"))
    assert chart.svg.count('<a href="/a?m=') == 2 and 'role="group"' in chart.svg
    assert chart.links == ("/a?m=9", "/a?m=10")
