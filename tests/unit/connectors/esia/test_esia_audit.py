"""The envelope audit log: one event per envelope each way, with ids and sizes, and no personal data."""

from __future__ import annotations

import json
from typing import Any

from lxml import etree
from structlog.testing import capture_logs

from edugateway.connectors.esia import redact_envelope
from edugateway.domain.snils import format_snils


async def test_every_envelope_is_logged_both_ways_without_snils_names_or_birth_dates(
    in_process: Any, snils_numbers: Any, esia_account: Any
) -> None:
    numbers = snils_numbers(3)
    persons = [
        esia_account(
            numbers[0],
            1_000_000_001,
            lastName="Ёлкина",
            firstName="Дарья",
            middleName="Сергеевна",
            birthDate="17.09.2011",
        )
    ]
    lookup, _, _ = in_process(persons)
    with capture_logs() as logs:
        await lookup.find_accounts(numbers)

    envelopes = [event for event in logs if event["event"] == "smev.envelope"]
    seen = {(event["direction"], event["operation"]) for event in envelopes}
    for operation in ("SendRequest", "GetResponse", "Ack"):
        assert {("egress", operation), ("ingress", operation)} <= seen
    send = next(e for e in envelopes if e["operation"] == "SendRequest" and e["direction"] == "egress")
    assert send["message_id"]
    assert send["bytes"] > len("<Envelope/>")
    answer = next(e for e in envelopes if e["operation"] == "GetResponse" and e["original_message_id"])
    assert answer["original_message_id"] == send["message_id"]
    assert "lk:oid>1000000001<" in answer["envelope"]  # the audit still shows what came back

    everything = json.dumps(logs, ensure_ascii=False, default=str)
    for secret in ("Ёлкина", "Дарья", "Сергеевна", "17.09.2011", *numbers, *map(format_snils, numbers)):
        assert secret not in everything


def test_redaction_masks_elements_and_free_text_but_leaves_the_original_alone() -> None:
    envelope = etree.fromstring(
        '<e xmlns="urn:x"><snils>112-233-445 95</snils><lastName>Петрова</lastName><birthDate>01.02.2010</birthDate>'
        '<note ref="11223344595">Петрова Анна Ивановна, 112 233 445 95</note><oid>1000000001</oid></e>'
    )
    before = etree.tostring(envelope)
    redacted = redact_envelope(envelope)
    for secret in ("112-233-445", "11223344595", "112 233 445", "Петрова", "Анна", "01.02.2010"):
        assert secret not in redacted
    assert "***-***-*45 **" in redacted
    assert "<oid>1000000001</oid>" in redacted
    assert etree.tostring(envelope) == before
