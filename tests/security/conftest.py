"""One gunicorn server per backend for the whole security suite (attacks reset the shared
rate-limit counters between tests, so one test's guessing never locks out the next)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.security.support import Server, database_params, serve


@pytest.fixture(scope="session", params=database_params(), ids=lambda p: str(p).split(":")[0])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("security"), backend) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_limits(request: pytest.FixtureRequest) -> None:
    if "server" in request.fixturenames:
        request.getfixturevalue("server").reset_limits()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client
