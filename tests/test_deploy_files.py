"""The deployment files hold together: nginx accepts the rendered configuration, the compose
file's services and commands exist, and every setting it passes is one the app reads."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def render_template(text: str, values: dict[str, str]) -> str:
    """What the nginx image's envsubst does: ${NAME} for known names, nginx's $vars untouched."""
    return re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "reverie.example")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(now).not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed")
def test_nginx_accepts_the_deploy_configuration(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    values = {
        "REVERIE_DOMAIN": "reverie.example",
        "REVERIE_WEB_UPSTREAM": "server 127.0.0.1:8000 max_fails=1 fail_timeout=5s;",
        "REVERIE_S3_UPSTREAM": "127.0.0.1:8333",
        "REVERIE_RESOLVER": "127.0.0.1",
        "S3_BUCKET": "reverie",
    }
    site = render_template((DEPLOY / "nginx.conf").read_text(), values)
    site = site.replace("/etc/letsencrypt/live/reverie.example/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/reverie.example/privkey.pem", str(key))
    site = site.replace("/etc/nginx/conf.d/snippets/reverie-locations.conf", "locations.conf")
    site = site.replace("/var/log/nginx/access.log", str(tmp_path / "access.log"))
    (tmp_path / "locations.conf").write_text(
        render_template((DEPLOY / "nginx-locations.conf").read_text(), values)
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\nhttp {\n  include /etc/nginx/mime.types;\n"
        f"  client_body_temp_path {tmp_path}/body;\n  include site.conf;\n}}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert not re.search(r"\$\{\w+\}", site)


def test_compose_services_commands_and_settings() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    for name in ("web", "worker-render", "worker-default", "beat", "postgres", "redis", "s3",
                 "nginx", "migrate"):  # fmt: skip
        assert name in services
    entrypoint = (DEPLOY / "entrypoint.sh").read_text()
    for name in ("web", "worker-render", "worker-default", "beat", "migrate"):
        role = services[name]["command"][0]
        assert f"\n  {role})" in entrypoint, role
    assert services["worker-render"]["environment"]["CELERY_QUEUES"] == "render"
    assert services["worker-default"]["environment"]["CELERY_QUEUES"] == "default"
    # Every variable handed to the app is one it reads (settings, launcher or entrypoint).
    readers = "".join(
        path.read_text()
        for path in (ROOT / "config" / "settings.py", DEPLOY / "entrypoint.sh", ROOT / "README.md")
    )
    app_env = services["web"]["environment"]
    for variable in app_env:
        assert variable in readers, f"{variable} is passed by compose but read nowhere"
    # The nginx service mounts the two templates this repository ships.
    mounts = " ".join(services["nginx"]["volumes"])
    assert "./nginx.conf:" in mounts and "./nginx-locations.conf:" in mounts


def test_containerfile_runs_as_non_root_with_tini_and_a_healthcheck() -> None:
    text = (ROOT / "Containerfile").read_text()
    assert "ARG BASE=docker.io/library/python:3.11-slim" in text
    assert re.search(r"^USER reverie$", text, re.M)
    assert 'ENTRYPOINT ["tini", "--"' in text
    assert "HEALTHCHECK" in text and "AS gpu" in text
