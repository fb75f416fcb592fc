"""The product's main journey in a real browser, in French, in English and in Arabic, right to
left (issues 8 and 17).

Staff are sent to set up an authenticator app before their first dashboard page, and asked for a
code at their next login (issue 20); they create and open a mission; a Moroccan firm signs up, verifies its address from the e-mail,
builds its profile with a logo and applies; staff approve it and open the matchmaking; a foreign
operator signs up from the mission page on a phone, logs in with the e-mailed code, is confirmed
by staff and books a meeting; both agendas show it at the same local time; staff see it.

Each step is one test, in order, sharing the browser pages of the three people; a step that
fails saves a screenshot (named in the failure) and the later steps of that language are skipped.
Expected texts come from the project's own translation catalogue, so the assertions follow the
wording of the pages in both languages.
"""

import io
import random
import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.utils import translation

from tests.totp import totp_code

from .conftest import (
    ARTIFACTS,
    PASSWORD,
    assert_fits_the_viewport,
    login,
    new_context,
    screenshot_on_failure,
)

pytestmark = pytest.mark.browser

# Each language gets its own mission, in a city of its own time zone.
CITIES = {
    "fr": {"city": "Dakar", "country": "SN", "timezone": "Africa/Dakar"},
    "en": {"city": "San Francisco", "country": "US", "timezone": "America/Los_Angeles"},
    "ar": {"city": "Nouakchott", "country": "MR", "timezone": "Africa/Nouakchott"},
}


def t(language: str, message: str, **values) -> str:
    """``message`` as the pages show it in ``language`` (from the project's catalogue)."""
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


def tn(language: str, singular: str, plural: str, n: int, **values) -> str:
    """The plural form of a message for ``n``, as the pages show it in ``language``."""
    with translation.override(language):
        return translation.ngettext(singular, plural, n) % values


def png_logo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 96), (0, 98, 51))
    ImageDraw.Draw(image).ellipse((16, 16, 80, 80), fill=(193, 39, 45))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class Journey:
    """What the steps of one language share: the people, their pages, the mission."""

    def __init__(self, stack, browser, language: str):
        self.stack, self.browser, self.language = stack, browser, language
        run = f"{language}{random.randrange(10**6):06d}"
        self.run = run
        place = CITIES[language]
        self.city, self.country, self.timezone = place["city"], place["country"], place["timezone"]
        self.slug = f"tic-{run}"
        self.title = f"Mission TIC {self.city} {run}"
        self.start = date.today() + timedelta(days=40)
        self.end = self.start + timedelta(days=3)
        self.deadline = date.today() + timedelta(days=20)
        self.meeting_day = self.start + timedelta(days=1)
        self.staff_email = f"staff-{language}@browser.test"
        self.staff_name = {"fr": "Salma Staff", "en": "Sam Staff", "ar": "Samira Staff"}[
            language
        ]  # conftest.py
        self.firm_email = f"owner-{run}@atlas.test"
        self.firm_name = f"Atlas Cloud {run}"
        self.delegate = "Yasmine Alaoui"
        self.operator_email = f"dsi-{run}@banque.test"
        self.operator_name = f"Banque Horizon {run}"
        self.failed = ""
        self.booked_time = ""
        # The second operator, met through a published schedule (step 7).
        self.operator2_email = f"dg-{run}@comoe.test"
        self.operator2_name = f"Agence Comoé {run}"
        self.party_urls: dict[str, str] = {}
        self.recovery_codes: list[str] = []
        self.contexts = []
        self.csp_errors: list[str] = []
        self.staff = self._page(timezone="Africa/Casablanca")
        self.firm = self._page(timezone="Europe/Paris")
        # The operator is on a phone, in a browser set to a zone far from the mission's: the
        # pages must show the mission's local time whatever the device's clock says.
        self.operator = self._page(phone=True, timezone="Asia/Tokyo")

    def _page(self, **kwargs):
        context = new_context(self.browser, self.stack, language=self.language, **kwargs)
        self.contexts.append(context)
        page = context.new_page()

        # The policy allows no inline script or style: Chromium reports any refusal here.
        def on_console(message):
            if "Content Security Policy" in message.text:
                self.csp_errors.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        return page

    def close(self):
        for context in self.contexts:
            context.close()

    @contextmanager
    def step(self, page, name: str):
        """Run one step: skipped if an earlier one failed; a screenshot if it fails."""
        if self.failed:
            pytest.skip(f"an earlier step failed: {self.failed}")
        try:
            with screenshot_on_failure(page, f"journey-{self.run}-{name}"):
                yield
                if self.csp_errors:
                    errors = "\n".join(self.csp_errors)
                    self.csp_errors.clear()
                    raise AssertionError(f"a page broke its Content-Security-Policy:\n{errors}")
        except Exception:
            self.failed = name
            raise

    def t(self, message: str, **values) -> str:
        return t(self.language, message, **values)

    def tn(self, singular: str, plural: str, n: int, **values) -> str:
        return tn(self.language, singular, plural, n, **values)


@pytest.fixture(scope="class", params=["fr", "en", "ar"])
def journey(request, stack, browser):
    journey = Journey(stack, browser, request.param)
    yield journey
    journey.close()


def main(page):
    return page.locator("#main")


def expect(target):
    """Playwright's waiting assertions (imported late: without playwright the suite skips)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def expect_text(page, text: str) -> None:
    """``text`` is visible in the page's main area (waits for it)."""

    expect(main(page)).to_contain_text(text)


def follow(page, locator, *, tap: bool = False) -> None:
    """Click (or tap) something that loads a new page, and wait for that page."""
    with page.expect_navigation():
        if tap:
            locator.tap()
        else:
            locator.click()


def submit(page, form) -> None:
    follow(page, form.locator("[type=submit]").first)


def assert_fits_the_phone(page) -> None:
    """Nothing sticks out sideways: the page needs no horizontal scrolling on the phone."""
    assert_fits_the_viewport(page)


def expect_open_requests(page, journey, n: int) -> None:
    """The schedule page counts ``n`` meeting requests still waiting for a meeting."""
    expect_text(
        page,
        journey.tn(
            "%(counter)s open meeting request.", "%(counter)s open meeting requests.", n, counter=n
        ),
    )


def sign_up_operator(page, journey, *, email: str, name: str) -> None:
    """An operator signs its organisation up for the mission from its page."""
    page.goto(f"/missions/{journey.slug}/meet/")
    form = main(page).locator("form:has([name=full_name])")
    form.locator("[name=full_name]").fill("Awa Ouédraogo")
    form.locator("[name=email]").fill(email)
    form.locator("[name=phone]").fill("+221 33 800 00 00")
    form.locator("[name=name]").fill(name)
    form.locator("[name=kind]").select_option(index=1)
    form.locator("[name=sectors]").first.check()
    form.locator("[name=needs]").fill("Paiement mobile pour nos agences.")
    submit(page, form)


def confirm_operator(staff, journey, name: str) -> None:
    staff.goto(f"/staff/missions/{journey.slug}/operators/")
    row = staff.locator("#main tr", has_text=name)
    row.locator("input[name=selected]").check()
    form = staff.locator("#main form:has([name=decision])")
    form.locator("[name=decision]").select_option("confirmed")
    submit(staff, form)
    expect_text(
        staff,
        journey.tn(
            "%(count)s registration updated.", "%(count)s registrations updated.", 1, count=1
        ),
    )


def expect_language(page, language: str) -> None:
    """The page is in ``language``, right to left in Arabic."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")


class TestJourney:
    def test_0_staff_set_up_a_second_factor_before_the_dashboard(self, journey):
        page = journey.staff
        with journey.step(page, "0a-staff-sent-to-set-up-a-second-factor"):
            login(page, journey.staff_email)
            page.goto("/staff/missions/new/")
            expect(page).to_have_url(re.compile(r"/accounts/2fa/$"))
            expect_text(
                page,
                journey.t(
                    "Staff accounts need two-factor authentication: set up an authenticator "
                    "app or a security key to continue."
                ),
            )
            follow(page, main(page).locator("a[href='/accounts/2fa/totp/activate/']"))
            # allauth asks for the password again before a factor changes.
            page.fill("input[name=password]", PASSWORD)
            submit(page, main(page).locator("form:has(input[name=password])"))
            # The authenticator app's secret, as a person would type it into their phone.
            secret = page.locator("#authenticator_secret").input_value()
            page.fill("input[name=code]", totp_code(secret))
            submit(page, main(page).locator("form:has(input[name=code])"))
            # Recovery codes come with it, shown once set up.
            expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
            journey.recovery_codes = page.locator("#recovery_codes").input_value().split()
            assert len(journey.recovery_codes) == 10, journey.recovery_codes
            page.goto("/staff/")
            expect(page).to_have_url(re.compile(r"/staff/$"))

        with journey.step(page, "0b-staff-login-asks-for-the-second-factor"):
            page.goto("/accounts/logout/")
            submit(page, main(page).locator("form"))
            login(page, journey.staff_email)
            expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
            # The password alone opens nothing: the dashboard leads back to the code.
            page.goto("/staff/")
            expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
            page.fill("input[name=code]", "000000")
            submit(page, main(page).locator("form:has(input[name=code])"))
            expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
            # A recovery code stands in for the phone (the app's code was used a moment ago:
            # allauth accepts each code once).
            page.fill("input[name=code]", journey.recovery_codes[0])
            submit(page, main(page).locator("form:has(input[name=code])"))
            page.goto("/staff/")
            expect(page).to_have_url(re.compile(r"/staff/$"))

    def test_1_staff_create_and_open_a_mission(self, journey):
        page = journey.staff
        with journey.step(page, "1-staff-create-open"):
            page.goto("/staff/missions/new/")
            expect_language(page, journey.language)
            form = main(page).locator("form")
            # Staff write in their own language; readers of the others see it in its stead.
            form.locator(f"[name=title_{journey.language}]").fill(journey.title)
            form.locator("[name=slug]").fill(journey.slug)
            form.locator(f"[name=city_{journey.language}]").fill(journey.city)
            form.locator("[name=country]").select_option(journey.country)
            form.locator("[name=timezone]").fill(journey.timezone)
            form.locator("[name=start_date]").fill(journey.start.isoformat())
            form.locator("[name=end_date]").fill(journey.end.isoformat())
            form.locator(f"[name=description_{journey.language}]").fill(
                "Rencontres B2B avec les DSI et les banques."
            )
            form.locator("[name=sectors]").first.check()
            form.locator("[name=capacity]").fill("12")
            form.locator("[name=application_deadline]").fill(
                f"{journey.deadline.isoformat()}T18:00"
            )
            submit(page, form)
            expect_text(page, journey.t("The mission has been created as a draft."))
            expect_text(page, journey.title)
            expect_text(page, journey.t("Draft"))

            follow(page, page.locator("#main button[name=to][value=open]"))
            expect_text(
                page,
                journey.t(
                    "The mission is now “%(status)s”.", status=journey.t("Open for applications")
                ),
            )

    def test_2_firm_signs_up_verifies_builds_its_profile_and_applies(self, journey):
        page = journey.firm
        stack = journey.stack
        with journey.step(page, "2a-firm-signup"):
            page.goto("/missions/")
            expect_text(page, journey.title)
            page.goto("/accounts/signup/")
            expect_language(page, journey.language)
            form = main(page).locator("form:has([name=password1])")
            form.locator("[name=full_name]").fill("Karim Bennani")
            form.locator("[name=email]").fill(journey.firm_email)
            form.locator("[name=password1]").fill(PASSWORD)
            form.locator("[name=password2]").fill(PASSWORD)
            submit(page, form)
            mail = stack.mailbox.wait_for(to=journey.firm_email)
            links = [link for link in mail.links() if "/accounts/confirm-email/" in link]
            assert links, f"no confirmation link in the e-mail:\n{mail.text}"

        with journey.step(page, "2b-firm-verifies-email"):
            page.goto(links[0])
            submit(page, main(page).locator("form"))
            # Logged in on confirmation; a member without a company is led to create it.
            page.goto("/portal/")
            assert page.url.endswith("/portal/company/new/"), page.url

        with journey.step(page, "2c-firm-profile-with-logo"):
            form = main(page).locator("form")
            form.locator("[name=legal_name]").fill(f"{journey.firm_name} SARL")
            form.locator("[name=trade_name]").fill(journey.firm_name)
            form.locator("[name=ice]").fill(f"{random.randrange(10**15):015d}")
            form.locator("[name=city]").fill("Casablanca")
            form.locator("[name=website]").fill("https://atlas-cloud.example")
            form.locator("[name=size_band]").select_option(index=1)
            form.locator("[name=founded]").fill("2012")
            form.locator("[name=sectors]").first.check()
            form.locator("[name=offer]").fill("Paiement mobile et cloud souverain.")
            form.locator("[name=references]").fill("Banques de la zone UEMOA.")
            form.locator("[name=logo]").set_input_files(
                files=[{"name": "logo.png", "mimeType": "image/png", "buffer": png_logo()}]
            )
            submit(page, form)
            expect_text(page, journey.t("Your company profile has been created."))
            expect_text(page, journey.firm_name)
            logo = page.locator("#main img.company-logo")
            logo.wait_for()
            width = logo.evaluate("img => img.complete ? img.naturalWidth : 0")
            assert width == 96, f"the logo is not displayed (natural width {width})"

        with journey.step(page, "2d-firm-applies"):
            follow(page, page.locator(f"#main a[href$='/portal/missions/{journey.slug}/apply/']"))
            form = main(page).locator("form")
            form.locator("[name=objectives]").first.check()
            form.locator("[name=motivation]").fill("Nous visons les banques et les DSI locaux.")
            form.locator("[name$='-0-full_name']").fill(journey.delegate)
            form.locator("[name$='-0-role']").fill("Directrice commerciale")
            mark = stack.mailbox.mark()
            submit(page, form)
            page.goto("/portal/")
            row = page.locator("#main tr", has_text=journey.title)

            expect(row).to_contain_text(journey.t("Submitted"))
            received = stack.mailbox.wait_for(
                to=journey.firm_email, subject=journey.title, since=mark
            )
            assert received.message["Content-Language"] == journey.language

    def test_3_staff_approve_and_open_the_matchmaking(self, journey):
        page = journey.staff

        with journey.step(page, "3a-staff-approve"):
            page.goto(f"/staff/missions/{journey.slug}/applications/")
            row = page.locator("#main tr", has_text=journey.firm_name)
            row.locator("input[name=selected]").check()
            form = page.locator("#main form:has([name=decision])")
            form.locator("[name=decision]").select_option("approved")
            mark = journey.stack.mailbox.mark()
            submit(page, form)
            expect_text(
                page,
                journey.tn(
                    "%(count)s application updated.", "%(count)s applications updated.", 1, count=1
                ),
            )
            expect(page.locator("#main tr", has_text=journey.firm_name)).to_contain_text(
                journey.t("Approved")
            )
            decision = journey.stack.mailbox.wait_for(
                to=journey.firm_email, subject=journey.title, since=mark
            )
            assert decision.message["Content-Language"] == journey.language

        with journey.step(page, "3a-staff-audit-trail"):
            # The decision is in the audit trail, with its author (issue 20).
            page.goto("/staff/")
            follow(page, main(page).locator("a[href='/staff/audit/']"))
            page.locator("#filter-kind").select_option("missions.application")
            submit(page, main(page).locator("form[role=search]"))
            row = main(page).locator("tr", has_text=journey.firm_name).first
            expect(row.locator(".actor")).to_contain_text(journey.staff_name)
            expect(row).to_contain_text(journey.t("Approved"))

        with journey.step(page, "3b-staff-start-scheduling"):
            page.goto(f"/staff/missions/{journey.slug}/")
            for status, label in (("selection", "Selection"), ("scheduling", "Scheduling")):
                follow(page, page.locator(f"#main button[name=to][value={status}]"))
                expect_text(
                    page,
                    journey.t("The mission is now “%(status)s”.", status=journey.t(label)),
                )

        with journey.step(page, "3c-staff-b2b-session"):
            page.goto(f"/staff/missions/{journey.slug}/sessions/")
            page.locator("#main details summary").click()
            form = page.locator("#main form:has([name=slot_minutes])")
            form.locator("[name=day]").fill(journey.meeting_day.isoformat())
            form.locator("[name=start_time]").fill("09:00")
            form.locator("[name=end_time]").fill("12:00")
            form.locator("[name=slot_minutes]").fill("30")
            form.locator("[name=break_minutes]").fill("0")
            form.locator("[name=tables]").fill("4")
            form.locator(f"[name=place_{journey.language}]").fill("Hôtel Radisson, salle Baobab")
            submit(page, form)
            expect_text(page, journey.t("The B2B session and its time slots have been created."))
            expect(page.locator("#main tbody tr").first).to_contain_text("09:00–12:00")

    def test_4_operator_signs_up_on_a_phone_logs_in_by_code_and_books(self, journey):
        page = journey.operator
        stack = journey.stack

        with journey.step(page, "4a-operator-signup"):
            page.goto(f"/missions/{journey.slug}/")
            expect_language(page, journey.language)
            assert_fits_the_phone(page)
            follow(page, page.locator(f"#main a[href$='/missions/{journey.slug}/meet/']").first)
            assert_fits_the_phone(page)
            sign_up_operator(
                page, journey, email=journey.operator_email, name=journey.operator_name
            )
            expect_text(
                page,
                journey.t(
                    "Your organisation is registered. Enter the code we have just sent to "
                    "%(email)s to log in.",
                    email=journey.operator_email,
                ),
            )

        with journey.step(page, "4b-operator-login-code"):
            # allauth's code: letters and digits in dashed groups, alone on its line.
            code = r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})+)\s*$"
            mail = stack.mailbox.wait_for(to=journey.operator_email, text=code)
            codes = re.findall(code, mail.text, flags=re.MULTILINE)
            form = main(page).locator("form:has([name=code])")
            form.locator("[name=code]").fill(codes[0])
            submit(page, form)
            assert page.url.endswith("/operator/"), page.url
            row = page.locator("#main li.list-group-item", has_text=journey.title)
            expect(row).to_contain_text(journey.t("Pending"))
            # While the agency vets it, the operator reads what comes next (issue 15).
            expect_text(page, journey.t("What happens next"))
            expect(page.locator("#what-next a[href='/operator/profile/']")).to_have_count(1)
            assert_fits_the_phone(page)
            # The directory explains instead of refusing bluntly.
            page.goto(f"/m/{journey.slug}/directory/")
            expect_text(page, journey.t("Not open to you"))
            assert_fits_the_phone(page)

        staff = journey.staff
        with journey.step(staff, "4c-staff-confirm-operator"):
            confirm_operator(staff, journey, journey.operator_name)

        with journey.step(page, "4d-operator-books-on-phone"):
            page.goto("/operator/")
            row = page.locator("#main li.list-group-item", has_text=journey.title)
            expect(row).to_contain_text(journey.t("Confirmed"))
            follow(page, row.locator(f"a[href$='/m/{journey.slug}/directory/']"))
            assert_fits_the_phone(page)
            follow(page, page.locator("#main a.list-group-item", has_text=journey.firm_name))
            journey.party_urls["operator"] = page.url
            expect_text(page, journey.t("Book a meeting"))
            assert_fits_the_phone(page)
            first = page.locator("#main button.slot-button").first
            expect(first).to_be_visible()
            journey.booked_time = first.inner_text().strip()
            assert journey.booked_time.startswith("09:00"), journey.booked_time
            # On a phone the slot must be reachable without horizontal scrolling.
            box = first.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
            follow(page, first, tap=True)
            assert page.url.endswith(f"/m/{journey.slug}/agenda/"), page.url
            expect_text(
                page,
                journey.t(
                    "The meeting is booked. Both sides receive a calendar invitation by e-mail."
                ),
            )
            assert_fits_the_phone(page)

        with journey.step(page, "4e-booking-emails"):
            for to in (journey.operator_email, journey.firm_email):
                mail = stack.mailbox.wait_for(to=to, text="09:00–09:30")
                assert mail.message["Content-Language"] == journey.language
                # The zone is labelled as people read it ("America/Los Angeles (PST)").
                zone = journey.timezone.replace("_", " ")
                assert "09:00–09:30" in mail.text and zone in mail.text, mail.text
                calendars = [
                    part
                    for part in mail.message.walk()
                    if part.get_content_type() == "text/calendar"
                    or (part.get_filename() or "").endswith(".ics")
                ]
                assert calendars, f"no calendar invitation attached to the e-mail to {to}"

    def test_4f_operator_confirms_from_the_email(self, journey):
        # The link is opened from the mail app: a fresh browser on the phone, no session.
        page = journey._page(phone=True, timezone="Asia/Tokyo")

        with journey.step(page, "4f-confirm-from-email"):
            mail = journey.stack.mailbox.wait_for(to=journey.operator_email, text="09:00–09:30")
            links = [link for link in mail.links() if re.search(r"/(attend|confirm)", link)]
            if not links:
                pytest.skip(
                    "the meeting e-mail has no confirm-attendance link yet "
                    "(issue 8: 'confirms from the email')"
                )
            # The page shows the meeting, and a button confirms it (mail scanners follow links).
            page.goto(links[0])
            expect_text(page, journey.firm_name)
            expect_text(page, "09:00–09:30")
            assert_fits_the_phone(page)
            button = page.locator("#main form [type=submit]")
            expect(button).to_have_count(1)
            follow(page, button, tap=True)
            expect(page.locator("#main [role=status]")).to_be_visible()
            expect(page.locator("#main form [type=submit]")).to_have_count(0)

    def test_5_both_agendas_show_the_meeting_at_the_same_local_time(self, journey):
        zone_label = journey.t("local time of the mission (%(zone)s)", zone=journey.timezone)
        times = {}
        for who, page in (("firm", journey.firm), ("operator", journey.operator)):
            with journey.step(page, f"5-agenda-{who}"):
                page.goto(f"/m/{journey.slug}/agenda/")
                expect_text(page, zone_label)
                other = journey.operator_name if who == "firm" else journey.firm_name
                row = page.locator("#main .agenda-day li", has_text=other)
                times[who] = row.locator(".fw-semibold").first.inner_text().strip()
        assert times["firm"] == times["operator"] == "09:00–09:30", times

        page = journey.operator
        with journey.step(page, "5-agenda-calendar-file"):
            # The agenda's "Download (.ics)": the same wall-clock time, labelled with the zone.
            link = page.locator(f"#main a[href$='/m/{journey.slug}/agenda.ics']")
            response = page.request.get(link.get_attribute("href"))
            body = response.text().replace("\r\n ", "")
            start = f"DTSTART;TZID={journey.timezone}:{journey.meeting_day:%Y%m%d}T090000"
            assert start in body, body

    def test_6_staff_see_the_meeting_on_the_cockpit_and_export_it(self, journey):
        page = journey.staff

        with journey.step(page, "6a-staff-mission-page"):
            page.goto(f"/staff/missions/{journey.slug}/")
            expect_text(page, journey.t("Scheduling"))
            figures = page.locator("#main .card-body")
            expect(figures.filter(has_text=journey.t("Firms approved"))).to_contain_text("1 / 12")
            expect(figures.filter(has_text=journey.t("Operators confirmed"))).to_contain_text("1")
            page.goto(f"/staff/missions/{journey.slug}/sessions/")
            row = page.locator("#main tbody tr").first
            # Columns: day, hours, slots, tables, meetings.
            expect(row.locator("td").nth(2)).to_have_text("6")
            expect(row.locator("td").nth(4)).to_have_text("1")

        with journey.step(page, "6b-staff-cockpit"):
            page.goto(f"/staff/missions/{journey.slug}/cockpit/")
            cell = page.locator("#main td.grid-meeting")
            expect(cell).to_have_count(1)
            expect(cell).to_contain_text(journey.firm_name)
            expect(page.locator("#main")).to_contain_text("09:00")

        with journey.step(page, "6c-staff-export"):
            page.goto(f"/staff/missions/{journey.slug}/exports/")
            link = page.locator("#main a[href$='/exports/schedule.csv']")
            with page.expect_download() as download:
                link.click()
            path = ARTIFACTS / f"export-{journey.run}{download.value.suggested_filename}"
            download.value.save_as(path)
            text = path.read_text(encoding="utf-8-sig")
            # The meeting, at the same local time as on both agendas.
            assert journey.firm_name in text and "09:00" in text, text

    def test_7_a_published_schedule_meets_the_firms_request(self, journey):
        """The firm asks to meet a second operator; staff compute and publish the schedule; the
        firm's request then reads as met, and the staff's count of open requests follows."""
        operator2 = journey._page(phone=True, timezone="Africa/Abidjan")
        with journey.step(operator2, "7a-second-operator-signs-up"):
            sign_up_operator(
                operator2, journey, email=journey.operator2_email, name=journey.operator2_name
            )
            expect_text(
                operator2,
                journey.t(
                    "Your organisation is registered. Enter the code we have just sent to "
                    "%(email)s to log in.",
                    email=journey.operator2_email,
                ),
            )
        with journey.step(journey.staff, "7b-staff-confirm-second-operator"):
            confirm_operator(journey.staff, journey, journey.operator2_name)

        page = journey.firm
        with journey.step(page, "7c-firm-asks-to-meet"):
            page.goto(f"/m/{journey.slug}/directory/")
            follow(page, page.locator("#main a.list-group-item", has_text=journey.operator2_name))
            journey.party_urls["firm"] = page.url
            form = main(page).locator("form[action$='/request/']")
            form.locator("[name=priority]").select_option("3")
            submit(page, form)
            page.goto(f"/m/{journey.slug}/requests/")
            row = main(page).locator("li", has_text=journey.operator2_name)
            expect(row).to_contain_text(journey.t("Pending"))

        staff = journey.staff
        with journey.step(staff, "7d-staff-compute-and-publish"):
            staff.goto(f"/staff/missions/{journey.slug}/schedule/")
            expect_open_requests(staff, journey, 1)
            form = main(staff).locator("form:has([name=time_limit])")
            form.locator("[name=time_limit]").fill("5")
            submit(staff, form)
            # The worker computes; the page refreshes by itself until the proposal is ready.
            publish = staff.locator("#main form[action$='/publish/'] [type=submit]")
            publish.wait_for(timeout=120_000)
            follow(staff, publish)
            expect_text(
                staff,
                journey.t(
                    "The schedule has been published: each participant whose agenda changed is "
                    "told."
                ),
            )
            staff.goto(f"/staff/missions/{journey.slug}/schedule/")
            expect_open_requests(staff, journey, 0)

        with journey.step(page, "7e-firm-sees-its-request-met"):
            page.goto(f"/m/{journey.slug}/requests/")
            row = main(page).locator("li", has_text=journey.operator2_name)
            expect(row).to_contain_text(journey.t("Meeting arranged"))
            expect(row.locator("button[value=withdraw]")).to_have_count(0)
            page.goto(f"/m/{journey.slug}/agenda/")
            expect(
                main(page).locator(".agenda-day li", has_text=journey.operator2_name)
            ).to_have_count(1)

    def test_8_no_page_is_wider_than_the_screen(self, journey):
        """Every page of the journey, on a phone (390 px) and at 1,366 px: nothing sticks out."""
        slug = journey.slug
        mission = f"/staff/missions/{slug}"
        pages = {
            "staff": (journey.staff, [
                "/staff/", f"{mission}/", f"{mission}/applications/", f"{mission}/operators/",
                f"{mission}/sessions/", f"{mission}/schedule/", f"{mission}/cockpit/",
                f"{mission}/emails/", f"{mission}/exports/", f"{mission}/report/",
                "/staff/audit/",
            ]),
            "firm": (journey.firm, [
                "/portal/", f"/missions/{slug}/", f"/m/{slug}/directory/",
                journey.party_urls.get("firm", f"/m/{slug}/directory/"), f"/m/{slug}/requests/",
                f"/m/{slug}/agenda/", f"/m/{slug}/availability/",
            ]),
            "operator": (journey.operator, [
                "/operator/", f"/missions/{slug}/", f"/m/{slug}/directory/",
                journey.party_urls.get("operator", f"/m/{slug}/directory/"),
                f"/m/{slug}/requests/", f"/m/{slug}/agenda/",
            ]),
        }  # fmt: skip
        for who, (page, urls) in pages.items():
            with journey.step(page, f"8-widths-{who}"):
                size = page.viewport_size
                wide = []
                for width in (390, 1366):
                    page.set_viewport_size({"width": width, "height": 900})
                    for url in urls:
                        page.goto(url)
                        scroll, inner = page.evaluate(
                            "[document.documentElement.scrollWidth, window.innerWidth]"
                        )
                        if scroll > inner:
                            wide.append(f"{url} is {scroll}px wide at {inner}px")
                page.set_viewport_size(size)
                assert not wide, "\n".join(wide)
