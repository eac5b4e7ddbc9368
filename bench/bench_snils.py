"""SNILS checking throughput over a realistic mix of inputs (canonical, bare digits, typos, garbage).

Prints checks per second and microseconds per check; a school of 1000 students with parents and
teachers is about 2,500 numbers, so this bounds what SNILS validation costs an import.
"""

from __future__ import annotations

import random
import time

from edugateway.domain.snils import check_snils, format_snils
from edugateway.emulators.synthetic import random_snils


def inputs(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(n):
        digits = random_snils(rng)
        match i % 5:
            case 0:
                out.append(format_snils(digits))
            case 1:
                out.append(digits)
            case 2:
                out.append(f"{digits[:3]}-{digits[3:6]}-{digits[6:9]}-{digits[9:]}")
            case 3:
                out.append(digits[:-1] + str((int(digits[-1]) + 1) % 10))  # checksum typo
            case _:
                out.append(digits[:7] + "O" + digits[8:])  # letter O for zero
    return out


def main() -> None:
    values = inputs(200_000)
    start = time.perf_counter()
    valid = sum(check_snils(v).valid for v in values)
    elapsed = time.perf_counter() - start
    print(f"checked {len(values):,} values ({valid:,} valid) in {elapsed:.3f} s")
    print(f"  {len(values) / elapsed:,.0f} checks/s, {elapsed / len(values) * 1e6:.2f} µs per check")


if __name__ == "__main__":
    main()
