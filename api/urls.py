"""The API (``/api/v1/``) and the staff pages of its tokens (``/staff/api-tokens/``)."""

from django.urls import include, path

from .v1 import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("staff/api-tokens/", include(("api.urls_staff", "api_tokens"))),
]
