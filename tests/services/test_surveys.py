"""Pulse survey waves and anonymous answering, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.errors import ConfigError, Conflict, NotFound, PermissionDenied, ValidationError
from ee_app.keys import secret_key
from ee_app.models import (
    AuditLog,
    InstrumentVersion,
    OrgUnit,
    Staff,
    SurveyComment,
    SurveyInvitation,
    SurveyResponse,
    SurveyResponseLink,
    SurveySealed,
    SurveyWave,
    WaveMode,
    WaveStatus,
)
from ee_app.sealing import SEALED_SIZE
from ee_app.services import answering, wave_participation, waves
from ee_app.services.cleanup import clean_up_after_close
from ee_app.services.instruments import add_custom_items, ensure_default_pulse, pulse_instrument
from ee_app.services.users import actor_for_email
from tests.helpers import sealed_answers, snapshot
from tests.wave_setup import open_new_wave

TODAY = date(2026, 11, 2)


@pytest.fixture
def chain(engine):
    """The demo chain without its own survey waves: these tests count every survey row."""
    from ee_app.auth import system_actor
    from ee_app.services.demo import load_demo
    from tests.conftest import DEMO_SEED

    with write_session(engine) as session:
        return load_demo(
            session,
            system_actor("test"),
            seed=DEMO_SEED,
            today=TODAY,
            parts={"org", "staff", "users"},
        )


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("EE_SECRET_KEY", "ab" * 32)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))
    return Settings.from_env()


def open_wave(
    engine, hr, settings, units=("SH01", "SH02"), mode=WaveMode.ANONYMOUS, k=5, code="2026-11"
):
    return open_new_wave(
        engine,
        hr,
        code,
        units,
        opens_on=TODAY,
        closes_on=date(2026, 11, 20),
        settings=settings,
        today=TODAY,
        name="十一月脉搏",
        mode=mode,
        k=k,
    )


def tokens(engine, hr, settings, code="2026-11", pending=False):
    with read_session(engine) as session:
        links = waves.invitation_links(session, hr, code, settings, pending_only=pending)
    return [parse_qs(urlparse(link.link).query)["t"][0] for link in links]


def key():
    """The server key of the test (the ``settings`` fixture sets EE_SECRET_KEY)."""
    return secret_key(Settings.from_env())


def answer(engine, token, value=4, comment=None, enps=9):
    answering.submit(
        engine, token, {"a01": value, "a02": None, "a03": 5}, enps, comment, key=key(), today=TODAY
    )


def count(session, table):
    return session.scalar(select(func.count()).select_from(table))


def close(engine, hr, settings, code="2026-11"):
    with write_session(engine) as session:
        return waves.close_wave(session, hr, code, settings)


def test_opening_issues_one_link_per_person_stored_as_hash(engine, chain, hr, settings):
    wave = open_wave(engine, hr, settings)
    people = [
        s
        for s in chain.chain.staff
        if s.periods[-1][0].split("-")[0] in ("SH01", "SH02") and s.leave_date is None
    ]
    assert wave.invited == len(people)
    links = tokens(engine, hr, settings)
    assert len(set(links)) == len(people)
    with read_session(engine) as session:
        hashes = set(session.scalars(select(SurveyInvitation.token_hash)))
    assert not hashes & set(links)  # only hashes are stored
    # Downloading again gives the same links: they are derived, not stored.
    assert tokens(engine, hr, settings) == links


def test_answer_once_then_the_link_is_refused(engine, chain, hr, settings):
    open_wave(engine, hr, settings)
    token = tokens(engine, hr, settings)[0]
    with read_session(engine) as session:
        view = answering.open_link(session, token, today=TODAY)
    assert view.state is answering.LinkState.READY and len(view.instrument.items) == 12
    answer(engine, token, comment="前台很忙，希望多排一个人")
    with read_session(engine) as session:
        assert answering.open_link(session, token, today=TODAY).state is answering.LinkState.USED
        # While the wave is open: one sealed blob, nothing readable anywhere else.
        assert count(session, SurveySealed) == 1
        assert count(session, SurveyResponse) == count(session, SurveyComment) == 0
        assert count(session, SurveyResponseLink) == 0
        assert len(session.scalar(select(SurveySealed.sealed))) == SEALED_SIZE
    (sent,) = sealed_answers(engine, "2026-11", key())
    assert (sent.answers[:3], sent.enps, sent.comment) == (
        (4, None, 5),
        9,
        "前台很忙，希望多排一个人",
    )
    assert sent.staff_id is None  # anonymous: the person is not inside either
    with pytest.raises(Conflict, match="already been used"):
        answer(engine, token)
    assert len(tokens(engine, hr, settings, pending=True)) == len(tokens(engine, hr, settings)) - 1


@pytest.mark.parametrize(
    ("token", "today", "error"),
    [
        ("nonsense", TODAY, NotFound),
        (None, date(2026, 11, 1), Conflict),  # before the wave opens
        (None, date(2026, 11, 21), Conflict),  # after it closes
    ],
)
def test_bad_links_record_nothing(engine, chain, hr, settings, token, today, error):
    open_wave(engine, hr, settings)
    token = token or tokens(engine, hr, settings)[0]
    with pytest.raises(error):
        answering.submit(engine, token, {"a01": 3}, key=key(), today=today)
    with read_session(engine) as session:
        assert count(session, SurveySealed) == count(session, SurveyResponse) == 0
        assert not any(session.scalars(select(SurveyInvitation.responded)))


@pytest.mark.parametrize(
    ("answers", "enps"),
    [
        ({"a01": 6}, None),
        ({"a01": 0}, None),
        ({"zz": 3}, None),
        ({"a01": 3}, 11),
        ({"a01": True}, None),
    ],
)
def test_out_of_range_answers_are_refused(engine, chain, hr, settings, answers, enps):
    open_wave(engine, hr, settings)
    token = tokens(engine, hr, settings)[0]
    with pytest.raises(ValidationError):
        answering.submit(engine, token, answers, enps, key=key(), today=TODAY)
    with read_session(engine) as session:
        assert answering.open_link(session, token, today=TODAY).state is answering.LinkState.READY


def test_200_concurrent_submissions_over_150_tokens_record_150(engine, chain, hr, settings):
    """Some tokens are submitted twice at the same moment; each is recorded once."""
    open_wave(engine, hr, settings, units=("LM",))
    links = tokens(engine, hr, settings)[:150]
    attempts = links + links[:50]  # 50 tokens twice
    barrier = threading.Barrier(8)

    def one(token: str) -> str:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=5)
        try:
            answer(engine, token)
        except Conflict:
            return "refused"
        return "ok"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = Counter(pool.map(one, attempts))
    assert outcomes == {"ok": 150, "refused": 50}
    with read_session(engine) as session:
        assert count(session, SurveySealed) == 150
        responded = session.scalar(select(func.count()).where(SurveyInvitation.responded.is_(True)))
    assert responded == 150


def test_confidential_wave_keeps_the_link_apart(engine, chain, hr, settings):
    open_wave(engine, hr, settings, mode=WaveMode.CONFIDENTIAL)
    token = tokens(engine, hr, settings)[0]
    answer(engine, token)
    with read_session(engine) as session:
        assert count(session, SurveyResponseLink) == 0  # sealed while the wave is open
        staff_id = session.scalar(
            select(SurveyInvitation.staff_id).where(SurveyInvitation.responded)
        )
    (sealed,) = sealed_answers(engine, "2026-11", key())
    assert sealed.staff_id == staff_id
    close(engine, hr, settings)
    with read_session(engine) as session:
        link = session.execute(select(SurveyResponseLink)).scalar_one()
        response = session.execute(select(SurveyResponse)).scalar_one()
        assert (link.response_id, link.staff_id) == (response.id, staff_id)


def test_closing_rewrites_ids_and_keeps_answers(engine, chain, hr, settings):
    open_wave(engine, hr, settings, mode=WaveMode.CONFIDENTIAL)
    for value, token in zip((1, 2, 3, 4, 5, 4, 3), tokens(engine, hr, settings), strict=False):
        answer(engine, token, value=value, comment=f"c{value}")
    with read_session(engine) as session:
        before_ids = set(session.scalars(select(SurveySealed.id)))
        responded = sorted(
            session.scalars(select(SurveyInvitation.staff_id).where(SurveyInvitation.responded))
        )
    opened = sealed_answers(engine, "2026-11", key())
    assert sorted(a.staff_id for a in opened) == responded
    close(engine, hr, settings)
    with read_session(engine) as session:
        after_ids = set(session.scalars(select(SurveyResponse.id)))
        assert sorted(session.scalars(select(SurveyResponse.a01))) == [1, 2, 3, 3, 4, 4, 5]
        assert sorted(session.scalars(select(SurveyResponseLink.staff_id))) == responded
        assert sorted(session.scalars(select(SurveyComment.text))) == sorted(
            f"c{v}" for v in (1, 2, 3, 4, 5, 4, 3)
        )
        assert count(session, SurveySealed) == 0
    assert len(after_ids) == 7 and not before_ids & after_ids
    token = tokens(engine, hr, settings, pending=True)[0]
    with pytest.raises(Conflict, match="closed"):
        answering.submit(engine, token, {"a01": 3}, key=key(), today=TODAY)


def test_small_teams_are_pooled_at_storage(engine, chain, hr, settings):
    """Every stored (unit, role, band) combination matches at least k invitees."""
    open_wave(engine, hr, settings, units=("LM",), k=5)
    with read_session(engine) as session:
        rows = session.execute(
            select(
                SurveyInvitation.report_unit_id,
                SurveyInvitation.report_role,
                SurveyInvitation.report_band,
                SurveyInvitation.comment_unit_id,
            )
        ).all()
    combos = Counter((u, r, b) for u, r, b, _ in rows)
    units = Counter(u for u, _, _, _ in rows)
    comments = Counter(c for _, _, _, c in rows)
    assert min(combos.values()) >= 5
    assert min(units.values()) >= 5
    assert min(comments.values()) >= 5
    assert any(r is not None for _, r, _ in combos)  # roles survive where groups are large


def test_participation_hides_small_units(engine, chain, hr, settings):
    open_wave(engine, hr, settings, units=("LM",), k=5)
    for token in tokens(engine, hr, settings)[:40]:
        answer(engine, token)
    with read_session(engine) as session:
        rows = wave_participation.participation(session, hr, "2026-11")
    by_code = {r.code: r for r in rows}
    assert by_code["LM"].responded == 40
    assert all(r.invited is None for r in rows if r.hidden)  # nothing leaves about hidden units
    with read_session(engine) as session:
        paths = {u.id: u.path for u in session.scalars(select(OrgUnit))}
        direct = Counter(session.scalars(select(SurveyInvitation.unit_id)))
    subtree = {
        u: sum(n for d, n in direct.items() if paths[d].startswith(p)) for u, p in paths.items()
    }
    small = {u for u, n in subtree.items() if 0 < n < 5}
    assert small and all(r.hidden for r in rows if r.unit_id in small)
    # Within each parent, hidden invitees are none or at least k (no derivation by subtraction).
    manager = None
    with read_session(engine) as session:
        manager = actor_for_email(session, "manager.sh01@demo.example")
        mine = wave_participation.participation(session, manager, "2026-11")
    assert {r.code for r in mine} <= {c for c in chain.unit_ids if c.startswith("SH01")}


def test_only_hr_manages_waves(engine, chain, settings):
    with read_session(engine) as session:
        manager = actor_for_email(session, "manager.sh01@demo.example")
        shopper = actor_for_email(session, "shopper@demo.example")
    with write_session(engine) as session, pytest.raises(PermissionDenied):
        waves.create_wave(
            session,
            manager,
            code="x",
            name="x",
            unit_codes=["SH01"],
            opens_on=TODAY,
            closes_on=TODAY,
        )
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        waves.list_waves(session, shopper)


def test_wave_needs_k_people(engine, chain, hr, settings):
    with write_session(engine) as session:
        waves.create_wave(
            session,
            hr,
            code="tiny",
            name="tiny",
            unit_codes=["SH01-F"],
            opens_on=TODAY,
            closes_on=TODAY,
            k=10,
        )
    with write_session(engine) as session, pytest.raises(ValidationError, match="at least 10"):
        waves.open_wave(session, hr, "tiny", settings, today=TODAY)


def test_custom_items_make_a_new_version_and_the_old_stays(engine, chain, hr, settings):
    open_wave(engine, hr, settings)
    with write_session(engine) as session:
        v1 = ensure_default_pulse(session)
        before = (v1.sha256, dict(v1.definition))
        v2 = add_custom_items(session, hr, v1.id, [("Booking works well.", "预约系统好用。")])
    with read_session(engine) as session:
        rows = session.scalars(select(InstrumentVersion).order_by(InstrumentVersion.version)).all()
        assert [r.version for r in rows] == [1, 2]
        assert (rows[0].sha256, rows[0].definition) == before
        assert len(pulse_instrument(rows[1]).custom_items) == 1
        assert v2.version == 2
    with write_session(engine) as session, pytest.raises(ValidationError):
        add_custom_items(session, hr, v1.id, [("a", "甲")] * 6)


def test_audit_log_never_records_who_responded(engine, chain, hr, settings):
    open_wave(engine, hr, settings)
    for token in tokens(engine, hr, settings)[:6]:
        answer(engine, token)
    with read_session(engine) as session:
        actions = set(session.scalars(select(AuditLog.action)))
    assert not any("respon" in a or "submit" in a for a in actions)


def test_closing_pools_by_respondents_so_the_responded_list_gives_nothing_away(
    engine, chain, hr, settings
):
    """A group of invitees with a single respondent must not keep its own attributes: HR knows
    who responded, so that response would be theirs. After closing, every stored combination
    holds at least k responses and every comment unit at least k_c respondents."""
    open_wave(engine, hr, settings, units=("LM",), k=5)
    links = tokens(engine, hr, settings)
    for n, token in enumerate(links[::3]):  # a third respond: many groups get 1 or 2
        answer(engine, token, value=1 + n % 5, comment="说点什么" if n % 4 == 0 else None)
    before = Counter((a.unit_id, a.role, a.band) for a in sealed_answers(engine, "2026-11", key()))
    assert min(before.values()) < 5  # the risk is real while the wave is open
    close(engine, hr, settings)
    with read_session(engine) as session:
        after = Counter(
            session.execute(
                select(SurveyResponse.unit_id, SurveyResponse.role, SurveyResponse.band)
            ).all()
        )
        assert sum(after.values()) == sum(before.values())
        assert min(after.values()) >= 5
        units = {u.id: u.path for u in session.scalars(select(OrgUnit))}
        responded_units = session.scalars(
            select(SurveyInvitation.comment_unit_id).where(SurveyInvitation.responded)
        ).all()
        for unit in set(session.scalars(select(SurveyComment.unit_id))):
            inside = sum(1 for u in responded_units if units[u].startswith(units[unit]))
            assert inside >= 5


def test_closing_with_another_key_fails_and_changes_nothing(
    engine, chain, hr, settings, monkeypatch
):
    open_wave(engine, hr, settings)
    for token in tokens(engine, hr, settings)[:6]:
        answer(engine, token, comment="排班")
    before = snapshot(engine)
    monkeypatch.setenv("EE_SECRET_KEY", "cd" * 32)
    with write_session(engine) as session, pytest.raises(ConfigError, match="not the key"):
        waves.close_wave(session, hr, "2026-11", Settings.from_env())
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]), Conflict, "do not open"),  # the tag
        (lambda blob: blob[:40] + bytes([blob[40] ^ 1]) + blob[41:], Conflict, "do not open"),
        (lambda blob: blob[:-1], Conflict, "not a sealed answer"),
    ],
)
def test_one_altered_sealed_answer_stops_the_close_and_changes_nothing(
    engine, chain, hr, settings, change, error, message
):
    open_wave(engine, hr, settings)
    for token in tokens(engine, hr, settings)[:6]:
        answer(engine, token)
    with write_session(engine) as session:
        row = session.scalars(select(SurveySealed)).first()
        row.sealed = change(row.sealed)
        session.commit()
    before = snapshot(engine)
    with write_session(engine) as session, pytest.raises(error, match=message):
        waves.close_wave(session, hr, "2026-11", settings)
    assert snapshot(engine) == before


def test_plaintext_answers_of_a_wave_opened_before_sealing_are_closed_with_the_sealed_ones(
    engine, chain, hr, settings
):
    """A wave opened before the upgrade may hold plaintext rows as the old submission wrote
    them; closing pools and shuffles them together with the sealed ones."""
    open_wave(engine, hr, settings, mode=WaveMode.CONFIDENTIAL)
    links = tokens(engine, hr, settings)
    for token in links[:5]:
        answer(engine, token, value=2, comment="新的")
    with write_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == "2026-11"))
        old = session.scalars(
            select(SurveyInvitation).where(SurveyInvitation.responded.is_(False)).limit(2)
        ).all()
        for n, invitation in enumerate(old):
            invitation.responded = True
            session.add(
                SurveyResponse(
                    id=f"legacy{n}",
                    wave_id=wave_id,
                    unit_id=invitation.report_unit_id,
                    role=invitation.report_role,
                    band=invitation.report_band,
                    a01=5,
                    enps=3,
                )
            )
            session.flush()
            session.add(SurveyResponseLink(response_id=f"legacy{n}", staff_id=invitation.staff_id))
            session.add(
                SurveyComment(
                    id=f"legacy{n}",
                    wave_id=wave_id,
                    unit_id=invitation.comment_unit_id,
                    text="旧的",
                )
            )
        old_staff = {i.staff_id for i in old}
        session.commit()
    close(engine, hr, settings)
    with read_session(engine) as session:
        rows = session.execute(
            select(SurveyResponse.id, SurveyResponse.a01, SurveyResponseLink.staff_id).join(
                SurveyResponseLink, SurveyResponseLink.response_id == SurveyResponse.id
            )
        ).all()
        texts = sorted(session.scalars(select(SurveyComment.text)))
        responded = set(
            session.scalars(select(SurveyInvitation.staff_id).where(SurveyInvitation.responded))
        )
        assert count(session, SurveySealed) == 0
    assert sorted(a for _, a, _ in rows) == [2] * 5 + [5] * 2
    assert {s for _, a, s in rows if a == 5} == old_staff
    assert {s for _, _, s in rows} == responded
    assert not any(i.startswith("legacy") for i, _, _ in rows)
    assert texts == ["新的"] * 5 + ["旧的"] * 2


def test_closing_then_the_clean_up_is_verified(engine, chain, hr, settings):
    open_wave(engine, hr, settings)
    for token in tokens(engine, hr, settings)[:6]:
        answer(engine, token, comment="好")
    row = close(engine, hr, settings)
    assert row.status is WaveStatus.CLOSED and row.cleanup_verified is False
    result = clean_up_after_close(engine, hr, "2026-11", timeout=5)
    assert result.verified, result.render()
    assert result.render().startswith("Clean-up verified")
    with read_session(engine) as session:
        assert waves.get_wave(session, hr, "2026-11").cleanup_verified is True
        assert count(session, SurveySealed) == 0
        assert count(session, SurveyResponse) == 6
    with pytest.raises(Conflict, match="only a closed wave"):
        open_wave(engine, hr, settings, code="2026-12")
        clean_up_after_close(engine, hr, "2026-12", timeout=1)


def test_the_sealed_table_never_names_a_person(engine, chain, hr, settings):
    """The blob holds no staff number, name or token in clear, whatever was submitted."""
    open_wave(engine, hr, settings, mode=WaveMode.CONFIDENTIAL)
    links = tokens(engine, hr, settings)[:3]
    for token in links:
        answer(engine, token, comment="张三说前台很忙")
    with read_session(engine) as session:
        blobs = session.scalars(select(SurveySealed.sealed)).all()
        people = session.execute(select(Staff.employee_no, Staff.name)).all()
    for blob in blobs:
        assert "前台很忙".encode() not in blob
        for number, name in people:
            assert number.encode() not in blob and name.encode() not in blob
        assert not any(t.encode() in blob for t in links)
