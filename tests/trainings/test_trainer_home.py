"""A trainer's home page lists the courses they teach, with their materials, as "My courses" does."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio
COURSE = "Integrated Approach to Sustainable Reintegration"


@pytest.mark.parametrize("who", ["pool_trainer", "assigned_trainer"])
async def test_trainer_home_lists_their_course_and_its_materials(course_world, as_user, who):
    client = await as_user(course_world["users"][who])
    home = await client.get("/manage")
    assert home.status_code == 200
    assert f'href="/courses/{course_world["course_id"]}"' in home.text
    assert COURSE in home.text
    assert "3 materials" in home.text and "3 new or updated for you" in home.text
    assert "Your training materials will appear here" not in home.text
    mine = await client.get("/courses")
    assert COURSE in mine.text  # the same course as "My courses"


async def test_trainer_home_in_bangla(course_world, as_user):
    client = await as_user(course_world["users"]["pool_trainer"])
    client.cookies.set("lang", "bn")
    home = await client.get("/manage")
    assert COURSE in home.text and "আপনার কোর্স" in home.text


async def test_trainer_without_a_course_is_told_how_courses_come(course_world, as_user):
    client = await as_user(course_world["users"]["idle_trainer"])
    home = await client.get("/manage")
    assert COURSE not in home.text
    assert "You are not teaching a course yet" in home.text


async def test_coordinator_home_does_not_list_every_course(course_world, as_user):
    client = await as_user(course_world["users"]["coordinator"])
    home = await client.get("/manage")
    assert "The week ahead" in home.text and "Your courses" not in home.text
