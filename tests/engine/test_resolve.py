"""Resolution rules: from what a file imports to the project files it depends on."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import pytest
from pytest_delta.engine import ModuleIndex, extract_imports


def deps(files: Iterable[str], importer: str, source: str = "", extra_roots: Iterable[str] = ()) -> set[str]:
    """What ``importer`` depends on when its source is ``source``, in a project of ``files``."""
    files = set(files) | {importer}
    result = extract_imports(textwrap.dedent(source).encode())
    assert result.error is None, result.error
    resolved = ModuleIndex(files, extra_roots).resolve(importer, result.imports)
    assert list(resolved) == sorted(resolved)
    return set(resolved)


PACKAGE_ABC = ["a/__init__.py", "a/b/__init__.py", "a/b/c.py", "a/b/other.py", "a/unrelated.py"]


def test_import_of_a_dotted_module_depends_on_every_package_on_the_way() -> None:
    assert deps(PACKAGE_ABC, "main.py", "import a.b.c") == {"a/__init__.py", "a/b/__init__.py", "a/b/c.py"}


def test_from_import_of_a_submodule_depends_on_the_submodule() -> None:
    assert deps(PACKAGE_ABC, "main.py", "from a.b import c") == {"a/__init__.py", "a/b/__init__.py", "a/b/c.py"}


def test_from_import_of_a_name_depends_on_the_packages_only() -> None:
    assert deps(PACKAGE_ABC, "main.py", "from a.b import helper") == {"a/__init__.py", "a/b/__init__.py"}


def test_aliases_do_not_change_what_is_loaded() -> None:
    assert deps(PACKAGE_ABC, "main.py", "import a.b.c as abc") == deps(PACKAGE_ABC, "main.py", "import a.b.c")


def test_imports_of_third_party_modules_resolve_to_nothing() -> None:
    assert deps(PACKAGE_ABC, "main.py", "import os\nimport requests.adapters\nfrom yaml import safe_load") == set()


def test_module_and_package_of_the_same_name_are_both_dependencies() -> None:
    files = ["tools.py", "tools/__init__.py"]
    assert deps(files, "main.py", "import tools") == {"tools.py", "tools/__init__.py"}


SHOP = [
    "shop/__init__.py",
    "shop/core.py",
    "shop/api/__init__.py",
    "shop/api/views.py",
    "shop/api/serializers.py",
    "shop/api/v2/__init__.py",
    "shop/api/v2/routes.py",
]


@pytest.mark.parametrize(
    ("importer", "source", "expected"),
    [
        ("shop/api/views.py", "from . import serializers",
         {"shop/api/__init__.py", "shop/api/serializers.py"}),
        ("shop/api/views.py", "from .serializers import OrderSerializer",
         {"shop/api/__init__.py", "shop/api/serializers.py"}),
        ("shop/api/views.py", "from .. import core",
         {"shop/__init__.py", "shop/core.py", "shop/api/__init__.py"}),
        ("shop/api/views.py", "from ..core import Base",
         {"shop/__init__.py", "shop/core.py", "shop/api/__init__.py"}),
        ("shop/api/views.py", "from .v2.routes import ROUTES",
         {"shop/api/__init__.py", "shop/api/v2/__init__.py", "shop/api/v2/routes.py"}),
        ("shop/api/v2/routes.py", "from ...core import Base",
         {"shop/__init__.py", "shop/core.py", "shop/api/v2/__init__.py"}),
        ("shop/api/v2/routes.py", "from .. import views",
         {"shop/api/__init__.py", "shop/api/views.py", "shop/api/v2/__init__.py"}),
        # In a package's __init__.py, "." is that package itself.
        ("shop/api/__init__.py", "from . import views",
         {"shop/api/views.py", "shop/__init__.py"}),
        ("shop/api/__init__.py", "from .. import core",
         {"shop/__init__.py", "shop/core.py"}),
        ("shop/api/v2/__init__.py", "from ..serializers import OrderSerializer",
         {"shop/api/__init__.py", "shop/api/serializers.py"}),
    ],
)
def test_relative_imports(importer: str, source: str, expected: set[str]) -> None:
    assert deps(SHOP, importer, source) == expected


def test_relative_import_beyond_the_root_depends_on_nothing_more() -> None:
    assert deps(SHOP, "shop/core.py", "from .... import anything") == {"shop/__init__.py"}


def test_star_import_from_a_package_depends_on_its_submodules_and_subpackages() -> None:
    assert deps(SHOP, "main.py", "from shop.api import *") == {
        "shop/__init__.py",
        "shop/api/__init__.py",
        "shop/api/views.py",
        "shop/api/serializers.py",
        "shop/api/v2/__init__.py",
    }


def test_relative_star_import_depends_on_the_package_submodules() -> None:
    assert deps(SHOP, "shop/api/v2/routes.py", "from .. import *") == {
        "shop/api/__init__.py",
        "shop/api/views.py",
        "shop/api/serializers.py",
        "shop/api/v2/__init__.py",
    }


def test_star_import_from_a_module_depends_on_the_module_only() -> None:
    assert deps(SHOP, "main.py", "from shop.core import *") == {"shop/__init__.py", "shop/core.py"}


def test_a_module_depends_on_its_own_package_init_even_without_imports() -> None:
    assert deps(SHOP, "shop/api/views.py") == {"shop/api/__init__.py"}


def test_a_package_init_depends_on_its_parent_package_init() -> None:
    assert deps(SHOP, "shop/api/v2/__init__.py") == {"shop/api/__init__.py"}
    assert deps(SHOP, "shop/__init__.py") == set()


CONFTESTS = [
    "conftest.py",
    "tests/conftest.py",
    "tests/unit/conftest.py",
    "tests/unit/test_cart.py",
    "tests/integration/conftest.py",
]


def test_every_conftest_in_the_directory_and_above_is_a_dependency() -> None:
    assert deps(CONFTESTS, "tests/unit/test_cart.py") == {
        "conftest.py", "tests/conftest.py", "tests/unit/conftest.py"}


def test_a_conftest_depends_on_the_conftests_above_it_not_itself() -> None:
    assert deps(CONFTESTS, "tests/unit/conftest.py") == {"conftest.py", "tests/conftest.py"}
    assert deps(CONFTESTS, "conftest.py") == set()


def test_a_file_at_the_root_depends_on_the_root_conftest() -> None:
    assert deps(CONFTESTS, "setup_checks.py") == {"conftest.py"}


def test_flat_layout() -> None:
    files = ["shop/__init__.py", "shop/cart.py", "tests/test_cart.py"]
    assert deps(files, "tests/test_cart.py", "from shop.cart import Cart") == {"shop/__init__.py", "shop/cart.py"}


def test_src_layout() -> None:
    files = ["src/shop/__init__.py", "src/shop/cart.py", "tests/test_cart.py"]
    assert deps(files, "tests/test_cart.py", "from shop.cart import Cart") == {
        "src/shop/__init__.py", "src/shop/cart.py"}


def test_src_layout_names_of_a_module() -> None:
    index = ModuleIndex(["src/shop/__init__.py", "src/shop/cart.py"])
    assert "shop.cart" in index.module_names("src/shop/cart.py")


def test_several_top_level_packages() -> None:
    files = ["billing/__init__.py", "billing/invoice.py", "shipping/__init__.py", "shipping/label.py"]
    assert deps(files, "shipping/label.py", "from billing.invoice import Invoice") == {
        "billing/__init__.py", "billing/invoice.py", "shipping/__init__.py"}


def test_packages_under_a_non_package_directory_are_found_where_python_finds_them() -> None:
    files = ["services/api/app/__init__.py", "services/api/app/models.py", "services/api/tests/test_models.py"]
    assert deps(files, "services/api/tests/test_models.py", "import app.models") == {
        "services/api/app/__init__.py", "services/api/app/models.py"}


def test_namespace_packages_without_init() -> None:
    files = ["acme/tools/strings.py", "acme/tools/numbers.py"]
    assert deps(files, "main.py", "import acme.tools.strings") == {"acme/tools/strings.py"}
    assert deps(files, "main.py", "from acme.tools import numbers") == {"acme/tools/numbers.py"}


def test_rootless_test_directory_imports_a_sibling_helper() -> None:
    files = ["tests/helpers.py", "tests/test_cart.py", "shop/__init__.py"]
    assert deps(files, "tests/test_cart.py", "import helpers") == {"tests/helpers.py"}
    assert deps(files, "tests/test_cart.py", "from helpers import make_cart") == {"tests/helpers.py"}


def test_ambiguous_names_in_two_rootless_directories_resolve_to_both() -> None:
    files = ["tests/unit/helpers.py", "tests/integration/helpers.py", "tests/unit/test_a.py"]
    assert deps(files, "tests/unit/test_a.py", "import helpers") == {
        "tests/unit/helpers.py", "tests/integration/helpers.py"}


def test_extra_roots_make_namespace_packages_under_them_importable() -> None:
    files = ["lib/vendored/tool.py", "tests/test_tool.py"]
    source = "import vendored.tool"
    assert deps(files, "tests/test_tool.py", source) == set()
    assert deps(files, "tests/test_tool.py", source, extra_roots=["lib"]) == {"lib/vendored/tool.py"}
    assert deps(files, "tests/test_tool.py", source, extra_roots=["lib/"]) == {"lib/vendored/tool.py"}


def test_string_reference_resolves_to_the_longest_module_prefix_and_its_packages() -> None:
    files = ["shop/__init__.py", "shop/cart.py", "shop/cart_extra.py"]
    source = 'TARGET = "shop.cart.Cart.total"'
    assert deps(files, "tests/test_cart.py", source) == {"shop/__init__.py", "shop/cart.py"}


def test_entry_point_string_resolves_to_its_module() -> None:
    files = ["shop/__init__.py", "shop/cli.py"]
    assert deps(files, "tests/test_cli.py", 'SCRIPT = "shop.cli:main"') == {"shop/__init__.py", "shop/cli.py"}


def test_strings_that_name_no_project_module_resolve_to_nothing() -> None:
    files = ["shop/__init__.py", "shop/cart.py"]
    assert deps(files, "tests/test_cart.py", 'DOC = "see docs.readthedocs.io"\nURL = "example.com"') == set()


def test_pytest_plugins_resolve_like_imports() -> None:
    files = ["tests/__init__.py", "tests/fixtures/__init__.py", "tests/fixtures/db.py", "tests/conftest.py"]
    assert deps(files, "tests/conftest.py", 'pytest_plugins = ["tests.fixtures.db"]') == {
        "tests/__init__.py", "tests/fixtures/__init__.py", "tests/fixtures/db.py"}


def test_import_module_with_a_relative_literal_resolves_absolutely() -> None:
    files = ["shop/__init__.py", "shop/plugins/__init__.py", "shop/plugins/toc.py"]
    source = "import importlib\nimportlib.import_module('.toc', package='shop.plugins')"
    assert deps(files, "main.py", source) == {"shop/__init__.py", "shop/plugins/__init__.py", "shop/plugins/toc.py"}


def test_non_python_files_are_not_modules() -> None:
    index = ModuleIndex(["data/config.txt", "shop/__init__.py"])
    assert index.lookup("data.config") == []
    assert index.files == frozenset({"shop/__init__.py"})


def test_resolution_never_depends_on_the_importer_itself() -> None:
    files = ["shop/__init__.py", "shop/cart.py"]
    assert deps(files, "shop/cart.py", "import shop.cart\nfrom . import cart") == {"shop/__init__.py"}
