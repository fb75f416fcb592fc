"""Static files: WhiteNoise's compressed, hashed files, with each URL worked out once."""

from functools import lru_cache

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """The manifest does not change while the process runs, so neither does a file's hashed
    URL; Django looks it up and joins it at every ``{% static %}`` (five on every page)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.url = lru_cache(maxsize=512)(self.url)
