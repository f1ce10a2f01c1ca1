"""A question bank (题库) from an Excel workbook, as a clerk fills it in.

Three sheets, with English or Chinese names and headers (:data:`SHEET_NAMES`):

``Questions`` (题目)
    one row per question: id (optional; blank ids become ``q001``, ``q002``, … by the
    question's place among the rows, so the same workbook gives the same ids), topic, type
    (single / multiple / true-false, or 单选 / 多选 / 判断), the question in English and
    Chinese, options A–H in both languages (one column per option per language, so each
    cell holds one text), the correct answer(s) (``B``, ``A,C``, or 对 / 错 / true / false)
    and the explanation in both languages;
``Settings`` (设置)
    one row per setting (key, names, descriptions, pass mark as 80% or 0.8, attempts, time
    limit in minutes, grading); a third column of help is ignored;
``Draw`` (抽题), optional
    topic and the number of its questions each test draws.

Every problem is reported with its sheet, row and column, all at once; a workbook with any
problem gives no definition at all. The result is the dict that
:func:`ee_app.instruments.quiz.validate` accepts, and it is validated before it is returned.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ee_app.errors import N_, ImportRejected, Problem, ValidationError
from ee_app.imports.cells import CellError, parse_decimal, parse_int, parse_text
from ee_app.imports.columns import Column, RowReader, map_columns, normalise_header
from ee_app.imports.tabular import check_size, problems_limit
from ee_app.instruments.quiz import MAX_TEXT, validate

__all__ = [
    "DRAW_COLUMNS",
    "LETTERS",
    "QUESTION_COLUMNS",
    "SETTINGS",
    "SETTINGS_COLUMNS",
    "SHEET_NAMES",
    "TRUE_FALSE",
    "TYPES",
    "read_question_bank",
    "read_questions",
]

#: Option letters a workbook may use; the option ids are the same letters in lower case.
LETTERS = "ABCDEFGH"
#: The sheets: key → (English name, Chinese name, other spellings).
SHEET_NAMES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "questions": ("Questions", "题目", ("question bank", "题库", "试题")),
    "settings": ("Settings", "设置", ("考核设置",)),
    "draw": ("Draw", "抽题", ("抽题规则",)),
}
#: The question types as a clerk may write them → the type of :mod:`ee_app.instruments.quiz`.
TYPES = {
    "single": "single",
    "single choice": "single",
    "单选": "single",
    "单选题": "single",
    "multiple": "multiple",
    "multiple choice": "multiple",
    "多选": "multiple",
    "多选题": "multiple",
    "true-false": "true_false",
    "true/false": "true_false",
    "true_false": "true_false",
    "判断": "true_false",
    "判断题": "true_false",
}
#: The answers of a true/false question.
TRUE_FALSE = {
    "true": True,
    "t": True,
    "对": True,
    "正确": True,
    "是": True,
    "√": True,
    "✓": True,
    "false": False,
    "f": False,
    "错": False,
    "错误": False,
    "否": False,
    "×": False,
    "✗": False,
}
GRADINGS = {
    "highest": "highest",
    "最高": "highest",
    "最高分": "highest",
    "取最高": "highest",
    "last": "last",
    "最后": "last",
    "最后一次": "last",
    "取最后一次": "last",
}


def _option_columns() -> list[Column]:
    columns = []
    for letter in LETTERS:
        required = letter in "AB"
        columns += [
            Column(f"{letter}_en", f"Option {letter} en", f"选项{letter}英文", (), required),
            Column(f"{letter}_zh", f"Option {letter} zh", f"选项{letter}中文", (), required),
        ]
    return columns


QUESTION_COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", "题目编号", ("question id", "编号"), required=False),
    Column("topic", "Topic", "类别", ("category", "主题", "分类")),
    Column("type", "Type", "题型", ("question type", "类型")),
    Column("text_en", "Question en", "题目英文", ("英文题目",)),
    Column("text_zh", "Question zh", "题目中文", ("中文题目",)),
    *_option_columns(),
    Column("correct", "Correct", "正确答案", ("correct answer", "answer", "答案")),
    Column("why_en", "Explanation en", "解析英文", ("答案解析英文",)),
    Column("why_zh", "Explanation zh", "解析中文", ("答案解析中文",)),
)
SETTINGS_COLUMNS: tuple[Column, ...] = (
    Column("setting", "Setting", "设置项", ("名称项",)),
    Column("value", "Value", "值", ("内容", "取值")),
    Column("help", "Help", "说明", (), required=False),
)
DRAW_COLUMNS: tuple[Column, ...] = (
    Column("topic", "Topic", "类别", ("category", "主题", "分类")),
    Column("count", "Questions drawn", "抽题数", ("draw", "number", "题数")),
)
#: The settings rows: key → (English, Chinese); see :data:`SETTINGS_HELP` in the export.
SETTINGS: dict[str, tuple[str, str]] = {
    "key": ("Key", "考核编号"),
    "name_en": ("Name en", "名称英文"),
    "name_zh": ("Name zh", "名称中文"),
    "description_en": ("Description en", "描述英文"),
    "description_zh": ("Description zh", "描述中文"),
    "pass_mark": ("Pass mark", "合格线"),
    "max_attempts": ("Attempts", "作答次数"),
    "time_limit_minutes": ("Time limit minutes", "限时分钟"),
    "grading": ("Grading", "计分方式"),
    "draw": ("Questions per test", "每次抽题数"),
    "version": ("Version", "版本"),
}
_REQUIRED_SETTINGS = (
    "name_en",
    "name_zh",
    "description_en",
    "description_zh",
    "pass_mark",
    "max_attempts",
)
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_SPLIT = re.compile(r"[\s,，、;；/]+")


def _word(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().lower()


def _code(value: Any) -> str:
    """A topic or id as stored: NFKC, lower case, spaces as hyphens (12.0 from Excel is 12)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "-", _word(value))


@dataclass
class _Sheet:
    name: str | None  # as in the workbook; None for the HR page's table
    header: list[str]
    rows: list[tuple[int, tuple[Any, ...]]]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheets(data: bytes) -> dict[str, _Sheet]:
    from openpyxl import load_workbook

    check_size(len(data))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or non-xlsx file: any openpyxl error
        raise ImportRejected(
            N_(
                "The file is not a readable .xlsx workbook ({reason}). Open it in Excel, save "
                "it again as .xlsx and import that."
            ),
            reason=str(exc) or type(exc).__name__,
        ) from exc
    spellings = {
        normalise_header(s): key
        for key, (en, zh, more) in SHEET_NAMES.items()
        for s in (key, en, zh, *more)
    }
    found: dict[str, _Sheet] = {}
    try:
        for sheet in book.worksheets:
            key = spellings.get(normalise_header(sheet.title))
            if key is None or key in found:
                continue
            records = list(_records(sheet.iter_rows(values_only=True)))
            header = [
                "" if v is None else str(v).strip() for v in (records[0][1] if records else ())
            ]
            while header and not header[-1]:
                header.pop()
            found[key] = _Sheet(sheet.title, header, records[1:])
    except ImportRejected:
        raise
    except Exception as exc:  # damaged XML inside the workbook
        raise ImportRejected(
            N_("The workbook could not be read ({reason}). Save it again as .xlsx."),
            reason=str(exc) or type(exc).__name__,
        ) from exc
    finally:
        book.close()
    return found


def _records(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Non-blank rows with their row numbers; the first one is the header."""
    for number, record in enumerate(rows, start=1):
        if not all(_blank(v) for v in record):
            yield number, tuple(record)


class _Reader(RowReader):
    """A row reader whose problems name their sheet."""

    def __init__(self, sheet: _Sheet, positions: Mapping[str, int]) -> None:
        super().__init__(sheet.header, positions)
        self.sheet = sheet.name
        self.all: list[Problem] = []

    def start(self, number: int, record: Sequence[object]) -> None:
        self.all.extend(self.problems)
        super().start(number, record)

    def finish(self) -> list[Problem]:
        self.all.extend(self.problems)
        self.problems = []
        return [Problem(p.message, p.params, p.row, p.column, self.sheet) for p in self.all]

    def text(self, key: str, required: bool = True) -> str:
        return self.read(key, parse_text, max_length=MAX_TEXT, required=required) or ""

    def filled(self, key: str) -> bool:
        return not _blank(self.raw(key))


def _open(sheets: dict[str, _Sheet], key: str, columns: Sequence[Column], problems: list[Problem]):
    sheet = sheets[key]
    positions, missing = map_columns(sheet.header, columns)
    problems += [Problem(p.message, p.params, 1, None, sheet.name) for p in missing]
    return _Reader(sheet, positions), not missing


# Questions ------------------------------------------------------------------------------------


def _correct_letters(reader: _Reader) -> list[str] | None:
    raw = reader.raw("correct")
    if _blank(raw):
        reader.problem("correct", N_("is empty"))
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip().upper()
    parts = [p for p in _SPLIT.split(text) if p]
    if len(parts) == 1 and len(parts[0]) > 1 and parts[0].isalpha() and parts[0].isascii():
        parts = list(parts[0])  # "AC"
    wrong = [p for p in parts if len(p) != 1 or p not in LETTERS]
    if wrong:
        reader.problem(
            "correct",
            N_("“{value}” is not an option letter: write letters A to {last}, e.g. B or A,C"),
            value=wrong[0],
            last=LETTERS[-1],
        )
        return None
    return list(dict.fromkeys(parts))


def _question(reader: _Reader) -> dict[str, Any] | None:
    before = len(reader.problems)
    raw_type = reader.raw("type")
    kind = TYPES.get(_word(raw_type)) if not _blank(raw_type) else None
    if kind is None:
        reader.problem(
            "type",
            N_(
                "“{value}” is not a question type: write single, multiple or true-false "
                "(单选, 多选, 判断)"
            )
            if not _blank(raw_type)
            else N_("is empty"),
            value=raw_type,
        )
    topic = _code(reader.raw("topic") or "")
    if not topic:
        reader.problem("topic", N_("is empty"))
    elif not _ID.match(topic):
        reader.problem(
            "topic",
            N_("“{value}” is not a topic code: use lower-case letters, digits and - (e.g. skin)"),
            value=reader.raw("topic"),
        )
    question: dict[str, Any] = {
        "type": kind,
        "category": topic,
        "en": reader.text("text_en"),
        "zh-CN": reader.text("text_zh"),
        "explanation": {"en": reader.text("why_en"), "zh-CN": reader.text("why_zh")},
    }
    filled = [
        letter
        for letter in LETTERS
        if reader.filled(f"{letter}_en") or reader.filled(f"{letter}_zh")
    ]
    if kind == "true_false":
        for letter in filled:
            column = f"{letter}_en" if reader.filled(f"{letter}_en") else f"{letter}_zh"
            reader.problem(
                column,
                N_("a true/false question has no options: leave the option columns empty"),
            )
        word = _word(reader.raw("correct") or "")
        if word in TRUE_FALSE:
            question["answer"] = TRUE_FALSE[word]
        else:
            reader.problem(
                "correct",
                N_("is empty") if not word else N_("“{value}” is not 对 or 错 (true or false)"),
                value=reader.raw("correct"),
            )
    elif kind is not None:
        question["options"] = _options(reader, kind, filled)
    return None if len(reader.problems) > before else question


def _options(reader: _Reader, kind: str, filled: list[str]) -> list[dict[str, Any]]:
    count = LETTERS.index(filled[-1]) + 1 if filled else 0
    for letter in LETTERS[:count]:
        if letter not in filled:
            reader.problem(
                f"{letter}_en",
                N_(
                    "option {letter} is empty but a later option is filled: fill the options "
                    "from A without gaps"
                ),
                letter=letter,
            )
    if count < 2:
        reader.problem("A_en", N_("a question needs at least two options (A and B)"))
    options = [
        {
            "id": letter.lower(),
            "en": reader.text(f"{letter}_en"),
            "zh-CN": reader.text(f"{letter}_zh"),
        }
        for letter in LETTERS[:count]
    ]
    letters = _correct_letters(reader)
    if letters is None:
        return options
    empty = [x for x in letters if x not in filled]
    if empty:
        reader.problem(
            "correct",
            N_("option {letter} is empty: the correct answer must name filled options"),
            letter=empty[0],
        )
    elif kind == "single" and len(letters) != 1:
        reader.problem(
            "correct",
            N_("a single-choice question has exactly one correct option, not {count}"),
            count=len(letters),
        )
    elif kind == "multiple" and len(letters) >= len(filled):
        reader.problem(
            "correct",
            N_(
                "a multiple-choice question needs at least one wrong option; not all can be correct"
            ),
        )
    for option in options:
        if option["id"].upper() in letters:
            option["correct"] = True
    return options


def _questions(sheets: dict[str, _Sheet], problems: list[Problem]) -> list[dict[str, Any]]:
    reader, complete = _open(sheets, "questions", QUESTION_COLUMNS, problems)
    if not complete:
        return []
    questions: list[tuple[int, str | None, dict[str, Any] | None]] = []
    seen: dict[str, int] = {}
    for number, record in sheets["questions"].rows:
        reader.start(number, record)
        given = _code(reader.raw("id")) if reader.filled("id") else None
        if given is not None:
            if not _ID.match(given):
                reader.problem(
                    "id",
                    N_(
                        "“{value}” is not an id: use lower-case letters, digits and - "
                        "(e.g. skin-01)"
                    ),
                    value=reader.raw("id"),
                )
            elif given in seen:
                reader.problem(
                    "id",
                    N_("the id “{value}” is also used in row {row}"),
                    value=given,
                    row=seen[given],
                )
            else:
                seen[given] = number
        questions.append((number, given, _question(reader)))
    problems += reader.finish()
    if not questions:
        problems.append(Problem(N_("The sheet has no questions."), sheet=sheets["questions"].name))
    result = []
    for position, (_number, given, question) in enumerate(questions, start=1):
        if question is None:
            continue
        question_id = given or f"q{position:03d}"
        if given is None and question_id in seen:  # a clerk's own id took it
            question_id = f"{question_id}-{position}"
        result.append({"id": question_id, **question})
    return result


# Settings and draw ----------------------------------------------------------------------------


def _pass_mark(value: Any) -> float:
    text = unicodedata.normalize("NFKC", str(value)).strip() if isinstance(value, str) else None
    percent = bool(text and text.endswith("%"))
    number = parse_decimal(text.rstrip("%") if text else value)
    if number is None:
        raise CellError(N_("is empty"))
    share = number / 100 if percent or number > 1 else number
    if not Decimal(0) < share <= 1:
        raise CellError(
            N_("“{value}” is not a pass mark: write a share from 1% to 100%, e.g. 80%"), value=value
        )
    return float(share)


def _whole(value: Any, *, low: int, high: int) -> int:
    number = parse_int(value)
    if number is None:
        raise CellError(N_("is empty"))
    if not low <= number <= high:
        raise CellError(N_("must be a whole number from {low} to {high}"), low=low, high=high)
    return number


def _grading(value: Any) -> str:
    found = GRADINGS.get(_word(value))
    if found is None:
        raise CellError(
            N_("“{value}” is not a grading rule: write highest or last (最高 / 最后一次)"),
            value=value,
        )
    return found


_PARSERS = {
    "pass_mark": _pass_mark,
    "max_attempts": lambda v: _whole(v, low=1, high=20),
    "time_limit_minutes": lambda v: _whole(v, low=1, high=600),
    "draw": lambda v: _whole(v, low=1, high=10_000),
    "version": lambda v: _whole(v, low=1, high=100_000),
    "grading": _grading,
}


def _settings(
    sheets: dict[str, _Sheet], problems: list[Problem]
) -> tuple[dict[str, Any], set[str]]:
    """The settings read, and the names of those given (read or not)."""
    reader, complete = _open(sheets, "settings", SETTINGS_COLUMNS, problems)
    if not complete:
        return {}, set(SETTINGS)
    names = {normalise_header(s): key for key, pair in SETTINGS.items() for s in (key, *pair)}
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for number, record in sheets["settings"].rows:
        reader.start(number, record)
        key = names.get(normalise_header(str(reader.raw("setting") or "")))
        if key is None:
            reader.problem(
                "setting",
                N_("“{value}” is not a setting of a question bank"),
                value=reader.raw("setting") or "",
            )
            continue
        if key in rows:
            reader.problem("setting", N_("the setting is also given in row {row}"), row=rows[key])
            continue
        if not reader.filled("value"):
            continue
        rows[key] = number
        parser = _PARSERS.get(key)
        if parser is not None:
            values[key] = reader.read("value", parser)
        elif key == "key":
            key_text = _code(reader.raw("value"))
            if _ID.match(key_text):
                values[key] = key_text
            else:
                reader.problem(
                    "value",
                    N_(
                        "“{value}” is not a key: use lower-case letters, digits and - "
                        "(e.g. onboarding)"
                    ),
                    value=reader.raw("value"),
                )
        else:
            values[key] = reader.text("value")
    problems += reader.finish()
    return {k: v for k, v in values.items() if v is not None}, set(rows)


def _draw(
    sheets: dict[str, _Sheet], bank: Mapping[str, int], problems: list[Problem]
) -> dict[str, int]:
    if "draw" not in sheets or not sheets["draw"].rows:
        return {}
    sheet = sheets["draw"]
    reader, complete = _open(sheets, "draw", DRAW_COLUMNS, problems)
    if not complete:
        return {}
    draws: dict[str, int] = {}
    rows: dict[str, int] = {}
    for number, record in sheet.rows:
        reader.start(number, record)
        topic = _code(reader.raw("topic") or "")
        count = reader.read("count", lambda v: _whole(v, low=1, high=10_000))
        if not topic:
            reader.problem("topic", N_("is empty"))
        elif topic in rows:
            reader.problem("topic", N_("the topic is also given in row {row}"), row=rows[topic])
        elif topic not in bank:
            reader.problem(
                "topic", N_("no question has the topic “{value}”"), value=reader.raw("topic")
            )
        elif count is not None and count > bank[topic]:
            reader.problem(
                "count",
                N_("topic “{topic}” has {have} questions; {want} cannot be drawn"),
                topic=topic,
                have=bank[topic],
                want=count,
            )
        if topic and topic not in rows:
            rows[topic] = number
            if count is not None:
                draws[topic] = count
    problems += reader.finish()
    for topic, have in bank.items():
        if topic not in rows:
            problems.append(
                Problem(
                    N_("Topic “{topic}” ({have} questions) is never drawn: add a row for it."),
                    {"topic": topic, "have": have},
                    sheet=sheet.name,
                )
            )
    return draws


# The workbook ---------------------------------------------------------------------------------


def _missing_sheets(sheets: dict[str, _Sheet]) -> list[Problem]:
    return [
        Problem(
            N_("The workbook has no sheet “{en}” ({zh})."),
            {"en": SHEET_NAMES[key][0], "zh": SHEET_NAMES[key][1]},
        )
        for key in ("questions", "settings")
        if key not in sheets
    ]


def read_question_bank(data: bytes, *, key: str | None = None) -> dict[str, Any]:
    """The definition in a workbook, validated; ``key`` (if given) replaces the Settings key.

    Raises :class:`ImportRejected` with one problem per wrong cell (sheet, row and column).
    """
    sheets = _sheets(data)
    problems = _missing_sheets(sheets)
    if problems:
        raise ImportRejected(N_("The question bank was not read."), problems)
    questions = _questions(sheets, problems)
    settings, given = _settings(sheets, problems)
    bank: dict[str, int] = {}
    for question in questions:
        bank[question["category"]] = bank.get(question["category"], 0) + 1
    draws = _draw(sheets, bank, problems)
    chosen_key = _code(key) if key else settings.get("key")
    if not chosen_key and "key" not in given:
        problems.append(
            Problem(
                N_("The setting “{en}” ({zh}) is empty."),
                {"en": SETTINGS["key"][0], "zh": SETTINGS["key"][1]},
                sheet=sheets["settings"].name,
            )
        )
    for name in _REQUIRED_SETTINGS:
        if name not in given:
            problems.append(
                Problem(
                    N_("The setting “{en}” ({zh}) is empty."),
                    {"en": SETTINGS[name][0], "zh": SETTINGS[name][1]},
                    sheet=sheets["settings"].name,
                )
            )
    if draws and "draw" in settings and settings["draw"] != sum(draws.values()):
        problems.append(
            Problem(
                N_("Questions per test is {draw}, but the Draw sheet draws {total}."),
                {"draw": settings["draw"], "total": sum(draws.values())},
                sheet=sheets["settings"].name,
            )
        )
    if problems:
        raise ImportRejected(N_("The question bank was not read."), problems_limit(problems))
    definition = _definition(chosen_key, settings, draws, questions)
    try:
        validate(definition)
    except ValidationError as error:  # a rule the cell checks above do not know
        raise ImportRejected(N_("The question bank was not read."), error.problems) from error
    return definition


def _definition(
    key: str | None, settings: Mapping[str, Any], draws: Mapping[str, int], questions: list
) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "kind": "quiz",
        "key": key,
        "version": settings.get("version", 1),
        "name": {"en": settings["name_en"], "zh-CN": settings["name_zh"]},
        "description": {"en": settings["description_en"], "zh-CN": settings["description_zh"]},
        "pass_mark": settings["pass_mark"],
        "max_attempts": settings["max_attempts"],
        "grading": settings.get("grading", "highest"),
        "questions": questions,
    }
    if "time_limit_minutes" in settings:
        definition["time_limit_minutes"] = settings["time_limit_minutes"]
    if draws:
        definition["draw_per_category"] = dict(draws)
    if "draw" in settings:
        definition["draw"] = settings["draw"]
    return definition


def read_questions(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """Questions from a table laid out as the Questions sheet (the HR page's editor): the same
    rules and messages, with rows numbered from 1 as the table shows them."""
    problems: list[Problem] = []
    sheet = _Sheet(None, [str(h) for h in header], [(n, tuple(r)) for n, r in enumerate(rows, 1)])
    questions = _questions({"questions": sheet}, problems)
    if problems:
        raise ImportRejected(N_("The questions were not saved."), problems_limit(problems))
    return questions
