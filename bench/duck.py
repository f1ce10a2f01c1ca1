"""DuckDB with its scanner extensions loaded from their PyPI wheels (issue 20).

DuckDB is a benchmark floor only (a dev dependency, never imported by ``ee_app``). Its
``sqlite_scanner`` and ``postgres_scanner`` extensions would be downloaded on first use from
DuckDB's own extension site; the dev group instead pins DuckDB to 1.5.5 with the
``duckdb-extension-sqlite-scanner`` and ``duckdb-extension-postgres-scanner`` wheels of the same
version, which ship the signed extension file at ``<package>/extensions/v<version>/``. It is
loaded from there by path, and automatic installs are switched off, so nothing is fetched at
run time.
"""

from __future__ import annotations

from importlib import resources

import duckdb

__all__ = ["connect", "extension_file"]


def extension_file(name: str) -> str:
    """Path of the ``name`` extension (e.g. ``sqlite_scanner``) shipped for this DuckDB."""
    package = f"duckdb_extension_{name}"
    path = resources.files(package) / "extensions" / f"v{duckdb.__version__}"
    path = path / f"{name}.duckdb_extension"
    if not path.is_file():
        raise RuntimeError(
            f"{package} has no extension for DuckDB {duckdb.__version__}: the dev group pins "
            "both to the same version (pyproject.toml)."
        )
    return str(path)


def connect(*extensions: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with ``extensions`` loaded from their wheels, no auto-install."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    for name in extensions:
        con.load_extension(extension_file(name))
    return con
