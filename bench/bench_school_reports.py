"""The deputy's reports of 004 §5 on a school of 1,000 pupils and a whole school year.

Set-up (not timed): a SQLite database (or --database-url) with one school of 1,000 pupils in 40 classes, 10
subjects and 20 teachers, 6 lessons a day per class on 170 school days (40,800 lessons) with topics and
homework, a lesson mark for a quarter of the pupils at each lesson (about 250,000), attendance codes for 6 % of
pupil-lessons (about 61,000), and a final per pupil, subject and quarter (40,000) plus the year finals.

Timed: the monthly report (the month and the year to date), a quarter's report and the year's report, each
built and rendered to XLSX and HTML. Prints seconds per report and its rows.

    ./run bench bench_school_reports [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from edugateway.school_reports import month_report, period_report
from edugateway.school_reports.render_html import render_html
from edugateway.school_reports.render_xlsx import render_xlsx
from edugateway.store.db import Database
from edugateway.store.tables import (
    AttendanceRow,
    ClassRow,
    EnrollmentRow,
    LessonRow,
    MarkRow,
    PersonRow,
    ReportingPeriodRow,
    SchoolRow,
    SubjectRow,
)

PUPILS, CLASSES, SUBJECTS, TEACHERS, PER_DAY = 1000, 40, 10, 20, 6
QUARTERS = [
    ("1 четверть", dt.date(2026, 9, 1), dt.date(2026, 10, 26)),
    ("2 четверть", dt.date(2026, 11, 5), dt.date(2026, 12, 28)),
    ("3 четверть", dt.date(2027, 1, 9), dt.date(2027, 3, 20)),
    ("4 четверть", dt.date(2027, 3, 30), dt.date(2027, 5, 24)),
]


def _days() -> list[dt.date]:
    days = []
    for _, start, end in QUARTERS:
        day = start
        while day <= end:
            if day.weekday() < 5:
                days.append(day)
            day += dt.timedelta(days=1)
    return days


def build(db: Database) -> None:
    rng = random.Random(16)
    db.migrate()
    with db.session() as s:
        school = SchoolRow(code="bench", name="Школа для замера")
        s.add(school)
        s.flush()
        sid = school.id
        periods = [
            {
                "school_id": sid,
                "source_id": f"q{i}",
                "name": n,
                "kind": "quarter",
                "academic_year": 2026,
                "start_date": a,
                "end_date": b,
            }
            for i, (n, a, b) in enumerate(QUARTERS)
        ] + [
            {
                "school_id": sid,
                "source_id": "y",
                "name": "Год",
                "kind": "year",
                "academic_year": 2026,
                "start_date": QUARTERS[0][1],
                "end_date": QUARTERS[-1][2],
            }
        ]
        s.execute(insert(ReportingPeriodRow), periods)
        s.execute(
            insert(ClassRow),
            [
                {
                    "school_id": sid,
                    "source_id": f"c{i}",
                    "name": f"{5 + i // 8}{'АБВГД'[i % 5]}",
                    "grade": 5 + i // 8,
                    "academic_year": 2026,
                }
                for i in range(CLASSES)
            ],
        )
        s.execute(
            insert(SubjectRow),
            [{"school_id": sid, "source_id": f"s{i}", "name": f"Предмет {i}"} for i in range(SUBJECTS)],
        )
        people = [
            {
                "school_id": sid,
                "source_id": f"p{i}",
                "roles": "student",
                "last_name": f"Фамилия{i}",
                "first_name": "Имя",
            }
            for i in range(PUPILS)
        ]
        people += [
            {
                "school_id": sid,
                "source_id": f"t{i}",
                "roles": "teacher",
                "last_name": f"Учитель{i}",
                "first_name": "Анна",
            }
            for i in range(TEACHERS)
        ]
        s.execute(insert(PersonRow), people)

        def ids(
            table: type[ClassRow] | type[SubjectRow] | type[PersonRow] | type[ReportingPeriodRow],
        ) -> dict[str, int]:
            return dict(s.execute(select(table.source_id, table.id).where(table.school_id == sid)).tuples().all())

        classes, subjects, persons, period_ids = ids(ClassRow), ids(SubjectRow), ids(PersonRow), ids(ReportingPeriodRow)
        pupils_of = {c: [persons[f"p{i}"] for i in range(PUPILS) if i % CLASSES == c] for c in range(CLASSES)}
        s.execute(
            insert(EnrollmentRow),
            [
                {
                    "school_id": sid,
                    "source_id": f"e{p}",
                    "person_id": p,
                    "class_id": classes[f"c{c}"],
                    "role": "student",
                }
                for c, group in pupils_of.items()
                for p in group
            ],
        )
        lessons = [
            {
                "school_id": sid,
                "source_id": f"l{c}-{day}-{n}",
                "date": day,
                "number": n + 1,
                "class_id": classes[f"c{c}"],
                "subject_id": subjects[f"s{(n + day.toordinal()) % SUBJECTS}"],
                "teacher_id": persons[f"t{(c + (n + day.toordinal()) % SUBJECTS) % TEACHERS}"],
                "topic": "Тема" if rng.random() < 0.97 else None,
                "homework": "§ 1" if rng.random() < 0.8 else None,
            }
            for c in range(CLASSES)
            for day in _days()
            for n in range(PER_DAY)
        ]
        s.execute(insert(LessonRow), lessons)
        stored = s.execute(select(LessonRow.id, LessonRow.class_id, LessonRow.date)).tuples().all()
        by_class = {classes[f"c{c}"]: group for c, group in pupils_of.items()}
        marks, attendance = [], []
        for lesson_id, class_id, day in stored:
            for p in by_class[class_id]:
                if rng.random() < 0.06:
                    code = rng.choice(("Н", "У", "Б", "Б", "ОП"))
                    attendance.append({"school_id": sid, "person_id": p, "lesson_id": lesson_id, "code": code})
                elif rng.random() < 0.25:
                    marks.append(
                        {
                            "school_id": sid,
                            "source_id": f"m{len(marks)}",
                            "person_id": p,
                            "lesson_id": lesson_id,
                            "value": rng.choice("55443332"),
                            "kind": "lesson",
                            "date": day,
                        }
                    )
        finals = [
            {
                "school_id": sid,
                "source_id": f"f{q}-{p}-{sub}",
                "person_id": persons[f"p{p}"],
                "value": rng.choice("5443332"),
                "kind": "year_final" if q == "y" else "period_final",
                "subject_id": subjects[f"s{sub}"],
                "period_id": period_ids[q],
                "date": QUARTERS[-1][2],
            }
            for q in ("q0", "q1", "q2", "q3", "y")
            for p in range(PUPILS)
            for sub in range(SUBJECTS)
        ]
        for chunk in range(0, len(marks), 50_000):
            s.execute(insert(MarkRow), marks[chunk : chunk + 50_000])
        s.execute(insert(MarkRow), finals)
        s.execute(insert(AttendanceRow), attendance)
        print(f"lessons {len(lessons)}, marks {len(marks)}, finals {len(finals)}, attendance {len(attendance)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        build(db)
        for title, make in (
            ("month 2027-03 (and the year to date)", lambda: month_report(db, "bench", "2027-03")),
            ("period «3 четверть»", lambda: period_report(db, "bench", "3 четверть", academic_year=2026)),
            ("year 2026/2027", lambda: period_report(db, "bench", None, academic_year=2026)),
        ):
            started = time.perf_counter()
            report = make()
            built = time.perf_counter()
            xlsx, html = render_xlsx(report), render_html(report)
            done = time.perf_counter()
            rows = sum(len(t.rows) for t in report.tables)
            print(
                f"{title}: built {built - started:.2f} s, rendered {done - built:.2f} s "
                f"({rows} rows, XLSX {len(xlsx) // 1024} KiB, HTML {len(html) // 1024} KiB)"
            )
        db.dispose()


if __name__ == "__main__":
    main()
