"""`manage.py solve_schedule INSTANCE.json`: run the schedule optimiser on an exchange file.

Standard output carries only the solution JSON, so the command can be piped into other tools;
progress and the summary go to standard error.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduling.problem import instance_from_dict, solution_to_dict
from scheduling.solver import solve


class Command(BaseCommand):
    help = "Solve a meeting-scheduling instance (JSON exchange format); print the solution JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("instance", help="path to the instance JSON file")
        parser.add_argument(
            "--time-limit",
            type=float,
            default=30.0,
            help="seconds shared by both optimisation phases (default 30)",
        )
        parser.add_argument(
            "--workers", type=int, default=2, help="CP-SAT worker threads (default 2)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["instance"])
        if options["time_limit"] <= 0:
            raise CommandError("--time-limit must be positive")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(f"instance file not found: {path}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read instance file {path}: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not valid JSON: {exc}") from exc
        try:
            instance = instance_from_dict(data)
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from exc

        # Solver logs go to standard error only, whatever the project's logging setup.
        handler = logging.StreamHandler(self.stderr._out)
        handler.setFormatter(logging.Formatter("%(message)s"))
        solver_logger = logging.getLogger("scheduling")
        solver_logger.addHandler(handler)
        previous = solver_logger.level, solver_logger.propagate
        solver_logger.propagate = False
        if options["verbosity"] >= 2:
            solver_logger.setLevel(logging.INFO)
        try:
            solution = solve(instance, time_limit=options["time_limit"], workers=options["workers"])
        finally:
            solver_logger.removeHandler(handler)
            solver_logger.setLevel(previous[0])
            solver_logger.propagate = previous[1]
        self.stderr.write(
            f"{solution.status}: objective {solution.objective} (bound {solution.bound}), "
            f"{solution.breaks} breaks, {len(solution.meetings)} meetings, "
            f"{solution.seconds:.2f} s"
        )
        self.stdout.write(json.dumps(solution_to_dict(solution), indent=2))
