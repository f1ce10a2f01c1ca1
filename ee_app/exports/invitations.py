"""Personal survey links as HR hands them out: a workbook to send over WeCom/WeChat, and a
printable page of QR slips to cut out and hand over in the store.

Both take the links of :func:`ee_app.services.waves.invitation_links`, either every link of a
wave or, for reminders, only those not yet answered (``pending_only=True``). The files hold
each person's link beside their name, so anyone holding them can answer in someone else's
place: they say so, and they are for HR's eyes only.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import segno
from openpyxl import Workbook

from ee_app import clock
from ee_app.config import LANGUAGES
from ee_app.exports.personal_links import add_links_sheet
from ee_app.exports.xlsx import add_facts_sheet, workbook_bytes
from ee_app.models import WaveMode
from ee_app.services.waves import InvitationLink, WaveRow

__all__ = ["invitation_slips_html", "invitations_xlsx"]

#: Slips per printed A4 page: two columns of four.
SLIPS_PER_PAGE = 8

_TEXT: dict[str, dict[str, str]] = {
    "zh-CN": {
        "sheet": "邀请",
        "about": "说明",
        "yes": "是",
        "no": "否",
        "code": "调研批次代码",
        "name": "调研批次名称",
        "opens": "开始日期",
        "closes": "截止日期",
        "mode": "模式",
        "k": "匿名保护门槛（最少人数）",
        "k_comments": "留言显示门槛（最少人数）",
        "links": "本文件中的专属链接数",
        "answered": "其中已回复",
        "generated": "生成日期",
        "note": "注意",
        "personal": "每个专属链接只属于一位员工，只能提交一次，请勿转发。",
        "private": (
            "请通过企业微信或微信单独发给本人。持有链接的人可以代替本人作答，请妥善保管本文件，"
            "用完即删。"
        ),
        "anonymous": "匿名",
        "confidential": "保密（实名关联，仅用于汇总分析）",
        "promise_anonymous": "本期调研为匿名：答案不与姓名关联，少于{k}人的群体不显示结果。",
        "promise_confidential": (
            "本期调研为保密（实名关联，仅用于汇总分析）：结果只以汇总形式显示，"
            "少于{k}人的群体不显示结果。"
        ),
        "slip_anonymous": "匿名调研 · 这是您的专属链接，只能作答一次，请勿转发。",
        "slip_confidential": (
            "保密调研（实名关联，仅用于汇总分析）· 这是您的专属链接，只能作答一次，请勿转发。"
        ),
        "scan": "请用手机扫码作答，截止日期 {closes}",
        "title": "{name}：专属链接",
        "empty": "没有需要发送的专属链接。",
    },
    "en": {
        "sheet": "Invitations",
        "about": "About",
        "yes": "Yes",
        "no": "No",
        "code": "Wave code",
        "name": "Wave name",
        "opens": "Opens",
        "closes": "Closes",
        "mode": "Mode",
        "k": "Anonymity threshold (k)",
        "k_comments": "Comment threshold",
        "links": "Personal links in this file",
        "answered": "Of which answered",
        "generated": "Generated on",
        "note": "Please note",
        "personal": "Each personal link belongs to one employee, works once, and must not be "
        "forwarded.",
        "private": "Send each link to its owner alone, over WeCom or WeChat. Anyone holding a "
        "link can answer in that person's place: keep this file private and delete it when done.",
        "anonymous": "Anonymous",
        "confidential": "Confidential (linked to names, used only for aggregate analysis)",
        "promise_anonymous": "This wave is anonymous: answers are never linked to names, and "
        "groups of fewer than {k} people show no results.",
        "promise_confidential": "This wave is confidential: answers are linked to names for "
        "aggregate analysis only, and groups of fewer than {k} people show no results.",
        "slip_anonymous": "Anonymous survey · This link is yours alone: it works once, please "
        "do not forward it.",
        "slip_confidential": "Confidential survey (used only for aggregate analysis) · This link "
        "is yours alone: it works once, please do not forward it.",
        "scan": "Scan with your phone to answer, by {closes}",
        "title": "{name}: personal links",
        "empty": "No personal links to hand out.",
    },
}

_HEADERS = {
    "zh-CN": ["员工编号", "姓名", "门店", "团队", "专属链接", "已回复"],
    "en": ["Employee number", "Name", "Store", "Team", "Personal link", "Answered"],
}


def _text(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    return _TEXT[language]


def _mode(wave: WaveRow, text: dict[str, str]) -> str:
    return text["confidential" if wave.mode is WaveMode.CONFIDENTIAL else "anonymous"]


def _promise(wave: WaveRow, text: dict[str, str]) -> str:
    key = "promise_confidential" if wave.mode is WaveMode.CONFIDENTIAL else "promise_anonymous"
    return text[key].format(k=wave.k)


def invitations_xlsx(links: Sequence[InvitationLink], wave: WaveRow, language: str) -> bytes:
    """The personal links of a wave, one row per person, and an "About" sheet.

    Sheet 1 lists employee number, name, store, team, the personal link (clickable, its text
    the URL itself) and whether the person has answered; sheet 2 describes the wave, its
    anonymity thresholds and how to send the links.
    """
    text = _text(language)
    book = Workbook()
    answered = [text["yes"] if link.responded else text["no"] for link in links]
    add_links_sheet(book, text["sheet"], _HEADERS[language], links, answered)
    facts: list[tuple[str, object, str | None]] = [
        (text["code"], wave.code, None),
        (text["name"], wave.name, None),
        (text["opens"], wave.opens_on, None),
        (text["closes"], wave.closes_on, None),
        (text["mode"], _mode(wave, text), None),
        (text["k"], wave.k, None),
        (text["k_comments"], wave.k_comments, None),
        (text["links"], len(links), None),
        (text["answered"], sum(1 for link in links if link.responded), None),
        (text["generated"], clock.today(), None),
    ]
    notes = [text["personal"], text["private"], _promise(wave, text)]
    add_facts_sheet(book, text["about"][:31], facts, notes, heading=text["note"], widths=(28, 80))
    return workbook_bytes(book)


_CSS = """
@page { size: A4; margin: 8mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC",
       "Source Han Sans SC", sans-serif; color: #000; }
.page { width: 194mm; height: 280mm; display: grid; grid-template-columns: 1fr 1fr;
        grid-template-rows: repeat(4, 1fr); page-break-after: always; break-after: page; }
.page:last-child { page-break-after: auto; break-after: auto; }
.slip { border: 1px dashed #777; padding: 4mm; display: flex; gap: 3mm; align-items: center;
        overflow: hidden; page-break-inside: avoid; break-inside: avoid; }
.qr { flex: none; width: 34mm; height: 34mm; }
.qr svg { width: 100%; height: 100%; display: block; }
.words { flex: 1; min-width: 0; font-size: 9pt; line-height: 1.35; }
.wave { font-weight: bold; font-size: 10pt; margin: 0 0 1.5mm; }
.person { font-size: 12pt; font-weight: bold; margin: 0; }
.store { margin: 0 0 1.5mm; }
.scan { margin: 0 0 1.5mm; }
.link { font-family: monospace; font-size: 6.5pt; word-break: break-all; color: #333;
        margin: 0 0 1.5mm; }
.promise { font-size: 8pt; margin: 0; }
.empty { padding: 20mm; font-size: 14pt; }
@media screen {
  body { background: #eee; }
  .page { background: #fff; margin: 8mm auto; padding: 0; box-shadow: 0 0 2mm #aaa; }
}
"""


def _qr_svg(link: str) -> str:
    """The link as an inline SVG QR code that scales with its box (no size, a viewBox)."""
    return segno.make(link, error="m").svg_inline(scale=3, omitsize=True, svgclass="qr-code")


def _slip(link: InvitationLink, wave: WaveRow, text: dict[str, str]) -> str:
    e = html.escape
    store = link.store if link.unit in ("", link.store) else f"{link.store} · {link.unit}"
    slip_key = "slip_confidential" if wave.mode is WaveMode.CONFIDENTIAL else "slip_anonymous"
    return (
        '<div class="slip">'
        f'<div class="qr">{_qr_svg(link.link)}</div>'
        '<div class="words">'
        f'<p class="wave">{e(wave.name)}</p>'
        f'<p class="person">{e(link.name)}</p>'
        f'<p class="store">{e(store)}</p>'
        f'<p class="scan">{e(text["scan"].format(closes=wave.closes_on.isoformat()))}</p>'
        f'<p class="link">{e(link.link)}</p>'
        f'<p class="promise">{e(text[slip_key])}</p>'
        "</div></div>"
    )


def invitation_slips_html(links: Sequence[InvitationLink], wave: WaveRow, language: str) -> bytes:
    """One printable, self-contained HTML page: eight slips per A4 sheet, each with the
    person's name and store, a QR code of their link, the link itself and what the survey
    promises. Open it in a browser and print; cut along the dashed lines."""
    text = _text(language)
    pages = []
    for start in range(0, len(links), SLIPS_PER_PAGE):
        slips = "".join(_slip(link, wave, text) for link in links[start : start + SLIPS_PER_PAGE])
        pages.append(f'<section class="page">{slips}</section>')
    body = "".join(pages) or f'<p class="empty">{html.escape(text["empty"])}</p>'
    title = html.escape(text["title"].format(name=wave.name))
    document = (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
    return document.encode("utf-8")
