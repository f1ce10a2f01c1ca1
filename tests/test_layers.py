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
    core = [PACKAGE / n for n in ("db.py", "auth.py", "config.py", "errors.py", "keys.py")]
    for path in [
        *core,
        *sorted((PACKAGE / "cli").glob("*.py")),
        *sorted((PACKAGE / "models").glob("*.py")),
    ]:
        assert "streamlit" not in imported_roots(path), path.name


SCREENS = sorted([*(PACKAGE / "pages").glob("*.py"), *(PACKAGE / "ui").glob("*.py")])


@pytest.mark.parametrize("path", SCREENS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_screen_modules_stay_readable(path):
    """A page is the entry Streamlit runs and its tabs and panels live in ee_app/ui/, so that
    no screen module grows past what a reader takes in at one sitting (issue 21: ~400 lines)."""
    assert len(path.read_text().splitlines()) <= 420, path.name
