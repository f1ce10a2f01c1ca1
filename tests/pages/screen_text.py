"""What a person reads on a page under AppTest, as pieces of text (issue 17's raw-key scan).

Walks the element tree: headings, markdown, captions, alerts, metrics, widget labels, help,
options and placeholders, tab and expander labels; tables as their column headers (the
column configuration's label where one is set, hidden columns left out) and cells (a
missing cell as the table's placeholder, "None" by default, which is what the browser
shows); Altair charts as their titles, axis and legend titles, tooltip titles and the values
of their data that a text mark or a tooltip shows (a missing one as "null", which is what
Vega prints)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pyarrow as pa

_SKIP = {"id", "form_id", "key", "icon", "type", "mime", "url", "file_name", "data", "spec"}
_TEXT_FIELDS = {
    "label",
    "body",
    "help",
    "placeholder",
    "options",
    "caption",
    "text",
    "value",
    "delta",
    "title",
    "default",
}


def _arrow(data: bytes) -> pd.DataFrame:
    return pa.ipc.open_stream(io.BytesIO(data)).read_all().to_pandas()


def _cell_text(value: Any, placeholder: str) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return placeholder
    if isinstance(value, str):
        return value
    return None  # numbers and dates are drawn as numbers and dates


def _table(proto: Any, frame: pd.DataFrame) -> Iterator[str]:
    config = json.loads(proto.columns) if proto.columns else {}
    order = list(proto.column_order) or [str(c) for c in frame.columns]
    placeholder = proto.placeholder if proto.HasField("placeholder") else "None"
    for column in order:
        if column not in frame.columns:
            continue
        settings = config.get(column) or config.get(f"name:{column}") or {}
        if settings.get("hidden"):
            continue
        yield settings.get("label") or str(column)
        options = {
            o.get("value"): o.get("label")
            for o in (settings.get("type_config") or {}).get("options") or []
            if isinstance(o, dict)
        }
        for value in frame[column]:
            if hasattr(value, "__len__") and not isinstance(value, str):  # a list column
                yield from (str(v) for v in value)
            elif options.get(value):
                yield options[value]
            elif (text := _cell_text(value, placeholder)) is not None:
                yield text


def _chart(proto: Any) -> Iterator[str]:
    spec = json.loads(proto.spec)
    datasets = {d.name: _arrow(d.data.data) for d in proto.datasets}
    if proto.HasField("data") and proto.data.data:
        datasets[""] = _arrow(proto.data.data)
    # (field, filters of its layer): a layer that filters its rows (``!datum._hidden``)
    # shows the field only on the rows it keeps.
    shown: set[tuple[str, tuple[str, ...]]] = set()

    def walk(node: Any, filters: tuple[str, ...] = ()) -> Iterator[str]:
        if isinstance(node, dict):
            filters += tuple(
                t["filter"]
                for t in node.get("transform") or []
                if isinstance(t, dict) and isinstance(t.get("filter"), str)
            )
            for key, value in node.items():
                if key == "title" and isinstance(value, str):
                    yield value
                elif key == "title" and isinstance(value, dict) and "text" in value:
                    yield str(value["text"])
                elif key in ("text", "tooltip"):
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, dict) and "field" in item:
                            shown.add((str(item["field"]).split(":")[0], filters))
                        if isinstance(item, dict) and isinstance(item.get("title"), str):
                            yield item["title"]
                        if isinstance(item, dict) and isinstance(item.get("value"), str):
                            yield item["value"]
                    yield from walk(value, filters)
                else:
                    yield from walk(value, filters)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item, filters)

    yield from walk(spec)
    for frame in datasets.values():
        for field, filters in shown:
            if field not in {str(c) for c in frame.columns}:
                continue
            for value in _kept(frame, filters)[field]:
                if (text := _cell_text(value, "null")) is not None:
                    yield text


_FLAG_FILTER = re.compile(r"^(!?)datum\.(\w+)$")


def _kept(frame: pd.DataFrame, filters: tuple[str, ...]) -> pd.DataFrame:
    """The rows a layer keeps under its simple flag filters (``datum.x``, ``!datum.x``);
    any other filter keeps every row (so a missing value is still reported)."""
    for expression in filters:
        match = _FLAG_FILTER.match(expression.strip())
        if match and match.group(2) in frame.columns:
            flag = frame[match.group(2)].astype(bool)
            frame = frame[~flag] if match.group(1) else frame[flag]
    return frame


def _proto_texts(proto: Any) -> Iterator[str]:
    for descriptor, value in proto.ListFields():
        name = descriptor.name
        if name in _SKIP:
            continue
        if descriptor.type == descriptor.TYPE_STRING and name in _TEXT_FIELDS:
            for item in value if getattr(descriptor, "is_repeated", False) else [value]:
                if item:
                    yield item
        elif descriptor.type == descriptor.TYPE_MESSAGE and name not in ("arrow_data",):
            for item in value if getattr(descriptor, "is_repeated", False) else [value]:
                yield from _proto_texts(item)


def screen_texts(node: Any) -> Iterator[str]:
    """Every piece of text shown under ``node`` (an AppTest element tree or block)."""
    children = getattr(node, "children", None)
    if children is not None:
        label = getattr(node, "label", None)
        if isinstance(label, str) and label:
            yield label
        for child in children.values():
            yield from screen_texts(child)
        return
    proto = getattr(node, "proto", None)
    if proto is None:
        return
    kind = getattr(node, "type", "")
    if kind == "dataframe":
        yield from _table(proto, node.value)
    elif hasattr(proto, "spec") and hasattr(proto, "datasets"):
        yield from _chart(proto)
    else:
        yield from _proto_texts(proto)
