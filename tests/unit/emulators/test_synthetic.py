from collections import Counter

from edugateway.domain.models import Role
from edugateway.domain.snils import check_snils
from edugateway.emulators.russian_names import female_surname, patronymic
from edugateway.emulators.synthetic import PlantedProblem, generate_school


def test_school_has_the_requested_shape() -> None:
    generated = generate_school(seed=7, students=1000, classes=40)
    snap = generated.snapshot
    roles = Counter(r for p in snap.persons for r in p.roles)
    assert roles[Role.STUDENT] == 1000
    assert roles[Role.TEACHER] >= 40
    assert roles[Role.PARENT] >= 1000
    homerooms = [c for c in snap.classes if c.parent_id is None]
    assert len(homerooms) == 40
    assert {c.grade for c in homerooms} == set(range(1, 12))
    students = {p.id for p in snap.persons if Role.STUDENT in p.roles}
    in_homeroom = {e.person_id for e in snap.enrollments if e.class_id in {c.id for c in homerooms}}
    assert students <= in_homeroom
    assert len({p.id for p in snap.persons}) == len(snap.persons)


def test_same_seed_same_school_and_planted_problems_are_where_it_says() -> None:
    a, b = generate_school(seed=11, students=300, classes=12), generate_school(seed=11, students=300, classes=12)
    assert a.snapshot == b.snapshot
    assert a.planted == b.planted
    persons = {p.id: p for p in a.snapshot.persons}
    seen = Counter(a.planted.values())
    assert seen[PlantedProblem.SNILS_TYPO] > 0
    holders = Counter(p.snils for p in a.snapshot.persons if p.snils)
    for pid, problem in a.planted.items():
        person = persons[pid]
        if problem is PlantedProblem.SNILS_TYPO:
            assert person.snils is None
            assert check_snils(person.snils_rejected or "").problem == "checksum"
        elif problem is PlantedProblem.SNILS_MALFORMED:
            assert check_snils(person.snils_rejected or "").problem in {"length", "non_digits"}
        elif problem is PlantedProblem.SNILS_MISSING:
            assert person.snils is None
            assert person.snils_rejected is None
        else:
            assert holders[person.snils] == 2
    unplanted_dupes = [p.id for p in a.snapshot.persons if p.snils and holders[p.snils] > 1 and p.id not in a.planted]
    assert len(unplanted_dupes) == seen[PlantedProblem.SNILS_DUPLICATE]  # the sibling who kept the number


def test_russian_name_forms() -> None:
    assert female_surname("Иванов") == "Иванова"
    assert female_surname("Островский") == "Островская"
    assert female_surname("Шевченко") == "Шевченко"
    assert patronymic("Сергей", female=False) == "Сергеевич"
    assert patronymic("Игорь", female=True) == "Игоревна"
    assert patronymic("Илья", female=True) == "Ильинична"
    assert patronymic("Иван", female=True) == "Ивановна"
