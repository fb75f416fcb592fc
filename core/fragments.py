"""Page fragments rendered once and served to many requests, forms included.

A fragment that holds forms cannot be cached with a CSRF token in it: the token is the reader's
own. It is rendered with stand-ins instead (the token, the page's path), which each request
replaces with its own. The stand-ins start with "<", which escaped content can never produce, so
only the template writes them.
"""

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CSRF_STAND_IN = mark_safe("<csrf-token>")
PATH_STAND_IN = mark_safe("<request-path>")


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
    """The template rendered for any reader (no request): cache it, then ``fill`` it."""
    return render_to_string(
        template_name, {**context, "csrf_token": CSRF_STAND_IN, "request_path": PATH_STAND_IN}
    )


def fill(request, html: str) -> SafeString:
    """A fragment of ``render_fragment`` with this request's CSRF token and path (none when
    there is no request, as on the server error page)."""
    token = csrf_token(request) if request is not None else ""
    path = escape(request.get_full_path()) if request is not None else ""
    return mark_safe(html.replace(CSRF_STAND_IN, token).replace(PATH_STAND_IN, path))  # noqa: S308
