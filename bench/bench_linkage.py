"""Record linkage of persons at region scale: N local persons against a drifted platform copy of them.

For N in 10,000 and 100,000 (each in its own process, so peak memory is that run's), prints the linkage time
in total and per phase, peak memory, pairs compared, and precision and recall against the planted truth, of
`auto_links` and of every left record's top candidate. Targets (issue 6): 100k x 100k in <= 30 s on a 2-core
machine, precision >= 0.999, recall >= 0.99; a missed target is said plainly.

    ./run bench bench_linkage [--n 100000] [--right-snils 0.0] [--threshold 0.999]

The population is students of a region's schools (born over 11 years, classes 1А..11Д). Surnames: the 182 of
emulators/russian_names.py carry 45% of people, as the most common surnames do in a real region; the rest take
a long tail built from the same stems with other real surname endings (Иван-ов → Иван-енко, Иван-цев, ...)
and from first names (Максим → Максимов), ~2,150 surnames in all. Without the tail, 182 surnames make full
name + birth date duplicates many times more common than a region has; the bench prints how many it got.

The platform copy drifts at drift.py's realistic rates: 2% of persons missing, 1% extra (half of them a
sibling entered only on the platform — same surname, patronymic, birth date and class, another first name —
and half a stranger), ё written as е 1%, a typo 0.5%, a Latin look-alike letter 0.3%, day and month swapped
0.3%, another birth date 0.3%, another class of the same grade 1%. The platform keeps no SNILS unless
--right-snils says it keeps some.
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
from collections import Counter
from collections.abc import Callable

from edugateway.emulators.drift import LOOKALIKES
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

# Drift rates, per person of the platform copy (drift.py's realistic profile, plus class moves).
MISSING, EXTRA, YO, TYPO, LATIN, SWAPPED, CHANGED, CLASS_MOVED = 0.02, 0.01, 0.01, 0.005, 0.003, 0.003, 0.003, 0.01


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
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tail = surname_tail()
        # A Zipf-like tail: the k-th tail surname is 1/(k+10) as likely, in a shuffled order.
        rng.shuffle(self.tail)
        self.tail_weights = [1 / (k + 10) for k in range(len(self.tail))]

    def surname(self) -> str:
        if self.rng.random() < HEAD_SHARE:
            return pick(self.rng, SURNAMES)
        return self.rng.choices(self.tail, weights=self.tail_weights, k=1)[0]

    def person(self, pid: str) -> LinkRecord:
        female = self.rng.random() < 0.5
        grade = self.rng.randint(1, 11)
        born = dt.date(SCHOOL_YEAR - 7 - grade, 9, 1) + dt.timedelta(days=self.rng.randrange(365))
        surname = self.surname()
        middle = patronymic(pick(self.rng, MALE_NAMES), female=female) if self.rng.random() > 0.015 else None
        return LinkRecord(
            id=pid,
            last_name=female_surname(surname) if female else surname,
            first_name=pick(self.rng, FEMALE_NAMES if female else MALE_NAMES),
            middle_name=middle,
            birth_date=born,
            gender="f" if female else "m",
            class_name=f"{grade}{self.rng.choice(LETTERS)}",
            snils=random_snils(self.rng) if self.rng.random() < 0.97 else None,
        )


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


def _drift_one(rng: random.Random, p: LinkRecord, kind: str) -> LinkRecord:
    fields = [f for f in ("last_name", "first_name") if kind != "latin" or set(getattr(p, f)) & LOOKALIKES.keys()]
    field = rng.choice(fields)
    value: str = getattr(p, field)
    born = p.birth_date or dt.date(2015, 1, 1)
    changes: dict[str, Callable[[], dict[str, object]]] = {
        "yo": lambda: {"last_name": p.last_name.replace("ё", "е"), "first_name": p.first_name.replace("ё", "е")},
        "typo": lambda: {field: _typo(rng, value)},
        "latin": lambda: {field: _latin(rng, value)},
        "swapped": lambda: {"birth_date": born.replace(month=born.day, day=born.month)},  # only the eligible
        "changed": lambda: {"birth_date": born + dt.timedelta(days=rng.choice((-1, 1)) * rng.randint(20, 400))},
        "class": lambda: (
            {"class_name": (p.class_name or "1А")[:-1] + rng.choice(LETTERS.replace(p.class_name[-1], ""))}
            if p.class_name
            else {}
        ),
    }
    return dataclasses.replace(p, **changes[kind]())


def _extra(rng: random.Random, population: Population, template: LinkRecord, pid: str) -> LinkRecord:
    """A sibling entered only on the platform (same family and class, another first name), or a stranger."""
    if rng.random() < 0.5:
        return dataclasses.replace(population.person(pid), snils=None)
    names = FEMALE_NAMES if template.gender == "f" else MALE_NAMES
    other = next(n for n in iter(lambda: pick(rng, names), None) if n != template.first_name)
    return dataclasses.replace(template, id=pid, first_name=other, snils=None)


def _eligible(kind: str, p: LinkRecord) -> bool:
    """Who a kind of drift can change: as drift.py, it picks its share of all persons among these."""
    born = p.birth_date
    if kind == "yo":
        return "ё" in (p.last_name + p.first_name).lower()
    if kind == "latin":
        return bool(set(p.last_name + p.first_name) & LOOKALIKES.keys())
    if kind == "swapped":
        return born is not None and born.day <= 12 and born.day != born.month
    return True


def platform_copy(
    rng: random.Random, population: Population, local: list[LinkRecord], right_snils: float
) -> tuple[list[LinkRecord], dict[str, str]]:
    """The platform's persons and the truth: platform id -> local id."""
    rates = {"yo": YO, "typo": TYPO, "latin": LATIN, "swapped": SWAPPED, "changed": CHANGED, "class": CLASS_MOVED}
    # A rate is a share of all persons, drawn among those the drift can change.
    scaled = {k: r * len(local) / max(1, sum(_eligible(k, p) for p in local)) for k, r in rates.items()}
    remote: list[LinkRecord] = []
    truth: dict[str, str] = {}
    for p in local:
        if rng.random() < MISSING:
            continue
        copy = dataclasses.replace(p, id="r" + p.id[1:], snils=p.snils if rng.random() < right_snils else None)
        roll = rng.random()
        for kind, rate in scaled.items():
            if not _eligible(kind, p):
                continue
            if roll < rate:
                copy = _drift_one(rng, copy, kind)
                break
            roll -= rate
        remote.append(copy)
        truth[copy.id] = p.id
    for n in range(round(len(local) * EXTRA)):
        remote.append(_extra(rng, population, rng.choice(local), f"x{n}"))
    rng.shuffle(remote)
    return remote, truth


def precision_recall(pairs: list[Candidate], truth: dict[str, str], expected: int) -> tuple[float, float, int]:
    right = sum(1 for c in pairs if truth.get(c.right_id) == c.left_id)
    return (right / len(pairs) if pairs else 1.0), right / expected, len(pairs) - right


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def run(n: int, right_snils: float, threshold: float) -> None:
    rng = random.Random(20261)
    population = Population(rng)
    local = [population.person(f"p{i}") for i in range(n)]
    remote, truth = platform_copy(rng, population, local, right_snils)
    dupes = Counter((p.last_name, p.first_name, p.middle_name, p.birth_date) for p in local)
    print(f"== {n:,} local x {len(remote):,} platform persons ({len(truth):,} true pairs)")
    shared = sum(c for c in dupes.values() if c > 1)
    print(
        f"  surnames in use {len({p.last_name for p in local}):,}; sharing full name + birth date: {shared:,} persons"
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
        f"  time {total:.2f} s: prepare {stats.prepare_seconds:.2f}, blocking+predict {stats.predict_seconds:.2f}, "
        f"ranking {stats.rank_seconds:.2f}, auto_links {auto_seconds:.2f}"
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
    verdicts = [
        ("precision", p_auto >= TARGET_PRECISION, f"{p_auto:.5f} >= {TARGET_PRECISION}"),
        ("recall", r_auto >= TARGET_RECALL, f"{r_auto:.4f} >= {TARGET_RECALL}"),
    ]
    if n >= 100_000:
        verdicts.append(("time", total <= TARGET_SECONDS_100K, f"{total:.1f} s <= {TARGET_SECONDS_100K:.0f} s"))
    for name, ok, how in verdicts:
        print(f"  target {name}: {'met' if ok else 'MISSED'} ({how})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, help="one size only, in this process (default: 10k and 100k, each apart)")
    parser.add_argument("--right-snils", type=float, default=0.0, help="share of platform persons with a SNILS")
    parser.add_argument("--threshold", type=float, default=0.999, help="auto-link threshold")
    args = parser.parse_args()
    if args.n:
        configure_logging(level="WARNING")
        run(args.n, args.right_snils, args.threshold)
        return
    for n in (10_000, 100_000):
        extra = ["--right-snils", str(args.right_snils), "--threshold", str(args.threshold)]
        subprocess.run([sys.executable, __file__, "--n", str(n), *extra], check=True)


if __name__ == "__main__":
    main()
