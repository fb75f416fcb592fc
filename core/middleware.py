from django.conf import settings
from django.shortcuts import render
from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user sees the site in their preferred language, on every device."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class RequestGuardMiddleware:
    """Refuses a request with a NUL in its query string (400), and a request whose body is
    larger than ``REQUEST_MAX_BYTES`` (413), before anything reads it. Django caps the form
    fields of a request (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but not its files, which it writes to
    disk as they arrive: without this, a 1 GB upload fills the disk before the form refuses the
    file. The limit is above every form's own limit for a file (the form then says which file
    is too large, in its own words)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if "%00" in request.META.get("QUERY_STRING", ""):
            # No text of ours holds a NUL, and PostgreSQL refuses one in a query (a 500 where a
            # view reads a search or a filter as it comes): the request is bad as a whole.
            return render(request, "400.html", status=400)
        limit = settings.REQUEST_MAX_BYTES
        if length > limit:  # a body without a length is not read by Django at all
            response = render(request, "413.html", {"limit": limit // (1024 * 1024)}, status=413)
            response["Connection"] = "close"
            return response
        return self.get_response(request)
