"""The pulse instrument: twelve engagement themes on a 1–5 agreement scale, eNPS, a comment.

The twelve core items occupy the fixed answer slots ``a01``–``a12`` in theme order, so every
version of the instrument stores and aggregates the same way; HR's own items (at most five)
take ``x1``–``x5``. Definitions are plain dicts (JSON in the database, TOML on disk), checked by
:func:`validate` before use, and identified by the SHA-256 of their canonical JSON.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ee_app.errors import N_, Problem, ValidationError
from ee_app.instruments.fields import Text, bilingual, definition_hash

__all__ = [
    "CORE_SLOTS",
    "CUSTOM_SLOTS",
    "MAX_CUSTOM_ITEMS",
    "THEMES",
    "PulseInstrument",
    "PulseItem",
    "default_definition",
    "definition_hash",
    "validate",
    "with_custom_items",
]

THEMES: tuple[str, ...] = (
    "expectations",
    "resources",
    "strengths",
    "recognition",
    "care",
    "development",
    "voice",
    "purpose",
    "quality",
    "friendship",
    "progress",
    "growth",
)
CORE_SLOTS = tuple(f"a{i:02d}" for i in range(1, 13))
MAX_CUSTOM_ITEMS = 5
CUSTOM_SLOTS = tuple(f"x{i}" for i in range(1, MAX_CUSTOM_ITEMS + 1))
MAX_TEXT = 300
DEFAULT_FILE = Path(__file__).resolve().parent / "pulse" / "pulse-v1.toml"


@dataclass(frozen=True)
class PulseItem:
    id: str
    slot: str
    theme: str | None  # None for HR's own items
    text: Text


@dataclass(frozen=True)
class PulseInstrument:
    version: int
    name: Text
    scale: tuple[Text, ...]  # labels of 1..5
    items: tuple[PulseItem, ...]
    enps: Text
    enps_low: Text
    enps_high: Text
    comment: Text
    comment_hint: Text

    @property
    def core_items(self) -> tuple[PulseItem, ...]:
        return tuple(i for i in self.items if i.theme is not None)

    @property
    def custom_items(self) -> tuple[PulseItem, ...]:
        return tuple(i for i in self.items if i.theme is None)

    @property
    def slots(self) -> tuple[str, ...]:
        return tuple(i.slot for i in self.items)


def _item(
    raw: Mapping[str, Any], slot: str, theme: str | None, problems: list[Problem]
) -> PulseItem:
    item_id = raw.get("id")
    return PulseItem(
        str(item_id), slot, theme, bilingual(raw, f"item {item_id}", problems, MAX_TEXT)
    )


def validate(definition: Mapping[str, Any]) -> PulseInstrument:
    """Check a definition and return the instrument; raise ValidationError listing every fault."""
    problems: list[Problem] = []
    if definition.get("kind") != "pulse":
        problems.append(Problem(N_("The instrument's kind must be “pulse”.")))
    version = definition.get("version")
    if not isinstance(version, int) or version < 1:
        problems.append(Problem(N_("The instrument needs a version number of 1 or more.")))
        version = 0
    name = bilingual(definition.get("name"), "name", problems, MAX_TEXT)
    scale_data = definition.get("scale") or {}
    labels_en, labels_zh = scale_data.get("en") or [], scale_data.get("zh-CN") or []
    if (scale_data.get("min"), scale_data.get("max")) != (1, 5) or not (
        len(labels_en) == len(labels_zh) == 5
    ):
        problems.append(
            Problem(N_("The scale must run from 1 to 5 with five labels per language."))
        )
    scale = tuple(Text(str(e), str(z)) for e, z in zip(labels_en, labels_zh, strict=False))

    items: list[PulseItem] = []
    seen_ids: set[str] = set()
    raw_items = definition.get("items") or []
    core = [i for i in raw_items if isinstance(i, Mapping) and i.get("theme")]
    custom = [i for i in raw_items if isinstance(i, Mapping) and not i.get("theme")]
    themes = [i.get("theme") for i in core]
    if sorted(themes) != sorted(THEMES) or len(themes) != len(THEMES):
        problems.append(
            Problem(N_("The instrument needs exactly one item for each of the 12 themes."))
        )
    if len(custom) > MAX_CUSTOM_ITEMS:
        problems.append(
            Problem(N_("At most {limit} own items can be added."), {"limit": MAX_CUSTOM_ITEMS})
        )
    by_theme = {i.get("theme"): i for i in core}
    for slot, theme in zip(CORE_SLOTS, THEMES, strict=True):
        raw = by_theme.get(theme)
        if raw is None:
            continue
        items.append(_item(raw, slot, theme, problems))
    for slot, raw in zip(CUSTOM_SLOTS, custom, strict=False):
        items.append(_item(raw, slot, None, problems))
    for item in items:
        if not item.id or item.id == "None" or item.id in seen_ids:
            problems.append(
                Problem(N_("Item ids must be present and unique: “{id}”."), {"id": item.id})
            )
        seen_ids.add(item.id)

    enps = definition.get("enps") or {}
    comment = definition.get("comment") or {}
    instrument = PulseInstrument(
        version=version,
        name=name,
        scale=scale,
        items=tuple(items),
        enps=bilingual(enps, "eNPS", problems, MAX_TEXT),
        enps_low=bilingual(enps.get("low"), "eNPS low anchor", problems, MAX_TEXT),
        enps_high=bilingual(enps.get("high"), "eNPS high anchor", problems, MAX_TEXT),
        comment=bilingual(comment, "comment", problems, MAX_TEXT),
        comment_hint=bilingual(comment.get("hint"), "comment hint", problems, MAX_TEXT),
    )
    if problems:
        raise ValidationError(N_("The pulse instrument is not valid."), problems)
    return instrument


def default_definition() -> dict[str, Any]:
    """Version 1 as shipped (``pulse/pulse-v1.toml``)."""
    with DEFAULT_FILE.open("rb") as handle:
        return tomllib.load(handle)


def with_custom_items(
    base: Mapping[str, Any], items: Sequence[tuple[str, str]], version: int
) -> dict[str, Any]:
    """A new definition: ``base``'s core items plus HR's own items (English, Chinese)."""
    definition = json.loads(json.dumps(base))  # a deep copy that is plain JSON
    definition["version"] = version
    core = [i for i in definition.get("items", []) if i.get("theme")]
    definition["items"] = core + [
        {"id": f"own-{n}", "en": en.strip(), "zh-CN": zh.strip()}
        for n, (en, zh) in enumerate(items, start=1)
    ]
    validate(definition)
    return definition
