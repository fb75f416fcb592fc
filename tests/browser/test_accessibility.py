"""Accessibility: axe-core (vendored in static/vendor/axe-core/) runs in the main pages of each
role, in French and in Arabic (right to left), on the demo data; no violation of impact serious or
critical is allowed, and no page is wider than the window.

axe is loaded as a script of the site's own origin (/static/vendor/axe-core/axe.min.js), so the
page's Content-Security-Policy stays as it is in production: nothing is bypassed. (Playwright's
``add_script_tag(path=...)`` inserts an inline script, which that policy rightly refuses.)
"""

import json
import re

import pytest

from tests.totp import totp_code

from .conftest import assert_fits_the_viewport, new_context, screenshot_on_failure

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-maroc-export"
DEMO_TOTP_SECRET = "MAROCEXPORTDEMOSTAFFTOTPAAAAAAAA"  # seed_demo's staff authenticator app
ACCOUNTS = {
    "firm": "owner@atlas-digital.ma",
    "operator": "cio@banque-horizon.bf",
    "staff": "staff@marocexport.local",
}
BLOCKING = {"serious", "critical"}

# (role, page): how to reach the page. A path, or a link to follow from another page of the
# role (the demo data decides which mission the firm and the operator take part in).
PAGES = [
    ("anonymous", "home", "/"),
    ("anonymous", "mission list", "/missions/"),
    ("anonymous", "mission page", "mission:"),
    ("anonymous", "operator sign-up", "meet:"),
    ("anonymous", "login", "/accounts/login/"),
    ("anonymous", "sign-up", "/accounts/signup/"),
    ("anonymous", "login by code", "/accounts/login/code/"),
    ("firm", "portal", "/portal/"),
    ("firm", "company profile", "/portal/company/edit/"),
    ("firm", "members", "/portal/members/"),
    ("firm", "application", "application:"),
    ("firm", "directory", "directory:"),
    ("firm", "booking page", "party:"),
    ("firm", "requests", "requests:"),
    ("firm", "agenda", "agenda:"),
    ("firm", "cancelling a meeting", "cancel:"),
    ("operator", "home", "/operator/"),
    ("operator", "profile", "/operator/profile/"),
    ("operator", "directory", "directory:"),
    ("operator", "booking page", "party:"),
    ("operator", "requests", "requests:"),
    ("operator", "agenda", "agenda:"),
    ("staff", "dashboard", "/staff/"),
    ("staff", "mission page", "staff-mission:"),
    ("staff", "applications", "staff-applications:"),
    ("staff", "operators", "staff-operators:"),
    ("staff", "B2B sessions", "staff-sessions:"),
    ("staff", "audit trail", "/staff/audit/"),
    ("firm", "two-factor authentication", "/accounts/2fa/"),
]

# Violations found in the product and reported to its owner, by (axe rule, region of the page).
# Every page test ignores exactly these nodes, so that anything new still fails; each one has its
# own strict xfail below, which fails (XPASS) as soon as the template is fixed: then delete it here.
KNOWN: dict[str, tuple[str, str, str]] = {}


@pytest.fixture(scope="module")
def demo(stack):
    stack.manage("seed_demo")
    return stack


def choose_language(page, language: str) -> None:
    """The navbar's language menu, as a person uses it (kept on the account when signed in)."""
    page.goto("/")
    page.locator("#language-menu").click()
    with page.expect_navigation():
        page.locator(f"button[name=language][value={language}]").click()


@pytest.fixture(scope="module", params=["fr", "ar"])
def role_pages(demo, browser, request):
    """One logged-in page per role, in one language, kept for the whole module."""
    language = request.param
    pages = {"language": language}
    contexts = []
    for role in ("anonymous", "firm", "operator", "staff"):
        context = new_context(browser, demo, language=language)
        contexts.append(context)
        page = context.new_page()
        if role != "anonymous":
            page.goto("/accounts/login/")
            page.fill("input[name=login]", ACCOUNTS[role])
            page.fill("input[name=password]", DEMO_PASSWORD)
            with page.expect_navigation():
                page.locator("form:has(input[name=password]) [type=submit]").first.click()
        if role == "staff":  # staff give the code of their authenticator app too
            page.fill("input[name=code]", totp_code(DEMO_TOTP_SECRET))
            with page.expect_navigation():
                page.locator("form:has(input[name=code]) [type=submit]").first.click()
        # The demo accounts keep the last language chosen: each run chooses its own.
        choose_language(page, language)
        pages[role] = page
    yield pages
    for role in ("firm", "operator", "staff"):  # the demo accounts back in French for the rest
        choose_language(pages[role], "fr")
    for context in contexts:
        context.close()


def _mission_slug(page) -> str:
    """A mission in matchmaking where the signed-in firm or operator takes part."""
    link = page.locator("#main a[href^='/m/'][href$='/directory/']").first
    return re.match(r"/m/([^/]+)/", link.get_attribute("href")).group(1)


def resolve(page, role: str, target: str) -> str:
    """The path of a page given as ``kind:`` in PAGES."""
    if target.startswith("/"):
        return target
    kind = target.rstrip(":")
    if role == "anonymous" or role == "staff":
        page.goto("/missions/")
        href = page.locator("#main a[href^='/missions/'][href$='/']").first.get_attribute("href")
        slug = href.rstrip("/").rsplit("/", 1)[-1]
        return {
            "mission": f"/missions/{slug}/",
            "meet": f"/missions/{slug}/meet/",
            "staff-mission": f"/staff/missions/{slug}/",
            "staff-applications": f"/staff/missions/{slug}/applications/",
            "staff-operators": f"/staff/missions/{slug}/operators/",
            "staff-sessions": f"/staff/missions/{slug}/sessions/",
        }[kind]
    page.goto("/portal/" if role == "firm" else "/operator/")
    if kind == "application":
        return page.locator("#main a[href^='/portal/applications/']").first.get_attribute("href")
    if kind == "cancel":  # a meeting of the firm, in whichever of its missions it has one
        missions = page.locator("#main a[href^='/m/'][href$='/directory/']").all()
        for agenda in [
            a.get_attribute("href").replace("/directory/", "/agenda/") for a in missions
        ]:
            page.goto(agenda)
            if page.locator("#main a[href$='/cancel/']").count():
                return page.locator("#main a[href$='/cancel/']").first.get_attribute("href")
        raise AssertionError("the demo firm has no meeting to cancel")
    slug = _mission_slug(page)
    if kind == "party":
        page.goto(f"/m/{slug}/directory/")
        return page.locator("#main a.list-group-item").first.get_attribute("href")
    return f"/m/{slug}/{kind}/"


AXE_RUN = """
async (known) => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map(n => {
      const element = n.target.length === 1 ? document.querySelector(n.target[0]) : null;
      const region = Object.entries(known).find(
        ([name, [rule, selector]]) => rule === v.id && element && element.closest(selector)
      );
      return {target: n.target.join(" "), known: region ? region[0] : null};
    }),
  }));
}
"""


def axe_violations(page) -> list[dict]:
    """The serious and critical violations of the page, each node tagged with the KNOWN
    violation it belongs to (or None)."""
    # A script of the site's own origin: allowed by the CSP as it is, nothing bypassed.
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    known = {name: [rule, selector] for name, (rule, selector, _why) in KNOWN.items()}
    return [v for v in page.evaluate(AXE_RUN, known) if v["impact"] in BLOCKING]


def unexpected(violations: list[dict]) -> list[dict]:
    kept = []
    for v in violations:
        nodes = [n for n in v["nodes"] if n["known"] is None]
        if nodes:
            kept.append({**v, "nodes": nodes})
    return kept


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [n["target"] for n in v["nodes"]]
        more = f" (+{len(targets) - 8} more)" if len(targets) > 8 else ""
        targets = targets[:8]
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']}: {json.dumps(targets)}{more}")
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("role", "name", "target"),
    [pytest.param(*row, id=f"{row[0]}-{row[1].replace(' ', '-')}") for row in PAGES],
)
def test_page_has_no_serious_accessibility_violation(role_pages, role, name, target):
    page = role_pages[role]
    with screenshot_on_failure(page, f"axe-{role}-{name}"):
        path = resolve(page, role, target)
        page.goto(path)
        assert page.locator("#main").is_visible(), f"{path} did not render the page"
        language = role_pages["language"]
        html = page.locator("html")
        assert html.get_attribute("lang") == language, f"{path} is not in {language}"
        assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr"), path
        assert_fits_the_viewport(page)
        violations = unexpected(axe_violations(page))
        assert not violations, (
            f"axe-core: {len(violations)} serious or critical violation(s) on {path} "
            f"({role}, {name}):\n{describe(violations)}"
        )


@pytest.mark.parametrize(
    "known",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=f"{rule}: {why}", strict=True))
        for name, (rule, _selector, why) in KNOWN.items()
    ],
)
def test_known_violation_is_fixed(role_pages, known):
    """Fails today (xfail): the known violation is on every page (signed in as staff, the
    navigation has all its links). Passes, and so fails the run (strict), once fixed."""
    page = role_pages["staff"]
    page.goto("/staff/")
    found = [
        {**v, "nodes": [n for n in v["nodes"] if n["known"] == known]} for v in axe_violations(page)
    ]
    found = [v for v in found if v["nodes"]]
    assert not found, describe(found)
