"""Row locks of the services that change meetings, and what a lost race answers.

**One order for every service that locks** (the schedule's services, publishing a proposal, the
mission's life cycle):

1. the mission;
2. the parties' participation: firms' applications, then operators' registrations, in id order
   (a booking holds its pair's, so that a firm that withdraws, or is rejected, while one of its
   meetings is being booked or moved keeps no meeting);
3. the schedule proposal;
4. meetings, in id order;
5. slots, in id order.

A service takes the locks it needs in that order and no other (skipping levels is fine).

**Only the row itself, and not its key.** ``lock()`` asks for ``FOR NO KEY UPDATE``: the lock
still lets other transactions insert rows that point to the locked one (an insert takes a ``KEY
SHARE`` lock on each row its foreign keys name). Locking joined rows ``FOR UPDATE`` is what made
a move and a booking of the same slot deadlock: the move held the mission, the booking its slot.

**One table in the locking statement.** When a row was changed by another transaction while
this one waited for it, PostgreSQL checks the new version against the rows of the other tables
that the statement had already joined; a meeting whose slot changed meanwhile no longer matches
its former slot and silently drops out of the result. So ``lock()`` refuses a query with a join
(``select_related`` or a filter across a relation): lock by the table's own columns, then read
what the rows name.

**A transaction that still fails to serialise** (a deadlock the order above did not foresee, or a
serialisation failure) is run once more, then refused with the service's usual message: the user
reads a translated refusal, never a server error.
"""

import functools
import logging
from collections.abc import Callable

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import QuerySet

logger = logging.getLogger(__name__)

# PostgreSQL's SQLSTATE for deadlock_detected and serialization_failure.
CONFLICTS = frozenset({"40P01", "40001"})


def lock(queryset: QuerySet) -> QuerySet:
    """``queryset``'s rows, locked for this transaction in id order (see above)."""
    queryset = queryset.all()  # a manager (``Mission.objects``) has no query of its own
    query = queryset.query
    tables = [alias for alias in query.alias_map if query.alias_refcount[alias]]
    if query.select_related or len(tables) > 1:
        raise ValueError("lock() takes a query on one table, without joins (see core.locking).")
    return queryset.select_for_update(no_key=True).order_by("pk")


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the database constraint that refused a write, where the driver says it."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _sqlstate(error) -> str | None:
    """The SQLSTATE of a driver's error: ``sqlstate`` in psycopg 3, ``pgcode`` in psycopg2."""
    return getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)


def retried(refusal: Callable[[], Exception]):
    """Run the decorated service in its own transaction (a savepoint inside another one); if
    the database ends it as a deadlock or a serialisation failure, run it once more, then raise
    ``refusal()``."""

    def decorate(service):
        @functools.wraps(service)
        def run(*args, **kwargs):
            for attempt in (1, 2):
                try:
                    with transaction.atomic():
                        return service(*args, **kwargs)
                except OperationalError as exc:
                    if _sqlstate(exc.__cause__) not in CONFLICTS:
                        raise
                    logger.warning(
                        "%s lost a race (attempt %d): %s", service.__name__, attempt, exc
                    )
            raise refusal()

        return run

    return decorate
