"""The gain figures, question difficulty and groups against values worked out by hand."""

from __future__ import annotations

import pytest

from portal.evaluation import results, setup
from portal.evaluation.results import gain_figures
from portal.events.tables import Participant, Registration
from tests.evaluation.worlds import take
from tests.factories import make_registration

pytestmark = pytest.mark.anyio
R, W = True, False
APPROX = pytest.approx


def test_gain_figures_from_plain_scores():
    figures = gain_figures([(20.0, 100.0), (60.0, 60.0), (80.0, 40.0), (20.0, None), (None, 80.0), (None, None)])
    assert (figures.pre_takers, figures.post_takers, figures.paired, figures.increased) == (4, 4, 3, 1)
    assert figures.average_pre == APPROX(160 / 3)  # (20 + 60 + 80) / 3
    assert figures.average_post == APPROX(200 / 3)  # (100 + 60 + 40) / 3
    assert figures.average_gain == APPROX(40 / 3)  # (80 + 0 - 40) / 3
    assert figures.share_increased == APPROX(100 / 3)  # 1 of 3


def test_nobody_paired_gives_no_averages():
    figures = gain_figures([(50.0, None)])
    assert (figures.paired, figures.average_gain, figures.share_increased) == (0, None, None)


async def _gender(registration_id: int, gender: str, district: str) -> None:
    person = (await Registration.select(Registration.participant).where(Registration.id == registration_id).first())
    await Participant.update({Participant.gender: gender, Participant.district: district}).where(
        Participant.id == person["participant"])


@pytest.fixture
async def taken(world):
    """Five participants and a trainer; points: single 1, multiple 2, true/false 1, short 1 (of 5)."""
    people = {name: await make_registration(world.event_id) for name in "ABCDE"}
    await make_registration(world.event_id, role="trainer")
    await take(world, people["A"], "pre", [R, W, W, W])  # 1/5 = 20%
    await take(world, people["A"], "post", [R, R, R, R])  # 100%
    await take(world, people["B"], "pre", [R, R, W, W])  # 3/5 = 60%
    await take(world, people["B"], "post", [R, R, W, W])  # 60%
    await take(world, people["C"], "pre", [R, R, R, W])  # 4/5 = 80%
    await take(world, people["C"], "post", [W, R, W, W])  # 2/5 = 40%
    await take(world, people["D"], "pre", [W, W, W, R])  # 1/5 = 20%, no post-test
    await take(world, people["E"], "post", [R, R, R, W])  # 80%, no pre-test
    for name, gender, district in (("A", "female", "khulna"), ("B", "female", "dhaka"), ("C", "male", "khulna"),
                                   ("D", "male", "khulna"), ("E", "female", "khulna")):
        await _gender(people[name], gender, district)
    return people


async def test_event_figures_match_the_hand_computed_ones(world, taken):
    data = await results.event_results(world.event_id, await setup.event_quizzes(world.event_id))
    assert len(data["people"]) == 5  # the trainer is not counted
    figures = data["figures"]
    assert (figures.pre_takers, figures.post_takers, figures.paired, figures.increased) == (4, 4, 3, 1)
    assert figures.average_pre == APPROX(160 / 3)
    assert figures.average_post == APPROX(200 / 3)
    assert figures.average_gain == APPROX(40 / 3)
    assert figures.share_increased == APPROX(100 / 3)
    gains = {p.registration_id: p.gain for p in data["people"]}
    assert gains[taken["A"]] == APPROX(80) and gains[taken["B"]] == APPROX(0) and gains[taken["C"]] == APPROX(-40)
    assert gains[taken["D"]] is None and gains[taken["E"]] is None


async def test_question_difficulty_of_the_pre_test_hardest_first(world, taken):
    data = await results.event_results(world.event_id, await setup.event_quizzes(world.event_id))
    rows = [(q["number"], q["answered"], q["right"], q["share"]) for q in data["stages"]["pre"]["questions"]]
    # Pre-tests of A, B, C, D: single 3 of 4 right, multiple 2, true/false 1 (C), short 1 (D).
    assert rows == [(3, 4, 1, 25.0), (4, 4, 1, 25.0), (2, 4, 2, 50.0), (1, 4, 3, 75.0)]


async def test_groups_by_gender_and_district(world, taken):
    people = await results.people_scores([world.event_id])
    by_gender = dict(results.group_figures(people, lambda p: p.gender))
    # Women paired: A (+80) and B (0); men paired: C (-40) only.
    assert (by_gender["female"].paired, by_gender["female"].average_gain, by_gender["female"].increased) == (2, 40, 1)
    assert (by_gender["male"].paired, by_gender["male"].average_gain, by_gender["male"].share_increased) == (1, -40, 0)
    by_district = dict(results.group_figures(people, lambda p: p.district))
    assert by_district["khulna"].paired == 2 and by_district["khulna"].average_gain == APPROX(20)
    assert by_district["dhaka"].average_gain == 0


async def test_first_pre_test_and_best_post_test_count(world, taken, create_user):
    coordinator = await create_user("coordinator")
    for stage in ("pre", "post"):
        await setup.allow_another(coordinator, world.event_id, stage, taken["C"])
    await take(world, taken["C"], "pre", [R, R, R, R])  # 100%, but the first pre-test (80%) counts
    await take(world, taken["C"], "post", [R, R, R, W])  # 80%: better than 40%, so it counts
    await setup.allow_another(coordinator, world.event_id, "post", taken["C"])
    await take(world, taken["C"], "post", [W, W, W, W])  # 0%: a worse third try does not
    person = next(p for p in await results.people_scores([world.event_id]) if p.registration_id == taken["C"])
    assert (person.pre_percent, person.post_percent, person.gain) == (80.0, 80.0, 0.0)
    assert person.attempts == {"pre": 2, "post": 3}


async def test_feedback_averages_and_counts():
    summary = results.feedback_summary([
        {"content": 5, "facilitators": 4, "logistics": None, "overall": 4},
        {"content": 3, "facilitators": 4, "logistics": 2, "overall": None},
        {"content": 4, "facilitators": None, "logistics": None, "overall": None},
    ])
    assert summary["responses"] == 3
    assert summary["ratings"]["content"] == {"rated": 3, "average": 4.0, "counts": [0, 0, 1, 1, 1]}
    assert summary["ratings"]["logistics"]["average"] == 2.0
    assert summary["ratings"]["overall"]["rated"] == 1
