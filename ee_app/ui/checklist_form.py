"""A mystery-shopper checklist on screen: the form a shopper fills in on a phone, and the
read-only view HR reviews and managers read.

The form is made of plain widgets (not ``st.form``), so that answering "no" shows the comment
box at once and a photo is kept as soon as it is chosen. Each item sits in a container keyed
``item_<id>`` so that it can be found on the page (tests, screen readers) and starts with an
anchor (:func:`~ee_app.ui.checklist_missing.item_anchor`) that the list of what is missing links
to; widget keys are ``ee_visit_<visit>_<item>_<field>``.

Slips are forgiven: a yes/no or 1–5 answer, once chosen, cannot be cleared by tapping it again
(``required=True``; a fresh item still starts unanswered), and the upload box states the limit
the app enforces (:data:`~ee_app.services.visit_evidence.MAX_EVIDENCE_BYTES`) and the types it
takes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from ee_app.instruments.checklist import NA, Checklist, ChecklistItem, score
from ee_app.services.visit_evidence import MAX_EVIDENCE_BYTES
from ee_app.services.visits import EvidenceRow, VisitRow
from ee_app.ui.checklist_missing import item_anchor
from ee_app.ui.formatting import plain

__all__ = [
    "EVIDENCE_SUFFIXES",
    "EVIDENCE_UPLOAD_MB",
    "answer_text",
    "answered_count",
    "checklist_form",
    "checklist_view",
    "widget_key",
]

Gettext = Callable[[str], str]

#: What the upload box offers: the files :data:`~ee_app.services.visit_evidence.EVIDENCE_TYPES`
#: recognises (JPEG, PNG, PDF), by the names phones give them.
EVIDENCE_SUFFIXES = ("jpg", "jpeg", "png", "pdf")
#: The upload box's own limit in MB, which it shows as "5MB per file" and enforces in the
#: browser: the service's limit, so the box never accepts what the app then refuses. (The
#: browser counts a MB as 1,000,000 bytes except on Windows, at most the service's 2**20.)
EVIDENCE_UPLOAD_MB = MAX_EVIDENCE_BYTES // 2**20


def widget_key(visit_id: int, item_id: str, field: str) -> str:
    return f"ee_visit_{visit_id}_{item_id}_{field}"


def _yes_no(_: Gettext) -> dict[str, str]:
    return {"yes": _("Yes"), "no": _("No"), NA: _("N/A")}


def answer_text(item: ChecklistItem, value: Any, language: str, _: Gettext) -> str:
    """An answer in words: Yes/No/N/A, "4 / 5", the chosen option, or the text itself."""
    if value is None or value == "":
        return ""
    if value == NA:
        return _("N/A")
    if item.type == "yes_no":
        return _yes_no(_).get(str(value), str(value))
    if item.type == "scale":
        return f"{value} / 5"
    if item.type == "choice":
        option = item.option(str(value))
        return option.text.get(language) if option else str(value)
    return str(value)


def _label(item: ChecklistItem, language: str, _: Gettext) -> str:
    text = plain(item.text.get(language))
    if item.critical:
        critical = _("critical item")  # outside the f-string, where babel finds it
        return f"**{text}** · :red[{critical}]"
    return f"**{text}**"


def _seed(visit: VisitRow) -> None:
    """Put the saved answers into the widgets the first time this visit is shown."""
    marker = f"ee_visit_{visit.id}_seeded"
    if st.session_state.get(marker):
        return
    for item_id, answer in visit.answers.items():
        st.session_state[widget_key(visit.id, item_id, "value")] = answer.get("value")
        st.session_state[widget_key(visit.id, item_id, "comment")] = answer.get("comment") or ""
    st.session_state[marker] = True


def _value_widget(visit_id: int, item: ChecklistItem, language: str, _: Gettext) -> Any:
    key = widget_key(visit_id, item.id, "value")
    label = _("Answer")
    if item.type == "yes_no":
        names = _yes_no(_)
        options = ["yes", "no", NA] if item.na else ["yes", "no"]
        return st.segmented_control(
            label,
            options,
            format_func=names.__getitem__,
            key=key,
            label_visibility="collapsed",
            required=True,  # a second tap keeps the answer instead of clearing it
        )
    if item.type == "scale":
        options = [1, 2, 3, 4, 5, NA] if item.na else [1, 2, 3, 4, 5]
        value = st.segmented_control(
            label,
            options,
            format_func=lambda v: _("N/A") if v == NA else str(v),
            key=key,
            label_visibility="collapsed",
            required=True,
        )
        st.caption(_("1 = very poor … 5 = excellent"))
        return value
    if item.type == "choice":
        names = {o.id: o.text.get(language) for o in item.options}
        if item.na:
            names[NA] = _("N/A")
        return st.radio(
            label,
            list(names),
            index=None,
            format_func=names.__getitem__,
            key=key,
            label_visibility="collapsed",
        )
    return st.text_area(label, key=key, max_chars=1000, label_visibility="collapsed")


def _evidence(
    visit: VisitRow,
    item: ChecklistItem,
    files: list[EvidenceRow],
    on_upload: Callable[[str, str, bytes], None],
    on_remove: Callable[[int], None],
    _: Gettext,
) -> None:
    for row in files:
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.caption(f":material/attach_file: {plain(row.file_name)} · {row.size / 1024:.0f} KB")
        if right.button(
            _("Remove"), key=f"ee_visit_{visit.id}_rm_{row.id}", icon=":material/delete:"
        ):
            on_remove(row.id)
    upload = st.file_uploader(
        _("Photo or receipt (JPG, PNG or PDF, at most {limit} MB)").format(
            limit=EVIDENCE_UPLOAD_MB
        ),
        type=list(EVIDENCE_SUFFIXES),
        max_upload_size=EVIDENCE_UPLOAD_MB,
        key=widget_key(visit.id, item.id, "upload"),
    )
    if upload is not None:
        on_upload(item.id, upload.name, upload.getvalue())


def checklist_form(
    visit: VisitRow,
    language: str,
    _: Gettext,
    *,
    on_upload: Callable[[str, str, bytes], None],
    on_remove: Callable[[int], None],
) -> dict[str, dict[str, Any]]:
    """Draw the editable checklist of ``visit``; the answers as the widgets hold them."""
    _seed(visit)
    checklist = visit.checklist
    answers: dict[str, dict[str, Any]] = {}
    for number, section in enumerate(checklist.sections, start=1):
        st.subheader(f"{number}. {section.name.get(language)}")
        for item in section.items:
            with st.container(border=True, key=f"item_{item.id}"):
                # scroll-margin: a link lands below Streamlit's fixed header, not under it
                anchor = f'<span id="{item_anchor(item.id)}" style="scroll-margin-top:5rem"></span>'
                st.markdown(anchor + _label(item, language, _), unsafe_allow_html=True)
                if item.guidance:
                    st.caption(plain(item.guidance.get(language)))
                value = _value_widget(visit.id, item, language, _)
                comment_key = widget_key(visit.id, item.id, "comment")
                needs = value == "no" and item.comment_on_no
                if item.type != "text" and (value == "no" or st.session_state.get(comment_key)):
                    st.text_input(
                        _("Comment (required)") if needs else _("Comment"),
                        key=comment_key,
                        max_chars=1000,
                        placeholder=_("What did you see or hear?"),
                    )
                if item.evidence:
                    files = [e for e in visit.evidence if e.item_id == item.id]
                    _evidence(visit, item, files, on_upload, on_remove, _)
                answers[item.id] = {
                    "value": value,
                    "comment": st.session_state.get(comment_key) or "",
                }
    return answers


def answered_count(
    checklist: Checklist, answers: Mapping[str, Mapping[str, Any]]
) -> tuple[int, int]:
    """(answered, to answer) over the scored items."""
    scored = [i for i in checklist.items if i.scored]
    answered = sum(1 for i in scored if (answers.get(i.id) or {}).get("value") not in (None, ""))
    return answered, len(scored)


def checklist_view(
    visit: VisitRow,
    language: str,
    _: Gettext,
    *,
    evidence: Callable[[EvidenceRow], None] | None = None,
) -> None:
    """The answered checklist, read-only: each section's score, each item's answer, points,
    comment and evidence (``evidence`` draws one file), failed critical items marked."""
    result = score(visit.checklist, visit.answers)
    shares = {s.id: s for s in result.sections}
    for number, section in enumerate(visit.checklist.sections, start=1):
        part = shares[section.id]
        share = "—" if part.share is None else f"{float(part.share):.0%}"
        with st.expander(
            f"{number}. {section.name.get(language)} · {share} · "
            + _("weight {weight}").format(weight=float(section.weight)),
            expanded=True,
        ):
            for item in section.items:
                answer = visit.answers.get(item.id) or {}
                value = answer.get("value")
                words = answer_text(item, value, language, _) or "—"
                failed = item.critical and value == "no"
                mark = ":red[**✗**]" if failed else (":orange[●]" if value == "no" else "")
                label = plain(item.text.get(language))
                st.markdown(f"{mark} {label} — **{plain(words)}**")
                if failed:
                    # Marked in red, not as an error box: nothing went wrong on the page.
                    note = _("Critical item failed: the visit scores 0.")
                    st.markdown(f":red[:material/block: **{note}**]")
                if answer.get("comment"):
                    st.caption("“" + plain(str(answer["comment"])) + "”")
                for row in (e for e in visit.evidence if e.item_id == item.id):
                    if evidence is not None:
                        evidence(row)
