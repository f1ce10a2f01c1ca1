"""Benchmarks of ee-app's main paths, each against a reference measured in the same run.

Run them all with ``scripts/bench`` (or ``python -m bench``); results print as Markdown rows
and are saved to ``bench/out/results.json``. Record them in ``docs/benchmarks.md`` with the
machine and date: absolute times drift on shared machines, ratios much less.
"""
