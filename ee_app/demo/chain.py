"""The demo chain's org tree, staff and app users, as plain data (no database)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ee_app.demo.params import SIZES
from ee_app.models import StaffRole, UnitLevel, UserRole

__all__ = ["DemoChain", "DemoStaff", "DemoUnit", "DemoUser", "generate_chain"]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
GIVEN = (
    "静丽敏婷芳娜雪琳欣怡佳颖晨悦萱蕾薇倩璐瑶雯楠宁思雨梦晓慧丹洁玲燕红霞洋涛磊杰浩伟鹏强军斌博宇"
    "辰轩凯峰诗涵若彤梓蓉菲露珊妍嘉"
)
REGIONS = (
    ("EAST", "华东区"),
    ("SOUTH", "华南区"),
    ("NORTH", "华北区"),
    ("WEST", "西南区"),
    ("CENTRAL", "华中区"),
    ("NE", "东北区"),
    ("NW", "西北区"),
    ("HK", "港澳区"),
)
SMALL_STORES = {
    "EAST": (
        ("SH01", "上海静安店"),
        ("SH02", "上海徐汇店"),
        ("HZ01", "杭州西湖店"),
        ("SZ01", "苏州园区店"),
    ),
    "SOUTH": (
        ("GZ01", "广州天河店"),
        ("SZ02", "深圳南山店"),
        ("SZ03", "深圳福田店"),
        ("XM01", "厦门思明店"),
    ),
    "NORTH": (
        ("BJ01", "北京朝阳店"),
        ("BJ02", "北京海淀店"),
        ("TJ01", "天津和平店"),
        ("QD01", "青岛市南店"),
    ),
}
CITIES = (
    "上海北京广州深圳杭州南京苏州成都重庆武汉西安长沙天津"
    "青岛厦门宁波无锡合肥郑州济南沈阳大连昆明福州"
)
TEAMS = (("B", "美容组"), ("M", "医美组"), ("F", "前台组"))


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    level: UnitLevel
    parent_code: str | None


@dataclass(frozen=True)
class DemoStaff:
    employee_no: str
    name: str
    hire_date: date
    leave_date: date | None
    # (unit code, role, valid from, valid to), oldest first; the last one is open unless left.
    periods: tuple[tuple[str, StaffRole, date, date | None], ...]


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: UserRole
    unit_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoChain:
    units: tuple[DemoUnit, ...]
    staff: tuple[DemoStaff, ...]
    users: tuple[DemoUser, ...]

    def stores(self) -> list[DemoUnit]:
        return [u for u in self.units if u.level is UnitLevel.STORE]


def _stores(size: str, rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    spec = SIZES[size]
    if size == "small":
        return {code: list(SMALL_STORES[code]) for code, _ in REGIONS[: spec.regions]}
    stores: dict[str, list[tuple[str, str]]] = {}
    number = 0
    for region, _ in REGIONS[: spec.regions]:
        stores[region] = []
        for _ in range(spec.stores_per_region):
            number += 1
            city = CITIES[2 * rng.randrange(len(CITIES) // 2) :][:2]
            stores[region].append((f"S{number:04d}", f"{city}{number}号店"))
    return stores


def _staffing(rng: random.Random, headcount: int, teams: int) -> list[tuple[str, StaffRole]]:
    """Team suffix and role for each person in a store; the manager sits on the store itself."""
    plan: list[tuple[str, StaffRole]] = [("", StaffRole.STORE_MANAGER)]
    medical = [StaffRole.DOCTOR, StaffRole.NURSE, StaffRole.CONSULTANT, StaffRole.CONSULTANT]
    if headcount >= 18:
        medical += [StaffRole.DOCTOR, StaffRole.NURSE, StaffRole.CONSULTANT]
    front_team = "F" if teams == 3 else "B"
    plan += [(front_team, StaffRole.FRONT_DESK)] * 2
    plan += [("M", role) for role in medical]
    while len(plan) < headcount:
        plan.append(("B", StaffRole.BEAUTICIAN))
    return plan


def generate_chain(seed: int = 7, size: str = "small", today: date | None = None) -> DemoChain:
    """The demo chain for ``seed`` and ``size`` (``small`` ≈ 200 staff, ``chain`` ≈ 10,000)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, not {size!r}")
    spec = SIZES[size]
    rng = random.Random(seed)
    today = today or date.today()
    units: list[DemoUnit] = [DemoUnit("LM", "丽美医美", UnitLevel.BRAND, None)]
    staff_plan: list[tuple[str, StaffRole]] = []
    store_teams: dict[str, list[str]] = {}
    for (region, region_name), stores in zip(REGIONS, _stores(size, rng).values(), strict=False):
        units.append(DemoUnit(region, region_name, UnitLevel.REGION, "LM"))
        for code, name in stores:
            units.append(DemoUnit(code, name, UnitLevel.STORE, region))
            teams = 3 if rng.random() < 0.6 else 2
            store_teams[code] = []
            for suffix, team_name in TEAMS[:teams]:
                units.append(DemoUnit(f"{code}-{suffix}", team_name, UnitLevel.TEAM, code))
                store_teams[code].append(f"{code}-{suffix}")
            headcount = rng.randint(*spec.staff_per_store)
            for suffix, role in _staffing(rng, headcount, teams):
                staff_plan.append((f"{code}-{suffix}" if suffix else code, role))

    all_stores = list(store_teams)
    staff: list[DemoStaff] = []
    used_names: set[str] = set()
    for number, (unit_code, role) in enumerate(staff_plan, start=10001):
        name = _name(rng, used_names)
        years = rng.choices((0, 1, 2, 3, 5, 8), weights=(18, 24, 20, 16, 14, 8))[0]
        hire = today - timedelta(days=years * 365 + rng.randrange(30, 365))
        left = rng.random() < spec.leavers_share
        leave = today - timedelta(days=rng.randrange(10, 120)) if left else None
        if leave is not None and leave <= hire:
            leave = None
        periods: list[tuple[str, StaffRole, date, date | None]] = []
        if rng.random() < spec.movers_share and (today - hire).days > 400:
            before = rng.choice([s for s in all_stores if not unit_code.startswith(s)])
            moved = hire + timedelta(days=rng.randrange(180, (today - hire).days - 60))
            periods.append((before, role, hire, moved))
            periods.append((unit_code, role, moved, None))
        else:
            periods.append((unit_code, role, hire, None))
        staff.append(DemoStaff(f"E{number}", name, hire, leave, tuple(periods)))

    first_store = all_stores[0]
    first_region = units[1].code
    users = (
        DemoUser("admin@demo.example", "管理员 Admin", UserRole.ADMIN),
        DemoUser("hr@demo.example", "王敏", UserRole.HR),
        DemoUser("hr2@demo.example", "李娜", UserRole.HR),
        DemoUser(
            f"manager.{first_store.lower()}@demo.example",
            "张店长",
            UserRole.MANAGER,
            (first_store,),
        ),
        DemoUser(
            f"manager.{first_region.lower()}@demo.example",
            "陈区域经理",
            UserRole.MANAGER,
            (first_region,),
        ),
        DemoUser("shopper@demo.example", "神秘顾客 A", UserRole.SHOPPER),
        DemoUser("shopper2@demo.example", "神秘顾客 B", UserRole.SHOPPER),
    )
    return DemoChain(tuple(units), tuple(staff), users)


def _name(rng: random.Random, used: set[str]) -> str:
    for _ in range(50):
        length = 1 if rng.random() < 0.3 else 2
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(length))
        if name not in used:
            used.add(name)
            return name
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(3))
    used.add(name)
    return name
