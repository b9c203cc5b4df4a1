"""Staff invitations and password links by message: a new account without a password and an admin's reset
send the one-time link through the outbox (email, else SMS), the "forgot password" form does the same with
one answer for every address and a limit per address; the link stays single-use and expiring, is never in
the audit log or the logs, is blanked out of the outbox once sent, and only admins see it there."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re

import pytest

from portal.auth import services as auth
from portal.auth.tables import OneTimeLink, User
from portal.core.tables import AuditEntry
from portal.messages import sender
from portal.messages.tables import OutboxMessage

pytestmark = pytest.mark.anyio
LINK = re.compile(r"/link/([A-Za-z0-9_-]+)")


async def _csrf(client, path: str = "/forgot") -> str:
    if "csrftoken" not in client.cookies:
        await client.get(path)
    return client.cookies["csrftoken"]


async def _staff_messages() -> list[dict]:
    return await OutboxMessage.select().where(OutboxMessage.kind.is_in(["staff_invitation", "staff_reset"])).order_by(
        OutboxMessage.id)


async def test_a_new_account_gets_its_invitation_by_email_and_the_link_works_once(
        client, create_user, login, smtp_server, settings, caplog):
    caplog.set_level(logging.INFO)
    admin = await create_user("admin")
    await login(client, admin)
    page = await client.post("/manage/users/", data={
        "name": "Nasima Khatun", "email": "nasima@example.org", "role": "coordinator",
        "_csrf_token": client.cookies["csrftoken"]})
    assert page.status_code == 200 and "nasima@example.org" in page.text
    assert page.headers["cache-control"] == "no-store"
    (message,) = await _staff_messages()
    assert (message["kind"], message["channel"], message["to_address"], message["language"]) == (
        "staff_invitation", "email", "nasima@example.org", "en")
    token = LINK.search(message["body"]).group(1)
    assert token in page.text  # the admin sees the same link on the page
    mail = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=smtp_server.port,
                               smtp_from="portal@programme.example")
    assert await sender.send_due(mail) == {"sent": 1}
    ((email, envelope),) = smtp_server.received()
    assert envelope["rcpt_tos"] == ["nasima@example.org"] and email["Subject"] == "Your account on the training portal"
    assert f"/link/{token}" in email.get_content()
    sent = (await _staff_messages())[0]
    assert token not in sent["body"] and "/link/(sent)" in sent["body"]
    # The link from the email sets the password once; a second use is refused.
    client.cookies.clear()
    del client.headers["x-csrftoken"]
    csrf = await _csrf(client, f"/link/{token}")
    used = await client.post(f"/link/{token}", data={"password": "a long new password", "_csrf_token": csrf})
    assert used.status_code == 303
    again = await client.post(f"/link/{token}", data={"password": "another long one", "_csrf_token": csrf})
    assert again.status_code == 410
    audit_text = " ".join(str(row) for row in await AuditEntry.select())
    assert token not in audit_text and "sent by message" in audit_text
    portal_logs = " ".join(str(r.__dict__) for r in caplog.records if r.name.startswith("portal"))
    assert "/link/-" in portal_logs and token not in portal_logs


async def test_an_admins_reset_link_goes_to_the_account_and_only_admins_see_it_in_the_outbox(
        client, create_user, login):
    admin = await create_user("admin")
    staff = await create_user("organizer")
    await login(client, admin)
    page = await client.post(f"/manage/users/{staff.id}/reset-link", data={"_csrf_token": client.cookies["csrftoken"]})
    assert page.status_code == 200 and "no provider is configured" in page.text
    (message,) = await _staff_messages()
    assert (message["kind"], message["to_address"], message["status"]) == ("staff_reset", staff.email, "queued")
    token = LINK.search(message["body"]).group(1)
    assert token in (await client.get(f"/manage/messages/{message['id']}")).text
    coordinator = await create_user("coordinator")
    await login(client, coordinator)
    seen = await client.get(f"/manage/messages/{message['id']}")
    assert seen.status_code == 200 and token not in seen.text and "only admins see it" in seen.text


async def test_forgot_password_sends_a_link_with_one_answer_for_every_address(client, create_user):
    staff = await create_user("trainer")
    csrf = await _csrf(client)
    known = await client.post("/forgot", data={"identifier": staff.email.upper(), "_csrf_token": csrf})
    unknown = await client.post("/forgot", data={"identifier": "nobody@example.org", "_csrf_token": csrf})
    assert known.status_code == unknown.status_code == 200
    answer = "If an account uses this address"
    assert answer in known.text and answer in unknown.text
    (message,) = await _staff_messages()
    assert (message["kind"], message["to_address"]) == ("staff_reset", staff.email)
    await User.update({User.active: False}).where(User.id == staff.id)
    await client.post("/forgot", data={"identifier": staff.email, "_csrf_token": csrf})
    assert len(await _staff_messages()) == 1  # an inactive account gets nothing
    for _ in range(auth.FORGOT_PER_ADDRESS - 3):  # three forms so far; the address may send five
        assert (await client.post("/forgot", data={"identifier": "x@example.org", "_csrf_token": csrf})
                ).status_code == 200
    limited = await client.post("/forgot", data={"identifier": staff.email, "_csrf_token": csrf})
    assert limited.status_code == 429 and "Too many requests" in limited.text
    client.cookies["lang"] = "bn"
    assert "পাসওয়ার্ড" in (await client.get("/forgot")).text


async def test_one_account_gets_few_links_an_hour_and_links_expire(db, settings, create_user, clock):
    staff = await create_user("coordinator")
    for n in range(5):
        await auth.forgot_password(staff.email, f"10.0.0.{n}")
    assert await OneTimeLink.count().where(OneTimeLink.user == staff.id) == auth.FORGOT_LINKS_PER_ACCOUNT
    token = LINK.search((await _staff_messages())[0]["body"]).group(1)
    clock.advance(auth.LINK_LIFETIME + dt.timedelta(minutes=1))
    with pytest.raises(auth.DomainError) as refused:
        await auth.link_details(token)
    assert refused.value.code == "expired_link"
    await auth.forgot_password(staff.email, "10.0.0.9")
    assert await OneTimeLink.count().where(OneTimeLink.user == staff.id) == auth.FORGOT_LINKS_PER_ACCOUNT + 1


async def test_an_account_with_a_phone_only_gets_an_sms(db, settings):
    user_id = await auth.create_user({"name": "Field Staff", "phone": "01711-000777", "role": "organizer",
                                      "districts": ["khulna"]}, auth.Actor.system("tests"), password_required=False)
    await auth.create_link("welcome", user_id, auth.Actor.system("tests"), send=True)
    (message,) = await _staff_messages()
    assert (message["channel"], message["to_address"]) == ("sms", "+8801711000777")
