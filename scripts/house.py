#!/usr/bin/env python3
"""Draw the house: ee_app's parts, their modules' sizes and who imports whom, into
docs/development.md between the ``house`` markers (issue 21).

A newcomer reads the picture before the code: which part a module belongs to, how big it is,
and which way the imports run (pages → ui → services → analysis, never back up). The picture
is made from the code with :mod:`ast` (function-level imports count too) and nothing else,
so it cannot drift: ``tests/test_house.py`` fails when the doc's picture is not what this
script draws today. Run ``python3 scripts/house.py`` after adding, moving or growing a
module; ``--check`` only compares.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ee_app"
DOC = ROOT / "docs" / "development.md"
START, END = "<!-- house:start -->", "<!-- house:end -->"
LIMIT = 400  # the size issue 21 asks a module to stay under (about)

# The parts, in the order the layering reads them (design.md): a module outside a
# sub-package belongs to "core" (settings, database, sign-in, errors, keys ...), but for the
# light survey page and the engine it shares with the app, which serve HTTP beside the pages.
ENTRY = {"ee_app.light_survey", "ee_app.app_engine"}
PARTS = (
    "entry",
    "pages",
    "ui",
    "cli",
    "services",
    "imports",
    "exports",
    "messaging",
    "demo",
    "instruments",
    "analysis",
    "models",
    "i18n",
    "core",
)


def part_of(module: str) -> str:
    """``ee_app.services.results`` → ``services``; ``ee_app.db`` → ``core``."""
    if module in ENTRY:
        return "entry"
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 and pieces[1] in PARTS else "core"


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    pieces = list(relative.parts)
    if pieces[-1] == "__init__":
        pieces.pop()
    return ".".join(pieces)


def imported_modules(path: Path, name: str) -> set[str]:
    """The ee_app modules ``path`` imports anywhere in its body, relative imports resolved."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {m for m in found if m == "ee_app" or m.startswith("ee_app.")}


def modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] != "migrations"  # Alembic's, never imported
    }


def picture() -> str:
    """The Markdown between the markers: a graph of the parts and a table of the modules."""
    found = modules()
    names = set(found)
    arrows: Counter[tuple[str, str]] = Counter()
    for name, path in found.items():
        # "from ee_app.services import results" names a module; "from ee_app.db import x"
        # names something in one: either way, each module imported counts once
        targets = {t if t in names else t.rpartition(".")[0] for t in imported_modules(path, name)}
        for target in targets & names - {name}:
            source, goal = part_of(name), part_of(target)
            if source != goal:
                arrows[(source, goal)] += 1
    lines = [
        "The parts of `ee_app/` and the imports between them (an arrow is how many imports run",
        "that way), then every module by part with its size. Drawn by `scripts/house.py` from",
        "the code; `tests/test_house.py` checks that this picture is today's.",
        "",
        "```mermaid",
        "flowchart TD",
    ]
    order = {part: i for i, part in enumerate(PARTS)}
    ranked = sorted(arrows.items(), key=lambda a: (order[a[0][0]], order[a[0][1]]))
    lines += [f"  {a} -->|{n}| {b}" for (a, b), n in ranked]
    lines += ["```", "", "| part | module | lines |", "|---|---|---:|"]
    for part in PARTS:
        for name in sorted(n for n in found if part_of(n) == part):
            size = len(found[name].read_text(encoding="utf-8").splitlines())
            mark = f"**{size:,}**" if size > LIMIT else f"{size:,}"
            lines.append(f"| {part} | `{name}` | {mark} |")
    big = sum(
        1 for path in found.values() if len(path.read_text(encoding="utf-8").splitlines()) > LIMIT
    )
    lines += ["", f"Modules over {LIMIT} lines (in bold): {big}."]
    return "\n".join(lines)


def with_picture(doc: str, drawn: str) -> str:
    head, start, rest = doc.partition(START)
    if not start:
        raise SystemExit(f"{DOC} has no {START} marker")
    _, end, tail = rest.partition(END)
    if not end:
        raise SystemExit(f"{DOC} has no {END} marker")
    return f"{head}{START}\n{drawn}\n{END}{tail}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    args = parser.parse_args(argv)
    doc = DOC.read_text(encoding="utf-8")
    new = with_picture(doc, picture())
    if args.check:
        if new != doc:
            print("docs/development.md's house picture is out of date: run scripts/house.py")
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
