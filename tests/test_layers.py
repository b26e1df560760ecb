"""Every import points down the layers, so an app can be read (and changed) knowing only the
apps below it:

    lib ← accounts ← listings ← needs ← licensing, matching, advisers, alerts, analytics,
    opendata, tasks ← portal, bench

An app may import apps of lower layers and, within the layer of licensing and its neighbours,
its neighbours; `lib` imports no app; `portal` (which composes the pages that show several apps)
and `bench` (which measures them) may import anything. Tests and settings are not app code.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS = [
    ["lib"],
    ["accounts"],
    ["listings"],
    ["needs"],
    ["bundles", "licensing", "matching", "advisers", "alerts", "analytics", "opendata", "tasks"],
    ["portal", "bench"],
]
LAYER = {app: depth for depth, apps in enumerate(LAYERS) for app in apps}

# Known exceptions, each with the change that ends it: file -> the higher apps it may import.
ALLOWED = {
    # The search expands a query into the other language with matching.analysis, which imports
    # no app and belongs in lib/: it moves there with the split of matching's internals (not
    # touched here, to stay out of that change's way).
    "listings/search.py": {"matching"},
}
NOT_APP_CODE = {"portal/settings.py"}


def app_modules():
    for app in LAYER:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative not in NOT_APP_CODE:
                yield app, relative, path


def imported_apps(tree: ast.AST):
    """(line, app) for every absolute import of an app, at module level or inside a function."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in LAYER:
                yield node.lineno, top


def upward_imports() -> list[str]:
    found = []
    for app, relative, path in app_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
        for line, target in imported_apps(tree):
            if LAYER[target] > LAYER[app] and target not in ALLOWED.get(relative, ()):
                found.append(f"{relative}:{line} imports {target} (a higher layer than {app})")
    return found


def test_every_app_import_points_down_the_layers():
    assert upward_imports() == []


def test_the_check_sees_an_upward_import():
    tree = ast.parse("def f():\n    from portal import views\nimport needs.models\n")
    assert sorted(imported_apps(tree)) == [(2, "portal"), (3, "needs")]


def test_every_allowed_exception_is_still_needed():
    # An exception that no longer matches an import is removed, so the list stays short (a file
    # that moved away, as bundles.py will, is simply no longer checked).
    for relative, targets in ALLOWED.items():
        if not (ROOT / relative).exists():
            continue
        tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
        assert targets <= {target for _line, target in imported_apps(tree)}, relative


def test_every_app_is_in_a_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps <= set(LAYER), apps - set(LAYER)
