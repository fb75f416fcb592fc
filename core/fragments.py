"""Pages and page fragments rendered once and served to many requests, forms included.

What belongs to one request is left out of the cached render as a stand-in, and ``fill`` puts
each request's own in: the CSRF token of the forms, the page's path, the navigation bar (the
reader's name and menu), the messages, and the parts of a page that its view renders for this
reader (``part``). The stand-ins start with "<", which escaped content can never produce, so only
the templates write them.
"""

from functools import lru_cache

from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

CSRF_STAND_IN = mark_safe("<csrf-token>")
PATH_STAND_IN = mark_safe("<request-path>")
NAVBAR_STAND_IN = mark_safe("<page-navbar>")
MESSAGES_STAND_IN = mark_safe("<page-messages>")


def part(name: str) -> SafeString:
    """The stand-in of a page part that each request fills: ``fill(request, page, name=...)``."""
    return mark_safe(f"<page-part-{name}>")  # noqa: S308  (a name chosen by the code)


def csrf_token(request) -> str:
    """This request's CSRF token for forms, masked once per request (Django masks it anew at
    every call, with 32 draws from the system's random source)."""
    secret = request.META.get("CSRF_COOKIE")
    memo = getattr(request, "_csrf_token_memo", None)
    if memo is None or memo[0] != secret or secret is None:
        token = get_token(request)  # sets CSRF_COOKIE when the request had none
        memo = request._csrf_token_memo = (request.META.get("CSRF_COOKIE"), token)
    return memo[1]


def csrf(request) -> dict:
    """Context processor in place of Django's (listed after it, so it wins): the templates'
    ``{% csrf_token %}`` and the fragments share one masked token."""
    return {"csrf_token": SimpleLazyObject(lambda: csrf_token(request))}


def render_fragment(template_name: str, context: dict) -> str:
    """The template rendered for any reader (no request): cache it, then ``fill`` it. The
    ``navbar`` and ``page_messages`` tags leave their stand-ins in it."""
    return render_to_string(
        template_name,
        {
            **context,
            "csrf_token": CSRF_STAND_IN,
            "request_path": PATH_STAND_IN,
            "page_fragment": True,
        },
    )


@lru_cache(maxsize=2048)
def _navbar(language: str, account: tuple | None) -> str:
    # ``language`` is the active one: it only keys the memo.
    fields = ("staff", "operator", "name", "email", "role")
    context = {"account": dict(zip(fields, account, strict=True)) if account else None}
    return render_fragment("includes/navbar.html", context)


def _navbar_of(request) -> str:
    """The navigation bar of the reader, rendered once per language and account in each process
    (every page shows it), with stand-ins still in it."""
    user = getattr(request, "user", None)
    account = None
    if user is not None and user.is_authenticated:
        account = (
            user.is_staff,
            bool(user.operator_id),
            user.get_short_name(),
            user.email,
            str(user.role_label),
        )
    return _navbar(get_language(), account)


def _messages_of(request) -> str:
    messages = get_messages(request) if request is not None else []
    if not messages:  # reads them (cookie, session), without marking them shown
        return ""
    return render_to_string("includes/messages.html", {"messages": messages})


def fill(request, html: str, **parts: str) -> SafeString:
    """A page or fragment of ``render_fragment`` with this request's parts (``part``; text is
    escaped; filled in order, so that a part may hold the stand-in of a later one), navigation
    bar, messages, CSRF token and path (none when there is no request, as on the server error
    page)."""
    for name, value in parts.items():
        html = html.replace(part(name), conditional_escape(value))
    if NAVBAR_STAND_IN in html:
        html = html.replace(NAVBAR_STAND_IN, _navbar_of(request))
    if MESSAGES_STAND_IN in html:
        html = html.replace(MESSAGES_STAND_IN, _messages_of(request))
    token = csrf_token(request) if request is not None else ""
    path = escape(request.get_full_path()) if request is not None else ""
    return mark_safe(html.replace(CSRF_STAND_IN, token).replace(PATH_STAND_IN, path))  # noqa: S308
