"""Fixtures several test modules share."""

import pytest


@pytest.fixture(scope="module")
def hub():
    """The tiny random-weight model hub with the built-in tools registered (one per module)."""
    from chatdit.config import load_settings
    from chatdit.dit.hub import ModelHub
    from chatdit.tools.registry import load_builtin_tools

    load_builtin_tools()
    return ModelHub(load_settings(model="tiny"))
