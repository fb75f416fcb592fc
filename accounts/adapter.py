import uuid
from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from core.templatetags.bidi import rtl_text
from outbox.services import email_send_rendered

SITE_NAME = "Maroc Export B2B"


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # A new account speaks the language its owner signed up in.
        user.language = translation.get_language() or user.language
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        """allauth's messages (verification, login code, password reset) go through the outbox
        like every other: rendered here, in the reader's language, delivered by a worker."""
        # Without the sites framework allauth would name the site after its host name: the
        # messages say "your account on Maroc Export B2B" instead.
        context["current_site"] = SimpleNamespace(name=SITE_NAME, domain=SITE_NAME)
        user = context.get("user")
        language = getattr(user, "language", "") or translation.get_language()
        with translation.override(language or settings.LANGUAGE_CODE):
            message = self.render_mail(template_prefix, email, {"email": email, **context})
            language = translation.get_language()
            if translation.get_language_bidi() and message.content_subtype == "plain":
                message.body = rtl_text(message.body)
        html = next(
            (c for c, kind in getattr(message, "alternatives", []) if kind == "text/html"), ""
        )
        text = message.body if message.content_subtype == "plain" else ""
        email_send_rendered(
            key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}:{email}",
            to=email,
            language=language,
            subject=message.subject,
            text=text,
            html=html or (message.body if message.content_subtype == "html" else ""),
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on (OpenID Connect) is for agency staff: it signs in an existing, active staff
    account, found by an address the provider says is verified, and nobody else. It never
    creates an account: staff accounts are made by the agency (and get their role there)."""

    def is_open_for_signup(self, request, sociallogin):
        return False

    def list_apps(self, request, provider=None, client_id=None):
        """The providers come from the settings (OIDC_*) only, never from a database table:
        the login page, which lists them, reads nothing for it."""
        from allauth.socialaccount.models import SocialApp

        apps = []
        for provider_class, config in settings.SOCIALACCOUNT_PROVIDERS.items():
            for app in config.get("APPS", []):
                candidate = SocialApp(provider=provider_class, **app)
                if provider and provider not in (candidate.provider, candidate.provider_id):
                    continue
                if client_id and candidate.client_id != client_id:
                    continue
                apps.append(candidate)
        return apps

    def pre_social_login(self, request, sociallogin):
        user = sociallogin.user if sociallogin.is_existing else None
        if user is not None and user.is_active and user.is_staff:
            return
        messages.error(
            request,
            _(
                "Single sign-on is for agency staff with an account here. Log in with your "
                "e-mail address instead, or ask the agency to create your staff account."
            ),
        )
        raise ImmediateHttpResponse(redirect("account_login"))
