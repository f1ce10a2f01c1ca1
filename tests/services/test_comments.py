"""Comments never lost (issue 18): shown at the lowest unit with k_c respondents, safe
against subtraction, exported and tagged by HR. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ee_app.cli import main
from ee_app.db import read_session, write_session
from ee_app.errors import NotFound, PermissionDenied, ValidationError
from ee_app.exports.comments import comments_csv, comments_xlsx
from ee_app.models import AuditLog, SurveyCommentTag
from ee_app.services import comments, results
from tests.services import comment_chain as cc


@pytest.fixture
def chain(engine):
    return cc.build(engine)


def shown(engine, who, code):
    with read_session(engine) as session:
        return results.comments_for(session, who, cc.WAVE, code)


def test_a_store_of_13_sees_its_comments_although_a_sibling_store_is_small(engine, chain):
    """The reproduction: k = 3, k_c = 10, store CS's 13 respondents all commented (its teams
    each < 10) and its sibling CS2 had 3. Before issue 18 the region's three left-over
    respondents absorbed CS into the region, and CS showed "No comments in this wave" to its
    manager and to HR alike."""
    for who in (cc.hr(), cc.manager(chain, "CS")):
        allowed, texts = shown(engine, who, "CS")
        assert allowed
        assert sorted(texts) == sorted(
            f"CS/T{t} #{i}" for t, n in ((1, 4), (2, 4), (3, 5)) for i in range(n)
        )


#: unit → (may show comments, the stores whose people wrote them)
WHERE = {
    "CB": (True, {"CS", "CS2", "CS3", "CS4"}),  # 24 respondents, 11 of them outside CS
    "CR1": (False, set()),  # 16, but "CR1 minus CS" would be CS2's 3
    "CR2": (False, set()),  # 8 < k_c
    "CS": (True, {"CS"}),
    "CS2": (False, set()),
    "T3": (False, set()),  # 5 < k_c
}


def test_where_comments_are_shown(engine, chain):
    for code, (allowed, stores) in WHERE.items():
        got_allowed, texts = shown(engine, cc.hr(), code)
        assert got_allowed is allowed, code
        assert {cc.author_store(t) for t in texts} == stores, code


def test_no_two_units_a_viewer_may_open_differ_by_fewer_than_k_c(engine, chain):
    """The attacker: for every pair of units HR (who may open all) can open, the comments in
    one list and not the other come from none or at least k_c respondents (everyone wrote
    exactly one comment, so comments count respondents). Lists are unions of whole buckets,
    so differences of differences are too: checked over every pair of shown lists' pieces."""
    lists = {}
    for code in chain:
        allowed, texts = shown(engine, cc.hr(), code)
        if allowed:
            lists[code] = set(texts)
    assert len(lists) >= 2
    for a, b in itertools.permutations(lists, 2):
        difference = lists[a] - lists[b]
        assert len(difference) == 0 or len(difference) >= cc.K_C, (a, b, len(difference))
    # Every region of the Venn diagram of the shown lists: none, or at least k_c.
    everyone = set().union(*lists.values())
    atoms: dict[tuple, int] = {}
    for text in everyone:
        signature = tuple(text in lists[c] for c in sorted(lists))
        atoms[signature] = atoms.get(signature, 0) + 1
    assert all(n >= cc.K_C for n in atoms.values()), atoms


def test_comments_are_shuffled_and_undated(engine, chain):
    orders = {tuple(shown(engine, cc.hr(), "CB")[1]) for _ in range(6)}
    assert len(orders) > 1  # 24! orders: six equal draws would be a broken shuffle
    with read_session(engine) as session:
        found = comments.wave_comments(session, cc.hr(), cc.WAVE)
    assert {f.name for f in comments.Comment.__dataclass_fields__.values()} == {
        "id",
        "text",
        "group_code",
        "group_name",
        "themes",
    }
    assert len(found) == 24
    assert {c.group_code for c in found} == {"CS", "CB"}
    assert {c.text for c in found if c.group_code == "CS"} == set(shown(engine, cc.hr(), "CS")[1])


def tag(engine, who, tags):
    with write_session(engine) as session:
        return comments.set_comment_tags(session, who, cc.WAVE, tags)


#: (themes asked for, error): each case on its own comment.
TAGGINGS = (
    (["voice", "care"], None),
    (["voice", "voice"], None),  # repeated: stored once
    ([], None),  # no theme: the comment's tags are removed
    (["bonus"], ValidationError),  # not one of the 12
)


def test_tagging_rules_and_theme_counts(engine, chain):
    with read_session(engine) as session:
        in_store = comments.comments_of_unit(session, cc.hr(), cc.WAVE, "CS")[1]
    audited = 0
    for comment, (themes, error) in zip(in_store, TAGGINGS, strict=False):
        if error:
            with pytest.raises(error):
                tag(engine, cc.hr(), {comment.id: themes})
            continue
        tag(engine, cc.hr(), {comment.id: ["growth"]})
        assert tag(engine, cc.hr(), {comment.id: themes}) == 1
        assert tag(engine, cc.hr(), {comment.id: themes}) == 0  # nothing changed, not audited
        audited += 2
        with read_session(engine) as session:
            again = {c.id: c for c in comments.wave_comments(session, cc.hr(), cc.WAVE)}
            entries = session.scalars(
                select(AuditLog).where(AuditLog.action == "comments.tag").order_by(AuditLog.id)
            ).all()
        assert set(again[comment.id].themes) == set(themes)
        assert len(entries) == audited
        assert comment.text not in repr([e.detail for e in entries])
        assert entries[-1].detail == {"comments": 1, "tags": len(set(themes))}
    # Per-theme counts of the viewed group: the first comment has care and voice, the
    # second voice, the third none.
    with read_session(engine) as session:
        in_store = comments.comments_of_unit(session, cc.hr(), cc.WAVE, "CS")[1]
    assert comments.theme_counts(in_store) == {"care": 1, "voice": 2}


def test_export_and_tags_are_for_hr_and_for_comments_of_the_wave(engine, chain):
    manager = cc.manager(chain, "CS")
    with read_session(engine) as session:
        first = comments.wave_comments(session, cc.hr(), cc.WAVE)[0]
        with pytest.raises(PermissionDenied):
            comments.wave_comments(session, manager, cc.WAVE)
    with pytest.raises(PermissionDenied):
        tag(engine, manager, {first.id: ["voice"]})
    with pytest.raises(NotFound):
        tag(engine, cc.hr(), {first.id: ["voice"], "0" * 32: ["voice"]})
    with read_session(engine) as session:
        assert session.scalars(select(SurveyCommentTag)).all() == []


def test_report_comments_writes_every_exportable_comment(
    engine, chain, db_url, monkeypatch, tmp_path, capsys
):
    """``ee-app report comments``: one row per comment, its group and tags, no date column;
    the two files hold the same rows in different (random) orders."""
    monkeypatch.setenv("EE_DATABASE_URL", db_url)
    monkeypatch.setenv("EE_LANG", "en")
    with read_session(engine) as session:
        first = comments.comments_of_unit(session, cc.hr(), cc.WAVE, "CS")[1][0]
    tag(engine, cc.hr(), {first.id: ["voice", "care"]})
    xlsx, csv_path = tmp_path / "c.xlsx", tmp_path / "c.csv"
    for path in (xlsx, csv_path):
        assert main(["report", "comments", "--wave", cc.WAVE, "--out", str(path)]) == 0
    said = capsys.readouterr().out
    assert "Wrote 24 comments of wave" in said and "2 groups, each of at least" in said
    sheet = load_workbook(io.BytesIO(xlsx.read_bytes())).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Group code", "Group", "Comment", "Themes"]
    table = list(csv.reader(io.StringIO(csv_path.read_bytes().decode("utf-8-sig"))))
    assert sorted(map(tuple, table[1:])) == sorted(
        tuple("" if v is None else v for v in r) for r in rows[1:]
    )
    by_text = {r[2]: r for r in rows[1:]}
    assert by_text[first.text][3] == "Someone cares; Opinions count"
    assert {r[0] for r in rows[1:]} == {"CS", "CB"}
    assert [r[2] for r in rows[1:]] != [r[2] for r in table[1:]]  # shuffled: 1 in 24! alike


@pytest.mark.parametrize(
    ("text", "language", "themes"),
    [
        ('=HYPERLINK("http://x")', "en", ""),
        ("+1 really", "zh-CN", "被关心；意见被重视"),
        ("@SUM(A1)", "en", "Someone cares; Opinions count"),
    ],
)
def test_comment_files_are_formula_safe(text, language, themes):
    found = [
        comments.Comment("c1", text, "S1", "Store 1", tuple(t for t in ("care", "voice") if themes))
    ]
    sheet = load_workbook(io.BytesIO(comments_xlsx(found, language))).worksheets[0]
    cell = sheet.cell(row=2, column=3)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert sheet.cell(row=2, column=4).value == (themes or None)
    line = comments_csv(found, language).decode("utf-8-sig").splitlines()[1]
    assert f"'{text[0]}" in line
