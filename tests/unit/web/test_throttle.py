"""Sign-in throttling: each try is counted before its password is checked; one name from one client is locked
after a few failures, one name from anywhere is slowed (never locked), one client trying many names is spaced,
and a success forgets the pair's and the account's failures."""

from __future__ import annotations

import threading

from edugateway.web.throttle import LoginThrottle, ThrottleLimits
from support.fake_clock import FakeClock

LIMITS = ThrottleLimits(
    per_pair=3,
    per_client=5,
    client_interval_s=4,
    account_free=4,
    account_delay_s=1,
    account_max_delay_s=8,
    max_wait_s=10,
    window_s=600,
    failure_delay_s=0,
)


def fail(throttle: LoginThrottle, client: str, account: str) -> float:
    """One admitted try that turns out wrong (nothing to report: it was counted when admitted); its wait."""
    admission = throttle.admit(client, account)
    assert admission.attempt is not None, f"{client} {account} refused for {admission.wait_s} s"
    return admission.wait_s


def test_a_name_is_locked_for_one_client_only_after_the_limit() -> None:
    clock = FakeClock(1000.0)
    throttle = LoginThrottle(LIMITS, clock)
    for _ in range(3):
        fail(throttle, "10.0.0.1", "ivanova")
        clock.advance(10)

    refused = throttle.admit("10.0.0.1", "ivanova")

    assert refused.attempt is None
    assert refused.wait_s == 1000 + 600 - clock()  # until the oldest failure leaves the window
    assert throttle.admit("10.0.0.2", "ivanova").attempt is not None  # she can still sign in from her desk
    assert throttle.admit("10.0.0.1", "petrov").attempt is not None


def test_the_lock_ends_when_the_oldest_failure_leaves_the_window() -> None:
    clock = FakeClock(1000.0)
    throttle = LoginThrottle(LIMITS, clock)
    for _ in range(3):
        fail(throttle, "10.0.0.1", "ivanova")
    clock.advance(600)
    assert throttle.admit("10.0.0.1", "ivanova").attempt is not None


def test_a_try_counts_from_the_moment_it_is_admitted_not_when_its_password_is_known() -> None:
    throttle = LoginThrottle(LIMITS, FakeClock(1000.0))
    admitted = [throttle.admit("10.0.0.1", "ivanova") for _ in range(10)]  # none has an outcome yet
    assert [a.attempt is not None for a in admitted] == [True] * 3 + [False] * 7


def test_sixty_threads_at_once_get_exactly_the_limit_admitted() -> None:
    throttle = LoginThrottle(ThrottleLimits(per_pair=5), FakeClock(1000.0))
    start, admitted = threading.Barrier(60), []

    def one() -> None:
        start.wait()
        admitted.append(throttle.admit("10.0.0.1", "ivanova").attempt is not None)

    threads = [threading.Thread(target=one) for _ in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert admitted.count(True) == 5


def test_a_success_forgets_the_pair_and_the_account_but_not_the_clients_other_failures() -> None:
    clock = FakeClock(1000.0)
    throttle = LoginThrottle(LIMITS, clock)
    for name in ("a1", "a2", "ivanova", "ivanova"):
        fail(throttle, "10.0.0.1", name)
    right = throttle.admit("10.0.0.1", "ivanova")
    assert right.attempt is not None
    throttle.succeeded(right.attempt)

    waits = []
    for _ in range(3):  # her counters start afresh: three more tries before the pair's lock, none delayed by hers
        waits.append(fail(throttle, "10.0.0.1", "ivanova"))
        clock.advance(waits[-1])
    assert throttle.admit("10.0.0.1", "ivanova").attempt is None
    # the client's failures still count (4 before, 3 after): past per_client its tries are spaced
    assert waits == [LIMITS.client_interval_s] * 3
    assert throttle.admit("10.0.0.1", "a5").wait_s == LIMITS.client_interval_s


def test_a_try_whose_check_failed_is_released() -> None:
    throttle = LoginThrottle(LIMITS, FakeClock(1000.0))
    for _ in range(5):
        admission = throttle.admit("10.0.0.1", "ivanova")
        assert admission.attempt is not None
        throttle.release(admission.attempt)
    assert throttle.admit("10.0.0.1", "ivanova").attempt is not None


def test_one_name_tried_from_many_clients_is_slowed_doubling_up_to_the_cap_and_never_locked() -> None:
    clock = FakeClock(1000.0)
    throttle = LoginThrottle(LIMITS, clock)
    waits = []
    for i in range(10):
        admission = throttle.admit(f"10.0.1.{i}", "ivanova")  # a fresh address every try
        assert admission.attempt is not None
        waits.append(admission.wait_s)
        clock.advance(admission.wait_s)
    # free tries, then 1, 2, 4 s, then the cap of 8 s: one guess per 8 s from however many addresses
    assert waits == [0, 0, 0, 0, 1, 2, 4, 8, 8, 8]
    clock.advance(8)
    assert throttle.admit("10.0.0.77", "ivanova").wait_s == 0  # the clerk, once the slot is free: no lock


def test_concurrent_tries_of_a_slowed_name_queue_for_slots_and_past_the_longest_wait_are_refused() -> None:
    throttle = LoginThrottle(LIMITS, FakeClock(1000.0))
    for i in range(4):
        fail(throttle, f"10.0.1.{i}", "ivanova")
    queued = [throttle.admit(f"10.0.2.{i}", "ivanova") for i in range(4)]
    assert [a.wait_s for a in queued[:3]] == [1, 3, 7]  # each behind the slot the one before left
    assert queued[3].attempt is None
    assert queued[3].wait_s == 15  # 7 + 8: longer than max_wait_s, so told to come back


def test_a_client_trying_many_names_is_spaced_and_another_name_from_it_waits_briefly() -> None:
    clock = FakeClock(1000.0)
    throttle = LoginThrottle(LIMITS, clock)
    for i in range(5):
        fail(throttle, "10.0.0.9", f"name{i}")
    other = throttle.admit("10.0.0.9", "ivanova")  # no failures of her own
    assert other.attempt is not None
    assert 0 < other.wait_s <= LIMITS.max_wait_s
    assert throttle.admit("10.0.0.8", "name9").wait_s == 0  # another client is not concerned


def test_old_counters_are_forgotten_once_there_are_many_without_a_sweep_at_every_try() -> None:
    clock = FakeClock(1000.0)
    throttle = LoginThrottle(ThrottleLimits(account_free=10**6), clock)
    sweeps = 0
    real_sweep = throttle._forget_old

    def counted(now: float) -> None:
        nonlocal sweeps
        sweeps += 1
        real_sweep(now)

    throttle._forget_old = counted  # type: ignore[method-assign]
    for i in range(20_000):  # a spray from many addresses, all inside the window: nothing to forget yet
        fail(throttle, f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", "x")
    assert sweeps <= 3  # amortised: a sweep only when the table has doubled since the last one
    clock.advance(16 * 60)
    for i in range(20_000):
        fail(throttle, f"10.9.{i // 256 % 256}.{i % 256}", "y")
    assert len(throttle._counters) < 3 * 20_000 + 2  # the first spray's counters are gone
