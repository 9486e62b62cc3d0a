"""One OpenID provider (tests/oauth/provider.mjs) for the module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.oauth.idp import Idp
from tests.oauth.idp import running_idp


@pytest.fixture(scope="module")
def idp() -> Iterator[Idp]:
    with running_idp() as provider:
        yield provider
