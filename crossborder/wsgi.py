import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings.local")
application = get_wsgi_application()


def _freeze_startup_objects() -> None:
    """Load the URL conf (every app's views and serializers) now, then move every object that
    exists at start-up out of the garbage collector's reach (`gc.freeze`): they live as long as
    the process, and a full collection otherwise walks all of them again (about 0.2 ms per API
    request, measured; docs/benchmarks.md, API section). Cycles created later are collected
    as before."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URL conf's modules
    gc.collect()
    gc.freeze()


_freeze_startup_objects()
