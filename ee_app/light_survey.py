"""The pulse survey from a personal link as one light HTML page (issue 20).

``GET /survey?t=TOKEN[&lang=en|zh-CN]`` and ``POST /survey`` are plain Starlette routes served
by the app's own process (``serve.py`` mounts them beside Streamlit), so a staff member's
phone downloads a few kB of server-side HTML with inline CSS and no JavaScript instead of
Streamlit's 2.2 MB. The page says and does what ``ee_app/pages/survey.py`` did: the same texts
through the same translator, the same link states, the anonymous or confidential notice, every
question skippable, :func:`~ee_app.services.answering.open_link` to show and
:func:`~ee_app.services.answering.submit` to record, unchanged.

Anonymity: nothing is stored but what ``submit`` stores; the token is never logged (the
server's access log is off) and never leaves in a Referer (``Referrer-Policy: no-referrer``);
after a successful POST the browser is sent (303) to ``/survey/done``, which carries no token
and shows no answer. Every value written into the page is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ee_app.app_engine import engine_for, made_by_demo_load, startup_schedule_run
from ee_app.config import LANGUAGES, Settings
from ee_app.db import read_session
from ee_app.errors import Conflict, EeError, NotFound
from ee_app.i18n import translator
from ee_app.keys import secret_key
from ee_app.models import ANSWER_SLOTS
from ee_app.services.answering import COMMENT_LIMIT, LinkState, SurveyView, open_link, submit
from ee_app.services.link_texts import LENGTH, link_state, notice

__all__ = ["BODY_LIMIT", "HEADERS", "routes"]

PATH = "/survey"
DONE_PATH = "/survey/done"
BODY_LIMIT = 64 * 1024  # a full survey with the longest comment is under 10 kB
MAX_FIELDS = len(ANSWER_SLOTS) + 8  # every slot, the eNPS, the comment, the token, the language
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

CSS = """
*{box-sizing:border-box}
body{margin:0;font:17px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",
"Microsoft YaHei",sans-serif;color:#1f2328;background:#fff}
main{max-width:40rem;margin:0 auto;padding:.75rem 1rem 3rem}
h1{font-size:1.5rem;line-height:1.3;margin:.5rem 0 1rem}
nav{display:flex;gap:.5rem;justify-content:flex-end}
nav a,nav strong{padding:.5rem .9rem;border:1px solid #d0d7de;border-radius:2rem;
text-decoration:none;color:#0b57d0;min-height:44px}
nav strong{background:#0b57d0;color:#fff;border-color:#0b57d0}
.note{padding:.75rem 1rem;border-radius:.5rem;margin:1rem 0}
.info{background:#e8f1fb}.warn{background:#fff4d6}.error{background:#fde7e9}
.ok{background:#e6f4ea}
.small{color:#57606a;font-size:.9rem}
fieldset{border:0;padding:0;margin:1.5rem 0}
legend{font-weight:600;margin-bottom:.5rem;padding:0}
.scale label{display:flex;align-items:center;gap:.75rem;min-height:48px;padding:.4rem .75rem;
border:1px solid #d0d7de;border-radius:.5rem;margin:.35rem 0}
input[type=radio]{width:1.35rem;height:1.35rem;margin:0;flex:none}
label:has(input:checked){border-color:#0b57d0;background:#e8f1fb}
.enps{display:grid;grid-template-columns:repeat(6,1fr);gap:.4rem}
.enps label{display:flex;flex-direction:column;align-items:center;justify-content:center;
min-height:56px;border:1px solid #d0d7de;border-radius:.5rem}
textarea{width:100%;min-height:7rem;font:inherit;padding:.6rem;border:1px solid #8c959f;
border-radius:.5rem}
button{width:100%;min-height:52px;font:inherit;font-weight:600;color:#fff;background:#d33f6a;
border:0;border-radius:.5rem;margin-top:1rem}
"""


@dataclass
class Answers:
    """What the reader has chosen so far (kept only to re-show a refused form)."""

    items: dict[str, str] = field(default_factory=dict)
    enps: str = ""
    comment: str = ""


def _settings() -> Settings:
    return Settings.from_env()


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    made = engine_for(settings.database_url)
    startup_schedule_run(settings.database_url, made, settings)  # as any first page does
    return made


def _language(asked: str | None, view: SurveyView, settings: Settings) -> str:
    if asked in LANGUAGES:
        return str(asked)
    return view.language if view.state is not LinkState.UNKNOWN else settings.lang


def _opened(token: str, asked: str | None):  # type: ignore[no-untyped-def]
    """How a request for a link begins, to show it (GET) or to answer it (POST): the settings,
    the engine, the link's view and the language of the page."""
    settings = _settings()
    engine = _engine(settings)
    with read_session(engine) as session:
        view = open_link(session, token)
    return settings, engine, view, _language(asked, view, settings)


def _page(language: str, title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _switch(language: str, token: str | None) -> str:
    links = []
    for code, name in (("zh-CN", "中文"), ("en", "English")):
        if code == language:
            links.append(f'<strong aria-current="true">{name}</strong>')
            continue
        query = {"t": token, "lang": code} if token is not None else {"lang": code}
        path = PATH if token is not None else DONE_PATH
        links.append(f'<a href="{escape(path + "?" + urlencode(query))}" lang="{code}">{name}</a>')
    return f'<nav aria-label="Language / 语言">{"".join(links)}</nav>'


def _demo_caption(_: Callable[[str], str], settings: Settings, engine) -> str:  # type: ignore[no-untyped-def]
    if made_by_demo_load(settings.database_url, engine):
        return (
            f'<p class="small">{escape(_("Demo mode: the people and numbers are invented."))}</p>'
        )
    return ""


def _note(kind: str, text: str) -> str:
    return f'<div class="note {kind}" role="{"alert" if kind == "error" else "note"}">{text}</div>'


def _checked(yes: bool) -> str:
    return " checked" if yes else ""


def _form(view: SurveyView, token: str, language: str, answers: Answers) -> str:
    _ = translator(language)
    instrument = view.instrument
    assert instrument is not None
    parts = [f"<h1>{escape(view.wave_name)}</h1>"]
    confidential, promise = notice(view, _)
    parts.append(_note("warn" if confidential else "info", escape(promise)))
    parts.append(f'<p class="small">{escape(_(LENGTH))}</p>')
    parts.append(f'<form method="post" action="{PATH}" autocomplete="off">')
    parts.append(f'<input type="hidden" name="t" value="{escape(token)}">')
    parts.append(f'<input type="hidden" name="lang" value="{escape(language)}">')
    scale = [(value, text.get(language)) for value, text in enumerate(instrument.scale, 1)]
    for number, item in enumerate(instrument.items, start=1):
        slot = escape(item.slot)
        chosen = answers.items.get(item.slot, "")
        parts.append(
            f'<fieldset class="scale item" role="radiogroup" aria-labelledby="l-{slot}">'
            f'<legend id="l-{slot}">{number}. {escape(item.text.get(language))}</legend>'
        )
        for value, label in scale:
            parts.append(
                f'<label><input type="radio" name="{slot}" value="{value}"'
                f"{_checked(chosen == str(value))}>{value} · {escape(label)}</label>"
            )
        parts.append("</fieldset>")
    enps_text = escape(instrument.enps.get(language))
    parts.append(
        f'<fieldset role="radiogroup" aria-labelledby="l-enps">'
        f'<legend id="l-enps">{len(instrument.items) + 1}. {enps_text}</legend>'
        f'<p class="small">0 = {escape(instrument.enps_low.get(language))} · '
        f'10 = {escape(instrument.enps_high.get(language))}</p><div class="enps">'
    )
    for value in range(11):
        parts.append(
            f'<label><input type="radio" name="enps" value="{value}" aria-label="{value}"'
            f"{_checked(answers.enps == str(value))}>{value}</label>"
        )
    parts.append("</div></fieldset>")
    hint = escape(instrument.comment_hint.get(language))
    parts.append(
        f'<fieldset><legend><label for="comment">{escape(instrument.comment.get(language))}'
        f'</label></legend><p class="small" id="hint">{hint}</p>'
        f'<textarea id="comment" name="comment" maxlength="{COMMENT_LIMIT}" '
        f'placeholder="{hint}" aria-describedby="hint">{escape(answers.comment)}</textarea>'
        "</fieldset>"
    )
    parts.append(f'<button type="submit">{escape(_("Submit my answers"))}</button></form>')
    return "".join(parts)


def _state_page(view: SurveyView, language: str) -> str:
    _ = translator(language)
    return f"<h1>{escape(view.wave_name or _('Pulse survey'))}</h1>" + _note(
        "info", escape(link_state(view, _))
    )


def _render(
    token: str,
    asked: str | None,
    answers: Answers | None = None,
    problem: str = "",
    status: int = 200,
) -> HTMLResponse:
    settings, engine, view, language = _opened(token, asked)
    _ = translator(language)
    body = _switch(language, token) + _demo_caption(_, settings, engine)
    if problem:
        body += problem
    if view.state is LinkState.READY and view.instrument is not None:
        body += _form(view, token, language, answers or Answers())
        title = view.wave_name
    else:
        body += _state_page(view, language)
        title = view.wave_name or _("Pulse survey")
    return _page(language, title, body, status)


def survey(request: Request) -> Response:
    """``GET /survey?t=TOKEN[&lang=…]``: the survey, or what the link's state is."""
    return _render(str(request.query_params.get("t", "")), request.query_params.get("lang"))


def _read_form(body: bytes) -> Mapping[str, list[str]]:
    return parse_qs(
        body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FIELDS
    )


def _as_int(value: str) -> int | str:
    """A posted number as ``int``; anything else as given, so ``submit`` refuses it."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 2 else value


async def answer(request: Request) -> Response:
    """``POST /survey``: record the answers once, then 303 to the thank-you page."""
    body = bytearray()
    async for chunk in request.stream():  # read no more than the limit, whatever is sent
        body += chunk
        if len(body) > BODY_LIMIT:
            return Response(status_code=413, headers=HEADERS)
    try:
        form = _read_form(bytes(body))
    except ValueError:  # more fields than any survey has
        return Response(status_code=400, headers=HEADERS)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_answer, form)


def _answer(form: Mapping[str, list[str]]) -> Response:
    first = {name: values[0] for name, values in form.items() if values}
    token = first.get("t", "")
    asked = first.get("lang")
    settings, engine, view, language = _opened(token, asked)
    _ = translator(language)
    slots = [i.slot for i in view.instrument.items] if view.instrument is not None else []
    kept = Answers(
        {slot: first[slot] for slot in slots if first.get(slot)},
        first.get("enps", ""),
        first.get("comment", "").replace("\r\n", "\n"),  # maxlength counts a newline as one
    )
    if (
        view.state is LinkState.READY
        and not kept.items
        and not kept.enps
        and not kept.comment.strip()
    ):
        warning = _note("warn", escape(_("Please answer at least one question before submitting.")))
        return _render(token, language, kept, warning)
    try:
        submit(
            engine,
            token,
            {slot: _as_int(value) for slot, value in kept.items.items()},
            _as_int(kept.enps) if kept.enps else None,
            kept.comment,
            key=secret_key(settings),
        )
    except EeError as error:  # an unknown, used or closed link, a value out of range
        status = 404 if isinstance(error, NotFound) else 409 if isinstance(error, Conflict) else 422
        return _render(token, language, kept, _note("error", escape(error.render(_))), status)
    return RedirectResponse(f"{DONE_PATH}?{urlencode({'lang': language})}", 303, HEADERS)


def done(request: Request) -> Response:
    """``GET /survey/done?lang=…``: the thank-you page; it knows no token and no answer."""
    settings = _settings()
    asked = request.query_params.get("lang")
    language = asked if asked in LANGUAGES else settings.lang
    _ = translator(language)
    body = (
        _switch(language, None)
        + f"<h1>{escape(_('Thank you!'))}</h1>"
        + _note("ok", escape(_("Your answers have been recorded. This link cannot be used again.")))
        + f"<p>{escape(_('You can close this page.'))}</p>"
    )
    return _page(language, _("Thank you!"), body)


def routes() -> list[Route]:
    """The light survey's routes, for ``st.App(..., routes=routes())``."""
    return [
        Route(PATH, survey, methods=["GET"]),
        Route(PATH, answer, methods=["POST"]),
        Route(DONE_PATH, done, methods=["GET"]),
    ]
