"""The nightly `edugateway sync` runs, as subprocesses of this source tree's CLI: started, sometimes killed with
SIGKILL (early, or once the platform sees the run's work), sometimes started twice at once; every exit recorded."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from soak.platforms import Platforms

SRC = Path(__file__).resolve().parents[2] / "src"
HANG_S = 600.0  # a run still going after this long is killed and counted as hung
POLL_S = 0.005


@dataclass
class Launch:
    """One CLI process and how it ended."""

    night: int
    platform: str
    role: str  # run, twin (started at the same moment as a run), approve (of a run on hold), final
    kill: str | None  # the planned kill: early, work; None for none
    started: float  # time.monotonic()
    ended: float = 0.0
    code: int = 0  # the exit code; -9 when killed
    killed: bool = False  # the bench sent SIGKILL while it ran
    hung: bool = False
    output: str = ""


@dataclass(frozen=True)
class LanePlan:
    """What happens to one platform's sync on one night."""

    kill: str | None = None  # early: after a random moment of start-up; work: once the platform sees its work
    kill_delay_s: float = 0.0
    work_share: float = 0.0  # work kill on Дневник.ру: after this share of a whole run's requests
    twin: bool = False  # a second sync of the same school and platform started at the same moment


def plan_lane(rng: random.Random, kill_rate: float, twin_rate: float) -> LanePlan:
    """Draws the same number of values every time, so the nights that follow do not depend on timings."""
    roll = rng.random()
    if roll < twin_rate:
        return LanePlan(twin=True)
    if roll < twin_rate + kill_rate:
        if rng.random() < 0.3:
            return LanePlan(kill="early", kill_delay_s=rng.uniform(0.2, 2.0))
        # An upload of a night's few rows is answered in milliseconds: a later kill finds the run already done.
        return LanePlan(kill="work", kill_delay_s=rng.uniform(0.0, 0.03), work_share=rng.random())
    return LanePlan()


class Cli:
    """Starts `python -m edugateway` of this tree with the bench's config; output goes to a file per process."""

    def __init__(self, platforms: Platforms, code: str, logs: Path) -> None:
        self.platforms = platforms
        self.code = code
        self.logs = logs
        self.env = {**os.environ, **platforms.env, "PYTHONPATH": str(SRC)}
        self._n = 0

    def args(self, platform: str, until: str, *more: str) -> list[str]:
        base = [sys.executable, "-m", "edugateway", "--config", str(self.platforms.config), "sync"]
        base += ["--school", self.code, "--platform", platform]
        if platform == "ecp":
            return [*base, "--entities", "persons", *more]
        return [*base, "--until", until, *more]

    def start(self, args: list[str]) -> tuple[subprocess.Popen[bytes], Path]:
        self._n += 1
        out = self.logs / f"{self._n:05d}.log"
        with out.open("wb") as sink:
            proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.STDOUT, env=self.env)
        return proc, out


def _finish(proc: subprocess.Popen[bytes], out: Path, launch: Launch) -> Launch:
    try:
        launch.code = proc.wait(timeout=max(1.0, HANG_S - (time.monotonic() - launch.started)))
    except subprocess.TimeoutExpired:
        proc.kill()
        launch.code, launch.hung = proc.wait(), True
    launch.ended = time.monotonic()
    launch.output = out.read_text(encoding="utf-8", errors="replace")
    return launch


def _watch(proc: subprocess.Popen[bytes], until: Callable[[], bool], deadline: float) -> bool:
    """Waits for `until()` while the process runs; true when it came first."""
    while proc.poll() is None and time.monotonic() < deadline:
        if until():
            return True
        time.sleep(POLL_S)
    return False


def _after(moment: float) -> Callable[[], bool]:
    return lambda: time.monotonic() >= moment


def _work_seen(platforms: Platforms, platform: str, requests: int) -> Callable[[], bool]:
    """ЕЦП: an edu-upload request arrived (the push); Дневник.ру: the run has made `requests` requests."""
    if platform == "ecp":
        base = platforms.uploads.arrived
        return lambda: platforms.uploads.arrived > base
    stats = platforms.dnevnik.stats
    base = stats.total
    return lambda: stats.total >= base + requests


def run_lane(
    cli: Cli, night: int, platform: str, until: str, plan: LanePlan, role: str = "run", typical: int = 40
) -> list[Launch]:
    """One platform's sync on one night, as planned; a run on hold is approved at once, as a clerk would.
    `typical` is how many requests a whole Дневник.ру run makes, for where in it a work kill falls."""
    args = cli.args(platform, until)
    if plan.twin:
        first, second = cli.start(args), cli.start(args)
        started = time.monotonic()
        launches = [
            _finish(*first, Launch(night, platform, role, None, started)),
            _finish(*second, Launch(night, platform, "twin", None, started)),
        ]
    else:
        proc, out = cli.start(args)
        launch = Launch(night, platform, role, plan.kill, time.monotonic())
        if plan.kill is not None:
            trigger = (
                _after(launch.started + plan.kill_delay_s)
                if plan.kill == "early"
                else _work_seen(cli.platforms, platform, 1 + int(plan.work_share * typical))
            )
            if _watch(proc, trigger, launch.started + HANG_S):
                time.sleep(plan.kill_delay_s if plan.kill == "work" else 0.0)
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)
                    launch.killed = True
        launches = [_finish(proc, out, launch)]
    for held in [launch for launch in launches if launch.code == 3]:
        found = re.search(r"^run (\d+): on_hold", held.output, re.MULTILINE)
        if found:
            proc, out = cli.start(cli.args(platform, until, "--approve", found.group(1)))
            launches.append(_finish(proc, out, Launch(night, platform, "approve", None, time.monotonic())))
    return launches
