"""The event list and the participant directory page: the second page, the last, and the pager's links."""

from __future__ import annotations

import re

import pytest

from portal.events.management import services
from portal.events.participants import services as participants

pytestmark = pytest.mark.anyio


@pytest.fixture
async def many_events(plan_event):
    """Three pages of events."""
    for n in range(2 * services.PAGE_SIZE + 1):
        await plan_event(title=f"Workshop {n:02d}")


@pytest.fixture
async def many_people(create_person):
    """Three pages of people."""
    for n in range(2 * participants.PAGE_SIZE + 1):
        await create_person(name=f"Person {n:02d}")


def pager_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="pager".*?</nav>', html, re.S)
    assert nav, "the list has no pager"
    return re.findall(r'href="([^"]+)"', nav.group(0))


@pytest.mark.parametrize("fragment", [False, True])
async def test_event_list_pages_through_every_page(staff_client, many_events, fragment):
    headers = {"HX-Request": "true"} if fragment else {}
    first = await staff_client.get("/manage/events", headers=headers)
    assert first.status_code == 200
    assert "Page 1 of 3" in first.text
    assert pager_links(first.text) == ["/manage/events?page=2", "/manage/events?page=3"]  # next, last
    second = await staff_client.get("/manage/events?page=2", headers=headers)
    assert second.status_code == 200
    assert "Page 2 of 3" in second.text
    assert pager_links(second.text) == ["/manage/events?page=1", "/manage/events?page=3"]  # previous, next
    last = await staff_client.get("/manage/events?page=3", headers=headers)
    assert "Page 3 of 3" in last.text and "Workshop 00" in last.text  # newest first: the first made is last
    assert pager_links(last.text) == ["/manage/events?page=1", "/manage/events?page=2"]  # first, previous


async def test_event_list_pager_keeps_the_filters(staff_client, many_events):
    response = await staff_client.get("/manage/events?q=Workshop&district=khulna")
    assert response.status_code == 200
    assert pager_links(response.text)[0] == "/manage/events?q=Workshop&amp;district=khulna&amp;page=2"


@pytest.mark.parametrize("fragment", [False, True])
async def test_participant_directory_pages_through_every_page(staff_client, many_people, fragment):
    headers = {"HX-Request": "true"} if fragment else {}
    first = await staff_client.get("/manage/participants", headers=headers)
    assert first.status_code == 200
    assert "Page 1 of 3" in first.text
    assert pager_links(first.text) == ["/manage/participants?page=2", "/manage/participants?page=3"]
    last = await staff_client.get("/manage/participants?page=3", headers=headers)
    assert last.status_code == 200
    assert "Page 3 of 3" in last.text


async def test_participant_directory_in_bangla_pages_too(staff_client, many_people):
    staff_client.cookies.set("lang", "bn")
    response = await staff_client.get("/manage/participants?page=2")
    assert response.status_code == 200
    assert "/manage/participants?page=3" in pager_links(response.text)
