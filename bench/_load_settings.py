"""Bench-only settings for bench/api_load.py: the local settings with DEBUG off (DEBUG keeps
every query in memory and renders HTML errors) and a URL conf that adds the bare comparison
endpoint. Never used outside the benchmark."""

from crossborder.settings.local import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "_load_urls"
