"""Every public function of ``ee_app/analysis/`` carries a runnable example (issue 21): the
examples run as doctests (``pytest --doctest-modules ee_app/analysis``), and this test keeps
a new module or function from arriving without one, and ``__all__`` from naming what is not
there."""

import importlib
import inspect
import pkgutil

import pytest

import ee_app.analysis

MODULES = sorted(module.name for module in pkgutil.iter_modules(ee_app.analysis.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_every_public_function_has_an_example(name):
    module = importlib.import_module(f"ee_app.analysis.{name}")
    assert [public for public in module.__all__ if not hasattr(module, public)] == []
    functions = [getattr(module, public) for public in module.__all__]
    functions = [f for f in functions if inspect.isfunction(f)]
    assert [f.__name__ for f in functions if ">>>" not in (f.__doc__ or "")] == []
