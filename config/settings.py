"""Settings for the Maroc Export B2B mission platform.

Every value that differs between a laptop, CI and production comes from the environment
(12-factor). With no environment at all the product runs embedded: SQLite, e-mail to the console,
Celery tasks executed eagerly in-process, so that ``make run`` needs no service.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from core.observability import logging_config, sentry_init

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env")  # optional; the real environment wins

DEBUG = env.bool("DEBUG", default=False)

# A development key is acceptable only while DEBUG is on; production must bring its own.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, whose forms it extends
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third parties
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "phonenumber_field",
    "ninja",
    # ours
    "core",
    "accounts",
    "companies",
    "missions",
    "matchmaking",
    "proposals",
    "feedback",
    "dashboard",
    "outbox",
    "api",
    "webhooks",
    "auditlog",
    "audit",
    "onsite",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.RequestGuardMiddleware",  # NUL in a query, body too large
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

# The largest request body read (the largest form: a logo and a brochure, see companies/uploads).
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=16 * 1024 * 1024)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# The release (a version or a commit, set by the deployment) is part of every cache key: what one
# release cached in its own shape is never read by the next (core/cache.py).
RELEASE = env.str("RELEASE", default="dev")
CACHES = {
    "default": {
        "BACKEND": (
            "django.core.cache.backends.redis.RedisCache"
            if REDIS_URL
            else "django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"{env.str('CACHE_KEY_PREFIX', default='me')}:{RELEASE}",
    }
}

# Sessions are read from the cache (Redis in production) and written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 5
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Maroc Export] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str(
    "ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http" if DEBUG else "https"
)
# Rate limits (allauth keeps the counters in the cache, hence a real cache in production).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "request_login_code": "20/m/ip,3/m/key",
    "manage_email": "10/m/user",
}
# Client addresses come from the socket unless this many proxies (load balancer, ingress) are
# declared in front of the site: X-Forwarded-For cannot be spoofed to dodge the rate limits.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) or security keys
# (WebAuthn), with recovery codes. Required for staff (accounts.middleware), optional for everyone
# else, on /accounts/2fa/.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Maroc Export"
MFA_PASSKEY_LOGIN_ENABLED = False  # a security key is a second factor here, not a password
# Browsers allow WebAuthn on http://localhost only; everywhere else the site is on HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Single sign-on for staff through OpenID Connect (the agency's identity provider: Entra ID,
# Google Workspace, Keycloak...), off unless OIDC_CLIENT_ID is set. It signs in an existing staff
# account whose address the provider says is verified; nobody else, and it creates no account
# (accounts.adapter.SocialAccountAdapter). Staff still give their second factor after it.
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # a POST starts the login: no login CSRF
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": (
            [
                {
                    "provider_id": env.str("OIDC_PROVIDER_ID", default="agency"),
                    "name": env.str("OIDC_NAME", default="Maroc Export SSO"),
                    "client_id": OIDC_CLIENT_ID,
                    "secret": env.str("OIDC_CLIENT_SECRET", default=""),
                    "settings": {
                        "server_url": env.str("OIDC_SERVER_URL"),
                        "scope": ["openid", "email", "profile"],
                    },
                }
            ]
            if OIDC_CLIENT_ID
            else []
        ),
    }
}

# The audit trail (audit/, on django-auditlog): who changed what on the models listed in
# audit/apps.py. The author is the signed-in user of the request; no IP address is kept.
AUDITLOG_DISABLE_REMOTE_ADDR = True
AUDITLOG_STORE_JSON_CHANGES = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -----------------------------------------------------------------------------------
# One URL describes the mail transport: consolemail:// (default), smtp://user:pass@host:25,
# smtp+tls://host:587, smtps://host:465. Django 6.1 configures it through MAILERS.
# anymail://<service> sends through a transactional e-mail service with django-anymail
# (postmark, sendgrid, mailgun, amazon_ses, brevo...), its settings in ANYMAIL_* variables
# (ANYMAIL_POSTMARK_SERVER_TOKEN=...).
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://")
if EMAIL_URL.startswith("anymail://"):
    _service = EMAIL_URL.removeprefix("anymail://").strip("/")
    _email = {"EMAIL_BACKEND": f"anymail.backends.{_service}.EmailBackend"}
    ANYMAIL = {
        key.removeprefix("ANYMAIL_"): value
        for key, value in os.environ.items()
        if key.startswith("ANYMAIL_")
    }
else:
    _email = env.email_url_config(EMAIL_URL)
_SMTP_OPTIONS = {
    "host": "EMAIL_HOST",
    "port": "EMAIL_PORT",
    "username": "EMAIL_HOST_USER",
    "password": "EMAIL_HOST_PASSWORD",
    "use_tls": "EMAIL_USE_TLS",
    "use_ssl": "EMAIL_USE_SSL",
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": (
            {
                **{opt: _email[key] for opt, key in _SMTP_OPTIONS.items() if key in _email},
                "timeout": env.int("EMAIL_TIMEOUT", default=20),
            }
            if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Maroc Export <no-reply@marocexport.local>"
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# With acks_late a message unacknowledged for this long is handed out again: every countdown and
# retry delay must stay below it (a system check compares them).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 3600)}

# --- Outbox (outbox/) ---------------------------------------------------------------------------
# Retries after a transient failure: base * 2^(n-1) seconds, with jitter, at most the maximum
# delay; the message fails after OUTBOX_MAX_ATTEMPTS. The sweep (Celery beat, every minute)
# queues again messages taken by a worker that went silent for OUTBOX_CLAIM_TIMEOUT seconds
# (killed while sending), and messages queued OUTBOX_STALE_AFTER seconds ago but never taken.
OUTBOX_RETRY_BASE = env.float("OUTBOX_RETRY_BASE", 30.0)
OUTBOX_RETRY_MAX_DELAY = env.float("OUTBOX_RETRY_MAX_DELAY", 15 * 60.0)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", 10)
OUTBOX_STALE_AFTER = env.float("OUTBOX_STALE_AFTER", 5 * 60.0)
OUTBOX_CLAIM_TIMEOUT = env.float("OUTBOX_CLAIM_TIMEOUT", 60.0)  # a worker silent this long died

# --- WhatsApp and SMS (outbox/phones.py) ---------------------------------------------------------
# One URL per channel, as EMAIL_URL: console:// (default: written to the log),
# meta://<phone-number-id>:<access-token>@graph.facebook.com/v21.0 (WhatsApp Cloud API),
# twilio://<account-sid>:<auth-token>@api.twilio.com?from=<+number or MG... service> (SMS).
WHATSAPP_URL = env.str("WHATSAPP_URL", default="console://")
SMS_URL = env.str("SMS_URL", default="console://")
# Meta signs its webhooks with the app's secret (X-Hub-Signature-256) and checks the callback
# with a verify token of our choosing; Twilio signs with the auth token of SMS_URL.
WHATSAPP_APP_SECRET = env.str("WHATSAPP_APP_SECRET", default="")
WHATSAPP_VERIFY_TOKEN = env.str("WHATSAPP_VERIFY_TOKEN", default="")
PHONE_TIMEOUT = env.float("PHONE_TIMEOUT", 10.0)  # seconds to wait for a provider's answer
# Numbers typed without a country code are read as Moroccan (06..., 07...).
PHONENUMBER_DEFAULT_REGION = "MA"
PHONENUMBER_DB_FORMAT = "E164"

# --- API (api/) --------------------------------------------------------------------------------
# Requests per token in each window of API_RATE_WINDOW seconds (429 with Retry-After beyond).
API_RATE_LIMIT = env.int("API_RATE_LIMIT", 120)
API_RATE_WINDOW = env.int("API_RATE_WINDOW", 60)

# --- Webhooks (webhooks/) ---------------------------------------------------------------------
# Delivered like the outbox's e-mail: retried after a time-out, a refused connection or a 5xx,
# base * 2^(n-1) seconds with jitter, at most the maximum delay, failed after the last attempt.
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", 10.0)
WEBHOOK_RETRY_BASE = env.float("WEBHOOK_RETRY_BASE", 30.0)
WEBHOOK_RETRY_MAX_DELAY = env.float("WEBHOOK_RETRY_MAX_DELAY", 15 * 60.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_CLAIM_TIMEOUT = env.float("WEBHOOK_CLAIM_TIMEOUT", 60.0)
# Webhooks go to public addresses only (no loopback, private or link-local network: the
# database, Redis or a cloud metadata service); development and tests reach a local receiver.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Mission content (titles, descriptions, programme, place names: missions/translation.py) is
# written in every language of the interface, one column per language. A reader whose language
# is missing reads the first one present in this order, so a page never shows an empty title.
MODELTRANSLATION_LANGUAGES = ("fr", "en", "ar")
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("fr", "en", "ar")}
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True
# Short dates in each language's own way ("5 mars", "7 déc.", "5 Mar"; Arabic in Morocco's way:
# 24-hour clock, Western digits): config/formats/<code>/.
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Security ---------------------------------------------------------------------------------
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No inline script or style anywhere: everything comes from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Logging and error tracking ------------------------------------------------------------------
# LOG_FORMAT=json: one JSON object per line, for a log collector; otherwise plain lines.
LOGGING = logging_config(
    log_format=env.str("LOG_FORMAT", default="plain"), level=env.str("LOG_LEVEL", default="INFO")
)
# Errors of the web process and the Celery workers go to Sentry, or to a self-hosted GlitchTip
# (the same protocol), when SENTRY_DSN is set; never with personal data (core/observability.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# /healthz/ready (and /healthz): what it checks (core/health.py), how old (seconds) the oldest
# unsent e-mail may be before it answers 503, and how long it waits for the broker.
# /healthz/live checks nothing: the process answers.
HEALTH_CHECKS = {
    "database": "core.health.database",
    "cache": "core.health.cache_roundtrip",
    "broker": "config.health.broker",
    "outbox": "config.health.outbox",
}
HEALTHZ_OUTBOX_MAX_AGE = env.int("HEALTHZ_OUTBOX_MAX_AGE", default=30 * 60)
HEALTHZ_TIMEOUT = env.float("HEALTHZ_TIMEOUT", default=3.0)

ADMINS = env.list("ADMIN_EMAILS", default=[])

# Calendar invitations are sent in the agency's name.
AGENCY_EMAIL = env.str("AGENCY_EMAIL", default="b2b@marocexport.local")
