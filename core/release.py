"""A stamp of the running release, for what one release stores and another must not read."""

import hashlib
import os
from pathlib import Path

import django

SOURCE_SUFFIXES = (".py", ".html", ".mo")
SKIPPED_DIRS = {"node_modules", "static", "staticfiles", "media", "__pycache__"}


def stamp(root: Path) -> str:
    """A short digest of the code, templates and translations under ``root`` (hidden folders,
    such as the virtualenv, and static and media files left out) and of Django's version. Every
    process of a release computes the same one; any change to these files makes another."""
    digest = hashlib.blake2b(django.get_version().encode(), digest_size=6)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in sorted(files):
            if name.endswith(SOURCE_SUFFIXES):
                path = Path(folder, name)
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
