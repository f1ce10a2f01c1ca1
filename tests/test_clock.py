"""Local time (issue 17): stored moments are UTC and shown in the configured zone (EE_TIMEZONE,
Asia/Shanghai by default); an unknown zone is refused by name in both languages."""

from datetime import UTC, datetime, timedelta

import pytest

from ee_app import clock
from ee_app.config import Settings
from ee_app.errors import ConfigError
from ee_app.i18n import translator

SHANGHAI = clock.parse_zone("Asia/Shanghai")
NEW_YORK = clock.parse_zone("America/New_York")


@pytest.mark.parametrize(
    ("stored", "tz", "spec", "shown"),
    [
        # Shanghai is UTC+8 all year (no daylight saving since 1991): 16:00 UTC is midnight.
        (datetime(2026, 12, 6, 15, 59, tzinfo=UTC), SHANGHAI, clock.MINUTES, "2026-12-06 23:59"),
        (datetime(2026, 12, 6, 16, 0, tzinfo=UTC), SHANGHAI, clock.MINUTES, "2026-12-07 00:00"),
        (datetime(2026, 12, 6, 17, 30, tzinfo=UTC), SHANGHAI, "%Y-%m-%d", "2026-12-07"),
        # New Year and a month end move with it: the payroll month of a late approval.
        (datetime(2026, 12, 31, 16, 0, 5), SHANGHAI, clock.SECONDS, "2027-01-01 00:00:05"),
        (datetime(2026, 9, 30, 23, 0), SHANGHAI, "%H:%M", "07:00"),  # naive: SQLite's UTC
        # A zone with daylight saving time: EDT (UTC−4) in July, EST (UTC−5) in December.
        (datetime(2026, 7, 1, 3, 30, tzinfo=UTC), NEW_YORK, clock.MINUTES, "2026-06-30 23:30"),
        (datetime(2026, 12, 1, 3, 30, tzinfo=UTC), NEW_YORK, clock.MINUTES, "2026-11-30 22:30"),
        # A moment stored with another offset is the same instant.
        (
            datetime(2026, 12, 6, 9, 0, tzinfo=clock.parse_zone("Asia/Tokyo")),
            SHANGHAI,
            clock.MINUTES,
            "2026-12-06 08:00",
        ),
        (None, SHANGHAI, clock.MINUTES, ""),
    ],
)
def test_stored_utc_is_shown_in_the_zone(stored, tz, spec, shown):
    assert clock.format_time(stored, spec, tz) == shown


def test_default_zone_is_shanghai_and_the_setting_changes_it(monkeypatch):
    moment = datetime(2026, 12, 6, 16, 30, tzinfo=UTC)
    monkeypatch.delenv("EE_TIMEZONE", raising=False)
    assert clock.zone().key == "Asia/Shanghai"
    assert clock.format_time(moment) == "2026-12-07 00:30"
    assert clock.local(moment).utcoffset() == timedelta(hours=8)
    monkeypatch.setenv("EE_TIMEZONE", "UTC")
    assert clock.format_time(moment) == "2026-12-06 16:30"
    monkeypatch.setenv("EE_TIMEZONE", "Asia/Kolkata")  # UTC+5:30
    assert clock.format_time(moment) == "2026-12-06 22:00"


@pytest.mark.parametrize(
    ("now", "tz", "day"),
    [
        # 07:00 on 7 December in Shanghai is still 6 December on a server clock in UTC: a
        # wave opening on the 7th is open to staff who answer before work.
        (datetime(2026, 12, 6, 23, 0, tzinfo=UTC), SHANGHAI, "2026-12-07"),
        (datetime(2026, 12, 6, 15, 59, tzinfo=UTC), SHANGHAI, "2026-12-06"),
        (datetime(2026, 12, 6, 16, 0, tzinfo=UTC), SHANGHAI, "2026-12-07"),
        (datetime(2026, 12, 6, 23, 0, tzinfo=UTC), clock.parse_zone("UTC"), "2026-12-06"),
        (datetime(2026, 12, 7, 3, 0, tzinfo=UTC), NEW_YORK, "2026-12-06"),
    ],
)
def test_today_at_a_moment(now, tz, day):
    assert clock.today(tz, now).isoformat() == day


def test_today_is_the_local_date():
    # Around 16:00 UTC the two dates differ; compare with the same instant computed by hand.
    before = datetime.now(UTC)
    today = clock.today(SHANGHAI)
    after = datetime.now(UTC)
    assert today in {(before + timedelta(hours=8)).date(), (after + timedelta(hours=8)).date()}


@pytest.mark.parametrize(
    ("zone", "en", "zh"),
    [
        ("Asia/Shanghai", "Beijing time", "北京时间"),
        ("Asia/Hong_Kong", "Hong Kong time", "香港时间"),
        ("UTC", "Coordinated Universal Time", "协调世界时"),
        ("Europe/Paris", "Europe/Paris", "Europe/Paris"),
        ("America/New_York", "America/New York", "America/New York"),
    ],
)
def test_zone_names_in_both_languages(zone, en, zh):
    tz = clock.parse_zone(zone)
    assert clock.zone_name(translator("en"), tz) == en
    assert clock.zone_name(translator("zh-CN"), tz) == zh


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("", "Asia/Shanghai"),
        ("  ", "Asia/Shanghai"),
        ("Asia/Shanghai", "Asia/Shanghai"),
        (" Asia/Hong_Kong ", "Asia/Hong_Kong"),
        ("UTC", "UTC"),
        ("Europe/Berlin", "Europe/Berlin"),
    ],
)
def test_settings_accept_zones_of_the_database(value, key):
    assert Settings.from_env({"EE_TIMEZONE": value}).timezone == key


@pytest.mark.parametrize(
    "value",
    ["Beijing", "UTC+8", "GMT+08:00", "Asia", "Asia/Beijing", "/etc/passwd", "../zoneinfo/UTC"],
)
def test_settings_refuse_an_unknown_zone_in_both_languages(value):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"EE_TIMEZONE": value})
    assert str(caught.value) == (
        "EE_TIMEZONE must be a time zone of the IANA database such as Asia/Shanghai, "
        f"not “{value}”."
    )
    assert caught.value.render(translator("zh-CN")) == (
        f"EE_TIMEZONE 必须为 IANA 时区数据库中的时区（如 Asia/Shanghai），不能为“{value}”。"
    )


def test_the_cli_refuses_an_unknown_zone(monkeypatch, capsys):
    from ee_app.cli import main

    monkeypatch.setenv("EE_TIMEZONE", "Beijing")
    monkeypatch.setenv("EE_LANG", "en")
    assert main(["config", "show"]) == 1
    assert "EE_TIMEZONE must be a time zone of the IANA database" in capsys.readouterr().err
