"""Plain words for the audit log (操作日志): what each action means, what it acted on, and
its details, in the reader's language, so that no stored key ("wave.open",
``{'invited': 42}``) reaches a person.

Pure: the audit page, the audit export and ``ee-app audit list`` all use it.

**Adding an action.** Whoever adds ``audit.record(session, actor, "area.verb", ...)`` adds
one line to :data:`ACTIONS` (``"area.verb": N_("Did something")``), a line to
:data:`DETAILS` for each new detail key, and one to :data:`OBJECTS` for a new object type;
``tests/ui/test_audit_labels.py`` fails for an action literal in the code without a label.
An action without a label still reads as words: its area's name (:data:`AREAS`) and its
verb ("Survey schedule: run"), never the raw key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ee_app.errors import N_

__all__ = [
    "ACTIONS",
    "AREAS",
    "DETAILS",
    "OBJECTS",
    "action_label",
    "detail_text",
    "object_text",
]

Gettext = Callable[[str], str]

#: Every action written to the audit log, in plain words.
ACTIONS: dict[str, str] = {
    # Surveys
    "wave.create": N_("Created a survey wave"),
    "wave.open": N_("Opened a survey wave"),
    "wave.close": N_("Closed a survey wave"),
    "wave.add_joiners": N_("Invited people who joined after opening"),
    "wave.reissue": N_("Replaced a lost personal link"),
    "instrument.create": N_("Added own questions (a new questionnaire version)"),
    "confidential.compute": N_("Analysed a confidential wave against customer results"),
    "plan.create": N_("Created an action plan"),
    "plan.action.add": N_("Added an action to an action plan"),
    "plan.action.status": N_("Changed the status of an action"),
    # Downloads and exports
    "download.links": N_("Downloaded personal survey links"),
    "download.slips": N_("Downloaded QR slips of personal links"),
    "download.reminders": N_("Downloaded the links of people who have not answered"),
    "download.payroll": N_("Downloaded a payroll workbook"),
    "download.results": N_("Downloaded survey results"),
    "download.comments": N_("Downloaded a wave's comments"),
    "download.quiz_links": N_("Downloaded personal assessment links"),
    "audit.export": N_("Exported the audit log"),
    # Mystery shopping
    "visit.schedule": N_("Scheduled mystery-shopper visits"),
    "visit.cancel": N_("Cancelled a visit"),
    "visit.save": N_("Saved a visit"),
    "visit.submit": N_("Submitted a visit"),
    "visit.evidence": N_("Added evidence to a visit"),
    "visit.evidence_remove": N_("Removed evidence from a visit"),
    "visit.approve": N_("Approved a visit"),
    "visit.reject": N_("Returned a visit for correction"),
    "checklist.create": N_("Created a mystery-shopper checklist"),
    "checklist.version": N_("Saved a new version of a checklist"),
    "visits.import": N_("Imported agency visits"),
    "visits.undo": N_("Undid an import of agency visits"),
    # Training
    "quiz.assign": N_("Assigned a training assessment"),
    "quiz.start": N_("Started a training assessment"),
    "quiz.submit": N_("Submitted a training assessment"),
    "quiz.save": N_("Saved a question bank (a new assessment version)"),
    "quiz.rules": N_("Changed an assessment's rules (a new version)"),
    "quiz.grant": N_("Granted extra assessment attempts"),
    "quiz.reset": N_("Reset a person's assessment attempts"),
    "quiz.revoke": N_("Withdrew a personal assessment link"),
    "quiz.reissue": N_("Re-issued a personal assessment link"),
    "quiz.new_cycle": N_("Assigned a training assessment again (new cycle)"),
    "quiz.auto_assign": N_("Assigned a training assessment to new hires automatically"),
    "quiz.auto_assign_rules": N_("Changed the automatic assessment assignments"),
    # Outcomes and roster
    "roster.import": N_("Imported the roster"),
    "csat.import": N_("Imported customer satisfaction answers"),
    "csat.undo": N_("Undid an import of customer satisfaction answers"),
    "sales.import": N_("Imported sales"),
    "sales.undo": N_("Undid an import of sales"),
    # Incentives
    "scheme.create": N_("Saved an incentive scheme version"),
    "incentives.run": N_("Computed a pay run"),
    "incentives.approve": N_("Approved a pay run"),
    "incentives.discard": N_("Discarded a pay run"),
    # Organisation, users, demo
    "unit.create": N_("Added an org unit"),
    "user.create": N_("Added an app user"),
    "user.update": N_("Changed an app user"),
    "user.bootstrap_admin": N_("Made the first administrator"),
    "demo.load": N_("Loaded the demo data"),
    # Schedules and dates
    "schedule.create": N_("Created a survey schedule"),
    "schedule.edit": N_("Changed a survey schedule"),
    "schedule.pause": N_("Paused a survey schedule"),
    "schedule.resume": N_("Resumed a survey schedule"),
    "wave.close_date": N_("Changed a wave's close date"),
    "wave.remind": N_("Sent survey reminders"),
    "comments.tag": N_("Tagged comments with themes"),
    # Personal data
    "retention.policy": N_("Changed the personal-data retention policy"),
    "retention.run": N_("Removed personal data the retention policy says is due"),
    "retention.erase": N_("Erased one person's data on request"),
}

#: The areas of actions (the part before the first dot), for actions without a label.
AREAS: dict[str, str] = {
    "wave": N_("Survey wave"),
    "instrument": N_("Questionnaire"),
    "confidential": N_("Confidential wave"),
    "plan": N_("Action plan"),
    "download": N_("Download"),
    "audit": N_("Audit log"),
    "visit": N_("Mystery-shopper visit"),
    "visits": N_("Agency visits"),
    "quiz": N_("Training assessment"),
    "roster": N_("Roster"),
    "csat": N_("Customer satisfaction"),
    "sales": N_("Sales"),
    "scheme": N_("Incentive scheme"),
    "incentives": N_("Pay run"),
    "unit": N_("Org unit"),
    "user": N_("App user"),
    "demo": N_("Demo data"),
    "schedule": N_("Survey schedule"),
    "reminder": N_("Reminders"),
    "retention": N_("Data retention"),
    "comment": N_("Comments"),
    "settings": N_("Settings"),
}

#: What an entry acted on (``object_type``).
OBJECTS: dict[str, str] = {
    "survey_wave": N_("Survey wave"),
    "instrument_version": N_("Questionnaire version"),
    "action_plan": N_("Action plan"),
    "action_item": N_("Action"),
    "shop_visit": N_("Visit"),
    "checklist_version": N_("Checklist version"),
    "quiz_version": N_("Training assessment"),
    "quiz_attempt": N_("Assessment attempt"),
    "import_batch": N_("Import batch"),
    "incentive_scheme": N_("Incentive scheme"),
    "incentive_run": N_("Pay run"),
    "org_unit": N_("Org unit"),
    "app_user": N_("App user"),
    "database": N_("Database"),
    "audit_log": N_("Audit log"),
    "app_setting": N_("Setting"),
    "survey_schedule": N_("Survey schedule"),
    "staff": N_("Staff member"),
}

#: The keys of an entry's details.
DETAILS: dict[str, str] = {
    "code": N_("Code"),
    "units": N_("Units"),
    "unit": N_("Unit"),
    "mode": N_("Mode"),
    "k": N_("Anonymity threshold"),
    "invited": N_("People invited"),
    "added": N_("People added"),
    "links": N_("Links"),
    "rows": N_("Rows"),
    "format": N_("Format"),
    "wave": N_("Wave"),
    "run": N_("Pay run"),
    "role": N_("Role"),
    "active": N_("Active"),
    "template": N_("Checklist"),
    "shopper": N_("Mystery shopper"),
    "stores": N_("Stores"),
    "item": N_("Checklist item"),
    "scheme": N_("Incentive scheme"),
    "key": N_("Key"),
    "version": N_("Version"),
    "base": N_("Based on version"),
    "own_items": N_("Own questions"),
    "questions": N_("Questions"),
    "period": N_("Period"),
    "lines": N_("Pay lines"),
    "corrects": N_("Corrects run"),
    "total": N_("Total (CNY)"),
    "calibration_warnings": N_("Calibration warnings acknowledged"),
    "file": N_("File"),
    "inserted": N_("New"),
    "updated": N_("Updated"),
    "moved": N_("Moved"),
    "unchanged": N_("Unchanged"),
    "removed": N_("Removed"),
    "visits": N_("Visits"),
    "plan": N_("Action plan"),
    "themes": N_("Themes"),
    "status": N_("Status"),
    "outcome": N_("Customer result"),
    "month": N_("Month"),
    "batches": N_("Import batches"),
    "assigned": N_("Assigned"),
    "already": N_("Already assigned"),
    "seed": N_("Seed"),
    "size": N_("Size"),
    "level": N_("Level"),
    "filters": N_("Filters"),
    "by": N_("By"),
    "filter": N_("Filter"),
    "pending_only": N_("Only not yet answered"),
    "who": N_("Who"),
    "actions": N_("Actions"),
    "since": N_("From"),
    "until": N_("To"),
    "object": N_("Object"),
    "left_months": N_("Leavers kept (months)"),
    "data_months": N_("Evidence and customer data kept (months)"),
    "was_left_months": N_("Leavers kept before (months)"),
    "was_data_months": N_("Evidence and customer data kept before (months)"),
    "people": N_("People"),
    "evidence_files": N_("Evidence files"),
    "evidence_bytes": N_("Evidence size (bytes)"),
    "sales": N_("Sales"),
    "csat": N_("Satisfaction answers"),
    "late_links": N_("Confidential links removed"),
    "employee_no": N_("Employee number"),
    "reason": N_("Reason"),
    "cadence": N_("How often"),
    "every": N_("Every"),
    "open_days": N_("Days open"),
    "channel": N_("Channel"),
    "comments": N_("Comments"),
    "tags": N_("Tags"),
    "attempted": N_("Messages tried"),
    "sent": N_("Sent"),
    "failed": N_("Not delivered"),
    "no_contact": N_("People without a contact"),
    "before": N_("Before"),
    "after": N_("After"),
    "attempts": N_("Attempts"),
    "cycle": N_("Cycle"),
    "renewed": N_("Given again"),
    "rules": N_("Rules"),
    "keys": N_("Assessments"),
    "csat_months": N_("CSAT window (months ending with the period)"),
}

#: Stored values that have plain words (modes, formats); others are shown as they are.
_VALUES: dict[str, str] = {
    "anonymous": N_("Anonymous"),
    "confidential": N_("Confidential"),
    "xlsx": N_("Excel"),
    "csv": N_("CSV"),
    "html": N_("Web page to print"),
    "monthly": N_("Monthly"),
    "weekly": N_("Weekly"),
    "email": N_("E-mail"),
    "wecom": N_("WeCom message"),
    "robot": N_("WeCom group robot"),
    "small": N_("Small (a few stores)"),  # the demo's size (ee-app demo load --size)
    "chain": N_("Chain (many stores)"),
}


def _words(key: str) -> str:
    return key.replace("_", " ").replace(".", " ").strip().capitalize()


def action_label(action: str, gettext: Gettext) -> str:
    """The action in plain words; an action without a label as its area and verb
    ("Survey schedule: run"), never the raw key."""
    if action in ACTIONS:
        return gettext(ACTIONS[action])
    area, _dot, verb = action.partition(".")
    name = gettext(AREAS[area]) if area in AREAS else _words(area)
    return f"{name}: {_words(verb).lower()}" if verb else name


def object_text(object_type: str, object_id: str | None, gettext: Gettext) -> str:
    """ "Survey wave 12"; an unknown type in words."""
    name = gettext(OBJECTS[object_type]) if object_type in OBJECTS else _words(object_type)
    return f"{name} {object_id}" if object_id else name


def _value(value: Any, gettext: Gettext, key: str = "") -> str:
    if key == "actions" and isinstance(value, list | tuple):
        return ", ".join(action_label(str(v), gettext) for v in value) or "–"
    if isinstance(value, bool):
        return gettext(N_("Yes")) if value else gettext(N_("No"))
    if value is None:
        return "–"
    if isinstance(value, list | tuple):
        return ", ".join(_value(v, gettext) for v in value) or "–"
    if isinstance(value, Mapping):
        return "; ".join(f"{_key(k, gettext)} {_value(v, gettext, k)}" for k, v in value.items())
    if isinstance(value, str) and value in _VALUES:
        return gettext(_VALUES[value])
    return str(value)


def _key(key: str, gettext: Gettext) -> str:
    return gettext(DETAILS[key]) if key in DETAILS else _words(key)


def detail_text(detail: Mapping[str, Any] | None, gettext: Gettext) -> str:
    """ "People invited: 42 · Units: S1, S2": readable keys and values, no braces."""
    if not detail:
        return ""
    return " · ".join(f"{_key(k, gettext)}: {_value(v, gettext, k)}" for k, v in detail.items())
