from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

SITE_NAME = "Maroc Export B2B"


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # A new account speaks the language its owner signed up in.
        user.language = translation.get_language() or user.language
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        # Without the sites framework allauth would name the site after its host name: the
        # messages say "your account on Maroc Export B2B" instead.
        context["current_site"] = SimpleNamespace(name=SITE_NAME, domain=SITE_NAME)
        super().send_mail(template_prefix, email, context)
