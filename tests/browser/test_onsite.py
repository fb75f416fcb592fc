"""The day of the mission in a real browser (issue 18): on a phone whose network is cut, an
operator in Abidjan still sees the day's agenda, scans the firm's badge at table 7, and the
meeting appears as started on the staff board once the network is back. And the first visit of
the agenda weighs under 150 KB compressed.

Playwright's offline switch does not reach a service worker's own requests, so going offline
also aborts them (as Playwright's maintainers advise: microsoft/playwright#2311).
"""

import gzip
import json
import os

import pytest

from tests.totp import totp_code

from .conftest import ARTIFACTS, PASSWORD, login, new_context, screenshot_on_failure

TOTP_SECRET = "ONSITEFLOORSTAFFTOTPSECRETAAAAAA"  # base32

# Lets the routes below see the service worker's requests; read when the driver starts, which
# is after collection.
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

pytestmark = pytest.mark.browser

BUDGET = 150 * 1024

SETUP = """
import json, random
from datetime import timedelta
from zoneinfo import ZoneInfo
from allauth.account.models import EmailAddress
from django.utils import timezone
from accounts.models import User
from companies.models import Company, Operator
from matchmaking.models import Origin
from matchmaking.services import meeting_book, session_create
from missions.models import Application, Delegate, Mission, OperatorRegistration
from onsite.codes import badge_token

run = random.randrange(10**6)
now = timezone.now()
offset = max(-12, min(14, 12 - now.hour))
zone = "UTC" if not offset else "Etc/GMT%s%d" % ("-" if offset > 0 else "+", abs(offset))
local = now.astimezone(ZoneInfo(zone))
start = (local - timedelta(minutes=10)).replace(second=0, microsecond=0)
mission = Mission.objects.create(
    slug="abidjan-%d" % run, title="Mission TIC Abidjan %d" % run, city="Abidjan", country="CI",
    timezone=zone, start_date=local.date() - timedelta(days=1),
    end_date=local.date() + timedelta(days=1), capacity=20, status="scheduling",
)
firm = Company.objects.create(legal_name="Atlas Digital %d SARL" % run, ice="%015d" % run,
                              city="Casablanca", size_band="small")
application = Application.objects.create(mission=mission, company=firm, status="approved",
                                         objectives=["clients"], motivation="-")
delegate = Delegate.objects.create(application=application, full_name="Amina Idrissi", role="CEO")
operator = Operator.objects.create(name="Banque Lagune %d" % run, kind="bank", country="CI",
                                   city="Abidjan")
OperatorRegistration.objects.create(mission=mission, operator=operator, status="confirmed")
email = "operateur-%d@browser.test" % run
contact = User.objects.create_user(email=email, password=PASSWORD, full_name="Kouadio Yao",
                                   language="fr", operator=operator)
EmailAddress.objects.create(user=contact, email=email, verified=True, primary=True)
session = session_create(mission=mission, data={
    "day": start.date(), "start_time": start.time(),
    "end_time": (start + timedelta(minutes=90)).time(), "slot_minutes": 30,
    "break_minutes": 0, "tables": 8, "place": "Hotel Ivoire",
})
Mission.objects.filter(pk=mission.pk).update(status="running")
mission.refresh_from_db()
slot = session.slots.order_by("starts_at").first()
meeting = meeting_book(mission=mission, company=firm, operator=operator, slot=slot, by=None,
                       origin=Origin.MANUAL, table=session.table_set.get(number=7),
                       on_the_spot=True)
# Staff on the floor, each with an authenticator app (staff log in with a second factor).
from accounts.services import user_make_staff, user_totp_add
floor_staff = {}
for name in ("desk", "phone"):
    staff_email = "floor-%s-%d@browser.test" % (name, run)
    staff = User.objects.create_user(email=staff_email, password=PASSWORD, full_name="Staff",
                                     language="fr")
    EmailAddress.objects.create(user=staff, email=staff_email, verified=True, primary=True)
    user_make_staff(user=staff)
    user_totp_add(user=staff, secret=TOTP_SECRET)
    floor_staff[name] = staff_email
print(json.dumps({
    "staff": floor_staff,
    "slug": mission.slug, "email": email, "session": session.pk, "firm": firm.legal_name,
    "badge": "/onsite/%s/b/%s/" % (mission.slug, badge_token(mission_id=mission.pk,
                                                            delegate_id=delegate.pk)),
}))
""".replace("PASSWORD", repr(PASSWORD)).replace("TOTP_SECRET", repr(TOTP_SECRET))


@pytest.fixture(scope="module")
def onsite_day(stack):
    return json.loads(stack.manage("shell", "-c", SETUP).strip().splitlines()[-1])


def _staff_login(page, email: str) -> None:
    """Password, then the authenticator app's code (each floor staff has their own app, so
    that no code is given twice)."""
    login(page, email, PASSWORD)
    page.fill("input[name=code]", totp_code(TOTP_SECRET))
    with page.expect_navigation():
        page.locator("form:has(input[name=code]) [type=submit]").first.click()


def _weight(responses) -> int:
    """Bytes a compressing server sends for these responses: the body as sent when it came
    compressed, else gzipped (level 6, as a web server would)."""
    total = 0
    for response in responses:
        body = b"" if 300 <= response.status < 400 else response.body()
        headers = response.headers
        if headers.get("content-encoding") in ("gzip", "br"):
            total += response.request.sizes()["responseBodySize"]
        else:
            total += len(gzip.compress(body, compresslevel=6))
        total += response.request.sizes()["responseHeadersSize"]
    return total


def _go_offline(context):
    def abort_worker_requests(route):
        if route.request.service_worker:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    context.set_offline(True)
    context.route("**/*", abort_worker_requests)
    return abort_worker_requests


def _go_online(context, handler):
    context.unroute("**/*", handler)
    context.set_offline(False)


def test_first_visit_of_the_agenda_weighs_under_150_kb(stack, browser, onsite_day):
    signing_in = new_context(browser, stack, language="fr", phone=True)
    login(signing_in.new_page(), onsite_day["email"], PASSWORD)
    session = signing_in.storage_state()
    signing_in.close()
    # Signed in, with an empty cache: the first visit of the agenda in the hall.
    context = browser.new_context(
        base_url=stack.base_url,
        storage_state=session,
        locale="fr-FR",
        is_mobile=True,
        has_touch=True,
        viewport={"width": 390, "height": 844},
    )
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    with screenshot_on_failure(page, "onsite-weight"):
        page.goto(f"/onsite/{onsite_day['slug']}/agenda/")
        page.wait_for_load_state("networkidle")
        assert page.get_by_text(onsite_day["firm"]).is_visible()
        files = {r.url.rsplit("/", 1)[-1] or r.url for r in responses}
        assert any(name.startswith("bootstrap") for name in files), files  # a cold cache
        weight = _weight(responses)
        print(f"first visit of the agenda: {weight} bytes compressed, {len(responses)} files")
        assert weight < BUDGET, f"{weight} bytes: {sorted(files)}"
    context.close()


def test_first_visit_of_the_site_weighs_under_150_kb_without_the_icon_font(stack, browser):
    """The public home page, cold cache: icons come from the SVG sprite, not a font."""
    context = new_context(browser, stack, language="fr", phone=True)
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    with screenshot_on_failure(page, "site-weight"):
        page.goto("/")
        page.wait_for_load_state("networkidle")
        urls = [r.url for r in responses]
        assert not [u for u in urls if "bootstrap-icons" in u or u.endswith((".woff", ".woff2"))]
        weight = _weight(responses)
        print(f"first visit of the site: {weight} bytes compressed, {len(responses)} files")
        assert weight < BUDGET, f"{weight} bytes: {urls}"
    context.close()


def test_board_fits_a_phone_held_in_one_hand(stack, browser, onsite_day):
    context = new_context(browser, stack, language="fr", phone=True)
    page = context.new_page()
    _staff_login(page, onsite_day["staff"]["phone"])
    with screenshot_on_failure(page, "onsite-board-phone"):
        page.goto(f"/onsite/{onsite_day['slug']}/board/{onsite_day['session']}/")
        assert page.locator('[data-figure="late"]').is_visible()
        # The grid scrolls in its own box; the page itself does not scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(ARTIFACTS / "onsite-board-phone.png"), full_page=True)
    context.close()


def test_offline_agenda_and_badge_scan_land_once_online(stack, browser, onsite_day):
    phone = new_context(browser, stack, language="fr", phone=True)
    page = phone.new_page()
    login(page, onsite_day["email"], PASSWORD)
    agenda = f"/onsite/{onsite_day['slug']}/agenda/"
    with screenshot_on_failure(page, "onsite-install"):
        page.goto(agenda)
        assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.goto(agenda)  # seen once under the worker: kept for offline use
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)

    desk = new_context(browser, stack, language="fr")
    board = desk.new_page()
    _staff_login(board, onsite_day["staff"]["desk"])
    board.goto(f"/onsite/{onsite_day['slug']}/board/{onsite_day['session']}/")
    assert board.locator('[data-figure="running"]').inner_text() == "0"

    handler = _go_offline(phone)
    with screenshot_on_failure(page, "onsite-offline-agenda"):
        page.goto(agenda)
        assert page.get_by_text(onsite_day["firm"]).is_visible()
        assert page.get_by_text("Pas de réseau : voici la dernière version consultée.").is_visible()
        assert page.get_by_text("Version du").is_visible()
        page.screenshot(path=str(ARTIFACTS / "onsite-agenda-offline.png"), full_page=True)

    with screenshot_on_failure(page, "onsite-offline-scan"):
        page.goto(onsite_day["badge"])  # the camera app opens the badge's code
        page.get_by_text("Pas de réseau : le scan est gardé").wait_for()
        page.get_by_text("En attente du réseau").wait_for()

    _go_online(phone, handler)
    with screenshot_on_failure(page, "onsite-online-sync"):
        page.get_by_text("Rendez-vous démarré").wait_for(timeout=20_000)
        assert page.get_by_text("table 7").count() >= 1

    from playwright.sync_api import expect

    with screenshot_on_failure(board, "onsite-board"):
        # The board open on the desk updates itself (htmx polling), with no reload.
        expect(board.locator('[data-figure="running"]')).to_have_text("1", timeout=30_000)
        assert board.url.endswith(f"/board/{onsite_day['session']}/")
        running = board.locator("tr.onsite-now td.onsite-cell.running")
        assert running.count() == 1
        assert onsite_day["firm"] in running.inner_text()
        board.screenshot(path=str(ARTIFACTS / "onsite-board.png"), full_page=True)

    # Sent again (a second phone's queue, a retry): applied once, the board still says one.
    with screenshot_on_failure(page, "onsite-replay"):
        page.goto(onsite_day["badge"])
        page.get_by_text("Réunion déjà démarrée").wait_for()
        board.reload()
        assert board.locator('[data-figure="running"]').inner_text() == "1"
    phone.close()
    desk.close()
