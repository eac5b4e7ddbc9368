"""zeep wired for СМЭВ 3: the WSDL from a local file, an injected transport with explicit timeouts, secure
XML settings, the signing and audit plugins, and each operation's failures turned into the gateway's errors.

`SmevService` is synchronous (zeep is); `EsiaLookup` runs its calls in worker threads.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests
import zeep
from lxml import etree
from zeep import Plugin
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault
from zeep.transports import Transport

from edugateway.connectors.esia.errors import error_for_fault, error_for_transport
from edugateway.connectors.esia.signer import Signer
from edugateway.errors import ConfigError
from edugateway.schemas import ESIA_LOOKUP_NS, SMEV_WSDL, schema_path

BINDING = "{urn://x-artefacts-smev-gov-ru/services/message-exchange/1.3}SMEVMessageExchangeSoap11Binding"
TYPES_NS = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.3"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
RESPONSE_ROOT = "PersonLookupResponse"
# Ids of the signed elements, as СМЭВ's own examples name them.
REQUEST_DATA_ID = "SIGNED_BY_CONSUMER"
CALLER_ID = "SIGNED_BY_CALLER"

# No DTDs, no entities, no external references; huge trees refused: answers come from outside.
SECURE_SETTINGS = zeep.Settings(
    strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True, xml_huge_tree=False
)


class SmevTransport(Transport):
    """zeep's transport with (connect, read) timeouts on every call, local-only document loading, and no
    debug logging of raw envelopes (zeep's own would write personal data to the log)."""

    def __init__(self, *, timeout_s: float, connect_timeout_s: float, session: requests.Session | None = None) -> None:
        super().__init__(timeout=timeout_s, operation_timeout=(connect_timeout_s, timeout_s), session=session)  # type: ignore[no-untyped-call]  # zeep is untyped

    def load(self, url: str) -> bytes:
        if urlparse(url).scheme not in ("", "file"):
            raise ConfigError(
                f"the СМЭВ WSDL refers to {url}; documents are loaded from local files only, keep the WSDL and "
                "its schemas in one directory"
            )
        return bytes(super().load(url))  # type: ignore[no-untyped-call]

    def post(self, address: str, message: bytes, headers: dict[str, str]) -> requests.Response:
        return self.session.post(address, data=message, headers=headers, timeout=self.operation_timeout)


class SigningPlugin(Plugin):
    """Signs the first element of the operation (the one with an Id) into CallerInformationSystemSignature."""

    def __init__(self, signer: Signer) -> None:
        self.signer = signer

    def egress(
        self, envelope: etree._Element, http_headers: dict[str, str], operation: Any, binding_options: Any
    ) -> tuple[etree._Element, dict[str, str]]:
        body = envelope.find(f"{{{SOAP_ENV}}}Body")
        request = next((child for child in body if isinstance(child.tag, str)), None) if body is not None else None
        signed = next((child for child in request if isinstance(child.tag, str)), None) if request is not None else None
        if signed is None:
            return envelope, http_headers
        signature = self.signer.signature(signed)
        if signature is not None:
            holder = etree.Element(f"{{{TYPES_NS}}}CallerInformationSystemSignature")
            holder.append(signature)
            signed.addnext(holder)
        return envelope, http_headers


def wsdl_path(configured: Path | None) -> Path:
    path = configured or schema_path(SMEV_WSDL)
    if not path.is_file():
        raise ConfigError(f"СМЭВ WSDL {path} does not exist; fix `wsdl` or leave it unset for the package's own")
    return path


class SmevService:
    """SendRequest, GetResponse and Ack of one СМЭВ endpoint, for one sender; errors from `errors.py`."""

    def __init__(
        self,
        platform: str,
        address: str,
        *,
        wsdl: Path,
        transport: SmevTransport,
        plugins: list[Plugin],
        timeout_s: float,
    ) -> None:
        self.platform = platform
        self.address = address
        self.timeout_s = timeout_s
        self._transport = transport
        client = zeep.Client(str(wsdl), transport=transport, settings=SECURE_SETTINGS, plugins=plugins)  # type: ignore[no-untyped-call]
        self._service = client.create_service(BINDING, address)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        self._transport.session.close()

    def send_request(self, message_id: str, sender: str, document: etree._Element) -> None:
        self._call(
            "SendRequest",
            SenderProvidedRequestData={
                "Id": REQUEST_DATA_ID,
                "MessageID": message_id,
                "NodeID": sender,
                "MessagePrimaryContent": {"_value_1": document},
            },
        )

    def get_response(self, sender: str) -> Any | None:
        """The oldest unacknowledged ЕСИА answer for the sender (a zeep `Response` object), or None."""
        answer = self._call(
            "GetResponse",
            MessageTypeSelector={
                "Id": CALLER_ID,
                "NamespaceURI": ESIA_LOOKUP_NS,
                "RootElementLocalName": RESPONSE_ROOT,
                "Timestamp": dt.datetime.now(dt.UTC),
                "NodeID": sender,
            },
        )
        return answer.Response if answer is not None else None

    def ack(self, message_id: str) -> None:
        self._call("Ack", AckTargetMessage={"_value_1": message_id, "Id": CALLER_ID, "accepted": True})

    def _call(self, operation: str, **arguments: Any) -> Any:
        try:
            return getattr(self._service, operation)(**arguments)
        except Fault as fault:
            raise error_for_fault(fault, platform=self.platform, url=self.address) from None
        except (requests.RequestException, ZeepError, etree.XMLSyntaxError) as exc:
            raise error_for_transport(exc, platform=self.platform, url=self.address, timeout_s=self.timeout_s) from exc
