"""A NUL byte (or another control character) in any input is a 4xx or is dropped, never a 500:
PostgreSQL refuses NUL in text outright, so this matters most there."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_a_nul_in_a_form_field_is_dropped_not_a_500(staff_client):
    response = await staff_client.post("/manage/participants", data={
        "name": "Rahima\x00 Begum\x07", "district": "dhaka", "phone": "01711-000001"})
    assert response.status_code == 303, response.text[:300]
    listing = await staff_client.get("/manage/participants", params={"q": "Rahima Begum"})
    assert "Rahima Begum" in listing.text


@pytest.mark.parametrize("path", ["/manage/participants?q=%00", "/manage/events?q=a%00b", "/verify/AB%00CD",
                                  "/t/abc%00def", "/api/v1/events?district=%00"])
async def test_a_nul_in_the_address_is_a_400(staff_client, path):
    response = await staff_client.get(path)
    assert response.status_code == 400, response.text[:300]
