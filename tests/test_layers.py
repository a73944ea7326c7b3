"""Apps depend one way: a lower app never imports a higher one (STYLE.md, "Apps depend one way").

Each module is parsed with ``ast`` rather than imported, so an import tucked inside a function (the usual
way to hide a cycle) counts exactly like one at the top of the file.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lowest first; apps on the same level are peers and may not import each other either.
LAYERS: list[set[str]] = [
    {"common"},
    {"accounts"},
    {"students"},
    {"pathways"},
    {"credentials"},
    {"reports"},
    {"imports", "demo"},
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def imported_apps(source: str, module: str) -> set[tuple[str, int]]:
    """The project apps a module's source imports, each with the line that imports it."""
    found = set()
    package = module.rsplit(".", 1)[0] if module.count(".") else module
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # A relative import stays inside its own package, unless it climbs out of it.
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                names = [".".join([*base, node.module] if node.module else base)]
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in LEVEL:
                found.add((top, node.lineno))
    return found


def upward_imports(app_dir: Path) -> list[str]:
    """Every import in an app's modules that reaches an app above it or beside it."""
    app = app_dir.name
    problems = []
    for path in sorted(app_dir.rglob("*.py")):
        relative = path.relative_to(ROOT)
        module = ".".join(relative.with_suffix("").parts)
        for other, line in sorted(imported_apps(path.read_text(encoding="utf-8"), module)):
            if other != app and LEVEL[other] >= LEVEL[app]:
                problems.append(f"{relative}:{line} imports {other}")
    return problems


def test_every_app_on_disk_has_a_place_in_the_layers():
    apps_on_disk = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps_on_disk == set(LEVEL)


@pytest.mark.parametrize("app", sorted(LEVEL, key=LEVEL.get))
def test_app_imports_only_apps_below_it(app):
    assert upward_imports(ROOT / app) == []


def test_an_import_inside_a_function_is_seen():
    source = "def f():\n    from reports.tasks import rollups_refresh_soon\n"
    assert imported_apps(source, "students.views") == {("reports", 2)}
