"""The light survey page (issue 20) through Starlette's TestClient over a real SQLite demo
database: every link state, one response per link, the refusals, both languages, escaping
and the headers that keep the token to itself."""

from __future__ import annotations

import re
import warnings
from datetime import timedelta
from html import escape
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning

from ee_app import clock
from ee_app.auth import Actor
from ee_app.config import Settings
from ee_app.db import make_engine, read_session, write_session
from ee_app.i18n import translator
from ee_app.keys import secret_key
from ee_app.light_survey import HEADERS, routes
from ee_app.models import SurveySealed, UserRole, WaveMode
from ee_app.services import waves
from ee_app.services.answering import COMMENT_LIMIT
from tests.conftest import make_demo_database
from tests.helpers import sealed_answers

with warnings.catch_warnings():  # Starlette prefers httpx2; the locked httpx works the same
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

HR = Actor(email="hr@demo.example", role=UserRole.HR)
zh = translator("zh-CN")
en = translator("en")


@pytest.fixture
def app(sqlite_demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = make_demo_database(sqlite_demo_template, tmp_path / "light.db")
    monkeypatch.setenv("EE_DATABASE_URL", url)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("EE_LANG", "en")
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(Starlette(routes=routes()), follow_redirects=False)


def wave(engine, code, *, opens=0, closes=14, mode=WaveMode.ANONYMOUS, name=None, open_=True):
    """A wave on SH01 opening ``opens`` days from today; the first person's token."""
    today = clock.today()
    with write_session(engine) as session:
        waves.create_wave(
            session,
            HR,
            code=code,
            name=name or f"Pulse {code}",
            unit_codes=["SH01"],
            opens_on=today + timedelta(days=opens),
            closes_on=today + timedelta(days=closes),
            language="zh-CN",
            mode=mode,
        )
    if open_:
        with write_session(engine) as session:
            waves.open_wave(session, HR, code, Settings.from_env())
    with read_session(engine) as session:
        link = waves.invitation_links(session, HR, code, Settings.from_env())[0].link
    assert urlparse(link).path == "/survey"
    return parse_qs(urlparse(link).query)["t"][0]


def sealed_count(engine) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(SurveySealed))


def test_a_ready_link_shows_the_survey_in_the_waves_language(app, client):
    token = wave(app, "L1")
    page = client.get("/survey", params={"t": token})
    assert page.status_code == 200
    body = page.text
    assert '<html lang="zh-CN">' in body
    assert escape(zh("Submit my answers")) in body
    assert escape(zh("About 3 minutes. You may skip any question.")) in body
    assert escape(zh("Demo mode: the people and numbers are invented.")) in body
    notice = zh(
        "Your answers are anonymous. We record only that this link has been used, never "
        "which answers came from it: answers are stored without your name, your link or "
        "the time. Results are shown only for groups of at least {k} people, comments "
        "only for groups of at least {k_c}, and the answers never affect anyone's pay."
    ).format(k=5, k_c=5)
    assert escape(notice) in body
    assert len(re.findall(r'<fieldset class="scale item"', body)) == 12
    assert len(re.findall(r'name="enps" value="\d+"', body)) == 11
    assert f'maxlength="{COMMENT_LIMIT}"' in body
    assert "<script" not in body
    assert len(body.encode()) < 20_000
    english = client.get("/survey", params={"t": token, "lang": "en"}).text
    assert '<html lang="en">' in english and "Submit my answers" in english
    assert "4 · Agree" in english and "Your answers are anonymous" in english
    assert f'href="/survey?t={token}&amp;lang=zh-CN"' in english  # the switch keeps the link


def test_the_headers_keep_the_token_private(app, client):
    token = wave(app, "L2")
    for response in (
        client.get("/survey", params={"t": token}),
        client.get("/survey", params={"t": "nope"}),
        client.get("/survey/done"),
    ):
        for name, value in HEADERS.items():
            assert response.headers[name] == value
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert "form-action 'self'" in response.headers["Content-Security-Policy"]


def test_link_states_unknown_not_yet_open_closed(app, client):
    unknown = client.get("/survey", params={"t": "not-a-link"}).text
    assert '<html lang="en">' in unknown  # the app's language for a link it does not know
    assert "This link is not valid." in unknown and "<form" not in unknown
    assert "Pulse survey" in unknown
    later = wave(app, "L3", opens=3, closes=10)
    page = client.get("/survey", params={"t": later, "lang": "en"}).text
    day = (clock.today() + timedelta(days=3)).isoformat()
    assert f"This survey opens on {day}. Please come back then." in page and "<form" not in page
    closed = wave(app, "L5")
    with write_session(app) as session:
        waves.close_wave(session, HR, "L5", Settings.from_env())
    page = client.get("/survey", params={"t": closed, "lang": "zh-CN"}).text
    day = (clock.today() + timedelta(days=14)).isoformat()
    message = zh("This survey closed on {date}. Thank you for your interest.").format(date=day)
    assert escape(message) in page and '<html lang="zh-CN">' in page
    assert "<form" not in page


def test_submit_records_one_response_then_the_link_says_used(app, client):
    token = wave(app, "L6")
    before = sealed_count(app)
    form = {"t": token, "lang": "en", "a01": "4", "a02": "", "a03": "5", "enps": "9"}
    form["comment"] = "排班可以再提前一点公布。\r\n谢谢"
    sent = client.post("/survey", data=form)
    assert sent.status_code == 303
    assert sent.headers["location"] == "/survey/done?lang=en"
    assert token not in sent.headers["location"] and token not in sent.text
    assert sealed_count(app) == before + 1
    thanks = client.get(sent.headers["location"]).text
    assert "Thank you!" in thanks and "This link cannot be used again." in thanks
    assert "排班" not in thanks  # no answer is echoed
    with read_session(app) as session:
        from ee_app.models import SurveyWave

        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == "L6"))
    (answer,) = sealed_answers(app, wave_id, secret_key(Settings.from_env()))
    assert (answer.answers[0], answer.answers[1], answer.answers[2], answer.enps) == (4, None, 5, 9)
    assert answer.comment == "排班可以再提前一点公布。\n谢谢"

    again = client.get("/survey", params={"t": token}).text
    assert (
        escape(zh("This link has already been used: the survey was answered. Thank you!")) in again
    )
    assert "<form" not in again
    twice = client.post("/survey", data=form)
    assert twice.status_code == 409
    assert "This link has already been used to answer the survey." in twice.text
    assert sealed_count(app) == before + 1


def test_all_skipped_warns_keeps_nothing_and_the_form(app, client):
    token = wave(app, "L7")
    before = sealed_count(app)
    page = client.post("/survey", data={"t": token, "lang": "en", "comment": "  "})
    assert page.status_code == 200
    assert "Please answer at least one question before submitting." in page.text
    assert "<form" in page.text
    assert sealed_count(app) == before
    # answers given with a refused comment come back as chosen
    long = "好" * (COMMENT_LIMIT + 1)
    refused = client.post(
        "/survey", data={"t": token, "lang": "zh-CN", "a02": "2", "comment": long}
    )
    assert refused.status_code == 422
    limit = zh("The comment is longer than {limit} characters.").format(limit=COMMENT_LIMIT)
    assert escape(limit) in refused.text
    assert 'name="a02" value="2" checked' in refused.text and long in refused.text
    assert sealed_count(app) == before


def test_values_out_of_range_are_refused_in_the_readers_language(app, client):
    token = wave(app, "L8")
    before = sealed_count(app)
    page = client.post("/survey", data={"t": token, "lang": "zh-CN", "a01": "7"})
    assert page.status_code == 422
    assert escape(zh("Answers must be on the 1–5 scale.")) in page.text
    page = client.post("/survey", data={"t": token, "lang": "en", "enps": "eleven"})
    assert "The recommendation score must be from 0 to 10." in page.text
    page = client.post("/survey", data={"t": "nope", "lang": "en", "a01": "3"})
    assert page.status_code == 404 and "This link is not valid." in page.text
    assert sealed_count(app) == before


def test_a_confidential_wave_says_so(app, client):
    token = wave(app, "L9", mode=WaveMode.CONFIDENTIAL)
    page = client.get("/survey", params={"t": token, "lang": "en"}).text
    assert "This survey is confidential, not anonymous." in page
    assert "Your answers are anonymous" not in page


def test_a_hostile_wave_name_is_escaped(app, client):
    hostile = '<script>alert("x")</script><img src=x onerror=1>'
    token = wave(app, "L10", name=hostile)
    page = client.get("/survey", params={"t": token}).text
    assert hostile not in page and "<script" not in page and "<img" not in page
    assert escape(hostile) in page
    evil = client.get("/survey", params={"t": '"><script>x</script>', "lang": "en"}).text
    assert "<script" not in evil


def test_the_thank_you_page_speaks_both_languages(client):
    assert zh("Thank you!") in client.get("/survey/done", params={"lang": "zh-CN"}).text
    page = client.get("/survey/done", params={"lang": "en"}).text
    assert "Thank you!" in page and 'href="/survey/done?lang=zh-CN"' in page
    assert '<html lang="en">' in client.get("/survey/done", params={"lang": "xx"}).text


def test_an_oversized_or_overfull_post_is_refused_unread(app, client):
    token = wave(app, "L11")
    before = sealed_count(app)
    big = client.post("/survey", data={"t": token, "lang": "en", "comment": "x" * 70_000})
    assert big.status_code == 413 and big.headers["Cache-Control"] == "no-store"
    many = client.post("/survey", data={"t": token, **{f"f{i}": "1" for i in range(40)}})
    assert many.status_code == 400
    assert sealed_count(app) == before
