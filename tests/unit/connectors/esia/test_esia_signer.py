"""GOST signing: a throwaway GOST R 34.10-2012 key signs a СМЭВ request, and openssl itself verifies the
signature and the digest; the signature lands where the СМЭВ schema puts it."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from edugateway.connectors.esia import OpenSslGostSigner, UnsignedSigner, gost_engine_available, signed_bytes
from edugateway.connectors.esia.client import SigningPlugin
from edugateway.connectors.esia.signer import DS_NS, GOST_DIGEST_METHOD, GOST_SIGNATURE_METHOD
from edugateway.connectors.esia.transform import EXCLUSIVE_C14N, SMEV_TRANSFORM, exclusive_c14n
from edugateway.emulators.smev.validation import compiled, schema_errors
from edugateway.errors import ConfigError
from edugateway.schemas import SMEV_TYPES_XSD

TYPES = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.3"
BASIC = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/basic/1.3"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
needs_gost = pytest.mark.skipif(
    not gost_engine_available(),
    reason="openssl has no GOST engine here; install the Debian package libengine-gost-openssl (.ci/run does)",
)

ENVELOPE = f"""<soap-env:Envelope xmlns:soap-env="{SOAP}"><soap-env:Body>
<ns0:SendRequestRequest xmlns:ns0="{TYPES}"><ns0:SenderProvidedRequestData Id="SIGNED_BY_CONSUMER">
<ns0:MessageID>3f2d6c1e-e745-11f1-b86d-02fc00000001</ns0:MessageID><ns0:NodeID>EDUGW01</ns0:NodeID>
<ns1:MessagePrimaryContent xmlns:ns1="{BASIC}">
<lk:PersonLookupRequest xmlns:lk="urn://edugateway/esia-person-lookup/1.0.0">
<lk:snils>112-233-445 95</lk:snils></lk:PersonLookupRequest>
</ns1:MessagePrimaryContent>
</ns0:SenderProvidedRequestData></ns0:SendRequestRequest></soap-env:Body></soap-env:Envelope>""".encode()


def openssl(*args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True, timeout=60)


@pytest.fixture(scope="module")
def gost_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A throwaway GOST 2012 (256, paramset A) key, its self-signed certificate and its public key."""
    folder = tmp_path_factory.mktemp("gost")
    key, cert, public = folder / "key.pem", folder / "cert.pem", folder / "public.pem"
    openssl("genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", str(key))
    openssl(
        "req",
        "-engine",
        "gost",
        "-new",
        "-x509",
        "-key",
        str(key),
        "-md_gost12_256",
        "-days",
        "1",
        "-subj",
        "/CN=edugateway test signer",
        "-out",
        str(cert),
    )
    openssl("pkey", "-engine", "gost", "-in", str(key), "-pubout", "-out", str(public))
    return key, cert, public


def signed_envelope(signer: OpenSslGostSigner | UnsignedSigner) -> etree._Element:
    envelope = etree.fromstring(ENVELOPE)
    SigningPlugin(signer).egress(envelope, {}, None, None)
    return envelope


@needs_gost
def test_the_signature_verifies_with_openssl_over_canonical_signed_info(
    gost_key: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    key, cert, public = gost_key
    envelope = signed_envelope(OpenSslGostSigner(key, cert))
    signature = envelope.find(f".//{{{TYPES}}}CallerInformationSystemSignature/{{{DS_NS}}}Signature")
    assert signature is not None
    signed_info = signature.find(f"{{{DS_NS}}}SignedInfo")
    assert signed_info is not None
    (tmp_path / "signed-info").write_bytes(exclusive_c14n(signed_info))
    (tmp_path / "signature").write_bytes(base64.b64decode(signature.findtext(f"{{{DS_NS}}}SignatureValue") or ""))
    verified = openssl(
        "dgst",
        "-engine",
        "gost",
        "-md_gost12_256",
        "-verify",
        str(public),
        "-signature",
        str(tmp_path / "signature"),
        str(tmp_path / "signed-info"),
    )
    assert b"Verified OK" in verified.stdout

    (tmp_path / "signature").write_bytes(b"\x00" * 64)  # and a wrong signature is refused
    with pytest.raises(subprocess.CalledProcessError):
        openssl(
            "dgst",
            "-engine",
            "gost",
            "-md_gost12_256",
            "-verify",
            str(public),
            "-signature",
            str(tmp_path / "signature"),
            str(tmp_path / "signed-info"),
        )


@needs_gost
def test_the_digest_is_streebog_of_the_transformed_request_data(gost_key: tuple[Path, Path, Path]) -> None:
    key, cert, _ = gost_key
    envelope = signed_envelope(OpenSslGostSigner(key, cert))
    data = envelope.find(f".//{{{TYPES}}}SenderProvidedRequestData")
    assert data is not None
    expected = openssl("dgst", "-engine", "gost", "-md_gost12_256", "-binary", data=signed_bytes(data)).stdout
    ns = {"ds": DS_NS}
    assert base64.b64decode(envelope.findtext(".//ds:DigestValue", namespaces=ns) or "") == expected
    assert len(expected) == 32
    reference = envelope.find(".//ds:Reference", ns)
    assert reference is not None
    assert reference.get("URI") == "#SIGNED_BY_CONSUMER"
    assert [t.get("Algorithm") for t in reference.iterfind("ds:Transforms/ds:Transform", ns)] == [
        EXCLUSIVE_C14N,
        SMEV_TRANSFORM,
    ]
    assert envelope.find(".//ds:DigestMethod", ns).get("Algorithm") == GOST_DIGEST_METHOD  # type: ignore[union-attr]
    assert envelope.find(".//ds:SignatureMethod", ns).get("Algorithm") == GOST_SIGNATURE_METHOD  # type: ignore[union-attr]
    certificate = envelope.findtext(".//ds:X509Certificate", namespaces=ns) or ""
    assert base64.b64decode(certificate) == openssl("x509", "-in", str(cert), "-outform", "DER").stdout


@needs_gost
def test_the_signed_request_still_fits_the_smev_schema(gost_key: tuple[Path, Path, Path]) -> None:
    key, cert, _ = gost_key
    request = signed_envelope(OpenSslGostSigner(key, cert)).find(f".//{{{TYPES}}}SendRequestRequest")
    assert request is not None
    assert request[1].tag == f"{{{TYPES}}}CallerInformationSystemSignature"
    assert schema_errors(compiled(SMEV_TYPES_XSD), request) == []


def test_the_unsigned_signer_leaves_the_message_as_it_was() -> None:
    envelope = signed_envelope(UnsignedSigner())
    assert etree.tostring(envelope) == etree.tostring(etree.fromstring(ENVELOPE))


def test_a_missing_key_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="signing key"):
        OpenSslGostSigner(tmp_path / "absent.pem", tmp_path / "absent-cert.pem")


def test_a_certificate_file_without_a_certificate_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "key.pem").write_text("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n")
    (tmp_path / "cert.pem").write_text("not a certificate\n")
    with pytest.raises(ConfigError, match="no PEM certificate"):
        OpenSslGostSigner(tmp_path / "key.pem", tmp_path / "cert.pem")
