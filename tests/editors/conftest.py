from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from . import tools

#: A small project: test_cart.py reaches cart.py directly, test_pricing.py only pricing.py.
SHOP = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\ntestpaths = ["tests"]\n',
    "src/shop/__init__.py": "",
    "src/shop/pricing.py": "def with_vat(amount):\n    return round(amount * 1.2, 2)\n",
    "src/shop/cart.py": "from shop.pricing import with_vat\n\n\ndef total(prices):\n    return with_vat(sum(prices))\n",
    "tests/test_cart.py": (
        "from shop.cart import total\n"
        "\n"
        "\n"
        "def test_total():\n"
        "    assert total([1.0, 2.0]) == 3.6\n"
        "\n"
        "\n"
        "def test_empty_cart():\n"
        "    assert total([]) == 0\n"
    ),
    "tests/test_pricing.py": (
        "from shop.pricing import with_vat\n\n\ndef test_with_vat():\n    assert with_vat(10) == 12\n"
    ),
}


def clean_env() -> dict[str, str]:
    """The environment for processes that run pytest on the sample project: none of this session's
    pytest settings leak into it."""
    return {key: value for key, value in os.environ.items()
            if key not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS") and not key.startswith("PYTEST_XDIST")}


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """The sample project after a green `pytest --delta` run: a snapshot exists, nothing is affected."""
    root = tmp_path / "shop"
    for relative, text in SHOP.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    baseline = subprocess.run(
        [sys.executable, "-m", "pytest", "--delta", "-q", "-p", "no:cacheprovider"],
        cwd=root, env=clean_env(), capture_output=True, text=True, timeout=120,
    )
    assert baseline.returncode == 0, baseline.stdout + baseline.stderr
    assert (root / ".delta.msgpack").is_file()
    return root


@pytest.fixture(params=["current", "legacy"])
def neovim(request: pytest.FixtureRequest) -> tools.Neovim:
    """Neovim 0.11 (vim.lsp.config/enable) and Neovim 0.7 (vim.lsp.start_client): both code paths."""
    return tools.current_neovim() if request.param == "current" else tools.legacy_neovim()
