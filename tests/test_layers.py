"""The layering of design.md, checked on the imports: pages render, services write, analysis
is pure, and nothing below the pages knows about Streamlit."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ee_app"

FORBIDDEN = {
    "analysis": {"streamlit", "sqlalchemy"},
    "services": {"streamlit"},
    "imports": {"streamlit", "sqlalchemy"},
    "exports": {"streamlit"},
    "instruments": {"streamlit", "sqlalchemy"},
    "demo": {"streamlit", "sqlalchemy"},
    "pages": {"sqlalchemy"},
    "ui": {"sqlalchemy"},  # the pages' parts (tabs, panels) render like the pages
    "words": {"streamlit", "sqlalchemy"},  # the labels screens, exports and the CLI share
}
# The ui modules that hand the pages their database: the engine and sessions (context) and the
# first-run demo load (demo_start); they name SQLAlchemy's types, and run no query.
DATABASE_BRIDGES = {"ui": {"context.py", "demo_start.py"}}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


CASES = [
    (layer, path)
    for layer in FORBIDDEN
    for path in sorted((PACKAGE / layer).rglob("*.py"))
    if path.name not in DATABASE_BRIDGES.get(layer, set())
]


@pytest.mark.parametrize(("layer", "path"), CASES, ids=lambda v: getattr(v, "name", v))
def test_layer_imports(layer, path):
    assert not imported_roots(path) & FORBIDDEN[layer]


def test_core_modules_do_not_import_streamlit():
    core = [
        PACKAGE / n
        for n in (
            "db.py",
            "auth.py",
            "config.py",
            "errors.py",
            "keys.py",
            "placeholders.py",
            "production.py",
        )
    ]
    for path in [
        *core,
        *sorted((PACKAGE / "cli").glob("*.py")),
        *sorted((PACKAGE / "models").glob("*.py")),
    ]:
        assert "streamlit" not in imported_roots(path), path.name


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str) -> set[str]:
    """The ee_app modules ``name`` imports anywhere in its body, function-level imports
    included: ``from ee_app.services import audit`` counts as importing the submodule."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            subs = {f"{module}.{alias.name}" for alias in node.names}
            found |= (subs & MODULES.keys()) or {module}
    return (found & MODULES.keys()) - {name}


def test_no_two_modules_import_each_other():
    """A circle between two modules (each importing the other, at the top or inside a
    function) hides which one is the foundation; the shared part belongs in a third module
    both import (issue 21: services/results.py and services/waves.py)."""
    imports = {name: imported_modules(name) for name in MODULES}
    circles = sorted(
        f"{a} <-> {b}" for a, found in imports.items() for b in found if a < b and a in imports[b]
    )
    assert circles == []


READABLE = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", READABLE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_readable(path):
    """Every module is read at one sitting (issue 21: ~400 lines): a page's tabs live in
    ``ee_app/ui/<page>_<part>.py``, a service is split along its use cases, an instrument, an
    import or an export along the parts a reader looks for. Released migrations are left as
    they were written."""
    assert len(path.read_text().splitlines()) <= 420, path.name


SCREENS_PACKAGES = ("ee_app.ui", "ee_app.pages")


@pytest.mark.parametrize(
    "name", sorted(n for n in MODULES if not n.startswith(SCREENS_PACKAGES)), ids=str
)
def test_nothing_below_the_screens_imports_them(name):
    """Only screens import screens: the words an export or a command shares with them live in
    ``ee_app/words/`` (issue 21: the payroll and audit exports and two commands took their
    labels from ``ee_app/ui/``)."""
    assert not {m for m in imported_modules(name) if m.startswith(SCREENS_PACKAGES)}
