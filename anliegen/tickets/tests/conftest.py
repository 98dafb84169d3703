"""Fixtures for the workspace's view tests: signed-in clients for the personas."""

import pytest
from django.core.cache import cache
from django.test import Client

from anliegen.testing import PASSWORD


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The lead's view is cached for a few seconds; each test starts without it.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anna(world) -> Client:
    return signed_in("anna")


@pytest.fixture
def tom(world) -> Client:
    return signed_in("tom")


@pytest.fixture
def olga(world) -> Client:
    return signed_in("olga")


@pytest.fixture
def lena(world) -> Client:
    return signed_in("lena")
