import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
# Every view is imported now, not on each worker's first request: gunicorn forks its workers
# after this (preload_app in config/gunicorn.conf.py), so they start ready and share that memory.
import_module(settings.ROOT_URLCONF)
