"""The demo-data orchestrator behind `manage.py seed_demo`.

Every installed app may ship a `demo` module (or package) with a `seed(ctx: DemoContext)`
function; the orchestrator finds them, orders them and calls each once inside one transaction.
A later app adds its demo data by adding `apps/<app>/demo.py`; nothing here changes.

Order: INSTALLED_APPS order, except that a module may declare `SEED_AFTER = ("logistics",)`
(app labels) to run after apps listed later. An optional `reset(ctx)` removes the app's demo
data; resets run in reverse order.

Contract for a `seed`: idempotent (running it twice creates nothing twice), deterministic
(randomness only from `ctx.random(...)`), keyed on natural keys, set-based where rows are many,
and relative to `ctx.now` (the demo's frozen "now", see accounts.demo), never the wall clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from .tenancy import unscoped

DEFAULT_SEED = 20240917


@dataclass
class DemoContext:
    """What the app seeders share: the demo organizations and users, randomness, and time."""

    seed: int = DEFAULT_SEED
    now: datetime = field(default_factory=timezone.now)
    orgs: dict[str, Any] = field(default_factory=dict)  # slug -> Organization
    users: dict[str, Any] = field(default_factory=dict)  # username -> User
    passwords: dict[str, str] = field(default_factory=dict)  # username -> password, for the summary
    # app label -> why its seeder was skipped (non-strict runs only)
    failures: dict[str, str] = field(default_factory=dict)
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    def random(self, *scope: object) -> random.Random:
        """An independent stream per scope (e.g. "orders", store code), so one app's demo data
        does not shift when another app draws more or fewer numbers."""
        return random.Random(":".join([str(self.seed), *map(str, scope)]))


def demo_modules() -> list[ModuleType]:
    """The installed apps' `demo` modules that define `seed`, in seeding order."""
    found: dict[str, ModuleType] = {}
    for config in apps.get_app_configs():
        if config.module is None or not module_has_submodule(config.module, "demo"):
            continue
        module = import_module(f"{config.name}.demo")
        if callable(getattr(module, "seed", None)):
            found[config.label] = module
    return _ordered(found)


def _ordered(found: dict[str, ModuleType]) -> list[ModuleType]:
    """Stable topological order: INSTALLED_APPS order, moved back only by SEED_AFTER."""
    pending = dict(found)
    done: list[str] = []
    while pending:
        for label, module in pending.items():
            after = [dep for dep in getattr(module, "SEED_AFTER", ()) if dep in found]
            if all(dep in done for dep in after):
                done.append(label)
                del pending[label]
                break
        else:
            raise ImproperlyConfigured(f"Demo modules depend on each other in a cycle: {pending}")
    return [found[label] for label in done]


def seed_demo(*, seed: int = DEFAULT_SEED, reset: bool = False, strict: bool = True) -> DemoContext:
    """Run every app's demo seeder in one transaction and return the filled context.

    `make run` seeds on every start, over data people have changed since (a listing's price
    removed, rows deleted). With `strict=False` a seeder that fails anyway is rolled back to
    its savepoint and recorded in `ctx.failures`, and the others still run: start-up never
    depends on what users did to the demo. Tests run strict, so such a failure is a bug found.
    """
    ctx = DemoContext(seed=seed)
    modules = demo_modules()
    with transaction.atomic(), unscoped():
        if reset:
            for module in reversed(modules):
                if callable(getattr(module, "reset", None)):
                    module.reset(ctx)
        for module in modules:
            if strict:
                module.seed(ctx)
                continue
            try:
                with transaction.atomic():
                    module.seed(ctx)
            except Exception as exc:
                label = module.__name__.split(".")[1]
                ctx.failures[label] = f"{type(exc).__name__}: {exc}"
    return ctx
