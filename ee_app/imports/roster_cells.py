"""How the roster's own cells read (:mod:`ee_app.imports.roster`): a role in the words of
rosters and of the interface, and the contacts that reminders go to (e-mail, mobile, WeCom
user id), each written as HR's systems write them."""

from __future__ import annotations

import re
import unicodedata

from ee_app.errors import N_
from ee_app.imports.cells import CellError, parse_text
from ee_app.imports.columns import normalise_header
from ee_app.messaging.settings import EMAIL_SHAPE
from ee_app.models import StaffRole

__all__ = [
    "CONTACT_FIELDS",
    "CONTACT_PARSERS",
    "ROLE_NAMES",
    "UNIQUE_CONTACTS",
    "parse_email",
    "parse_mobile",
    "parse_role",
    "parse_wecom_userid",
]

#: The contact columns: a file without one leaves that contact as stored; with it, an empty
#: cell leaves (or makes) the contact empty.
CONTACT_FIELDS = ("email", "mobile", "wecom_userid")

#: The English and Chinese words for each role, as they appear in rosters and in the interface.
ROLE_NAMES: dict[StaffRole, tuple[str, str]] = {
    StaffRole.BEAUTICIAN: ("Beautician", "美容师"),
    StaffRole.CONSULTANT: ("Consultant", "咨询师"),
    StaffRole.DOCTOR: ("Doctor", "医生"),
    StaffRole.NURSE: ("Nurse", "护士"),
    StaffRole.FRONT_DESK: ("Front desk", "前台"),
    StaffRole.STORE_MANAGER: ("Store manager", "店长"),
}

_ROLE_ALIASES: dict[str, StaffRole] = {
    normalise_header(alias): role
    for role, names in {
        StaffRole.BEAUTICIAN: ("美容顾问", "美容技师", "技师", "therapist"),
        StaffRole.CONSULTANT: ("顾问", "医美咨询师", "咨询顾问", "advisor"),
        StaffRole.DOCTOR: ("医师", "主诊医生", "physician"),
        StaffRole.NURSE: ("护理", "护士长"),
        StaffRole.FRONT_DESK: ("前台接待", "接待", "receptionist", "reception"),
        StaffRole.STORE_MANAGER: ("店经理", "门店经理", "manager"),
    }.items()
    for alias in (*names, role.value, *ROLE_NAMES[role])
}


def parse_role(value: object) -> StaffRole:
    text = parse_text(value, max_length=40)
    role = _ROLE_ALIASES.get(normalise_header(text or ""))
    if role is None:
        choices = ", ".join(f"{en} / {zh}" for en, zh in ROLE_NAMES.values())
        raise CellError(
            N_("“{value}” is not a role; use one of: {choices}"), value=value, choices=choices
        )
    return role


_MOBILE_SEPARATORS = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"^\+?\d{6,20}$")
_WECOM_USERID = re.compile(r"^[A-Za-z0-9_.@\-]{1,64}$")


def parse_email(value: object) -> str | None:
    """An e-mail address (full-width characters made half-width); empty: ``None``."""
    text = parse_text(value, max_length=254, required=False)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text).strip()
    if not EMAIL_SHAPE.match(text):
        raise CellError(N_("“{value}” is not an e-mail address"), value=value)
    return text


def parse_mobile(value: object) -> str | None:
    """A mobile number: digits, an optional leading +, spaces and dashes dropped."""
    text = parse_text(value, max_length=32, required=False)
    if text is None:
        return None
    number = _MOBILE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if not _MOBILE.match(number):
        raise CellError(N_("“{value}” is not a mobile number"), value=value)
    return number


def parse_wecom_userid(value: object) -> str | None:
    """A WeCom UserID (账号): 1–64 letters, digits, ``_ - . @``, as the WeCom admin shows it."""
    text = parse_text(value, max_length=64, required=False)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text).strip()
    if not _WECOM_USERID.match(text):
        raise CellError(
            N_(
                "“{value}” is not a WeCom user id: letters, digits, _ - . and @, as in the "
                "WeCom admin's member list"
            ),
            value=value,
        )
    return text


CONTACT_PARSERS = {
    "email": parse_email,
    "mobile": parse_mobile,
    "wecom_userid": parse_wecom_userid,
}
#: Contacts that must belong to one person only: a reminder sent there carries a personal link.
UNIQUE_CONTACTS = ("email", "wecom_userid")
