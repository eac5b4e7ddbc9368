"""The three emulators serving one world directory in this process on loopback, and the gateway settings that
reach them: how the demo, the benchmarks and the tests put the platforms beside a local school."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from edugateway.config.settings import DnevnikSettings, EcpSettings, EsiaSettings, SchoolSettings, SecretRef, Settings
from edugateway.emulators import dnevnik, ecp, smev
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.faults import RequestStats
from edugateway.emulators.server import BackgroundServer


@contextmanager
def emulated_platforms(world_dir: Path, code: str) -> Iterator[tuple[Settings, dict[str, RequestStats]]]:
    """Дневник.ру and ГИС ЕЦП emulators serving `world_dir` on loopback, and the settings that reach them."""
    with ExitStack() as stack:
        dn = dnevnik.create_app(dnevnik.load_world(world_dir))
        ec = ecp.create_app(ecp.load_world(world_dir))
        es = smev.create_app(smev.load_world(world_dir), response_delay_s=0.2)
        dn_url = stack.enter_context(BackgroundServer(dn.app)).base_url
        ec_url = stack.enter_context(BackgroundServer(ec.app)).base_url
        es_url = stack.enter_context(BackgroundServer(es.app)).base_url
        # The emulators' credentials live in this process's environment only, as secrets do in production.
        variable = f"EDUGATEWAY_DEMO_{secrets.token_hex(4).upper()}"
        os.environ[f"{variable}_DNEVNIK"], os.environ[f"{variable}_ECP"] = dn.admin_token, ecp.ADMIN_PASSWORD
        settings = Settings(
            schools=[SchoolSettings(code=code, platform_ids={"dnevnik": str(platform_id("school", code))})],
            platforms={
                "dnevnik": DnevnikSettings.model_validate(
                    {
                        "kind": "dnevnik",
                        "base_url": f"{dn_url}/v2.0/",
                        "token": SecretRef(env=f"{variable}_DNEVNIK"),
                        "rate_limit_rps": 200,
                    }
                ),
                "ecp": EcpSettings.model_validate(
                    {
                        "kind": "ecp",
                        "base_url": f"{ec_url}/api/",
                        "login": ecp.admin_login(code),
                        "password": SecretRef(env=f"{variable}_ECP"),
                        "rate_limit_rps": 200,
                    }
                ),
                # Unsigned: the lookup refuses that except towards an emulator on this machine.
                "esia": EsiaSettings.model_validate(
                    {
                        "kind": "esia",
                        "base_url": es_url + smev.ENDPOINT,
                        "sender_mnemonic": smev.DEFAULT_SENDER,
                        "rate_limit_rps": 50,
                        "poll_max_s": 0.5,
                    }
                ),
            },
        )
        yield settings, {"dnevnik": dn.stats, "ecp": ec.stats}
