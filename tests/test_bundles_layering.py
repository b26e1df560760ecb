"""The bundles app sits above the apps it imports: listings, needs, accounts and lib never import
it, and it imports nothing else of the project (read from the source, as the code stands)."""

import ast
import sys
from pathlib import Path

from django.conf import settings

PROJECT_PACKAGES = {path.parent.name for path in Path(settings.BASE_DIR).glob("*/__init__.py")} - {
    "tests"
}
BUNDLES_MAY_IMPORT = {"bundles", "listings", "needs", "accounts", "lib"}


def imported_packages(package: str) -> dict[str, set[str]]:
    """Top-level packages each module of a project package imports, by module path."""
    out = {}
    for path in (Path(settings.BASE_DIR) / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and node.level > 0:
                names.add(package)
        out[str(path.relative_to(settings.BASE_DIR))] = names
    return out


def test_the_apps_below_bundles_never_import_it():
    for package in ("listings", "needs", "accounts", "lib"):
        for module, names in imported_packages(package).items():
            assert "bundles" not in names, module


def test_bundles_imports_only_listings_needs_accounts_and_lib():
    for module, names in imported_packages("bundles").items():
        project = (names & PROJECT_PACKAGES) - set(sys.stdlib_module_names)
        assert project <= BUNDLES_MAY_IMPORT, (module, project - BUNDLES_MAY_IMPORT)
