"""The lines `edugateway sync` prints after the plan: how many records were skipped and of what, and which
platform subjects and teachers need mapping, with what is kept under them. Never a teacher's name."""

from __future__ import annotations

from edugateway.store.needs_mapping import NeedsMapping, SubgroupOnHomeroom, SubjectToMap, TeacherToMap
from edugateway.sync.run_summary import SUBJECTS_SHOWN, summary_lines

MATH = SubjectToMap("41", "Математика", 472, 1033, 361)


def test_a_clean_run_adds_no_line() -> None:
    assert summary_lines(3, {"lessons": {"read": 10, "skipped": 0}}, NeedsMapping()) == []
    assert summary_lines(3, None, None) == []


def test_skipped_records_are_counted_per_entity() -> None:
    counts = {"persons": {"skipped": 0}, "lessons": {"skipped": 2}, "marks": {"skipped": 1, "created": 9}}
    assert summary_lines(3, counts, None) == ["3 records skipped (lessons 2, marks 1); the reasons: runs show 3"]


def test_subjects_that_need_mapping_are_named_with_what_is_kept_under_them() -> None:
    other = SubjectToMap("42", "Химия", 1, 0, 0)
    (line,) = summary_lines(5, {}, NeedsMapping(subjects=[MATH, other]))
    assert line.startswith("2 platform subjects need mapping to local ones")
    assert "«Математика» (472 lessons, 1033 marks), «Химия» (1 lesson, 0 marks)" in line
    assert line.endswith("see runs show 5")


def test_a_long_list_of_subjects_is_cut_short() -> None:
    many = [SubjectToMap(str(n), f"Предмет {n}", 1, 1, 0) for n in range(SUBJECTS_SHOWN + 2)]
    (line,) = summary_lines(5, {}, NeedsMapping(subjects=many))
    assert f"«Предмет {SUBJECTS_SHOWN - 1}»" in line
    assert f"«Предмет {SUBJECTS_SHOWN}»" not in line
    assert ", …;" in line


def test_unlinked_teachers_are_counted_not_named() -> None:
    (line,) = summary_lines(5, {}, NeedsMapping(teachers=[TeacherToMap("7", 12), TeacherToMap("8", 1)]))
    assert (
        line
        == "2 platform teachers are linked to no local person: 13 lessons stored without a teacher; see runs show 5"
    )


def test_subgroups_filed_on_their_class_are_said_once_with_their_lessons() -> None:
    groups = [
        SubgroupOnHomeroom("5А", "Группа 1_Тру", "Труд (технология)", 12),
        SubgroupOnHomeroom("5А", "Группа 2_Тру", "Труд (технология)", 1),
    ]
    (line,) = summary_lines(5, {}, NeedsMapping(subgroups=groups))
    assert line == (
        "13 lessons of 2 platform groups the school has no subgroup of were stored on the class: "
        "5А «Группа 1_Тру» (Труд (технология), 12 lessons), 5А «Группа 2_Тру» (Труд (технология), 1 lesson); "
        "add the subgroups (with their subject) locally to file them there; see runs show 5"
    )
