"""`pytest.raises` for a ProviderError of one category (the category is the one classification)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from providers.base import ErrorCategory, ProviderError


@contextlib.contextmanager
def raises_category(
    category: ErrorCategory, *, match: str | None = None
) -> Iterator[pytest.ExceptionInfo[ProviderError]]:
    """Expect a ProviderError of `category` (and, with `match`, a text that matches)."""
    with pytest.raises(ProviderError, match=match) as caught:
        yield caught
    assert caught.value.category is category, f"{caught.value!r} is not {category}"
