"""What the page of a personal survey link says, in one wording for both pages that show it:
the light HTML page that serves links (:mod:`ee_app.light_survey`) and the Streamlit survey
page (``ee_app/pages/survey.py``, served when ``streamlit_app.py`` runs alone). The promise
about anonymity is the product; it must never read differently on the two."""

from __future__ import annotations

from collections.abc import Callable

from ee_app.errors import N_
from ee_app.services.answering import LinkState, SurveyView

__all__ = ["LENGTH", "LINK_STATES", "link_state", "notice"]

#: Why a link shows no form, by its state ({date}: the day it opens or closed).
LINK_STATES = {
    LinkState.UNKNOWN: N_(
        "This link is not valid. Check that you opened the whole link, or ask HR for yours. "
        "If HR has sent you a new link, use the newest one: an earlier one stops working."
    ),
    LinkState.USED: N_("This link has already been used: the survey was answered. Thank you!"),
    LinkState.NOT_YET_OPEN: N_("This survey opens on {date}. Please come back then."),
    LinkState.CLOSED: N_("This survey closed on {date}. Thank you for your interest."),
}
LENGTH = N_("About 3 minutes. You may skip any question.")
_CONFIDENTIAL = N_(
    "This survey is confidential, not anonymous. Your answers are linked to your "
    "employee record only so that HR can study, as statistics over at least 20 "
    "people, how engagement relates to customer results. No one (not your manager, "
    "not HR) can see your individual answers, and they never affect your pay."
)
_ANONYMOUS = N_(
    "Your answers are anonymous. We record only that this link has been used, never "
    "which answers came from it: answers are stored without your name, your link or "
    "the time. Results are shown only for groups of at least {k} people, comments "
    "only for groups of at least {k_c}, and the answers never affect anyone's pay."
)


def link_state(view: SurveyView, _: Callable[[str], str]) -> str:
    """Why ``view``'s link shows no form, in the reader's language."""
    day = view.opens_on if view.state is LinkState.NOT_YET_OPEN else view.closes_on
    return _(LINK_STATES[view.state]).format(date=day.isoformat() if day else "")


def notice(view: SurveyView, _: Callable[[str], str]) -> tuple[bool, str]:
    """(confidential?, what the survey promises) above the questions of ``view``'s wave."""
    if view.mode == "confidential":
        return True, _(_CONFIDENTIAL)
    return False, _(_ANONYMOUS).format(k=view.k, k_c=view.k_comments)
