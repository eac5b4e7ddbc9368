"""Signing СМЭВ 3 messages: XMLDSig with GOST R 34.10-2012 (256 bit) over Streebog-256 digests.

A message's CallerInformationSystemSignature holds one `ds:Signature` over the element it names by `Id`
(SenderProvidedRequestData, MessageTypeSelector or AckTargetMessage). Its one Reference applies exclusive
c14n, then the СМЭВ transform (`transform.py`), digests the result with GOST R 34.11-2012 (256), and
SignedInfo, canonicalised with exclusive c14n, is signed with GOST R 34.10-2012 (256). The key's
certificate goes into KeyInfo; real СМЭВ identifies the sender by it.

`Signer` is the one seam: `OpenSslGostSigner` does real GOST cryptography through `openssl` with Debian's
GOST engine (package libengine-gost-openssl), from a PEM key and certificate. Its signatures are
cryptographically real but uncertified: СМЭВ accepts only keys from an accredited CA held in a certified
tool (a CryptoPro-like provider), which would be another `Signer`. `UnsignedSigner` is for tests against
the emulator only.
"""

from __future__ import annotations

import base64
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Protocol

from lxml import etree

from edugateway.connectors.esia.transform import EXCLUSIVE_C14N, SMEV_TRANSFORM, exclusive_c14n, signed_bytes
from edugateway.errors import ConfigError

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
GOST_SIGNATURE_METHOD = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256"
GOST_DIGEST_METHOD = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256"
_PEM_CERTIFICATE = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)


class Signer(Protocol):
    """Produces the content of a CallerInformationSystemSignature."""

    def signature(self, element: etree._Element) -> etree._Element | None:
        """A `ds:Signature` over `element` (referenced by its `Id` attribute), or None to send it unsigned."""
        ...


class UnsignedSigner:
    """TEST ONLY: sends messages unsigned. Real СМЭВ refuses them; the project's СМЭВ emulator accepts them
    and names the sender by NodeID. The connector warns once when this signer is used with a non-loopback URL."""

    def signature(self, element: etree._Element) -> None:
        return None


def gost_engine_available(openssl: str = "openssl") -> bool:
    """Whether `openssl` can load the GOST engine (Debian: apt-get install libengine-gost-openssl)."""
    try:
        done = subprocess.run(  # noqa: S603  # a fixed argument list, no shell
            [openssl, "engine", "gost"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


class OpenSslGostSigner:
    """GOST R 34.10-2012 (256) signatures made by `openssl dgst -engine gost`, key and certificate in PEM files."""

    def __init__(
        self, key_path: Path | str, certificate_path: Path | str, *, openssl: str = "openssl", timeout_s: float = 30.0
    ) -> None:
        self.key_path = Path(key_path)
        self.certificate_path = Path(certificate_path)
        self.openssl = openssl
        self.timeout_s = timeout_s
        if not self.key_path.is_file():
            raise ConfigError(f"СМЭВ signing key {self.key_path} does not exist; point the signer at a PEM key file")
        self.certificate_b64 = _certificate_base64(self.certificate_path)
        if not gost_engine_available(openssl):
            raise ConfigError(
                f"`{openssl} engine gost` fails: the GOST engine is not installed; on Debian run "
                "`apt-get install libengine-gost-openssl`"
            )

    def signature(self, element: etree._Element) -> etree._Element:
        reference = element.get("Id")
        if not reference:
            raise ValueError(f"<{etree.QName(element).localname}> has no Id attribute for the signature to reference")
        signature = etree.Element(f"{{{DS_NS}}}Signature", nsmap={"ds": DS_NS})
        signed_info = _sub(signature, "SignedInfo")
        _sub(signed_info, "CanonicalizationMethod", Algorithm=EXCLUSIVE_C14N)
        _sub(signed_info, "SignatureMethod", Algorithm=GOST_SIGNATURE_METHOD)
        ref = _sub(signed_info, "Reference", URI=f"#{reference}")
        transforms = _sub(ref, "Transforms")
        _sub(transforms, "Transform", Algorithm=EXCLUSIVE_C14N)
        _sub(transforms, "Transform", Algorithm=SMEV_TRANSFORM)
        _sub(ref, "DigestMethod", Algorithm=GOST_DIGEST_METHOD)
        _sub(ref, "DigestValue").text = _b64(self.digest(signed_bytes(element)))
        _sub(signature, "SignatureValue").text = _b64(self.sign(exclusive_c14n(signed_info)))
        _sub(_sub(_sub(signature, "KeyInfo"), "X509Data"), "X509Certificate").text = self.certificate_b64
        return signature

    def digest(self, data: bytes) -> bytes:
        """GOST R 34.11-2012 (Streebog) 256-bit digest, in the byte order openssl prints it."""
        return self._dgst(["-binary"], data)

    def sign(self, data: bytes) -> bytes:
        """GOST R 34.10-2012 (256) signature of `data` hashed with Streebog-256, as openssl's engine writes it."""
        return self._dgst(["-sign", str(self.key_path)], data)

    def _dgst(self, options: list[str], data: bytes) -> bytes:
        with tempfile.TemporaryDirectory(prefix="edugateway-gost-") as scratch:
            out = Path(scratch) / "out.bin"
            # The result goes to a file: openssl mixes engine notices into stdout on some versions.
            command = [self.openssl, "dgst", "-engine", "gost", "-md_gost12_256", *options, "-out", str(out)]
            try:
                done = subprocess.run(  # noqa: S603  # a fixed argument list, no shell
                    command, input=data, capture_output=True, timeout=self.timeout_s, check=False
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ConfigError(f"cannot run {self.openssl} for GOST signing: {type(exc).__name__}") from exc
            if done.returncode != 0 or not out.is_file():
                reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
                raise ConfigError(f"{self.openssl} dgst failed for GOST signing ({reason[0]}); check the key file")
            return out.read_bytes()


def _certificate_base64(path: Path) -> str:
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the СМЭВ signing certificate {path}: {exc.strerror}") from exc
    match = _PEM_CERTIFICATE.search(pem)
    if match is None:
        raise ConfigError(f"{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
    return "".join(match[1].decode("ascii").split())


def _sub(parent: etree._Element, name: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{DS_NS}}}{name}", attributes)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
