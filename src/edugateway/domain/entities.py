"""The one vocabulary of what the gateway keeps in step with the platforms: the entities a connector reads and
writes, a sync run plans per direction, and reconciliation compares."""

from __future__ import annotations

from enum import StrEnum


class Entity(StrEnum):
    PERSONS = "persons"
    CLASSES = "classes"  # classes and their subgroups
    ENROLLMENTS = "enrollments"
    SUBJECTS = "subjects"
    PERIODS = "periods"
    TIMETABLE = "timetable"
    LESSONS = "lessons"  # with topic and homework, where the platform keeps them on the lesson
    MARKS = "marks"
    FINAL_MARKS = "final_marks"
    ATTENDANCE = "attendance"
    HOMEWORK = "homework"
