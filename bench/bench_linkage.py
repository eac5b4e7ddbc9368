"""Record linkage of persons at region scale: N local persons against a drifted platform copy of them.

For N in 10,000 and 100,000 (each in its own process, so peak memory is that run's), prints the linkage time
in total and per phase, peak memory, pairs compared, and precision and recall against the planted truth, of
`auto_links` and of every left record's top candidate; then the same for a generic Splink model trained by EM
on the same data in the same run (bench/linkage_baseline.py), and per drift kind the precision and recall of
both: of the auto-links whose local or platform record the kind concerns (for siblings and twins what counts is
precision, and the bench prints how many wrong links joined two children of one family). Targets (issues 6 and
15): 100k x 100k in <= 30 s on a 2-core machine and >= 2x faster than the generic model, precision >= 0.999 and
recall >= 0.99 overall and on each of latin_transliteration, double_surname, missing_patronymic, missing_snils,
siblings and twins; a missed target is said plainly.

    ./run bench bench_linkage [--n 100000] [--right-snils 0.5] [--threshold 0.999] [--no-baseline]

The population is pupils of a region's schools (born over 11 years, classes 1А..11Д), in families: ~25% have a
brother or sister (same surname and patronymic, another first name, another grade) and ~2.5% are twins (the same
birth date and class too). Surnames: the 182 of emulators/russian_names.py carry 45% of people, as the most
common surnames do in a real region; the rest take a long tail built from the same stems with other real surname
endings (Иван-ов → Иван-енко, Иван-цев, ...) and from first names (Максим → Максимов). Without the tail, 182
surnames make full name + birth date duplicates many times more common than a region has; the bench prints how
many it got.

The platform copy drifts at drift.py's realistic rates (IdentityDriftProfile): 2% of persons missing, 1% extra
(half of them a sibling entered only on the platform — same surname, patronymic, birth date and class, another
first name — and half a stranger), ё written as е 1%, a typo 0.5%, a Latin look-alike letter 0.3%, day and month
swapped 0.3%, another birth date 0.3%, another class of the same grade 1%, the whole name in Latin letters as a
foreign passport writes it 0.5%, a second surname taken or one of two dropped 0.5%, the patronymic left out or a
placeholder («-», «нет») 1%. The platform keeps the SNILS of --right-snils of its persons (default half: one
platform fed from ЕСИА, one not), and of those loses it for 3% (missing_snils); --right-snils 0 is the hardest
case, names and dates only.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from linkage_baseline import generic_splink

from edugateway.emulators.drift import (
    LOOKALIKES,
    NO_PATRONYMIC,
    IdentityDriftProfile,
    latin_passport_name,
    with_second_surname,
)
from edugateway.emulators.russian_names import (
    FEMALE_NAMES,
    MALE_NAMES,
    SURNAMES,
    female_surname,
    patronymic,
    pick,
)
from edugateway.emulators.synthetic import random_snils
from edugateway.identity.linkage import Candidate, LinkRecord, LinkStats, auto_links, link
from edugateway.logs import configure_logging

TARGET_SECONDS_100K = 30.0
TARGET_PRECISION = 0.999
TARGET_RECALL = 0.99
SCHOOL_YEAR = 2026
LETTERS = "АБВГД"

HEAD_SHARE = 0.45  # share of people carrying one of the 182 common surnames
TAIL_ENDINGS = ("ов", "ин", "енко", "цев", "ский", "ович", "ук", "ых", "ушкин", "ников")

# Persons missing on and extra to the platform (drift.py's DriftProfile); the rest is IdentityDriftProfile's.
MISSING, EXTRA = 0.02, 0.01
# Drift of one platform record; a record shows at most one of these.
RECORD_KINDS = (
    "name_yo",
    "name_typo",
    "name_latin",
    "birth_date_swapped",
    "birth_date_changed",
    "class_moved",
    "latin_transliteration",
    "double_surname",
    "missing_patronymic",
)
KINDS = (*RECORD_KINDS, "missing_snils", "siblings", "twins", "missing_on_platform", "extra_on_platform")
# The kinds issue 15 holds to precision and recall targets. A birth date months off with the names equal is left to
# the clerk on purpose (a sibling's record is that too), so its recall is printed, not targeted.
TARGET_KINDS = ("latin_transliteration", "double_surname", "missing_patronymic", "missing_snils", "siblings", "twins")


def _stem(surname: str) -> str:
    for ending in ("ёв", "ов", "ев", "ин", "ын", "ский", "цкий", "ой"):
        if surname.endswith(ending) and len(surname) - len(ending) >= 3:
            return surname[: -len(ending)]
    return surname


def surname_tail() -> list[str]:
    """Surnames built from the common ones' stems and from first names, with other real surname endings."""
    stems = {_stem(s) for s, _ in SURNAMES} | {n.rstrip("йьая") for n, _ in MALE_NAMES if len(n) > 3}
    common = {s for s, _ in SURNAMES}
    return sorted({stem + ending for stem in stems for ending in TAIL_ENDINGS} - common)


class Population:
    """A region's pupils in families: most alone, some with a brother or sister, some twins (drift.py's shares)."""

    def __init__(self, rng: random.Random, profile: IdentityDriftProfile) -> None:
        self.rng = rng
        self.tail = surname_tail()
        # A Zipf-like tail: the k-th tail surname is 1/(k+10) as likely, in a shuffled order.
        rng.shuffle(self.tail)
        self.tail_weights = [1 / (k + 10) for k in range(len(self.tail))]
        # Shares of families of two siblings and of twins that give those shares of persons.
        per_family = 1 / (1 - (profile.siblings + profile.twins) / 2)
        self.sibling_families = profile.siblings * per_family / 2
        self.twin_families = profile.twins * per_family / 2
        self.family_of: dict[str, int] = {}
        self.twins: set[str] = set()
        self.siblings: set[str] = set()

    def surname(self) -> str:
        if self.rng.random() < HEAD_SHARE:
            return pick(self.rng, SURNAMES)
        return self.rng.choices(self.tail, weights=self.tail_weights, k=1)[0]

    def person(self, pid: str) -> LinkRecord:
        return self._child(pid, self.surname(), pick(self.rng, MALE_NAMES), self._birth(self.rng.randint(1, 11)))

    def _birth(self, grade: int) -> tuple[dt.date, str]:
        born = dt.date(SCHOOL_YEAR - 7 - grade, 9, 1) + dt.timedelta(days=self.rng.randrange(365))
        return born, f"{grade}{self.rng.choice(LETTERS)}"

    def _child(self, pid: str, surname: str, father: str, birth: tuple[dt.date, str], avoid: str = "") -> LinkRecord:
        female = self.rng.random() < 0.5
        names = FEMALE_NAMES if female else MALE_NAMES
        first = next(n for n in iter(lambda: pick(self.rng, names), None) if n != avoid)
        middle = patronymic(father, female=female) if self.rng.random() > 0.015 else None
        born, class_name = birth
        return LinkRecord(
            id=pid,
            last_name=female_surname(surname) if female else surname,
            first_name=first,
            middle_name=middle,
            birth_date=born,
            gender="f" if female else "m",
            class_name=class_name,
            snils=random_snils(self.rng) if self.rng.random() < 0.97 else None,
        )

    def people(self, n: int) -> list[LinkRecord]:
        out: list[LinkRecord] = []
        while len(out) < n:
            family = len(self.family_of)
            surname, father = self.surname(), pick(self.rng, MALE_NAMES)
            grade = self.rng.randint(1, 11)
            first = self._child(f"p{len(out)}", surname, father, self._birth(grade))
            kids, roll = [first], self.rng.random()
            if roll < self.twin_families:  # born the same day, in the same class
                assert first.birth_date
                assert first.class_name
                birth = (first.birth_date, first.class_name)
                kids.append(self._child(f"p{len(out) + 1}", surname, father, birth, avoid=first.first_name))
                self.twins.update(k.id for k in kids)
            elif roll < self.twin_families + self.sibling_families:
                other = self.rng.choice([g for g in range(1, 12) if 1 <= abs(g - grade) <= 5])
                kids.append(self._child(f"p{len(out) + 1}", surname, father, self._birth(other), first.first_name))
                self.siblings.update(k.id for k in kids)
            for kid in kids[: n - len(out)]:
                self.family_of[kid.id] = family
                out.append(kid)
        return out


def _typo(rng: random.Random, text: str) -> str:
    """As drift.py: two neighbouring letters swapped, or one dropped, never the first."""
    if len(text) < 4:
        return text + text[-1]
    i = rng.randrange(1, len(text) - 2)
    if text[i] != text[i + 1] and rng.random() < 0.6:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def _latin(rng: random.Random, text: str) -> str:
    spots = [i for i, c in enumerate(text) if c in LOOKALIKES]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + LOOKALIKES[text[i]] + text[i + 1 :]


def _drift_one(rng: random.Random, population: Population, p: LinkRecord, kind: str) -> LinkRecord:
    fields = [f for f in ("last_name", "first_name") if kind != "name_latin" or set(getattr(p, f)) & LOOKALIKES.keys()]
    field = rng.choice(fields)
    value: str = getattr(p, field)
    born = p.birth_date or dt.date(2015, 1, 1)
    second = population.surname()
    changes: dict[str, Callable[[], dict[str, object]]] = {
        "name_yo": lambda: {"last_name": p.last_name.replace("ё", "е"), "first_name": p.first_name.replace("ё", "е")},
        "name_typo": lambda: {field: _typo(rng, value)},
        "name_latin": lambda: {field: _latin(rng, value)},
        "birth_date_swapped": lambda: {"birth_date": born.replace(month=born.day, day=born.month)},  # the eligible
        "birth_date_changed": lambda: {
            "birth_date": born + dt.timedelta(days=rng.choice((-1, 1)) * rng.randint(20, 400))
        },
        "class_moved": lambda: (
            {"class_name": (p.class_name or "1А")[:-1] + rng.choice(LETTERS.replace(p.class_name[-1], ""))}
            if p.class_name
            else {}
        ),
        "latin_transliteration": lambda: {
            f: latin_passport_name(rng, getattr(p, f))
            for f in ("last_name", "first_name", "middle_name")
            if getattr(p, f)
        },
        "double_surname": lambda: {
            "last_name": with_second_surname(rng, p.last_name, female_surname(second) if p.gender == "f" else second)
        },
        "missing_patronymic": lambda: {"middle_name": rng.choice(NO_PATRONYMIC)},
    }
    return dataclasses.replace(p, **changes[kind]())


def _extra(rng: random.Random, population: Population, template: LinkRecord, pid: str) -> LinkRecord:
    """A sibling entered only on the platform (same family and class, another first name), or a stranger."""
    if rng.random() < 0.5:
        return dataclasses.replace(population.person(pid), snils=None)
    names = FEMALE_NAMES if template.gender == "f" else MALE_NAMES
    other = next(n for n in iter(lambda: pick(rng, names), None) if n != template.first_name)
    population.family_of[pid] = population.family_of[template.id]
    population.siblings.add(pid)
    return dataclasses.replace(template, id=pid, first_name=other, snils=None)


def _eligible(kind: str, p: LinkRecord) -> bool:
    """Who a kind of drift can change: as drift.py, it picks its share of all persons among these."""
    born = p.birth_date
    if kind == "name_yo":
        return "ё" in (p.last_name + p.first_name).lower()
    if kind == "name_latin":
        return bool(set(p.last_name + p.first_name) & LOOKALIKES.keys())
    if kind == "birth_date_swapped":
        return born is not None and born.day <= 12 and born.day != born.month
    if kind == "missing_patronymic":
        return p.middle_name is not None
    return True


@dataclass
class Platform:
    remote: list[LinkRecord]
    truth: dict[str, str]  # platform id -> local id
    left_of: dict[str, set[str]]  # drift kind -> the local ids it concerns
    right_of: dict[str, set[str]]  # drift kind -> the platform ids it concerns


def platform_copy(
    rng: random.Random,
    population: Population,
    local: list[LinkRecord],
    right_snils: float,
    profile: IdentityDriftProfile,
) -> Platform:
    """The platform's persons, the truth, and which records each kind of drift concerns."""
    rates = {kind: getattr(profile, kind) for kind in RECORD_KINDS}
    # A rate is a share of all persons, drawn among those the drift can change.
    scaled = {k: r * len(local) / max(1, sum(_eligible(k, p) for p in local)) for k, r in rates.items()}
    out = Platform([], {}, defaultdict(set), defaultdict(set))
    for p in local:
        if rng.random() < MISSING:
            out.left_of["missing_on_platform"].add(p.id)
            continue
        keeps_snils = rng.random() < right_snils
        copy = dataclasses.replace(p, id="r" + p.id[1:], snils=p.snils if keeps_snils else None)
        if keeps_snils and p.snils and rng.random() < profile.missing_snils:
            copy = dataclasses.replace(copy, snils=None)
            out.left_of["missing_snils"].add(p.id)
        roll = rng.random()
        for kind, rate in scaled.items():
            if not _eligible(kind, p):
                continue
            if roll < rate:
                copy = _drift_one(rng, population, copy, kind)
                out.left_of[kind].add(p.id)
                break
            roll -= rate
        out.remote.append(copy)
        out.truth[copy.id] = p.id
    for n in range(round(len(local) * EXTRA)):
        extra = _extra(rng, population, rng.choice(local), f"x{n}")
        out.remote.append(extra)
        out.right_of["extra_on_platform"].add(extra.id)
    for kind, ids in (("siblings", population.siblings), ("twins", population.twins)):
        out.left_of[kind] = {i for i in ids if i.startswith("p")}
        out.right_of[kind] = {r for r, lft in out.truth.items() if lft in ids} | {i for i in ids if i.startswith("x")}
    rng.shuffle(out.remote)
    return out


def precision_recall(pairs: list[Candidate], truth: dict[str, str], expected: int) -> tuple[float, float, int]:
    right = sum(1 for c in pairs if truth.get(c.right_id) == c.left_id)
    return (right / len(pairs) if pairs else 1.0), (right / expected if expected else 1.0), len(pairs) - right


@dataclass
class KindScore:
    records: int  # true pairs the kind concerns
    precision: float
    recall: float
    wrong: int  # links made wrongly where the kind is
    family_wrong: int  # of those, links of one sibling or twin to another


def kind_score(linked: list[Candidate], platform: Platform, family: dict[str, int], kind: str) -> KindScore:
    """Links whose local or platform record the kind concerns; a wrong one within a family is a sibling mixed up."""
    lefts, rights = platform.left_of.get(kind, set()), platform.right_of.get(kind, set())
    mine = [c for c in linked if c.left_id in lefts or c.right_id in rights]
    expected = sum(1 for r, lft in platform.truth.items() if lft in lefts or r in rights)
    precision, recall, wrong = precision_recall(mine, platform.truth, expected)
    family_wrong = sum(
        1
        for c in mine
        if platform.truth.get(c.right_id) != c.left_id and family.get(c.right_id) == family.get(c.left_id) is not None
    )
    return KindScore(expected, precision, recall, wrong, family_wrong)


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def run(n: int, right_snils: float, threshold: float, with_baseline: bool) -> None:
    rng = random.Random(20261)
    profile = IdentityDriftProfile()
    population = Population(rng, profile)
    local = population.people(n)
    platform = platform_copy(rng, population, local, right_snils, profile)
    remote, truth = platform.remote, platform.truth
    family = dict(population.family_of)
    family |= {r: population.family_of[lft] for r, lft in truth.items()}
    dupes = Counter((p.last_name, p.first_name, p.middle_name, p.birth_date) for p in local)
    print(f"== {n:,} local x {len(remote):,} platform persons ({len(truth):,} true pairs)")
    shared = sum(c for c in dupes.values() if c > 1)
    print(
        f"  surnames in use {len({p.last_name for p in local}):,}; sharing full name + birth date: {shared:,} persons; "
        f"platform persons with a SNILS: {sum(1 for r in remote if r.snils) / len(remote):.0%}"
    )
    rss_before = _rss_mib()
    stats = LinkStats()
    started = time.perf_counter()
    candidates = link(local, remote, stats=stats)
    linked_at = time.perf_counter()
    auto = auto_links(candidates, threshold)
    total = time.perf_counter() - started
    auto_seconds = time.perf_counter() - linked_at
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  ours: time {total:.2f} s: prepare {stats.prepare_seconds:.2f}, blocking+predict "
        f"{stats.predict_seconds:.2f}, ranking {stats.rank_seconds:.2f}, auto_links {auto_seconds:.2f}"
    )
    print(f"  peak memory (max RSS) {peak:,.0f} MiB; {rss_before:,.0f} MiB held before linking")
    print(f"  pairs compared {stats.pairs_compared:,}; candidates {stats.candidates:,}")
    expected = len(truth)
    top1 = [c for i, c in enumerate(candidates) if i == 0 or candidates[i - 1].left_id != c.left_id]
    found = {(c.left_id, c.right_id) for c in candidates}
    in_candidates = sum(1 for r, lft in truth.items() if (lft, r) in found)
    p_auto, r_auto, wrong_auto = precision_recall(auto, truth, expected)
    p_top, r_top, wrong_top = precision_recall(top1, truth, expected)
    print(
        f"  auto_links (p >= {threshold}): {len(auto):,} pairs, precision {p_auto:.5f} ({wrong_auto} wrong), "
        f"recall {r_auto:.4f}"
    )
    print(
        f"  top-1 candidate (p >= 0.5):  {len(top1):,} pairs, precision {p_top:.5f} ({wrong_top} wrong), "
        f"recall {r_top:.4f}"
    )
    print(f"  true pair among the top-3 candidates: {in_candidates / expected:.4f}")
    base_auto: list[Candidate] = []
    base_total = 0.0
    if with_baseline:
        started = time.perf_counter()
        base = generic_splink(local, remote)
        base_auto = auto_links(base.candidates, threshold)
        base_total = time.perf_counter() - started
        pb, rb, wb = precision_recall(base_auto, truth, expected)
        print(
            f"  generic EM-trained Splink: time {base_total:.2f} s (training {base.train_seconds:.2f}, predict "
            f"{base.predict_seconds:.2f}); auto_links {len(base_auto):,} pairs, precision {pb:.5f} ({wb} wrong), "
            f"recall {rb:.4f}; ours is {base_total / total:.1f}x faster"
        )
    print(f"  per drift kind, auto_links (p >= {threshold}): precision / recall (wrong links; of them within a family)")
    print(f"  {'kind':<22} {'pairs':>7}  {'ours':<32} {'generic Splink' if with_baseline else ''}")
    worst = (1.0, 1.0)
    for kind in KINDS:
        ours = kind_score(auto, platform, family, kind)
        line = f"  {kind:<22} {ours.records:>7,}  {_fmt(ours):<32}"
        if with_baseline:
            line += f" {_fmt(kind_score(base_auto, platform, family, kind))}"
        print(line)
        if kind in TARGET_KINDS:
            worst = (min(worst[0], ours.precision), min(worst[1], ours.recall if ours.records else 1.0))
    verdicts = [
        ("precision", p_auto >= TARGET_PRECISION, f"{p_auto:.5f} >= {TARGET_PRECISION}"),
        ("recall", r_auto >= TARGET_RECALL, f"{r_auto:.4f} >= {TARGET_RECALL}"),
        (
            "precision of each of " + ", ".join(TARGET_KINDS),
            worst[0] >= TARGET_PRECISION,
            f"worst {worst[0]:.5f} >= {TARGET_PRECISION}",
        ),
        ("recall of each of them", worst[1] >= TARGET_RECALL, f"worst {worst[1]:.4f} >= {TARGET_RECALL}"),
    ]
    if with_baseline:
        verdicts.append(("speed-up", base_total >= 2 * total, f"{base_total / total:.1f}x >= 2x the generic Splink"))
    if n >= 100_000:
        verdicts.append(("time", total <= TARGET_SECONDS_100K, f"{total:.1f} s <= {TARGET_SECONDS_100K:.0f} s"))
    for name, ok, how in verdicts:
        print(f"  target {name}: {'met' if ok else 'MISSED'} ({how})")


def _fmt(score: KindScore) -> str:
    recall = f"{score.recall:.4f}" if score.records else "  -   "
    return f"{score.precision:.4f} / {recall} ({score.wrong}; {score.family_wrong})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, help="one size only, in this process (default: 10k and 100k, each apart)")
    parser.add_argument(
        "--right-snils", type=float, default=0.5, help="share of platform persons whose SNILS the platform keeps"
    )
    parser.add_argument("--threshold", type=float, default=0.999, help="auto-link threshold")
    parser.add_argument("--no-baseline", action="store_true", help="skip the generic EM-trained Splink")
    args = parser.parse_args()
    if args.n:
        configure_logging(level="WARNING")
        run(args.n, args.right_snils, args.threshold, not args.no_baseline)
        return
    for n in (10_000, 100_000):
        extra = ["--right-snils", str(args.right_snils), "--threshold", str(args.threshold)]
        extra += ["--no-baseline"] if args.no_baseline else []
        subprocess.run([sys.executable, __file__, "--n", str(n), *extra], check=True)


if __name__ == "__main__":
    main()
