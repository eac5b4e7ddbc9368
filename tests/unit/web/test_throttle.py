"""Sign-in throttling: a name tried too often from one address waits, other addresses and names do not, a
success forgets the failures, and the wait ends when the oldest failure leaves the window."""

from __future__ import annotations

from edugateway.web.throttle import LoginThrottle, ThrottleLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


LIMITS = ThrottleLimits(per_account=3, per_address=5, window_s=600, failure_delay_s=0)


def test_a_name_is_locked_for_one_address_only_after_the_limit() -> None:
    clock = Clock()
    throttle = LoginThrottle(LIMITS, clock)
    for _ in range(2):
        throttle.failed("10.0.0.1", "ivanova")
        clock.now += 10
    assert throttle.retry_after("10.0.0.1", "ivanova") == 0

    throttle.failed("10.0.0.1", "ivanova")

    assert throttle.retry_after("10.0.0.1", "ivanova") == 1000 + 600 - clock.now
    assert throttle.retry_after("10.0.0.2", "ivanova") == 0  # she can still sign in from her own desk
    assert throttle.retry_after("10.0.0.1", "petrov") == 0


def test_the_lock_ends_when_the_oldest_failure_leaves_the_window() -> None:
    clock = Clock()
    throttle = LoginThrottle(LIMITS, clock)
    for _ in range(3):
        throttle.failed("10.0.0.1", "ivanova")
    clock.now += 600
    assert throttle.retry_after("10.0.0.1", "ivanova") == 0


def test_one_address_trying_many_names_is_stopped_too() -> None:
    clock = Clock()
    throttle = LoginThrottle(LIMITS, clock)
    for name in ("a1", "a2", "a3", "a4", "a5"):
        throttle.failed("10.0.0.9", name)
    assert throttle.retry_after("10.0.0.9", "a6") > 0
    assert throttle.retry_after("10.0.0.8", "a6") == 0


def test_a_success_forgets_that_names_failures() -> None:
    clock = Clock()
    throttle = LoginThrottle(LIMITS, clock)
    for _ in range(2):
        throttle.failed("10.0.0.1", "ivanova")
    throttle.succeeded("10.0.0.1", "ivanova")
    throttle.failed("10.0.0.1", "ivanova")
    assert throttle.retry_after("10.0.0.1", "ivanova") == 0
