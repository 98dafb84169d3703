"""Configuration that every incoming mail reads (routing settings, rules, SLA policies, our own
addresses, ...) read once per ingest instead of once per use.

`scope()` opens a cache for the block it wraps: one mail, or a batch of mails stored in one
transaction. Inside it, `cached(key, load)` calls `load` once and hands out the result again;
outside any scope it simply calls `load`, so every other caller reads the database as before.
Saving or deleting a row of a model an entry depends on (`depends_on`) drops the entry at once,
so a change made inside the scope is seen by the next read; changes made by other processes are
seen by the next scope. Entries are shared: callers must not change them."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save

_store: ContextVar[dict[str, Any] | None] = ContextVar("anliegen_readcache", default=None)
_keys_of: dict[type[models.Model], set[str]] = {}


@contextmanager
def scope() -> Iterator[None]:
    """Cache reads through `cached` until the block ends (a nested scope shares the outer one)."""
    if _store.get() is not None:
        yield
        return
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def cached[T](key: str, load: Callable[[], T]) -> T:
    store = _store.get()
    if store is None:
        return load()
    if key not in store:
        value = load()
        store[key] = value
        return value
    return store[key]


def peek(key: str) -> Any:
    """What the current scope holds for key, without loading it: None if nothing (yet)."""
    store = _store.get()
    return store.get(key) if store else None


def forget(*keys: str) -> None:
    store = _store.get()
    if store:
        for key in keys:
            store.pop(key, None)


def _changed(sender: type[models.Model], **_kwargs: Any) -> None:
    forget(*_keys_of.get(sender, ()))


def depends_on(key: str, *model_classes: type[models.Model]) -> None:
    """Drop `key` whenever a row of one of these models is saved or deleted."""
    for model in model_classes:
        _keys_of.setdefault(model, set()).add(key)
        post_save.connect(_changed, sender=model, dispatch_uid=f"readcache-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"readcache-delete-{model._meta.label}")
