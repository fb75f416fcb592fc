"""The settings of the server and the worker that the browser tests start: the production
settings (``config.settings``, driven by the environment the fixture sets) with one change.

This run's Celery tasks go to a queue of its own: another worker on the same Redis (a benchmark,
another engineer's test run) would otherwise take them, and deliver this run's e-mail from a
database where the message does not exist.
"""

import os

from config.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BROWSER_CELERY_QUEUE", "celery")
