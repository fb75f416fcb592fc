"""``seed_demo``: the demo missions, firms, operators and logins, built by the product's own
services, so that every state is one the product reaches (see ``dashboard.demo``)."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from dashboard import demo

DEMO_PASSWORD = demo.DEMO_PASSWORD
DEMO_TOTP_SECRET = demo.DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = (
        "Create the demo missions (one being scheduled with its requests, one closed with its "
        "meetings and feedback), firms, operators and logins. Running it twice changes nothing."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            created = demo.demo_seed()
        seconds = time.monotonic() - started
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data: {', '.join(created)} created in {seconds:.1f} s "
                    "(the demo's e-mails are recorded in each mission's outbox, not sent)."
                )
            )
        else:
            self.stdout.write("Demo data already present: nothing changed.")
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for email, opens in demo.LOGINS:
            user = User.objects.get(email=email)
            self.stdout.write(f"  {email:32} {user.role_label}: {opens}")
        self.stdout.write(
            f"Staff also give a code of their authenticator app: the demo staff's has the secret "
            f"{DEMO_TOTP_SECRET} (add it to any authenticator app, or run "
            f"`oathtool --totp -b {DEMO_TOTP_SECRET}`)."
        )
