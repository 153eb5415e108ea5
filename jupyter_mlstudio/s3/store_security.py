"""The embedded store's internal secrets: what locks every listener but the S3 gateway.

``weed mini`` runs a master, a volume server, a filer, an admin server and the S3
gateway, each with an HTTP and a gRPC port on 127.0.0.1, which every local user can
reach. Only the S3 gateway checks signatures. Everything else is locked here with
SeaweedFS's own security settings (its ``security.toml``):

- mutual TLS on every gRPC port and on the master's, volume server's, filer's and
  admin server's HTTP ports, with a private CA and one certificate that only the
  ``weed`` process can read: a client without it fails the TLS handshake;
- JWT signing keys for reads and writes on the volume server and the filer, so even a
  holder of the certificate needs a token minted by the master or the S3 gateway;
- the filer's directory listings and the volume server's UI turned off.

Everything is generated afresh at each start and kept in a 0700 folder of 0600 files.
"""
from __future__ import annotations

import datetime
import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..paths import ensure_private_dir, write_private_file

# The components of ``weed mini`` whose gRPC servers and clients take the certificate.
_GRPC_COMPONENTS = ("master", "volume", "filer", "s3", "admin", "worker", "client")
# The components whose HTTP servers require the client certificate.
_HTTPS_COMPONENTS = ("master", "volume", "filer", "admin")
_JWT_KEYS = ("jwt.signing", "jwt.signing.read", "jwt.filer_signing", "jwt.filer_signing.read")
_VALIDITY = datetime.timedelta(days=3650)


@dataclass(frozen=True)
class StoreSecurity:
    """The files of one start of the store: where ``weed`` must run to find them."""

    folder: Path

    @property
    def config_path(self) -> Path:
        return self.folder / "security.toml"

    @property
    def ca_path(self) -> Path:
        return self.folder / "ca.crt"

    @property
    def cert_path(self) -> Path:
        return self.folder / "store.crt"

    @property
    def key_path(self) -> Path:
        return self.folder / "store.key"


def _private_key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _certificate_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _issue_certificates(host: str) -> tuple[str, str, str]:
    """A fresh CA and a certificate it signs for ``host``: (ca pem, cert pem, key pem).

    The CA's own key is never written: nothing can issue a second certificate.
    """
    now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mlstudio embedded store CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    try:
        names.append(x509.IPAddress(ipaddress.ip_address(host)))
    except ValueError:
        names.append(x509.DNSName(host))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mlstudio-store")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                   ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return _certificate_pem(ca), _certificate_pem(cert), _private_key_pem(key)


def _toml_string(value: str | Path) -> str:
    """A TOML basic string (the paths and keys here never hold quotes or backslashes)."""
    text = str(value)
    if any(c in text for c in '"\\\n'):
        raise ValueError(f"unusable character in {text!r}")
    return f'"{text}"'


def security_toml(files: StoreSecurity, jwt_keys: dict[str, str]) -> str:
    """The ``security.toml`` that locks every listener of ``weed mini`` but S3's."""
    ca, cert, key = (_toml_string(p) for p in (files.ca_path, files.cert_path, files.key_path))
    lines = [
        "# Written by jupyter_mlstudio at each start of the embedded store; do not edit.",
        "[access]",
        "ui = false",
        "[filer.expose_directory_metadata]",
        "enabled = false",
        "[cors.allowed_origins]",
        'values = ""',
    ]
    for section in _JWT_KEYS:
        lines += [f"[{section}]", f"key = {_toml_string(jwt_keys[section])}",
                  "expires_after_seconds = 10"]
    lines += ["[grpc]", f"ca = {ca}"]
    for component in _GRPC_COMPONENTS:
        lines += [f"[grpc.{component}]", f"cert = {cert}", f"key = {key}"]
    lines += ["[https.client]", "enabled = true", f"cert = {cert}", f"key = {key}", f"ca = {ca}"]
    for component in _HTTPS_COMPONENTS:
        lines += [f"[https.{component}]", f"cert = {cert}", f"key = {key}", f"ca = {ca}"]
    return "\n".join(lines) + "\n"


def write_store_security(folder: Path, host: str) -> StoreSecurity:
    """Generate new certificates and keys for one start of the store, in ``folder``."""
    files = StoreSecurity(ensure_private_dir(folder))
    ca_pem, cert_pem, key_pem = _issue_certificates(host)
    write_private_file(files.ca_path, ca_pem)
    write_private_file(files.cert_path, cert_pem)
    write_private_file(files.key_path, key_pem)
    jwt_keys = {section: secrets.token_urlsafe(32) for section in _JWT_KEYS}
    write_private_file(files.config_path, security_toml(files, jwt_keys))
    return files
