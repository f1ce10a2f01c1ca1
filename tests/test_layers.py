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
}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


CASES = [(layer, path) for layer in FORBIDDEN for path in sorted((PACKAGE / layer).rglob("*.py"))]


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
