import pytest

from .receiver import Receiver


@pytest.fixture
def receiver(settings):
    """A local HTTP receiver; webhooks may reach it (private addresses allowed)."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_TIMEOUT = 0.5
    settings.WEBHOOK_RETRY_BASE = 0.01
    settings.WEBHOOK_RETRY_MAX_DELAY = 0.01
    server = Receiver().start()
    yield server
    server.stop()
