"""Display names of the enumerations, marked for translation (glossary wording).

Also the plain names of an incentive scheme's parts (issue 17), so that no internal key
reaches a person: measures (``sales_revenue`` → "Own sales (CNY)"), components (the shipped
``csat`` → "Customer satisfaction"; any other by its measure), staff roles given as their
stored values, the rule for missing data, the pay curve in words, the pool mode, and the
notes (flags) of a pay line with their component and role named. Pure: the payroll workbook
uses them as well as the pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from ee_app.errors import N_
from ee_app.instruments.pulse import THEMES as THEME_KEYS
from ee_app.models import (
    ActionStatus,
    StaffRole,
    TenureBand,
    Touchpoint,
    UnitLevel,
    UserRole,
    VisitStatus,
)

__all__ = [
    "action_status_label",
    "component_labels",
    "curve_text",
    "flag_text",
    "level_label",
    "measure_label",
    "missing_rule_label",
    "pool_mode_label",
    "problem_text",
    "role_label",
    "staff_role_label",
    "tenure_band_label",
    "theme_label",
    "touchpoint_label",
    "user_role_label",
    "visit_status_label",
]

USER_ROLES = {
    UserRole.ADMIN: N_("Admin"),
    UserRole.HR: N_("HR"),
    UserRole.MANAGER: N_("Manager"),
    UserRole.SHOPPER: N_("Mystery shopper"),
}
STAFF_ROLES = {
    StaffRole.BEAUTICIAN: N_("Beautician"),
    StaffRole.CONSULTANT: N_("Consultant"),
    StaffRole.DOCTOR: N_("Doctor"),
    StaffRole.NURSE: N_("Nurse"),
    StaffRole.FRONT_DESK: N_("Front desk"),
    StaffRole.STORE_MANAGER: N_("Store manager"),
}
LEVELS = {
    UnitLevel.BRAND: N_("Brand"),
    UnitLevel.REGION: N_("Region"),
    UnitLevel.STORE: N_("Store"),
    UnitLevel.TEAM: N_("Team"),
}

TENURE_BANDS = {
    TenureBand.UNDER_1: N_("under 1 year"),
    TenureBand.ONE_TO_3: N_("1–3 years"),
    TenureBand.THREE_TO_5: N_("3–5 years"),
    TenureBand.OVER_5: N_("5 years or more"),
}
#: Short names of the twelve engagement themes (维度), in the questionnaire's order.
THEMES = {
    "expectations": N_("Clear expectations"),
    "resources": N_("Tools and materials"),
    "strengths": N_("Using strengths"),
    "recognition": N_("Recognition"),
    "care": N_("Someone cares"),
    "development": N_("Development"),
    "voice": N_("Opinions count"),
    "purpose": N_("Meaningful work"),
    "quality": N_("Quality-minded colleagues"),
    "friendship": N_("Close colleague"),
    "progress": N_("Progress talks"),
    "growth": N_("Learning and growth"),
}
if tuple(THEMES) != THEME_KEYS:  # a new theme needs a name here
    raise ValueError("ee_app.words.labels.THEMES must name the instrument's themes in order.")
ACTION_STATUSES = {
    ActionStatus.TODO: N_("To do"),
    ActionStatus.DOING: N_("In progress"),
    ActionStatus.DONE: N_("Done"),
}
#: Touchpoints of a satisfaction answer (触点), in the order of a customer's visit.
TOUCHPOINTS = {
    Touchpoint.BOOKING: N_("Booking"),
    Touchpoint.RECEPTION: N_("Reception"),
    Touchpoint.TREATMENT: N_("Treatment"),
    Touchpoint.FEEDBACK: N_("Result feedback"),
    Touchpoint.AFTERCARE: N_("After-care"),
    Touchpoint.OTHER: N_("Other"),
}

#: A mystery-shopper visit's status.
VISIT_STATUSES = {
    VisitStatus.DRAFT: N_("To do"),
    VisitStatus.SUBMITTED: N_("Waiting for review"),
    VisitStatus.APPROVED: N_("Approved"),
    VisitStatus.REJECTED: N_("Sent back"),
    VisitStatus.CANCELLED: N_("Cancelled"),
}


def user_role_label(role: UserRole, gettext: Callable[[str], str]) -> str:
    return gettext(USER_ROLES[role])


def staff_role_label(role: StaffRole, gettext: Callable[[str], str]) -> str:
    return gettext(STAFF_ROLES[role])


def level_label(level: UnitLevel, gettext: Callable[[str], str]) -> str:
    return gettext(LEVELS[level])


def tenure_band_label(band: TenureBand, gettext: Callable[[str], str]) -> str:
    return gettext(TENURE_BANDS[band])


def theme_label(theme: str, gettext: Callable[[str], str]) -> str:
    """The short name of an engagement theme; an unknown key is shown as it is."""
    return gettext(THEMES[theme]) if theme in THEMES else theme


def action_status_label(status: ActionStatus, gettext: Callable[[str], str]) -> str:
    return gettext(ACTION_STATUSES[status])


def touchpoint_label(touchpoint: Touchpoint | str, gettext: Callable[[str], str]) -> str:
    """The name of a touchpoint (预约, 接待, 护理/治疗, 效果反馈, 售后回访, 其他); an unknown value
    is shown as it is."""
    try:
        return gettext(TOUCHPOINTS[Touchpoint(touchpoint)])
    except ValueError:
        return str(touchpoint)


def visit_status_label(status: VisitStatus, gettext: Callable[[str], str]) -> str:
    return gettext(VISIT_STATUSES[status])


# Incentive schemes (激励方案) ---------------------------------------------------------------

#: What a component can pay for (the keys of ``ee_app.instruments.scheme.MEASURES``), in the
#: words of the glossary: "own" is the person's, "store" the whole store's.
MEASURES = {
    "sales_revenue": N_("Own sales (CNY)"),
    "store_sales_revenue": N_("Store sales (CNY)"),
    "csat_top2": N_("Own customer satisfaction (share of 4–5 answers)"),
    "store_csat_top2": N_("Store customer satisfaction (share of 4–5 answers)"),
    "repurchase_rate": N_("Own repurchase rate"),
    "store_repurchase_rate": N_("Store repurchase rate"),
    "repurchase_value": N_("Own repeat purchases (CNY)"),
    "store_repurchase_value": N_("Store repeat purchases (CNY)"),
    "visit_score_store": N_("Store mystery-shopper score"),
    "visit_score_staff": N_("Own mystery-shopper score"),
    "assessment_passed": N_("Onboarding assessment passed"),
}
#: The components of the shipped scheme (``store-staff``), by their ids. Any other component
#: is named by its measure: an id is a code (a-z, 0-9, - and _), never shown.
COMPONENTS = {
    "sales": N_("Sales performance"),
    "csat": N_("Customer satisfaction"),
    "repurchase": N_("Repurchase"),
    "mystery-shopper": N_("Mystery-shopper score"),
    "onboarding": N_("Onboarding assessment"),
}
#: What a component pays a person who has no value for its measure (``missing``).
MISSING_RULES = {
    "zero": N_("No value: this part pays 0"),
    "reweight": N_("No value: its weight goes to the person's other parts"),
    "store": N_("No value: the store's value is used"),
}
POOL_MODES = {
    "cap": N_("at most the pool (scaled down only when above it)"),
    "exact": N_("exactly the pool"),
}
_ROLES_BY_VALUE = {role.value: label for role, label in STAFF_ROLES.items()}


def _words(key: str) -> str:
    """A key nobody named yet, in words rather than as a code (``a_b`` → "a b")."""
    return re.sub(r"[_-]+", " ", key).strip()


def measure_label(measure: str, gettext: Callable[[str], str]) -> str:
    """The plain name of a scheme measure.

    >>> measure_label("store_sales_revenue", lambda s: s)
    'Store sales (CNY)'
    """
    return gettext(MEASURES[measure]) if measure in MEASURES else _words(measure)


def role_label(role: StaffRole | str, gettext: Callable[[str], str]) -> str:
    """A staff role given as the enum or as its stored value (``front_desk``).

    >>> role_label("front_desk", lambda s: s)
    'Front desk'
    """
    value = role.value if isinstance(role, StaffRole) else str(role)
    return gettext(_ROLES_BY_VALUE[value]) if value in _ROLES_BY_VALUE else _words(value)


def component_labels(components: Iterable[Any], gettext: Callable[[str], str]) -> dict[str, str]:
    """Component id → its plain name, for the components of one scheme.

    A component is given as an object with ``id`` and ``measure`` (a
    :class:`ee_app.instruments.scheme.Component`) or as a mapping with those keys. The
    shipped ids have their own names (:data:`COMPONENTS`), any other is named by its measure;
    two components of the same name are told apart by a number.

    >>> names = component_labels(
    ...     [{"id": "csat", "measure": "csat_top2"}, {"id": "x", "measure": "repurchase_rate"},
    ...      {"id": "y", "measure": "repurchase_rate"}], lambda s: s)
    >>> list(names.values())
    ['Customer satisfaction', 'Own repurchase rate', 'Own repurchase rate (2)']
    """
    names: dict[str, str] = {}
    for component in components:
        if isinstance(component, Mapping):
            cid, measure = str(component.get("id") or ""), str(component.get("measure") or "")
        else:
            cid, measure = component.id, component.measure
        name = gettext(COMPONENTS[cid]) if cid in COMPONENTS else measure_label(measure, gettext)
        taken, number = set(names.values()), 2
        unique = name
        while unique in taken:
            unique, number = f"{name} ({number})", number + 1
        names[cid] = unique
    return names


def missing_rule_label(rule: str, gettext: Callable[[str], str]) -> str:
    """What a component pays a person without a value, in words.

    >>> missing_rule_label("reweight", lambda s: s)
    "No value: its weight goes to the person's other parts"
    """
    return gettext(MISSING_RULES.get(rule, MISSING_RULES["zero"]))


def pool_mode_label(mode: str, gettext: Callable[[str], str]) -> str:
    return gettext(POOL_MODES.get(mode, POOL_MODES["cap"]))


def _percent(value: Any) -> str:
    number = float(Fraction(value)) if not isinstance(value, float) else value
    return f"{number:.0%}" if abs(number * 100 - round(number * 100)) < 1e-9 else f"{number:.1%}"


def curve_text(curve: Sequence[Sequence[Any]], gettext: Callable[[str], str]) -> str:
    """A pay curve of (attainment, payout) points, in words: nothing below the threshold,
    each point, and the cap.

    >>> curve_text([[0.8, 0.5], [1.0, 1.0], [1.2, 1.5]], lambda s: s)
    'below 80% of target: nothing; at 80%: 50%; at 100%: 100%; at 120% or more: 150% (cap)'
    >>> curve_text([[1, 1]], lambda s: s)
    'below 100% of target: nothing; at 100% or more: 100% (cap)'
    """
    if not curve:
        return ""
    points = [(_percent(a), _percent(p)) for a, p in curve]
    parts = [gettext(N_("below {attainment} of target: nothing")).format(attainment=points[0][0])]
    parts += [
        gettext(N_("at {attainment}: {payout}")).format(attainment=a, payout=p)
        for a, p in points[:-1]
    ]
    parts.append(
        gettext(N_("at {attainment} or more: {payout} (cap)")).format(
            attainment=points[-1][0], payout=points[-1][1]
        )
    )
    return gettext(N_("; ")).join(parts)


def flag_text(
    flag: Any,
    gettext: Callable[[str], str],
    components: Mapping[str, str] | None = None,
) -> str:
    """One note of a pay line (an ``ee_app.analysis.pay.Flag`` or its stored ``[message,
    params]``) in the reader's language, with the component and the role named in words
    (``components``: id → name, from :func:`component_labels`).

    >>> flag_text(["{component}: no value, so it pays 0.", {"component": "repurchase"}],
    ...           lambda s: s)
    'Repurchase: no value, so it pays 0.'
    >>> flag_text(("No target bonus for the role {role}: no performance pay.",
    ...            {"role": "front_desk"}), lambda s: s)
    'No target bonus for the role Front desk: no performance pay.'
    """
    if isinstance(flag, list | tuple) and len(flag) == 2:
        message, params = str(flag[0]), dict(flag[1] or {})
    else:
        message, params = str(flag), {}
    names = dict(components or {})
    if "component" in params:
        cid = str(params["component"])
        params["component"] = names.get(cid) or (
            gettext(COMPONENTS[cid]) if cid in COMPONENTS else _words(cid)
        )
    if "role" in params:
        params["role"] = role_label(str(params["role"]), gettext)
    if "measure" in params:
        params["measure"] = measure_label(str(params["measure"]), gettext)
    try:
        return gettext(message).format(**params)
    except (KeyError, IndexError, ValueError):
        return gettext(message)


def _keys_in_words(value: Any, name: Callable[[str], str]) -> str:
    """A comma-separated list of keys (``"csat_top2, repurchase_rate"``) as names."""
    return ", ".join(name(part.strip()) for part in str(value).split(",") if part.strip())


def problem_text(
    problem: Any,
    gettext: Callable[[str], str],
    components: Mapping[str, str] | None = None,
) -> str:
    """A scheme problem (an ``ee_app.errors.Problem`` from the validator) with its role,
    measures and component in words: "For Store manager, service quality …" rather than
    "For store_manager, …", "Customer satisfaction: …" rather than "component csat: …".

    >>> from ee_app.errors import Problem
    >>> problem_text(Problem("{where}: the measure must be one of {measures}.",
    ...     {"where": "component csat", "measures": "csat_top2, store_csat_top2"}), lambda s: s)
    'Customer satisfaction: the measure must be one of Own customer satisfaction (share of \
4–5 answers), Store customer satisfaction (share of 4–5 answers).'
    """
    names = dict(components or {})
    params = dict(problem.params)
    where = params.get("where")
    if isinstance(where, str) and where.startswith("component "):
        cid = where.removeprefix("component ").strip()
        params["where"] = names.get(cid) or (
            gettext(COMPONENTS[cid]) if cid in COMPONENTS else gettext(N_("A component"))
        )
    if "role" in params:
        params["role"] = role_label(str(params["role"]), gettext)
    if "roles" in params:
        params["roles"] = _keys_in_words(params["roles"], lambda r: role_label(r, gettext))
    if "measure" in params:
        params["measure"] = measure_label(str(params["measure"]), gettext)
    if "measures" in params:
        params["measures"] = _keys_in_words(params["measures"], lambda m: measure_label(m, gettext))
    if "component" in params:
        cid = str(params["component"])
        params["component"] = names.get(cid) or (
            gettext(COMPONENTS[cid]) if cid in COMPONENTS else _words(cid)
        )
    try:
        text = gettext(problem.message).format(**params)
    except (KeyError, IndexError, ValueError):
        text = gettext(problem.message)
    row = getattr(problem, "row", None)
    return text if row is None else f"{gettext(N_('row {row}')).format(row=row)}: {text}"
