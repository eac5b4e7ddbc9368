"""Every comparison level the matcher can report has a Russian title on the clerk's page."""

from edugateway.identity.linkage import FIELDS, MISSING
from edugateway.web.case_view import AGREEMENT_TITLES


def test_every_level_of_the_matcher_has_a_russian_title() -> None:
    levels = {level.name for field in FIELDS for level in field.all_levels()} | {MISSING}
    untitled = sorted(levels - AGREEMENT_TITLES.keys())
    assert not untitled, f"levels the clerk would read in English: {untitled}"
