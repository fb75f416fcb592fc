import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ICE_RE = re.compile(r"^\d{15}$")


def validate_ice(value: str) -> None:
    """The ICE (Identifiant Commun de l'Entreprise) is exactly 15 digits."""
    if not ICE_RE.match(value or ""):
        raise ValidationError(
            _("The ICE must be exactly 15 digits (for example 001525879000088)."), code="ice"
        )
