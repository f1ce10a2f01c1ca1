"""Which pages exist and which roles may open them.

The list is data so that the app shell, the home page and the tests all read the same thing.
Showing a page is not the permission check: services check again.
"""

from __future__ import annotations

from dataclasses import dataclass

from ee_app.errors import N_
from ee_app.models import UserRole

__all__ = ["PAGES", "PUBLIC_PAGES", "PageSpec", "pages_for"]

ALL = frozenset(UserRole)
OFFICE = frozenset({UserRole.ADMIN, UserRole.HR})


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the repository root, where streamlit_app.py lives
    title: str  # English, marked for translation
    icon: str
    url_path: str
    roles: frozenset[UserRole]
    section: str = N_("Overview")
    summary: str = ""  # one line for the home page


PAGES: tuple[PageSpec, ...] = (
    PageSpec("ee_app/pages/home.py", N_("Home"), ":material/home:", "home", ALL),
    PageSpec(
        "ee_app/pages/org.py",
        N_("Org and staff"),
        ":material/account_tree:",
        "org",
        frozenset({UserRole.ADMIN, UserRole.HR, UserRole.MANAGER}),
        N_("Organisation"),
        N_("See the stores and teams you manage and who works in them; HR imports the roster."),
    ),
    PageSpec(
        "ee_app/pages/surveys.py",
        N_("Pulse surveys"),
        ":material/favorite:",
        "surveys",
        frozenset({UserRole.ADMIN, UserRole.HR, UserRole.MANAGER}),
        N_("Engagement"),
        N_("Run pulse survey waves, send personal links and follow participation."),
    ),
    PageSpec(
        "ee_app/pages/results.py",
        N_("Engagement results"),
        ":material/monitoring:",
        "results",
        frozenset({UserRole.ADMIN, UserRole.HR, UserRole.MANAGER}),
        N_("Engagement"),
        N_("See how engaged your teams are, what changed and what staff say; plan actions."),
    ),
    PageSpec(
        "ee_app/pages/linkage.py",
        N_("Engagement and customers"),
        ":material/insights:",
        "linkage",
        frozenset({UserRole.ADMIN, UserRole.HR, UserRole.MANAGER}),
        N_("Engagement"),
        N_("See whether engaged stores have satisfied, returning customers, and why."),
    ),
    PageSpec(
        "ee_app/pages/outcomes.py",
        N_("Customer outcomes"),
        ":material/sentiment_satisfied:",
        "outcomes",
        frozenset({UserRole.ADMIN, UserRole.HR, UserRole.MANAGER}),
        N_("Service quality"),
        N_("See each staff member's customer satisfaction and repurchase; HR imports them."),
    ),
    PageSpec(
        "ee_app/pages/visits.py",
        N_("Mystery shopping"),
        ":material/storefront:",
        "visits",
        frozenset({UserRole.ADMIN, UserRole.HR, UserRole.MANAGER}),
        N_("Service quality"),
        N_("See how stores do on mystery-shopper visits; HR schedules and reviews them."),
    ),
    PageSpec(
        "ee_app/pages/my_visits.py",
        N_("My visits"),
        ":material/assignment:",
        "my-visits",
        frozenset({UserRole.ADMIN, UserRole.SHOPPER}),
        N_("Mystery shopping"),
        N_("Fill in the checklists of the visits assigned to you, on your phone."),
    ),
    PageSpec(
        "ee_app/pages/training.py",
        N_("Training"),
        ":material/school:",
        "training",
        frozenset({UserRole.ADMIN, UserRole.HR, UserRole.MANAGER}),
        N_("Service quality"),
        N_("See who passed which assessment; HR assigns them, sends links, checks questions."),
    ),
    PageSpec(
        "ee_app/pages/incentives.py",
        N_("Incentives"),
        ":material/payments:",
        "incentives",
        OFFICE,
        N_("Service quality"),
        N_("Design performance pay, simulate it, run a month, approve, export for payroll."),
    ),
    PageSpec(
        "ee_app/pages/users.py",
        N_("Users and roles"),
        ":material/admin_panel_settings:",
        "users",
        frozenset({UserRole.ADMIN}),
        N_("Administration"),
        N_("Give people a role and the units they may see."),
    ),
    PageSpec(
        "ee_app/pages/retention.py",
        N_("Personal data"),
        ":material/auto_delete:",
        "personal-data",
        OFFICE,
        N_("Administration"),
        N_("How long leavers, evidence photos and customer data are kept; erase on request."),
    ),
    PageSpec(
        "ee_app/pages/audit.py",
        N_("Audit log"),
        ":material/history:",
        "audit",
        OFFICE,
        N_("Administration"),
        N_("Who changed what, and when."),
    ),
)

#: Pages anyone may open from a personal link (``?t=TOKEN``), without signing in.
PUBLIC_PAGES: tuple[PageSpec, ...] = (
    PageSpec("ee_app/pages/survey.py", N_("Survey"), ":material/edit_note:", "survey", ALL),
    PageSpec("ee_app/pages/assessment.py", N_("Assessment"), ":material/quiz:", "assessment", ALL),
)


def pages_for(role: UserRole | None) -> list[PageSpec]:
    if role is None:
        return []
    return [p for p in PAGES if role in p.roles]
