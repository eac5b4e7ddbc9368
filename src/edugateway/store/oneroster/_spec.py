"""The OneRoster 1.2 CSV binding as edugateway uses it: files, columns in the order the spec gives them, the
vocabularies, and the `metadata.edugateway.*` extension columns that carry what OneRoster has no field for.

Mapping to the canonical model:
- orgs.csv (type=school) -> School; `identifier` holds the ИНН, `metadata.edugateway.ogrn` and `.timezone` the rest.
- academicSessions.csv -> ReportingPeriod (gradingPeriod = четверть, semester = полугодие, term = триместр,
  schoolYear = учебный год). `schoolYear` is the year the school year ends (2027 for 2026/2027), as in the spec.
  A session with `metadata.edugateway.generated=true` only gives classes their year; it is not a period.
- courses.csv -> Subject, except courses of homeroom classes (one per parallel), which are not subjects.
- classes.csv -> SchoolClass: classType=homeroom is a class («5А»); a subgroup is a scheduled class with
  `metadata.edugateway.parentClass` naming its class, and its course is its subject.
- users.csv + roles.csv + demographics.csv -> Person. `middleName` is the отчество; SNILS is a `userIds` entry
  `{SNILS:XXX-XXX-XXX YY}`. `agentSourcedIds` links parents and children; the parallel list
  `metadata.edugateway.agentRelations` says how (mother, father, guardian…).
- enrollments.csv -> Enrollment (student and teacher roles).
"""

from __future__ import annotations

from edugateway.domain.models import ReportingPeriodKind, Role

MANIFEST_VERSION = "1.0"
ONEROSTER_VERSION = "1.2"
EXT = "metadata.edugateway."

# Every file property of the 1.2 manifest, in the spec's order; edugateway writes the roster ones.
MANIFEST_FILES = (
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItemLearningObjectiveIds",
    "lineItems",
    "lineItemScoreScales",
    "orgs",
    "resources",
    "resultLearningObjectiveIds",
    "results",
    "resultScoreScales",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
    "users",
)
ROSTER_FILES = ("orgs", "academicSessions", "courses", "classes", "users", "roles", "demographics", "enrollments")

_COMMON = ("sourcedId", "status", "dateLastModified")
COLUMNS: dict[str, tuple[str, ...]] = {
    "orgs": (*_COMMON, "name", "type", "identifier", "parentSourcedId"),
    "academicSessions": (*_COMMON, "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
    "courses": (
        *_COMMON,
        "schoolYearSourcedId",
        "title",
        "courseCode",
        "grades",
        "orgSourcedId",
        "subjects",
        "subjectCodes",
    ),
    "classes": (
        *_COMMON,
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ),
    "users": (
        *_COMMON,
        "enabledUser",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "userMasterIdentifier",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
    ),
    "roles": (
        *_COMMON,
        "userSourcedId",
        "roleType",
        "role",
        "beginDate",
        "endDate",
        "orgSourcedId",
        "userProfileSourcedId",
    ),
    "demographics": (
        *_COMMON,
        "birthDate",
        "sex",
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
        "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity",
        "countryOfBirthCode",
        "stateOfBirthAbbreviation",
        "cityOfBirth",
        "publicSchoolResidenceStatus",
    ),
    "enrollments": (
        *_COMMON,
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ),
}
# Columns some producers add that the spec's tables also name in other editions; read without a warning.
TOLERATED: dict[str, tuple[str, ...]] = {"users": ("resourceSourcedIds",)}

EXTENSIONS: dict[str, tuple[str, ...]] = {
    "orgs": (EXT + "ogrn", EXT + "timezone"),
    "academicSessions": (EXT + "generated",),
    "classes": (EXT + "parentClass",),
    "users": (EXT + "agentRelations",),
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "orgs": ("sourcedId", "name", "type"),
    "academicSessions": ("sourcedId", "title", "type", "startDate", "endDate", "schoolYear"),
    "courses": ("sourcedId", "title"),
    "classes": ("sourcedId", "title", "courseSourcedId", "classType", "termSourcedIds"),
    "users": ("sourcedId", "givenName", "familyName"),
    "roles": ("userSourcedId", "role"),
    "demographics": ("sourcedId",),
    "enrollments": ("sourcedId", "classSourcedId", "userSourcedId", "role"),
}

SESSION_TYPES: dict[str, ReportingPeriodKind] = {
    "gradingPeriod": ReportingPeriodKind.QUARTER,
    "semester": ReportingPeriodKind.HALF,
    "term": ReportingPeriodKind.TRIMESTER,
    "schoolYear": ReportingPeriodKind.YEAR,
}
SESSION_TYPE_OF = {kind: name for name, kind in SESSION_TYPES.items()}

# OneRoster role -> canonical role. Parents, guardians and relatives are all "parent" here; the finer
# relation lives on the link. Everyone who is neither student, teacher nor parent is staff.
ROLE_MAP: dict[str, Role] = {
    "student": Role.STUDENT,
    "teacher": Role.TEACHER,
    "parent": Role.PARENT,
    "guardian": Role.PARENT,
    "relative": Role.PARENT,
    "aide": Role.STAFF,
    "counselor": Role.STAFF,
    "principal": Role.STAFF,
    "proctor": Role.STAFF,
    "siteAdministrator": Role.STAFF,
    "districtAdministrator": Role.STAFF,
    "systemAdministrator": Role.STAFF,
}
ROLE_OUT: dict[Role, str] = {
    Role.STUDENT: "student",
    Role.TEACHER: "teacher",
    Role.PARENT: "parent",
    Role.STAFF: "siteAdministrator",
}
ROLE_ORDER = (Role.STUDENT, Role.TEACHER, Role.STAFF, Role.PARENT)  # the first one a person has is primary

SEX_IN = {"male": "M", "female": "F"}
SEX_OUT = {"M": "male", "F": "female"}

PRE_SCHOOL_GRADES = ("PK", "PR", "TK", "KG", "IT")


def grade_code(grade: int) -> str:
    """CEDS grade level: "01".."12"; 0 (pre-school group) is "PK"."""
    return "PK" if grade == 0 else f"{grade:02d}"


def parse_grade(code: str) -> int:
    code = code.strip()
    if code.upper() in PRE_SCHOOL_GRADES:
        return 0
    if code.isdigit() and 0 <= int(code) <= 12:
        return int(code)
    raise ValueError(f"grade {code!r} is not a grade level (01..12, or KG/PK for a pre-school group)")


def split_list(value: str) -> list[str]:
    """A OneRoster list field: comma-separated values inside one CSV field."""
    return [part.strip() for part in value.split(",") if part.strip()]
