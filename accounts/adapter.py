import uuid
from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

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
