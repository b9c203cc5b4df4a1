"""Realistic demo data: the programme's ten service-centre districts, a ToT, district
workshops, a CSO platform workshop and 200 participants with Bangla and English names."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import random
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from portal.auth.services import CurrentUser, create_user
from portal.auth.tables import User
from portal.certificates import issue
from portal.certificates.tables import PoolMember, PoolTrainerLink
from portal.core import clock
from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.core.storage import make_storage
from portal.evaluation import demo as evaluation_demo
from portal.events.checkin import services as checkin
from portal.events.checkin.corrections import Correction
from portal.events.facilitators import services as facilitators
from portal.events.imports import demo as imports_demo
from portal.events.management import services
from portal.events.management.course_links import set_course
from portal.events.participants import merge as merging
from portal.events.participants.services import create_participant
from portal.events.registrations import services as registrations
from portal.events.signup import services as signup
from portal.events.tickets import corrections
from portal.messages import demo as messages_demo
from portal.messages import inbound, outbox
from portal.settings import Settings
from portal.stepdown import services as stepdown
from portal.trainings import services as trainings
from portal.trainings.files import Store
from portal.trainings.materials import Upload, create_material
from portal.trainings.tables import Material

DISTRICTS = ["sylhet", "sirajganj", "tangail", "narsingdi", "dhaka", "cumilla", "munshiganj", "shariatpur",
             "noakhali", "khulna"]
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for demo logins, documented in README

FIRST_F = [("Rahima", "রহিমা"), ("Fatema", "ফাতেমা"), ("Nasrin", "নাসরিন"), ("Shirin", "শিরিন"), ("Taslima", "তাসলিমা"),
           ("Marufa", "মারুফা"), ("Sharmin", "শারমিন"), ("Ayesha", "আয়েশা"), ("Rokeya", "রোকেয়া"), ("Jannatul", "জান্নাতুল")]
FIRST_M = [("Abdullah", "আব্দুল্লাহ"), ("Mizanur", "মিজানুর"), ("Shafiqul", "শফিকুল"), ("Kamrul", "কামরুল"),
           ("Habibur", "হাবিবুর"), ("Anisur", "আনিসুর"), ("Jahangir", "জাহাঙ্গীর"), ("Towhid", "তৌহিদ"),
           ("Rafiqul", "রফিকুল"), ("Sohel", "সোহেল")]
LAST = [("Begum", "বেগম"), ("Khatun", "খাতুন"), ("Akter", "আক্তার"), ("Rahman", "রহমান"), ("Islam", "ইসলাম"),
        ("Hossain", "হোসেন"), ("Chowdhury", "চৌধুরী"), ("Miah", "মিয়া"), ("Sarkar", "সরকার"), ("Uddin", "উদ্দিন")]
ORGS = {
    "government": ["Upazila Administration", "District Employment and Manpower Office", "Union Parishad",
                   "Technical Training Centre"],
    "cso": ["Ovibashi Karmi Unnayan Program", "Sylhet Migrant Forum", "Women's Rights Network", "Jagorani Chakra"],
    "returnee": [""], "returnee_family": [""],
    "private_sector": ["Recruiting agency", "Local Chamber of Commerce"],
    "ngo_partner": ["BRAC Migration Programme", "Rights Jessore", "WARBE Development Foundation"],
    "programme_staff": ["Programme office"],
}
DESIGNATIONS = {"government": ["UNO", "Assistant Director", "Union Parishad Chairman", "Instructor"],
                "cso": ["Coordinator", "Member", "President"], "ngo_partner": ["Field Officer", "Manager"],
                "private_sector": ["Manager", "Owner"], "programme_staff": ["Programme Officer"]}


async def load_demo(seed: int = 2026) -> str:
    """Create demo users, participants and events; refuses to load twice."""
    if await User.exists().where(User.email == "coordinator@demo.example"):
        return "Demo data is already loaded."
    settings = Settings.from_env()
    outbox.configure(settings.base_url)  # the links in the tickets the registrations queue
    rng = random.Random(seed)
    system = Actor.system("demo")
    coordinator_id = await create_user({"name": "Nusrat Jahan", "email": "coordinator@demo.example",
                                        "role": "coordinator", "password": DEMO_PASSWORD}, system)
    for code in ("sylhet", "khulna"):
        await create_user({"name": f"Organizer {code.title()}", "email": f"organizer.{code}@demo.example",
                           "role": "organizer", "districts": [code], "password": DEMO_PASSWORD}, system)
    trainer_id = await create_user({"name": "Master Trainer Demo", "email": "trainer@demo.example",
                                    "role": "trainer", "password": DEMO_PASSWORD}, system)
    coordinator = CurrentUser(id=coordinator_id, name="Nusrat Jahan", role="coordinator",
                              email="coordinator@demo.example")

    used_phones: set[str] = set()
    people: list[int] = []
    for n in range(200):
        female = n % 2 == 0
        first, first_bn = rng.choice(FIRST_F if female else FIRST_M)
        last, last_bn = rng.choice(LAST[:3] if female else LAST[3:])
        stakeholder = rng.choice(list(ORGS))
        while True:
            phone = f"01{rng.choice('3456789')}{rng.randrange(10**8):08d}"
            if phone not in used_phones:
                used_phones.add(phone)
                break
        people.append(await create_participant({
            "name": f"{first} {last}", "name_bn": f"{first_bn} {last_bn}" if n % 5 else "",
            "gender": "female" if female else "male", "stakeholder_type": stakeholder,
            "organisation": rng.choice(ORGS[stakeholder]),
            "designation": rng.choice(DESIGNATIONS.get(stakeholder, [""])),
            "district": rng.choice(DISTRICTS), "phone": phone,
            "email": f"{first.lower()}.{last.lower()}{n}@example.org" if n % 3 == 0 else "",
        }, coordinator))

    today = clock.today(settings.tz)
    tz = settings.tz

    async def event(kind: str, title: str, district: str, start: dt.date, days: int, status: str, **extra) -> int:
        form = {"kind": kind, "title": title, "district": district, "start_date": start.isoformat(),
                "end_date": (start + dt.timedelta(days=days - 1)).isoformat(), **extra}
        event_id = await services.create_event(form, coordinator, tz)
        if status != "draft":
            await services.change_status(event_id, "published", coordinator)
        if status == "completed":
            await services.change_status(event_id, "completed", coordinator)
        return event_id

    upcoming_tot = await event(
        "tot", "ToT on Integrated Approach to Sustainable Reintegration", "cumilla", today + dt.timedelta(days=10), 3,
        "published", venue="BARD, Kotbari", capacity="30", completion_percent="100",
        description="Three-day Training of Trainers for future master trainers.")
    past_tot = await event("tot", "ToT on Safe Migration Counselling", "dhaka", today - dt.timedelta(days=60), 3,
                           "completed", venue="BMET Training Hall", capacity="25", completion_percent="100")
    held = [past_tot]
    upcoming = [upcoming_tot]
    for i, code in enumerate(DISTRICTS):
        start = today + dt.timedelta(days=(i - 4) * 7)
        status = "completed" if start < today else ("published" if i % 3 else "draft")
        event_id = await event("district_workshop", f"District workshop on reintegration services, {code.title()}",
                               code, start, 1, status, venue="Deputy Commissioner's conference room", capacity="40",
                               completion_percent="100", walk_ins="on")
        (held if status == "completed" else upcoming if status == "published" else []).append(event_id)
    upcoming.append(await event(
        "cso_meeting", "CSO platform workshop: migrant rights and local services", "dhaka",
        today + dt.timedelta(days=21), 2, "published", venue="CIRDAP auditorium", capacity="60",
        completion_percent="50", walk_ins="on"))
    await event("consultation", "Consultation with returnee families", "sylhet", today + dt.timedelta(days=35), 1,
                "draft", venue="Upazila Parishad hall")

    staff = coordinator.actor()
    course_id = await _demo_course(settings, coordinator, [past_tot, upcoming_tot])
    trainer_person = await create_participant({"name": "Master Trainer Demo", "email": "trainer@demo.example",
                                               "gender": "female", "stakeholder_type": "programme_staff",
                                               "district": "dhaka"}, coordinator)
    attended = 0
    evaluation = ""
    for event_id in held + upcoming:
        if event_id in (past_tot, upcoming_tot):  # the demo trainer teaches both ToTs (a seat before the rest)
            await registrations.register(event_id, trainer_person, staff, role="trainer")
        chosen = rng.sample(people, rng.randrange(14, 26))
        ids = [(await registrations.register(event_id, person, staff))["id"] for person in chosen]
        if event_id not in held:
            continue
        for session in await services.list_sessions(event_id):
            for registration_id in ids:
                if rng.random() < 0.85:  # most come; some miss a day, so not everyone is certified
                    at = session["starts_at"] + dt.timedelta(minutes=rng.randrange(-20, 40))
                    method = rng.choice(("ticket_scan", "ticket_scan", "self_scan", "manual"))
                    await checkin.check_in(session["id"], staff, registration_id=registration_id, method=method,
                                           by_user=coordinator_id, at=at)
                    attended += 1
        if event_id == past_tot:  # before certificates: the post-test pass mark decides with attendance
            evaluation = await evaluation_demo.load(coordinator, course_id, past_tot, upcoming_tot)
        for registration_id in ids:
            # Not eligible (missed a session) is refused; master-trainer certificates fill the pool.
            with contextlib.suppress(DomainError):
                await issue.issue_one(coordinator, event_id, registration_id, tz=tz)
    trainer = CurrentUser(id=trainer_id, name="Master Trainer Demo", role="trainer", email="trainer@demo.example")
    checked, step_down = await _demo_step_down(trainer, coordinator, trainer_person, past_tot, course_id, people,
                                               rng, tz)
    attended += checked
    await signup.set_open(upcoming[-1], True, staff)  # the CSO workshop takes registrations on its public page
    changes = await _demo_changes(coordinator, upcoming[-1], upcoming[1], tz)
    attended += await _demo_today(coordinator, people, rng, tz)
    messages = await messages_demo.load()
    messages += await _demo_stop_reply(upcoming[1])
    storage = make_storage(settings)
    try:  # a paper sign-in sheet of the first held district workshop, typed up and imported
        workshop = held[1]
        paper_check_ins, paper = await imports_demo.load(staff, workshop, "District workshop", storage, rng)
        attended += paper_check_ins
    finally:
        await storage.close()
    directory = await _demo_directory(coordinator, upcoming[-1])
    return (f"Demo data loaded: 4 staff users (password {DEMO_PASSWORD}: coordinator@demo.example, "
            "organizer.sylhet@demo.example, organizer.khulna@demo.example, trainer@demo.example), "
            f"200 participants, 18 events in 10 districts, {attended} check-ins at {len(held) + 2} past events, "
            f"a course (id {course_id}) with modules and a trainer's manual, {evaluation}, {step_down}, {changes}, "
            f"{messages}, {paper}, {directory}.")


async def _demo_changes(coordinator: CurrentUser, cso_workshop: int, workshop: int, tz: ZoneInfo) -> str:
    """What changes after people registered: the CSO workshop's second day starts an hour later, an evening
    session added to a district workshop is cancelled (everyone registered is told, in their language), and
    a participant corrects the spelling of their name from their ticket (in the audit log with before/after)."""
    second = (await services.list_sessions(cso_workshop))[1]
    values = services.session_form_values(second, tz)
    await services.update_session(cso_workshop, second["id"], {**values, "start": "10:00"}, coordinator, tz)
    day = (await services.list_sessions(workshop))[0]["starts_at"].astimezone(tz).date().isoformat()
    evening = await services.add_session(workshop, {"title": "Evening follow-up", "date": day, "start": "18:00",
                                                    "end": "19:30"}, coordinator, tz)
    await services.delete_session(workshop, evening, coordinator, tz=tz)
    registration = (await registrations.list_registrations(workshop))[0]
    ticket = await registrations.by_token(registration["ticket_token"])
    person = await corrections.current(ticket["participant"])
    spelt = person["name"].replace("a", "aa", 1) if "a" in person["name"] else person["name"] + "e"
    await corrections.correct(ticket, {**person, "name": spelt, "designation": person["designation"] or "Member"},
                              "203.0.113.7")
    return "a session moved, a session cancelled, a name corrected from a ticket"


async def _demo_stop_reply(workshop: int) -> str:
    """One person of a district workshop replied STOP to an SMS (through the gateway's callback)."""
    registration = (await registrations.list_registrations(workshop))[-1]
    if not registration["phone"]:
        return ""
    await inbound.handle({"from": registration["phone"], "text": "STOP"})
    return ", one STOP reply by SMS"


async def _demo_today(coordinator: CurrentUser, people: list[int], rng: random.Random, tz: dt.tzinfo) -> int:
    """A union parishad orientation in Sylhet today, so the homes' "today" has a session under way (the people
    who came by now are checked in; none before it starts), and a poorly attended meeting last week. Returns
    how many check-ins."""
    today = clock.today(tz)
    event_id = await services.create_event({
        "kind": "other", "title": "Orientation for union parishad members on safe migration, Sylhet",
        "district": "sylhet", "venue": "Sylhet Sadar Upazila hall", "capacity": "30", "walk_ins": "on",
        "start_date": today.isoformat(), "end_date": today.isoformat()}, coordinator, tz)
    await services.change_status(event_id, "published", coordinator)
    staff = coordinator.actor()
    ids = [(await registrations.register(event_id, person, staff))["id"] for person in rng.sample(people, 18)]
    session = (await services.list_sessions(event_id))[0]
    now, checked = clock.now(), 0
    for registration_id in ids:
        at = session["starts_at"] + dt.timedelta(minutes=rng.randrange(-20, 90))
        if rng.random() < 0.7 and at <= now:
            await checkin.check_in(session["id"], staff, registration_id=registration_id, method="ticket_scan",
                                   by_user=coordinator.id, at=at)
            checked += 1
    # Last week's follow-up, where few came and nobody has issued the certificates yet: what the homes'
    # "needs attention" is for (low attendance, certificates not issued).
    start = today - dt.timedelta(days=5)
    follow_up = await services.create_event({
        "kind": "cso_meeting", "title": "CSO platform follow-up meeting, Sylhet", "district": "sylhet",
        "venue": "Sylhet Migrant Forum office", "start_date": start.isoformat(), "end_date": start.isoformat()},
        coordinator, tz)
    await services.change_status(follow_up, "published", coordinator)
    ids = [(await registrations.register(follow_up, person, staff))["id"] for person in rng.sample(people, 12)]
    session = (await services.list_sessions(follow_up))[0]
    for registration_id in ids[:4]:
        await checkin.check_in(session["id"], staff, registration_id=registration_id, method="manual",
                               by_user=coordinator.id, at=session["starts_at"] + dt.timedelta(minutes=10))
        checked += 1
    await services.change_status(follow_up, "completed", coordinator)
    return checked


async def _demo_directory(coordinator: CurrentUser, event_id: int) -> str:
    """The directory's tidying (issue 15): a person with two phone numbers, a pair of likely duplicates (both
    registered for one event), and a pair already merged whose merge can be undone from the kept person's page or
    the audit log."""
    base = {"gender": "female", "stakeholder_type": "returnee", "organisation": "WARBE Development Foundation",
            "designation": "Member"}
    await create_participant({**base, "name": "Shahana Parvin", "name_bn": "শাহানা পারভীন", "district": "khulna",
                              "phone": "01711-550101", "other_phones": "01911-550102"}, coordinator)
    twice = [await create_participant({**base, "name": "Nasima Akhter", "name_bn": "নাসিমা আক্তার",
                                       "district": "khulna", "phone": "01711-550103"}, coordinator),
             await create_participant({**base, "name": "Nasima Akter", "district": "khulna", "phone": "01811-550104",
                                       "email": "nasima.akter@example.org"}, coordinator)]
    for person in twice:  # both registered for one event: their merge page says what becomes of the two seats
        await registrations.register(event_id, person, coordinator.actor())
    male = {**base, "gender": "male", "district": "sylhet"}
    kept = await create_participant({**male, "name": "Md. Abdul Karim", "phone": "01711-550105"}, coordinator)
    dropped = await create_participant({**male, "name": "Mohammad Abdul Karim", "name_bn": "মোহাম্মদ আব্দুল করিম",
                                        "phone": "01811-550106", "email": "abdul.karim@example.org"}, coordinator)
    await registrations.register(event_id, dropped, coordinator.actor())
    await merging.merge(kept, dropped, coordinator)
    return "a person with two phone numbers, two likely duplicates and a merge that can be undone"


async def _demo_step_down(trainer: CurrentUser, coordinator: CurrentUser, trainer_person: int, past_tot: int,
                          course_id: int, people: list[int], rng: random.Random, tz: dt.tzinfo) -> tuple[int, str]:
    """The demo trainer in the pool (Khulna, from the past ToT) runs a step-down training: a past one with
    attendance, facilitators and certificates, and an upcoming one; both in Khulna, so the Khulna organizer
    helps with them. The cascade report counts the past one."""
    member = PoolMember(participant=trainer_person, source_event=past_tot, district="khulna",
                        certified_on=clock.today(tz) - dt.timedelta(days=57))
    await member.save()
    await PoolTrainerLink.insert(PoolTrainerLink(member=member.id, user=trainer.id, invited_by=coordinator.id))
    today = clock.today(tz)
    form = {"course": str(course_id), "district": "khulna", "venue": "Upazila Parishad auditorium, Dumuria",
            "capacity": "30", "completion_percent": "100", "walk_ins": "on",
            "description": "Two days on safe migration for union parishad members and CSO volunteers."}
    past = await stepdown.create_step_down({**form, "title": "Step-down training on safe migration, Dumuria",
                                            "start_date": (today - dt.timedelta(days=20)).isoformat(),
                                            "end_date": (today - dt.timedelta(days=19)).isoformat()}, trainer, tz)
    upcoming = await stepdown.create_step_down({**form, "title": "Step-down training on safe migration, Batiaghata",
                                                "venue": "Batiaghata Upazila hall",
                                                "start_date": (today + dt.timedelta(days=12)).isoformat(),
                                                "end_date": (today + dt.timedelta(days=13)).isoformat()}, trainer, tz)
    actor = trainer.actor()
    for event_id in (past, upcoming):
        await services.change_status(event_id, "published", trainer)
    sessions = await services.list_sessions(past)
    chosen = rng.sample(people, 22)
    ids = [(await registrations.register(past, person, actor))["id"] for person in chosen]
    for registration_id in ids[:8]:
        await registrations.register(upcoming, chosen[ids.index(registration_id)], actor)
    checked = 0
    missed = []
    for session in sessions:
        for registration_id in ids:
            if rng.random() < 0.8:
                at = session["starts_at"] + dt.timedelta(minutes=rng.randrange(-15, 30))
                await checkin.check_in(session["id"], actor, registration_id=registration_id,
                                       method=rng.choice(("ticket_scan", "manual")), by_user=trainer.id, at=at)
                checked += 1
            else:
                missed.append((session, registration_id))
    # Corrections say why (issue 18): one who signed the paper sheet, entered afterwards; one scan undone.
    session, registration_id = missed[0]
    await checkin.check_in(session["id"], actor, registration_id=registration_id, method="manual", by_user=trainer.id,
                           correction=Correction("paper", "signed the sheet at the back of the hall",
                                                 session["starts_at"] + dt.timedelta(minutes=50)))
    undone = next(r for r in ids if (sessions[0], r) not in missed)
    await checkin.undo(sessions[0]["id"], undone, actor, past,
                       correction=Correction("wrong_person", "scanned her husband's ticket"))
    guest = await create_participant({"name": "Shahana Parvin", "name_bn": "শাহানা পারভীন", "gender": "female",
                                      "stakeholder_type": "government", "organisation": "DEMO Khulna",
                                      "designation": "Assistant Director", "district": "khulna"}, coordinator)
    await facilitators.assign(past, {"participant_id": str(trainer_person), "role": "trainer",
                                     "sessions": [str(s["id"]) for s in sessions]}, actor)
    await facilitators.assign(past, {"participant_id": str(guest), "role": "guest_speaker", "topic": "BMET services",
                                     "sessions": [str(sessions[-1]["id"])]}, actor)
    upcoming_sessions = await services.list_sessions(upcoming)
    await facilitators.assign(upcoming, {"participant_id": str(trainer_person), "role": "trainer",
                                         "sessions": [str(s["id"]) for s in upcoming_sessions]}, actor)
    await services.change_status(past, "completed", trainer)
    issued = 0
    for registration_id in ids:  # the programme's default: an organizer issues step-down certificates
        with contextlib.suppress(DomainError):
            await issue.issue_one(coordinator, past, registration_id, tz=tz)
            issued += 1
    return checked, f"2 step-down trainings by the demo trainer in Khulna ({issued} certificates at the past one)"


async def _demo_course(settings: Settings, coordinator: CurrentUser, tots: list[int]) -> int:
    """The course the ToTs teach, with modules and a small trainer's manual (a generated PDF)."""
    actor = coordinator.actor()
    course_id = await trainings.create_course({
        "title": "Integrated Approach to Sustainable Reintegration",
        "summary": "Economic, social and psychosocial reintegration of returnee migrants, as taught in the "
                   "programme's ToTs and district trainings."}, actor)
    for title in ("Understanding reintegration", "Economic reintegration", "Psychosocial support and referral"):
        await trainings.add_module(course_id, {"title": title}, actor)
    for event_id in tots:
        await set_course(event_id, course_id, actor)
    pdf = io.BytesIO()
    canvas = Canvas(pdf, pagesize=A4, invariant=1)
    canvas.setFont("Helvetica-Bold", 20)
    canvas.drawString(72, 760, "Integrated Approach to Sustainable Reintegration")
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 730, "Trainer's manual (demo file)")
    canvas.showPage()
    canvas.save()
    pdf.seek(0)
    storage = make_storage(settings)  # the data folder, or the object store when one is configured
    try:
        await create_material(Material._meta.db, course_id, {
            "title": "Trainer's manual", "audience": "trainers", "language": "en",
            "description": "The manual for master trainers."},
            Upload("trainers-manual.pdf", pdf), Store.for_settings(settings, storage), 10 * 1024 * 1024, actor)
    finally:
        await storage.close()
    return course_id
