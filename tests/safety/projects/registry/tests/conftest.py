import pytest

from hookapp.client import Client


@pytest.fixture
def client() -> Client:
    return Client()
