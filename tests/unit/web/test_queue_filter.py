"""The queue's links: a changed filter keeps the others and goes back to page one; empty values stay out."""

from __future__ import annotations

from edugateway.web.queue import QueueFilter


def test_changing_one_filter_keeps_the_others_and_resets_the_page() -> None:
    chosen = QueueFilter(school_id=3, class_name="5А", case_type="name_differs", status="open", page=4)
    assert chosen.query(case_type="missing_snils") == {
        "school": "3",
        "class": "5А",
        "type": "missing_snils",
        "status": "open",
    }


def test_a_page_link_keeps_every_filter() -> None:
    assert QueueFilter(class_name="7Б").query(page=2) == {"class": "7Б", "status": "open", "page": "2"}


def test_the_default_filter_is_the_open_cases() -> None:
    assert QueueFilter().query() == {"status": "open"}
