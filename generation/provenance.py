"""C2PA provenance ("Content Credentials") for generated clips: sign an MP4, and check one.

    sign_clip(source=raw, destination=signed, info=ClipProvenance(...))
    check_clip(stream_or_path=signed).status  # "valid" | "tampered" | "unsigned" | "not_reverie"

Signing embeds a manifest saying the clip is trainedAlgorithmicMedia made by a Reverie backend and
model for a creator, binds it to every byte of the file (BMFF hash) and signs it. The manifest
goes in a `uuid` box ahead of `moov`, so the file stays a faststart MP4 that players decode as
before. No network: no timestamp authority, no OCSP, no remote manifests.

Keys come from settings, read lazily: C2PA_SIGN_CERT (PEM chain, leaf first) and
C2PA_PRIVATE_KEY (PEM key). When both are empty, a self-signed development chain is made on first
use in C2PA_DEV_DIR (default VAR_DIR/c2pa) and reused. "Reverie's chain" when checking means:
the leaf chains to one of the configured chain's CA certificates (given to the C2PA reader as its
only trust anchors) and has the configured leaf's common name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import logging
import os
import struct
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from c2pa import Builder, C2paError, C2paSignerInfo, C2paSigningAlg, Context, Reader, Signer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

MIME_TYPE = "video/mp4"
CLIP_ASSERTION = "org.reverie.clip"
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
DEV_ORGANIZATION = "Reverie (development)"
DEV_SIGNER_NAME = "Reverie development signer"

# Failure codes that only say the signer isn't on the reader's trust list. They are no sign of
# tampering: a foreign signer gets them (→ "not_reverie"), and so would our own chain if the
# anchors were missing. Everything else in the failure list (bmffHash.mismatch,
# claimSignature.mismatch, signingCredential.invalid, ...) means the file or manifest changed.
TRUST_ONLY_CODES = frozenset({"signingCredential.untrusted", "timeStamp.untrusted"})
TRUSTED_CODE = "signingCredential.trusted"

# The UUID of the top-level MP4 box that holds a C2PA manifest store.
_C2PA_UUID = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")

# Development chain lifetimes: the CA outlives the leaf it issued.
_DEV_CA_DAYS = 5 * 365
_DEV_LEAF_DAYS = 3 * 365
# A generation lock older than this is left over from a crashed process (generation takes ~10 ms).
_STALE_LOCK_SECONDS = 10.0
_LOCK_TIMEOUT_SECONDS = 30.0

Status = Literal["valid", "tampered", "unsigned", "not_reverie"]


class ProvenanceError(Exception):
    """Signing failed (bad input file, unusable key, or an error from the C2PA library)."""


@dataclass(frozen=True, kw_only=True)
class ClipProvenance:
    """What the manifest says about a clip."""

    title: str
    creator_handle: str
    backend: str
    model: str
    # Kept for callers' convenience but never written: a manifest is public and permanent, and a
    # prompt can be personal (names, cameo details). Nothing reads it.
    prompt: str | None = None
    cameos: list[str] = field(default_factory=list)  # handles of people appearing in the clip
    job_id: str


@dataclass(frozen=True, kw_only=True)
class ProvenanceCheck:
    """The outcome of check_clip. Clip details are filled in only for "valid": for the other
    statuses nothing in the file can be trusted to be what Reverie wrote."""

    status: Status
    message: str  # one user-facing sentence
    creator_handle: str | None = None
    backend: str | None = None
    model: str | None = None
    cameos: list[str] = field(default_factory=list)
    signed_at: dt.datetime | None = None
    issuer: str | None = None  # the signing certificate's issuer organisation
    errors: list[str] = field(default_factory=list)  # C2PA failure codes, or a read error


@dataclass(frozen=True)
class _Credentials:
    alg: C2paSigningAlg
    chain_pem: bytes  # leaf first
    key_pem: bytes  # PKCS#8
    anchors_pem: str  # the chain's CA certificates: the only trust anchors when checking
    signer_name: str | None  # the leaf's common name


# ---------------------------------------------------------------------------------------------
# Signing


def sign_clip(*, source: Path, destination: Path, info: ClipProvenance) -> None:
    """Write a signed copy of the MP4 `source` to `destination` (which may be `source` itself).

    The destination is replaced atomically and keeps the source's permissions. Raises
    ProvenanceError when signing fails and ImproperlyConfigured for bad key settings.
    """
    source, destination = Path(source), Path(destination)
    credentials = _credentials()
    manifest = _manifest(info)
    started = time.perf_counter()
    # Sign into a temp file next to the destination, so readers never see a half-written clip
    # and signing in place works.
    fd, tmp_name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w+b") as out, open(source, "rb") as src:
            # A Signer per call: creating one takes ~0.5 ms, and it keeps native handles out of
            # threads and forked workers that didn't create them.
            signer_info = C2paSignerInfo(
                alg=credentials.alg,
                sign_cert=credentials.chain_pem,
                private_key=credentials.key_pem,
                ta_url=None,
            )
            with Signer.from_info(signer_info) as signer, Builder(manifest) as builder:
                builder.sign(signer, MIME_TYPE, src, out)
        # mkstemp makes the file 0600; the media server needs what the render had.
        with contextlib.suppress(OSError):
            os.chmod(tmp, source.stat().st_mode & 0o777)
        os.replace(tmp, destination)
    except (C2paError, OSError) as exc:
        raise ProvenanceError(f"Could not sign {source.name}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    logger.debug("signed %s in %.1f ms", destination.name, (time.perf_counter() - started) * 1e3)


def _manifest(info: ClipProvenance) -> dict[str, Any]:
    version = str(getattr(settings, "VERSION", "unknown"))
    cameos = [str(handle) for handle in info.cameos]
    details = {
        "backend": info.backend,
        "model": info.model,
        "job_id": info.job_id,
        "cameos": cameos,
    }
    return {
        # C2PA v2 claims keep only claim_generator_info; the v1 string is there for older readers.
        "claim_generator": f"Reverie/{version}",
        "claim_generator_info": [{"name": "Reverie", "version": version}],
        "title": info.title or f"Reverie clip {info.job_id}",
        "format": MIME_TYPE,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                            "softwareAgent": {"name": f"{info.backend}/{info.model}"},
                            "parameters": details,
                        }
                    ]
                },
            },
            {
                "label": CLIP_ASSERTION,
                "data": {
                    "creator_handle": info.creator_handle,
                    **details,
                    # Self-declared, but inside the signature; there's no timestamp authority.
                    "signed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                },
            },
        ],
    }


# ---------------------------------------------------------------------------------------------
# Checking


def check_clip(*, stream_or_path: str | os.PathLike[str] | IO[bytes]) -> ProvenanceCheck:
    """Classify a clip's Content Credentials. Never raises for bad input: a file that can't be
    read or parsed is "unsigned". A stream is read from its start; its position is not restored.
    Raises ImproperlyConfigured only for bad key settings (it needs the chain as trust anchor).
    """
    credentials = _credentials()
    try:
        with _input_stream(stream_or_path) as stream:
            has_manifest_box = _has_c2pa_box(stream)
            stream.seek(0)
            try:
                store = _read_store(stream, credentials)
            except C2paError.ManifestNotFound:
                return _unsigned()
            except C2paError as exc:
                if has_manifest_box:
                    # A manifest is there but the file around it no longer parses: edited.
                    return _tampered([str(exc)])
                return _unreadable(exc)
    except Exception as exc:  # the contract is "never raise" for whatever input we're handed
        return _unreadable(exc)
    return _classify(store, credentials)


def _read_store(stream: IO[bytes], credentials: _Credentials) -> dict[str, Any]:
    # A Context per read: ~0.2 ms, and no native handle shared across threads or forks. Our
    # chain's CAs are the only anchors, so "trusted" means "signed by Reverie's chain".
    context = Context.from_dict(
        {
            "verify": {"verify_trust": True, "ocsp_fetch": False, "remote_manifest_fetch": False},
            "trust": {"trust_anchors": credentials.anchors_pem},
        }
    )
    with context, Reader(MIME_TYPE, stream, None, context) as reader:
        return json.loads(reader.json())


def _classify(store: dict[str, Any], credentials: _Credentials) -> ProvenanceCheck:
    manifest = store.get("manifests", {}).get(store.get("active_manifest") or "")
    if not isinstance(manifest, dict):
        return _tampered(["manifest.missing"])
    results = (store.get("validation_results") or {}).get("activeManifest") or {}
    failures = [s.get("code", "") for s in results.get("failure", [])]
    failures += [s.get("code", "") for s in store.get("validation_status", [])]
    errors = list(dict.fromkeys(code for code in failures if code not in TRUST_ONLY_CODES))
    if errors:
        return _tampered(errors)

    signature = manifest.get("signature_info") or {}
    issuer = signature.get("issuer")
    successes = {s.get("code") for s in results.get("success", [])}
    trusted = TRUSTED_CODE in successes or store.get("validation_state") == "Trusted"
    same_signer = credentials.signer_name in (None, signature.get("common_name"))
    if not (trusted and same_signer):
        signer = issuer or "someone else"
        return ProvenanceCheck(
            status="not_reverie",
            message=f"This clip has valid Content Credentials, but they were signed by {signer}, "
            "not by this Reverie site.",
            issuer=issuer,
        )

    clip = _assertion(manifest, CLIP_ASSERTION)
    handle = clip.get("creator_handle")
    return ProvenanceCheck(
        status="valid",
        message=(
            f"This clip was generated with AI on Reverie by @{handle}, and it hasn't been "
            "changed since."
            if handle
            else "This clip was generated with AI on Reverie, and it hasn't been changed since."
        ),
        creator_handle=handle,
        backend=clip.get("backend"),
        model=clip.get("model"),
        cameos=[str(c) for c in clip.get("cameos", [])],
        signed_at=_parse_time(signature.get("time") or clip.get("signed_at")),
        issuer=issuer,
    )


def _assertion(manifest: dict[str, Any], label: str) -> dict[str, Any]:
    for assertion in manifest.get("assertions", []):
        if assertion.get("label") == label and isinstance(assertion.get("data"), dict):
            return assertion["data"]
    return {}


def _parse_time(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _unsigned() -> ProvenanceCheck:
    return ProvenanceCheck(
        status="unsigned",
        message="This clip has no Content Credentials, so where it came from can't be verified.",
    )


def _unreadable(exc: BaseException) -> ProvenanceCheck:
    logger.info("provenance check could not read input: %s", exc)
    # Parser errors quote the file's first bytes; keep the message printable for logs and UI.
    detail = "".join(c if c.isprintable() else "?" for c in str(exc)) or type(exc).__name__
    return ProvenanceCheck(
        status="unsigned",
        message="This file couldn't be read as a video, so it has no Content Credentials.",
        errors=[detail],
    )


def _tampered(errors: list[str]) -> ProvenanceCheck:
    return ProvenanceCheck(
        status="tampered",
        message="This clip has Content Credentials, but the file was changed after it was signed.",
        errors=errors,
    )


@contextlib.contextmanager
def _input_stream(stream_or_path: str | os.PathLike[str] | IO[bytes]) -> Iterator[IO[bytes]]:
    if isinstance(stream_or_path, str | os.PathLike):
        with open(stream_or_path, "rb") as handle:
            yield handle
        return
    stream = stream_or_path
    seekable = getattr(stream, "seekable", lambda: True)()
    if seekable and all(hasattr(stream, m) for m in ("read", "write", "seek", "tell", "flush")):
        stream.seek(0)
        yield stream
        return
    # The reader seeks around and wants a full file-like object; spool anything less.
    with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as spool:
        while chunk := stream.read(1024 * 1024):
            spool.write(chunk)
        spool.seek(0)
        yield spool


def _has_c2pa_box(stream: IO[bytes]) -> bool:
    """Whether a top-level `uuid` box holds a C2PA manifest. Tolerant: stops at the first box
    header that doesn't make sense."""
    stream.seek(0)
    for _ in range(64):  # an MP4 has a handful of top-level boxes
        start = stream.tell()
        header = stream.read(8)
        if len(header) < 8:
            return False
        size, kind = struct.unpack(">I4s", header)
        header_size = 8
        if size == 1:
            large = stream.read(8)
            if len(large) < 8:
                return False
            size, header_size = struct.unpack(">Q", large)[0], 16
        if kind == b"uuid":
            return stream.read(16) == _C2PA_UUID
        if size == 0 or size < header_size:  # "to end of file", or garbage
            return False
        stream.seek(start + size)
    return False


# ---------------------------------------------------------------------------------------------
# Credentials


def _credentials() -> _Credentials:
    cert_setting = getattr(settings, "C2PA_SIGN_CERT", "") or ""
    key_setting = getattr(settings, "C2PA_PRIVATE_KEY", "") or ""
    if bool(cert_setting) != bool(key_setting):
        raise ImproperlyConfigured("Set both C2PA_SIGN_CERT and C2PA_PRIVATE_KEY, or neither.")
    if cert_setting:
        return _load(Path(cert_setting), Path(key_setting))
    dev_dir = Path(getattr(settings, "C2PA_DEV_DIR", None) or Path(settings.VAR_DIR) / "c2pa")
    try:
        # The common case: the dev chain exists and this process has it cached (two stat calls).
        return _load(dev_dir / "chain.pem", dev_dir / "key.pem")
    except ImproperlyConfigured:
        return _load(*ensure_dev_chain(dev_dir))


def _load(cert_path: Path, key_path: Path) -> _Credentials:
    try:
        # The modification times are part of the cache key, so replaced files are picked up.
        stamps = (cert_path.stat().st_mtime_ns, key_path.stat().st_mtime_ns)
    except OSError as exc:
        raise ImproperlyConfigured(f"C2PA signing credentials are unreadable: {exc}") from exc
    return _load_credentials(str(cert_path), str(key_path), stamps)


@functools.lru_cache(maxsize=8)
def _load_credentials(cert_path: str, key_path: str, stamps: tuple[int, int]) -> _Credentials:
    try:
        chain = x509.load_pem_x509_certificates(Path(cert_path).read_bytes())
        key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"C2PA signing credentials are unusable: {exc}") from exc
    leaf = chain[0]
    if leaf.public_key() != key.public_key():
        raise ImproperlyConfigured(
            f"{key_path} is not the key of the first certificate in {cert_path}."
        )
    pem = serialization.Encoding.PEM
    names = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return _Credentials(
        alg=_algorithm(key),
        chain_pem=b"".join(cert.public_bytes(pem) for cert in chain),
        # Re-encoded as PKCS#8, which the C2PA library takes whatever the file's PEM flavour.
        key_pem=key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        # A lone certificate can only anchor itself.
        anchors_pem=b"".join(cert.public_bytes(pem) for cert in chain[1:] or chain).decode(),
        signer_name=str(names[0].value) if names else None,
    )


def _algorithm(key: Any) -> C2paSigningAlg:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        by_curve = {
            "secp256r1": C2paSigningAlg.ES256,
            "secp384r1": C2paSigningAlg.ES384,
            "secp521r1": C2paSigningAlg.ES512,
        }
        if key.curve.name in by_curve:
            return by_curve[key.curve.name]
    elif isinstance(key, rsa.RSAPrivateKey):
        return C2paSigningAlg.PS256  # C2PA allows RSA only with PSS padding
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        return C2paSigningAlg.ED25519
    raise ImproperlyConfigured("The C2PA key must be EC P-256/384/521, RSA or Ed25519.")


def ensure_dev_chain(dev_dir: Path) -> tuple[Path, Path]:
    """Return (chain.pem, key.pem) in `dev_dir`, making a development chain there first if it
    isn't already a matching pair. Safe when threads or processes race: one of them generates,
    under a lock file, and the pair is always checked before use."""
    dev_dir = Path(dev_dir)
    chain_path, key_path = dev_dir / "chain.pem", dev_dir / "key.pem"
    if _is_pair(chain_path, key_path):
        return chain_path, key_path
    dev_dir.mkdir(parents=True, exist_ok=True)
    with _generation_lock, _lock_file(dev_dir / ".generate.lock"):
        if not _is_pair(chain_path, key_path):  # someone may have finished while we waited
            chain_pem, key_pem = _make_dev_chain()
            _write_atomically(key_path, key_pem, 0o600)
            _write_atomically(chain_path, chain_pem, 0o644)
            logger.info("made a development C2PA signing chain in %s", dev_dir)
    return chain_path, key_path


_generation_lock = threading.Lock()


def _is_pair(chain_path: Path, key_path: Path) -> bool:
    try:
        leaf = x509.load_pem_x509_certificates(chain_path.read_bytes())[0]
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return False
    return leaf.public_key() == key.public_key()


@contextlib.contextmanager
def _lock_file(path: Path) -> Iterator[None]:
    # O_EXCL creation is atomic on every OS and filesystem Reverie runs on, unlike flock.
    deadline = time.monotonic() + _LOCK_TIMEOUT_SECONDS
    while True:
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            break
        except FileExistsError:
            with contextlib.suppress(FileNotFoundError):
                if time.time() - path.stat().st_mtime > _STALE_LOCK_SECONDS:
                    path.unlink(missing_ok=True)
                    continue
            if time.monotonic() > deadline:
                raise ProvenanceError(f"Timed out waiting for {path}") from None
            time.sleep(0.01)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # created 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _make_dev_chain(
    organization: str = DEV_ORGANIZATION,
    signer_name: str = DEV_SIGNER_NAME,
    ca_days: int = _DEV_CA_DAYS,
    leaf_days: int = _DEV_LEAF_DAYS,
) -> tuple[bytes, bytes]:
    """A P-256 CA and a leaf it issued, as (chain PEM with the leaf first, leaf key PEM).
    (Also a deployment's chain: `manage.py make_c2pa_chain` passes its own names.)"""
    now = dt.datetime.now(dt.UTC)
    # Backdated a little so a clock that's slightly behind still accepts the certificates.
    not_before = now - dt.timedelta(hours=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_public = ca_key.public_key()
    ca_name = _name(f"{organization} CA", organization)
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(now + dt.timedelta(days=ca_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_public), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(signer_name, organization))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(now + dt.timedelta(days=leaf_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True), critical=True)
        # C2PA accepts only a few EKUs for claim signing; emailProtection is the common one.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_public), False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    pkcs8, unencrypted = serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    return leaf.public_bytes(pem) + ca.public_bytes(pem), key.private_bytes(pem, pkcs8, unencrypted)


def _name(common_name: str, organization: str = DEV_ORGANIZATION) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, digital_signature: bool = False, key_cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=key_cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
