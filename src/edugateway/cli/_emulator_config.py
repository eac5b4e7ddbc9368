"""What `emulators serve` prints for gateway.toml: the values config/gateway.example.toml asks for, so a person
points the example at the emulators without reading their worlds."""

from __future__ import annotations

from edugateway.emulators import dnevnik, ecp, smev


def config_lines(
    dnevnik_emulator: dnevnik.DnevnikEmulator,
    dnevnik_url: str,
    ecp_emulator: ecp.EcpEmulator,
    ecp_url: str,
    smev_emulator: smev.SmevEmulator,
    smev_url: str,
) -> list[str]:
    """The settings and variables of the example configuration, with the emulators' values."""
    dnevnik_school = next(iter(dnevnik_emulator.world.schools), "")
    ecp_school = str(ecp_emulator.world.school()["id"])
    ecp_account = ecp_emulator.world.accounts[ecp_emulator.admin_login.lower()]
    lines = [
        "for gateway.toml (the names of config/gateway.example.toml):",
        f'  [[schools]]        platform_ids = {{ dnevnik = "{dnevnik_school}", ecp = "{ecp_school}" }}',
        f'  [platforms.dnevnik] base_url = "{dnevnik_url}/v2.0/"',
    ]
    renewable = dnevnik_emulator.issue_renewable_token()
    if renewable is not None:
        app, _ = renewable
        lines += [
            f'                     client_id = "{app["client_id"]}"',
            f"  client_secret (the file client_secret names holds it): {app['client_secret']}",
        ]
    lines += [
        f'  [platforms.ecp]     base_url = "{ecp_url}/api/"  login = "{ecp_account["login"]}"',
        f'  [platforms.esia]    base_url = "{smev_url}{smev.ENDPOINT}"  sender_mnemonic = '
        f'"{smev_emulator.world.default_sender}"  (no signing key: the emulator takes unsigned messages)',
        f"  export EDUGATEWAY_DNEVNIK_TOKEN={dnevnik_emulator.admin_token}",
    ]
    if renewable is not None:
        lines.append(f"  export EDUGATEWAY_DNEVNIK_REFRESH_TOKEN={renewable[1]}  (renews once: refresh tokens rotate)")
    lines.append(f"  export EDUGATEWAY_ECP_PASSWORD={ecp_account['password']}")
    return lines
