"""The API documentation page shows each parameter's type and allowed values as the app's own OpenAPI
schema gives them: the page is checked against the published schema, so a new filter or a new value in a
vocabulary shows up on the page without anyone writing it down twice."""

from __future__ import annotations

import re

import pytest

from portal.reports.api_docs import limits_text, parameter_facts

pytestmark = pytest.mark.anyio


def _sections(html: str) -> dict[str, str]:
    """The page's operation sections by their heading ("GET /api/v1/events")."""
    found = re.findall(r"<section>\s*<h2><code>([^<]+)</code></h2>(.*?)</section>", html, re.S)
    return dict(found)


def _row(section: str, name: str) -> list[str]:
    """The cells of a parameter's row."""
    row = re.search(rf"<tr>\s*<td><code>{re.escape(name)}</code>.*?</tr>", section, re.S)
    assert row, name
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)


async def test_every_parameter_shows_the_type_values_and_range_the_schema_publishes(client):
    schema = (await client.get("/api/v1/schema/openapi.json")).json()
    page = await client.get("/api/v1/docs")
    assert page.status_code == 200
    sections = _sections(page.text)
    checked = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            section = sections[f"{method.upper()} {path}"]
            for parameter in operation["parameters"]:
                _, types, allowed, meaning = _row(section, parameter["name"])
                facts = parameter_facts(parameter)
                assert facts.types and types == " / ".join(f"<code>{t}</code>" for t in facts.types)
                for value in parameter["schema"].get("enum", []):
                    if value is not None:
                        assert f"<code>{value}</code>" in allowed, (path, parameter["name"], value)
                for bound in ("minimum", "maximum"):
                    if bound in parameter["schema"]:
                        assert f"<code>{parameter['schema'][bound]}</code>" in allowed
                assert meaning.strip() == parameter["description"]
                checked += 1
    assert checked >= 25


async def test_the_events_filters_read_as_people_expect(client):
    section = _sections((await client.get("/api/v1/docs")).text)["GET /api/v1/events"]
    assert _row(section, "kind")[1:3] == [
        "<code>string</code>", "<code>consultation</code>, <code>cso_meeting</code>, <code>district_workshop</code>, "
                               "<code>other</code>, <code>step_down</code>, <code>tot</code>"]
    assert _row(section, "limit")[1:3] == ["<code>integer</code>", "from <code>1</code> to <code>500</code>"]
    assert _row(section, "start_from")[1] == "<code>string (date)</code>"
    # 64 districts fold away behind their count, and no "null" is offered as a value.
    district = _row(section, "district")[2]
    assert district.startswith("<details><summary>64 values</summary>") and "<code>dhaka</code>" in district
    assert "null" not in district and "None" not in district


async def test_the_page_is_translated_and_marks_the_english_schema_text(client):
    client.cookies["lang"] = "bn"
    page = (await client.get("/api/v1/docs")).text
    assert '<html lang="bn">' in page and "অনুমোদিত মান" in page
    assert '<td lang="en">Event kind.</td>' in page
    assert "<code>1</code> থেকে <code>500</code>" in page and "<code>১</code>" not in page  # values stay code


def test_a_nullable_integer_with_bounds_is_an_integer_with_its_range():
    facts = parameter_facts({"name": "limit", "in": "query", "required": False, "description": "Page size.",
                             "schema": {"oneOf": [{"type": "integer"}, {"type": "null"}], "minimum": 1,
                                        "maximum": 500}})
    assert (facts.types, facts.values, facts.bounds) == (("integer",), (), {"minimum": 1, "maximum": 500})
    assert str(facts.limits) == "from <code>1</code> to <code>500</code>"


def test_an_enum_behind_a_reference_lists_its_values_without_null():
    components = {"Colour": {"type": "string", "enum": ["red", "green"]}}
    facts = parameter_facts({"name": "colour", "in": "query", "required": True,
                             "schema": {"oneOf": [{"$ref": "#/components/schemas/Colour"}, {"type": "null"}]}},
                            components)
    assert (facts.types, facts.values, facts.required) == (("string",), ("red", "green"), True)


@pytest.mark.parametrize(("bounds", "text"), [
    ({"minimum": 1}, "at least <code>1</code>"),
    ({"maximum": 9}, "at most <code>9</code>"),
    ({"exclusiveMinimum": 0}, "more than <code>0</code>"),
    ({"minLength": 2, "maxLength": 40}, "<code>2</code> to <code>40</code> characters"),
    ({"minimum": 1, "maxLength": 40}, "at least <code>1</code>; at most <code>40</code> characters"),
    ({"exclusiveMinimum": True, "minimum": 0}, "at least <code>0</code>"),
    ({}, ""),
])
def test_limits_in_words(bounds, text):
    assert str(limits_text(bounds)) == text
