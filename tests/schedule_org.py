"""A small chain for the schedule tests: one brand, one region, three stores of 12, 8 and 2
people (the last smaller than k), and HR's settings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from ee_app.auth import system_actor
from ee_app.db import write_session
from ee_app.models import Staff, StaffAssignment, StaffRole, UnitLevel
from ee_app.services.instruments import ensure_reference_data
from ee_app.services.org import create_unit

STORES = {"S1": 12, "S2": 8, "S3": 2}
HIRED = date(2025, 1, 6)


def build(engine: Engine, stores: dict[str, int] = STORES) -> None:
    actor = system_actor("test")
    with write_session(engine) as session:
        ensure_reference_data(session)
        create_unit(session, actor, "B", "Brand", UnitLevel.BRAND, None)
        create_unit(session, actor, "R", "Region", UnitLevel.REGION, "B")
        n = 0
        for code, people in stores.items():
            unit = create_unit(session, actor, code, f"Store {code}", UnitLevel.STORE, "R")
            for _ in range(people):
                n += 1
                staff = Staff(employee_no=f"E{n:04d}", name=f"Person {n}", hire_date=HIRED)
                session.add(staff)
                session.flush()
                session.add(
                    StaffAssignment(
                        staff_id=staff.id,
                        unit_id=unit.id,
                        role=StaffRole.BEAUTICIAN,
                        valid_from=HIRED,
                    )
                )
        session.commit()
