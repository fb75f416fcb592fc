from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from accounts import views as accounts_views
from core import views as core_views
from missions import views as mission_views

# The admin signs in through allauth's login page, with its rate limits and no enumeration.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Maroc Export"
admin.site.site_title = "Maroc Export"

urlpatterns = [
    path("healthz/live", core_views.healthz_live, name="healthz_live"),
    path("healthz/ready", core_views.healthz, name="healthz_ready"),
    path("healthz", core_views.healthz, name="healthz"),  # the readiness check, as before
    path("i18n/setlang/", accounts_views.language_set, name="set_language"),
    path("", mission_views.home, name="home"),
    path("missions/", include("missions.urls")),
    path("", include("missions.urls_portal")),
    path("portal/", include("companies.urls")),
    path("operator/", include("companies.urls_operator")),
    path("staff/", include("dashboard.urls")),
    path("staff/audit/", include("audit.urls")),
    path("staff/webhooks/", include("webhooks.urls")),
    path("messages/", include("outbox.urls")),
    path("onsite/", include("onsite.urls")),
    path("", include("matchmaking.urls")),
    path("", include("feedback.urls")),
    path("", include("api.urls")),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
