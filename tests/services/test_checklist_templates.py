"""HR's own checklists through the service: new checklists and versions, a used version never
changed, an unchanged save storing nothing, every problem at once and nothing written on one,
who may do it, and what the audit log says."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from sqlalchemy import select

from ee_app.auth import Actor
from ee_app.db import read_session, write_session
from ee_app.errors import PermissionDenied, ValidationError
from ee_app.i18n import translator
from ee_app.instruments.checklist import default_definitions, definition_hash
from ee_app.models import AuditLog, ChecklistVersion, OrgUnit, ShopVisit, UserRole
from ee_app.services import checklist_templates as templates
from ee_app.services import visit_management
from ee_app.services.users import actor_for_email
from tests.helpers import snapshot


def small(key="hair-wash"):
    """Two sections: a yes/no and a choice item; a scale and a text item."""
    return {
        "kind": "checklist",
        "key": key,
        "version": 1,
        "pass_mark": 0.8,
        "name": {"en": "Hair wash", "zh-CN": "洗发服务"},
        "description": {"en": "A short check.", "zh-CN": "简要检查。"},
        "sections": [
            {
                "id": "welcome",
                "weight": 1,
                "name": {"en": "Welcome", "zh-CN": "接待"},
                "items": [
                    {"id": "greet", "type": "yes_no", "points": 2, "critical": True}
                    | {"en": "I was greeted.", "zh-CN": "我受到了问候。"},
                    {
                        "id": "wait",
                        "type": "choice",
                        "points": 3,
                        "en": "How long did I wait?",
                        "zh-CN": "我等了多久？",
                        "options": [
                            {"id": "short", "credit": 1, "en": "Not at all", "zh-CN": "没有等"},
                            {"id": "long", "credit": 0.5, "en": "A while", "zh-CN": "等了一会"},
                        ],
                    },
                ],
            },
            {
                "id": "wash",
                "weight": 2,
                "name": {"en": "Wash", "zh-CN": "洗发"},
                "items": [
                    {"id": "water", "type": "scale", "points": 4}
                    | {"en": "Water temperature", "zh-CN": "水温"},
                    {"id": "notes", "type": "text", "en": "Anything else", "zh-CN": "其他"},
                ],
            },
        ],
    }


def versions(engine, key):
    with read_session(engine) as session:
        return list(
            session.execute(
                select(ChecklistVersion.version, ChecklistVersion.sha256)
                .where(ChecklistVersion.key == key)
                .order_by(ChecklistVersion.version)
            )
        )


def audit_actions(engine):
    with read_session(engine) as session:
        return list(session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_a_new_checklist_then_a_new_version_then_no_change(engine, hr):
    with write_session(engine) as session:
        first = templates.save_checklist(session, hr, small())
    assert (first.version, first.new_key, first.unchanged) == (1, True, False)
    changed = small()
    changed["sections"][0]["items"][0]["points"] = 3
    changed["version"] = 7  # ignored: the next free number is used
    with write_session(engine) as session:
        second = templates.save_checklist(session, hr, changed)
    assert (second.version, second.new_key) == (2, False)
    with write_session(engine) as session:
        again = templates.save_checklist(session, hr, changed)
    assert again.unchanged and again.version == 2 and again.id == second.id
    assert [v for v, _sha in versions(engine, "hair-wash")] == [1, 2]
    assert audit_actions(engine)[-2:] == ["checklist.create", "checklist.version"]
    with read_session(engine) as session:
        entry = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert entry.detail == {"key": "hair-wash", "version": 2, "base": 1}


def test_a_version_used_by_a_visit_is_never_changed(engine, demo, hr):
    shopper = actor_for_email_in(engine, "shopper@demo.example")
    with read_session(engine) as session:
        v1 = session.scalar(
            select(ChecklistVersion).where(ChecklistVersion.key == "service-process")
        )
        before = (v1.id, copy.deepcopy(v1.definition), v1.sha256)
        store = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "SH02"))
    with write_session(engine) as session:
        [visit_id] = visit_management.schedule_visits(
            session,
            hr,
            template_id=before[0],
            store_ids=[store],
            shopper_id=shopper.user_id,
            window_start=date(2026, 11, 1),
            window_end=date(2026, 11, 30),
        )
    edited = default_definitions()["service-process"]
    edited["sections"][0]["items"][0]["points"] = 5
    with write_session(engine) as session:
        saved = templates.save_checklist(session, hr, edited)
    assert saved.version == 2
    with read_session(engine) as session:
        v1 = session.get(ChecklistVersion, before[0])
        assert (v1.id, v1.definition, v1.sha256) == before
        assert definition_hash(v1.definition) == v1.sha256
        assert session.get(ShopVisit, visit_id).template_id == before[0]
        rows = {(r.key, r.version): r.visits for r in templates.list_versions(session, hr)}
    assert rows[("service-process", 1)] >= 1
    assert rows[("service-process", 2)] == 0


def actor_for_email_in(engine, email):
    with read_session(engine) as session:
        return actor_for_email(session, email)


def _without(path):
    definition = small()
    *parents, last = path
    target = definition
    for step in parents:
        target = target[step]
    del target[last]
    return definition


def _with(path, value):
    definition = small()
    *parents, last = path
    target = definition
    for step in parents:
        target = target[step]
    target[last] = value
    return definition


# One row per rule the editor's "Save" relies on when it reaches the service.
@pytest.mark.parametrize(
    ("definition", "english", "chinese"),
    [
        (_with(("sections", 0, "items", 0, "type"), "maybe"), "the type must be one of", "题型"),
        (
            _with(("sections", 0, "items", 0, "points"), 101),
            "whole number from 0 to 100",
            "0 到 100 的整数",
        ),
        (
            _with(("sections", 0, "items", 1, "critical"), True),
            "only a yes/no item can be critical",
            "是非题",
        ),
        (_without(("sections", 1, "name", "zh-CN")), "text is missing", "缺"),
        (_with(("sections", 1, "items", 0, "id"), "greet"), "unique", "唯一"),
        (
            _with(("sections", 0, "items", 1, "options", 0, "credit"), 2),
            "credit must lie between 0 and 1",
            "得分比例必须在 0 到 1 之间",
        ),
        (_with(("sections", 1, "items", 0, "points"), 0), "at least one scored item", "计分"),
        (_with(("pass_mark",), 1.5), "pass mark", "合格线"),
    ],
)
def test_an_invalid_checklist_is_refused_whole(engine, hr, definition, english, chinese):
    before = snapshot(engine)
    with write_session(engine) as session, pytest.raises(ValidationError) as caught:
        templates.save_checklist(session, hr, definition)
    assert english in caught.value.render()
    assert chinese in caught.value.render(translator("zh-CN"))
    assert snapshot(engine) == before


@pytest.mark.parametrize("role", [UserRole.SHOPPER, UserRole.MANAGER])
def test_only_hr_and_admins_make_checklists(engine, role):
    before = snapshot(engine)
    with write_session(engine) as session, pytest.raises(PermissionDenied):
        templates.save_checklist(session, Actor("x@demo.example", role), small())
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        templates.list_versions(session, Actor("x@demo.example", role))
    assert snapshot(engine) == before


def test_changes_name_what_a_new_version_changes():
    old = small()
    new = copy.deepcopy(old)
    new["sections"][0]["items"][0]["en"] = "I was greeted by name."
    del new["sections"][1]["items"][1]
    new["sections"][1]["items"].append(
        {"id": "dry", "type": "yes_no", "points": 1, "en": "Dried", "zh-CN": "吹干"}
    )
    change = templates.changes(old, new)
    assert change.items_changed == ("greet",)
    assert change.items_removed == ("notes",)
    assert change.items_added == ("dry",)
    assert not change.head_changed and not change.none
    assert templates.changes(old, copy.deepcopy(old)).none
    assert templates.changes(None, old).base_version is None
