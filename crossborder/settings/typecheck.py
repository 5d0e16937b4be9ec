"""Settings for tools that load Django without using its services: mypy's django-stubs plugin
and `python -m scripts.app_imports --sql`.

The test settings start the embedded PostgreSQL and Redis on import; a type check must not need
them (nor leave them running), so this module has the test settings' apps and models with
service URLs that are never connected to.
"""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import configure_services

globals().update(
    configure_services("postgres://typecheck@localhost/typecheck", "redis://localhost:6379/15")
)
