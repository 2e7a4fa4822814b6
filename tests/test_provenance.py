"""Tests of C2PA provenance (generation.provenance): signing real rendered clips, and telling
valid, tampered, unsigned and foreign-signed files apart. No database, no network.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import stat
import struct
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import av
import pytest
from c2pa import Builder, C2paSignerInfo, C2paSigningAlg, Reader, Signer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.exceptions import ImproperlyConfigured

from generation import provenance
from generation.provenance import (
    TRAINED_ALGORITHMIC_MEDIA,
    ClipProvenance,
    check_clip,
    ensure_dev_chain,
    sign_clip,
)
from generation.renderer import RenderSpec, render_clip
from tests.mp4 import top_level_boxes

ROOT = Path(__file__).resolve().parent.parent
INFO = ClipProvenance(
    title="A boat at sunset",
    creator_handle="alice",
    backend="local",
    model="procedural-v1",
    prompt="a boat at sunset, secret details",
    cameos=["bob", "carol"],
    job_id="job-42",
)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 1 s clip from the local renderer, rendered once per module. Never modified."""
    folder = tmp_path_factory.mktemp("provenance-render")
    video = folder / "clip.mp4"
    render_clip(
        RenderSpec(prompt="a boat at sunset", seconds=1, seed=1),
        video_path=video,
        poster_path=folder / "poster.jpg",
    )
    return video


@pytest.fixture(autouse=True)
def dev_dir(settings: Any, tmp_path: Path) -> Path:
    """Every test gets its own development chain folder and no configured keys."""
    settings.C2PA_DEV_DIR = tmp_path / "c2pa"
    settings.C2PA_SIGN_CERT = ""
    settings.C2PA_PRIVATE_KEY = ""
    return tmp_path / "c2pa"


@pytest.fixture
def signed(original: Path, tmp_path: Path) -> Path:
    destination = tmp_path / "signed.mp4"
    sign_clip(source=original, destination=destination, info=INFO)
    return destination


def make_chain(organization: str) -> tuple[bytes, bytes]:
    """A P-256 CA + leaf chain (PEM, leaf first) and the leaf's key, like a third party's."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organization} CA"),
        ]
    )
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(provenance._key_usage(key_cert_sign=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                    x509.NameAttribute(NameOID.COMMON_NAME, f"{organization} signer"),
                ]
            )
        )
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(provenance._key_usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return leaf.public_bytes(pem) + ca.public_bytes(pem), key_pem


def manifest_of(path: Path) -> dict[str, Any]:
    with open(path, "rb") as handle, Reader("video/mp4", handle) as reader:
        store = json.loads(reader.json())
    return store["manifests"][store["active_manifest"]]


def box_ranges(path: Path) -> dict[str, tuple[int, int]]:
    """Top-level box name → (payload start, end) byte offsets, first box of each name."""
    data = path.read_bytes()
    ranges: dict[str, tuple[int, int]] = {}
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[offset + 8 : offset + 16])[0], 16
        elif size == 0:
            size = len(data) - offset
        ranges.setdefault(kind.decode("latin-1"), (offset + header, offset + size))
        offset += size
    return ranges


def frame_counts(path: Path) -> dict[str, int]:
    counts = {"video": 0, "audio": 0}
    with av.open(str(path)) as container:
        assert container.streams.video and container.streams.audio
        for packet in container.demux():
            for _frame in packet.decode():
                counts[packet.stream.type] += 1
    return counts


# --- signing and reading back ----------------------------------------------------------------


def test_signed_clip_reads_valid_with_its_details(signed: Path) -> None:
    result = check_clip(stream_or_path=signed)

    assert result.status == "valid", result
    assert result.errors == []
    assert result.creator_handle == "alice"
    assert result.backend == "local"
    assert result.model == "procedural-v1"
    assert result.cameos == ["bob", "carol"]
    assert result.issuer == "Reverie (development)"
    assert result.signed_at is not None
    assert abs(dt.datetime.now(dt.UTC) - result.signed_at) < dt.timedelta(minutes=5)
    assert "@alice" in result.message


def test_manifest_declares_ai_creation_and_leaves_out_the_prompt(
    signed: Path, settings: Any
) -> None:
    manifest = manifest_of(signed)

    assert manifest["title"] == "A boat at sunset"
    generator = manifest["claim_generator_info"][0]
    assert (generator["name"], generator["version"]) == ("Reverie", settings.VERSION)
    assertions = {a["label"]: a["data"] for a in manifest["assertions"]}
    actions_label = next(label for label in assertions if label.startswith("c2pa.actions"))
    created = assertions[actions_label]["actions"][0]
    assert created["action"] == "c2pa.created"
    assert created["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert "local" in created["softwareAgent"]["name"]
    assert "procedural-v1" in created["softwareAgent"]["name"]
    assert created["parameters"] == {
        "backend": "local",
        "model": "procedural-v1",
        "job_id": "job-42",
        "cameos": ["bob", "carol"],
    }
    clip = assertions["org.reverie.clip"]
    assert clip["creator_handle"] == "alice"
    assert (clip["backend"], clip["model"], clip["job_id"]) == ("local", "procedural-v1", "job-42")
    assert clip["cameos"] == ["bob", "carol"]
    # The prompt is private: it must not appear anywhere in the manifest.
    assert "secret details" not in json.dumps(manifest)
    assert b"secret details" not in signed.read_bytes()


def test_signed_clip_stays_faststart_and_decodes_like_the_original(
    original: Path, signed: Path
) -> None:
    boxes = top_level_boxes(signed)
    assert boxes.index("moov") < boxes.index("mdat")
    assert frame_counts(signed) == frame_counts(original)
    assert frame_counts(signed)["video"] == 30


def test_a_stream_can_be_checked(signed: Path) -> None:
    stream = io.BytesIO(signed.read_bytes())
    stream.seek(100)  # checked from the start regardless

    assert check_clip(stream_or_path=stream).status == "valid"


def test_signing_in_place(original: Path, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(original.read_bytes())
    clip.chmod(0o644)

    sign_clip(source=clip, destination=clip, info=INFO)

    assert check_clip(stream_or_path=clip).status == "valid"
    if os.name == "posix":
        assert stat.S_IMODE(clip.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --- tampered, unsigned, unreadable ----------------------------------------------------------


def test_one_flipped_byte_in_the_media_data_reads_tampered(signed: Path, tmp_path: Path) -> None:
    start, end = box_ranges(signed)["mdat"]
    data = bytearray(signed.read_bytes())
    data[(start + end) // 2] ^= 0x01
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(data)

    result = check_clip(stream_or_path=tampered)

    assert result.status == "tampered", result
    assert "assertion.bmffHash.mismatch" in result.errors
    assert result.creator_handle is None  # nothing in an altered file is vouched for


def test_edited_manifest_reads_tampered(signed: Path, tmp_path: Path) -> None:
    start, end = box_ranges(signed)["uuid"]
    data = bytearray(signed.read_bytes())
    data[(start + end) // 2] ^= 0x01
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(data)

    result = check_clip(stream_or_path=tampered)

    assert result.status == "tampered", result
    assert "claimSignature.mismatch" in result.errors


def test_the_unsigned_original_reads_unsigned(original: Path) -> None:
    result = check_clip(stream_or_path=original)

    assert result.status == "unsigned"
    assert result.errors == []


@pytest.mark.parametrize(
    "content",
    [os.urandom(4096), b"just some text\n" * 20, b""],
    ids=["random-bytes", "text", "empty"],
)
def test_unreadable_input_reads_unsigned_without_raising(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "upload.mp4"
    path.write_bytes(content)

    from_path = check_clip(stream_or_path=path)
    from_stream = check_clip(stream_or_path=io.BytesIO(content))

    for result in (from_path, from_stream):
        assert result.status == "unsigned"
        assert result.message
        assert result.errors  # says why, for the logs


def test_a_missing_file_reads_unsigned(tmp_path: Path) -> None:
    assert check_clip(stream_or_path=tmp_path / "nope.mp4").status == "unsigned"


# --- keys -------------------------------------------------------------------------------------


def test_dev_chain_is_generated_once_and_reused(
    original: Path, tmp_path: Path, dev_dir: Path
) -> None:
    sign_clip(source=original, destination=tmp_path / "a.mp4", info=INFO)
    chain, key = (dev_dir / "chain.pem").read_bytes(), (dev_dir / "key.pem").read_bytes()
    mtime = (dev_dir / "chain.pem").stat().st_mtime_ns

    sign_clip(source=original, destination=tmp_path / "b.mp4", info=INFO)
    provenance._load_credentials.cache_clear()  # as a fresh process would
    sign_clip(source=original, destination=tmp_path / "c.mp4", info=INFO)

    assert (dev_dir / "chain.pem").read_bytes() == chain
    assert (dev_dir / "key.pem").read_bytes() == key
    assert (dev_dir / "chain.pem").stat().st_mtime_ns == mtime
    for name in ("a", "b", "c"):
        assert check_clip(stream_or_path=tmp_path / f"{name}.mp4").status == "valid"
    if os.name == "posix":
        assert stat.S_IMODE((dev_dir / "key.pem").stat().st_mode) == 0o600
    assert sorted(p.name for p in dev_dir.iterdir()) == ["chain.pem", "key.pem"]


def test_dev_chain_certificates(dev_dir: Path) -> None:
    chain_path, _ = ensure_dev_chain(dev_dir)
    leaf, ca = x509.load_pem_x509_certificates(chain_path.read_bytes())

    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign is True
    assert leaf.issuer == ca.subject
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    org = leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert org == "Reverie (development)"
    assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey)
    assert leaf.public_key().curve.name == "secp256r1"
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc > dt.timedelta(days=365)


def test_dev_chain_generation_is_safe_when_processes_race(tmp_path: Path) -> None:
    target = tmp_path / "shared"
    start_at = time.time() + 1.5  # long enough for every process to import, then all go at once
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from generation.provenance import ensure_dev_chain
        time.sleep(max(0.0, {start_at} - time.time()))
        chain, key = ensure_dev_chain(Path({str(target)!r}))
        print(chain.read_text().strip().splitlines()[1])
        """
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    outputs = [process.communicate(timeout=60)[0] for process in processes]

    assert all(process.returncode == 0 for process in processes)
    assert len(set(outputs)) == 1  # every process ended up with the same chain
    assert provenance._is_pair(target / "chain.pem", target / "key.pem")
    assert sorted(p.name for p in target.iterdir()) == ["chain.pem", "key.pem"]


def test_concurrent_signing_from_threads(original: Path, tmp_path: Path) -> None:
    destinations = [tmp_path / f"clip-{n}.mp4" for n in range(6)]

    def sign(destination: Path) -> str:
        sign_clip(source=original, destination=destination, info=INFO)
        return check_clip(stream_or_path=destination).status

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(sign, destinations)) == ["valid"] * 6


def test_a_clip_signed_by_someone_else_reads_not_reverie(original: Path, tmp_path: Path) -> None:
    chain, key = make_chain("Other Org")
    # The foreign manifest even imitates Reverie's; only the signature decides.
    manifest = provenance._manifest(INFO)
    foreign = tmp_path / "foreign.mp4"
    info = C2paSignerInfo(alg=C2paSigningAlg.ES256, sign_cert=chain, private_key=key, ta_url=None)
    with (
        Signer.from_info(info) as signer,
        Builder(manifest) as builder,
        open(original, "rb") as src,
        open(foreign, "w+b") as dst,
    ):
        builder.sign(signer, "video/mp4", src, dst)

    result = check_clip(stream_or_path=foreign)

    assert result.status == "not_reverie", result
    assert result.issuer == "Other Org"
    assert result.creator_handle is None
    assert result.errors == []


def test_configured_cert_and_key_files_are_used(
    original: Path, signed: Path, tmp_path: Path, settings: Any, dev_dir: Path
) -> None:
    chain, key = make_chain("Reverie Production")
    (tmp_path / "chain.pem").write_bytes(chain)
    (tmp_path / "key.pem").write_bytes(key)
    settings.C2PA_SIGN_CERT = str(tmp_path / "chain.pem")
    settings.C2PA_PRIVATE_KEY = str(tmp_path / "key.pem")

    sign_clip(source=original, destination=tmp_path / "prod.mp4", info=INFO)

    result = check_clip(stream_or_path=tmp_path / "prod.mp4")
    assert result.status == "valid", result
    assert result.issuer == "Reverie Production"
    signature = manifest_of(tmp_path / "prod.mp4")["signature_info"]
    assert signature["common_name"] == "Reverie Production signer"
    # Clips signed with the development chain aren't from this (production) signer.
    assert check_clip(stream_or_path=signed).status == "not_reverie"


def test_only_one_of_cert_and_key_is_a_configuration_error(
    original: Path, tmp_path: Path, settings: Any
) -> None:
    settings.C2PA_SIGN_CERT = str(tmp_path / "chain.pem")

    with pytest.raises(ImproperlyConfigured):
        sign_clip(source=original, destination=tmp_path / "x.mp4", info=INFO)
