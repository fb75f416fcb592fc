"""`manage.py schedule_mission SLUG [--time-limit S] [--publish]`: the dashboard's optimiser
button from the command line. It computes a proposal in this process (no worker needed), prints
its figures and its difference with the present meetings, and publishes it only with --publish.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from missions.models import Mission
from proposals.models import PROPOSAL_TIME_LIMIT_MAX, ProposalStatus
from proposals.services import (
    ProposalError,
    proposal_compute,
    proposal_publish,
    proposal_report,
    proposal_start,
)


class Command(BaseCommand):
    help = "Compute the best meeting schedule of a mission, print it, publish it on request."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the mission's short name")
        parser.add_argument(
            "--time-limit",
            type=int,
            default=30,
            help=f"seconds the optimiser may take (1 to {PROPOSAL_TIME_LIMIT_MAX}, default 30)",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish the proposal (create and move meetings, send the e-mails)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            mission = Mission.objects.get(slug=options["slug"])
        except Mission.DoesNotExist as exc:
            raise CommandError(f"no mission with the short name {options['slug']!r}") from exc
        try:
            proposal = proposal_start(
                mission=mission,
                by=None,
                time_limit=options["time_limit"],
            )
        except ProposalError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"Computing (at most {proposal.time_limit} s)…")
        proposal = proposal_compute(proposal_id=proposal.pk)
        self.stdout.write(f"Proposal #{proposal.pk}: {proposal.status}")
        if proposal.status != ProposalStatus.READY:
            raise CommandError(proposal.error or f"the proposal is {proposal.status}")
        report = proposal_report(proposal)
        counts = report["counts"]
        gap = f"{100 * proposal.gap:.2f}%" if proposal.gap is not None else "-"
        self.stdout.write(
            f"optimiser: {proposal.solver_status}, weight {proposal.objective} "
            f"(bound {proposal.bound}, gap {gap}), breaks {proposal.breaks} "
            f"(now {proposal.breaks_before}), {proposal.seconds:.2f} s"
        )
        self.stdout.write(
            f"meetings: {counts['meetings']} (now {counts['meetings_before']}): "
            f"{counts['added']} added, {counts['moved']} moved, {counts['unchanged']} unchanged; "
            f"wishes held: {counts['held']} of {counts['requests']}"
        )
        zone = mission.tzinfo
        for label, rows in (("added", report["added"]), ("moved", report["moved"])):
            for row in rows:
                when = row["slot"].starts_at.astimezone(zone)
                before = ""
                if row["from_slot"]:
                    before = f" (was {row['from_slot'].starts_at.astimezone(zone):%a %d/%m %H:%M})"
                self.stdout.write(
                    f"  {label:<7} {when:%a %d/%m %H:%M} {row['firm']} – {row['operator']}{before}"
                )
        self.stdout.write(f"times in {mission.timezone}")
        for p in report["participants"]:
            # The command speaks English only (its output is not translated).
            meetings = "meeting" if p["meetings"] == 1 else "meetings"
            breaks = "break" if p["breaks"] == 1 else "breaks"
            self.stdout.write(
                f"  {p['name']}: {p['meetings']} {meetings} (now {p['meetings_before']}), "
                f"{p['breaks']} {breaks} (now {p['breaks_before']})"
            )
        if not options["publish"]:
            self.stdout.write("Not published (use --publish, or the staff dashboard).")
            return
        try:
            proposal_publish(proposal=proposal, by=None)
        except ProposalError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Published."))
