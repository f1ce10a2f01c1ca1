"""A read-only preview of a checklist as the shopper's phone shows it: the same order,
wording, guidance and answer controls, in a phone-wide column, nothing to fill in.

It draws a checklist that may not be saved yet, so it cannot use the shopper's form (which
belongs to a visit); its widgets are disabled and keyed ``ee_ck_preview_<item>``.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ee_app.instruments.checklist import Checklist, ChecklistItem
from ee_app.ui.formatting import plain

__all__ = ["PHONE_WIDTH", "checklist_preview"]

Gettext = Callable[[str], str]
#: About a phone's width in CSS pixels (a 390 px wide phone, less the page's margins).
PHONE_WIDTH = 380


def _control(item: ChecklistItem, language: str, _: Gettext) -> None:
    key = f"ee_ck_preview_{item.id}"
    if item.type == "yes_no":
        names = {"yes": _("Yes"), "no": _("No"), "na": _("N/A")}
        options = ["yes", "no", "na"] if item.na else ["yes", "no"]
        st.segmented_control(
            _("Answer"),
            options,
            format_func=names.__getitem__,
            key=key,
            disabled=True,
            label_visibility="collapsed",
        )
    elif item.type == "scale":
        st.segmented_control(
            _("Answer"), [1, 2, 3, 4, 5], key=key, disabled=True, label_visibility="collapsed"
        )
        st.caption(_("1 = very poor … 5 = excellent"))
    elif item.type == "choice":
        names = {o.id: o.text.get(language) for o in item.options}
        st.radio(
            _("Answer"),
            list(names),
            index=None,
            format_func=names.__getitem__,
            key=key,
            disabled=True,
            label_visibility="collapsed",
        )
    else:
        st.text_area(_("Answer"), key=key, disabled=True, label_visibility="collapsed")


def checklist_preview(checklist: Checklist, language: str, _: Gettext) -> None:
    """Draw ``checklist`` as the shopper will see it, with each item's points for HR."""
    with st.container(border=True, width=PHONE_WIDTH, key="ee_ck_preview"):
        st.markdown(f"**{plain(checklist.name.get(language))}**")
        for number, section in enumerate(checklist.sections, start=1):
            st.markdown(f"#### {number}. {plain(section.name.get(language))}")
            for item in section.items:
                with st.container(border=True):
                    text = f"**{plain(item.text.get(language))}**"
                    if item.critical:
                        critical = _("critical item (一票否决项)")
                        text += f" · :red[{critical}]"
                    st.markdown(text)
                    if item.guidance:
                        st.caption(plain(item.guidance.get(language)))
                    _control(item, language, _)
                    marks = []
                    if item.scored:
                        marks.append(_("points: {points}").format(points=item.points))
                    if item.comment_on_no:
                        marks.append(_("a “no” needs a comment"))
                    if item.evidence:
                        marks.append(_("photo or receipt"))
                    if marks:
                        st.caption(" · ".join(marks))
