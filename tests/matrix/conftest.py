"""A real Synapse on loopback for the Matrix tests: one for this package (a cold start takes about 3 s), stopped
when its tests are done so it does not idle beside the rest of the suite."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.synapse import REQUIRE_ENV, Synapse, SynapseUnavailable, install


@pytest.fixture(scope="package")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """A running homeserver (server name `localhost`); register users with `await synapse.register(name)`."""
    try:
        install()
    except SynapseUnavailable as error:
        # CI installs Synapse first and sets the variable: there a missing Synapse fails the run instead.
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{REQUIRE_ENV} is set but Synapse could not be installed: {error}")
        pytest.skip(f"Synapse could not be installed (no package registry?); set {REQUIRE_ENV}=1 to fail: {error}")
    server = Synapse(tmp_path_factory.mktemp("synapse"))
    server.configure()
    server.start()
    yield server
    server.stop()
