"""The schematic district map (issue 18): every district a tile, near its place, shaded with a legend."""

from __future__ import annotations

import math
import re

import pytest

from portal.core.districts import BY_CODE, HEADQUARTERS
from portal.core.i18n import current_language
from portal.reports import district_map as dm


def test_every_district_has_its_own_cell_near_its_headquarters():
    cells = dm.layout()
    assert set(cells) == set(BY_CODE) and len(set(cells.values())) == 64
    assert all(0 <= x < dm.COLS and 0 <= y < dm.ROWS for x, y in cells.values())
    # Schematic, but honest: no tile further than two cells from where its headquarters falls on the grid.
    assert max(math.dist(cells[c], dm._ideal(c)) for c in HEADQUARTERS) <= 2
    # North stays north and west stays west: Panchagarh above Cox's Bazar, Chapainawabganj left of Bandarban.
    assert cells["panchagarh"][1] < cells["coxs-bazar"][1] and cells["chapainawabganj"][0] < cells["bandarban"][0]


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_short_names_are_unique_in_each_language(lang):
    names = dm.short_names(lang)
    assert len(set(names.values())) == 64


@pytest.mark.parametrize(("top", "expected"), [
    (0, []), (1, [(1, 1)]), (3, [(1, 1), (2, 2), (3, 3)]), (8, [(1, 2), (3, 4), (5, 6), (7, 8)]),
    (10, [(1, 3), (4, 5), (6, 8), (9, 10)]),
])
def test_the_legend_ranges_cover_one_to_the_largest_count_without_gaps(top, expected):
    assert dm._bins(top) == expected


def test_tiles_link_shade_and_count_and_the_table_has_the_figures():
    chart = dm.district_map("Reached", {"sylhet": 12, "khulna": 3, "dhaka": 0, "nowhere": 5},
                            lambda code: f"/people?district={code}")
    assert chart.svg.count("<rect") >= 64 and chart.svg.count('<a href="/people?district=') == 64
    assert chart.rows == (("Sylhet", "Sylhet", "12"), ("Khulna", "Khulna", "3"))
    assert chart.links == ("/people?district=sylhet", "/people?district=khulna")
    sylhet = re.search(r"<title>Sylhet: 12</title><rect [^>]*fill=\"([^\"]+)\"", chart.svg)
    khulna = re.search(r"<title>Khulna: 3</title><rect [^>]*fill=\"([^\"]+)\"", chart.svg)
    dhaka = re.search(r"<title>Dhaka: 0</title><rect [^>]*fill=\"([^\"]+)\"", chart.svg)
    assert sylhet[1] == dm.SHADES[-1] and khulna[1] == dm.SHADES[0] and dhaka[1] == dm.EMPTY
    assert "nowhere" not in chart.svg and 'role="group"' in chart.svg


def test_a_bangla_map_writes_bangla_names_and_digits():
    token = current_language.set("bn")
    try:
        chart = dm.district_map("পৌঁছানো", {"sylhet": 12}, None)
    finally:
        current_language.reset(token)
    assert chart.rows == (("সিলেট", "সিলেট", "১২"),)
    assert "<title>সিলেট: ১২</title>" in chart.svg and "<a href" not in chart.svg
    with pytest.raises(ValueError):
        dm.district_map("x", {"sylhet": -1})
