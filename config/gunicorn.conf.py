"""gunicorn's settings for the product: ``gunicorn -c config/gunicorn.conf.py config.wsgi``.

The answers name no server software: gunicorn writes ``Server: gunicorn`` in every response and
has no setting to leave it out, so its response class drops that line (an attacker learns less
about the stack; the reverse proxy in front may add its own).
"""

import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# The printed agendas of a whole side take up to a minute on a very large mission.
timeout = 120
accesslog = "-"
# The application (every view, see config/wsgi.py) is loaded once before the workers fork: a new
# worker answers its first request at once, and the workers share the memory of the code.
preload_app = True


class _Response(wsgi.Response):
    def default_headers(self):
        return [h for h in super().default_headers() if not h.lower().startswith("server:")]


wsgi.Response = _Response
