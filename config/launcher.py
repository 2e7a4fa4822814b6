"""Runs Reverie on one machine (`run`) or its test suite (`test`); called by dev.py in the venv.

`run`: start an embedded Redis (only when REDIS_URL is unset), migrate, then start the ASGI web
server, one Celery worker and Celery beat, and seed a demo meanwhile; Ctrl-C stops every child.
`test`: start an embedded Redis when REDIS_URL is unset, then run pytest.
"""

from __future__ import annotations

import os
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from config.embedded_redis import EmbeddedRedis, free_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _say(message: str) -> None:
    print(f"· {message}", flush=True)


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _admin_credentials(var_dir: Path) -> tuple[str, str]:
    """From ADMIN_HANDLE/ADMIN_PASSWORD, or generated once and kept in var/."""
    handle = os.environ.get("ADMIN_HANDLE", "admin")
    password = os.environ.get("ADMIN_PASSWORD")
    if password:
        return handle, password
    stored = var_dir / "admin-password.txt"
    if stored.exists():
        return handle, stored.read_text().strip()
    password = secrets.token_urlsafe(12)
    stored.write_text(password + "\n")
    stored.chmod(0o600)
    return handle, password


def _debug(env: dict[str, str]) -> bool:
    """The same reading of DEBUG as config/settings.py (on unless set to a false value)."""
    value = env.get("DEBUG", "").strip().lower()
    return not value or value in {"1", "true", "yes", "on"}


def _port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def run() -> int:
    env = dict(os.environ)
    var_dir = Path(env.get("REVERIE_VAR_DIR", ROOT / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    env["REVERIE_VAR_DIR"] = str(var_dir)
    env.setdefault("PYTHONUNBUFFERED", "1")

    redis: EmbeddedRedis | None = None
    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    seed: subprocess.Popen[bytes] | None = None

    def stop_all(*_: object) -> None:
        if seed is not None and seed.poll() is None:
            os.killpg(seed.pid, signal.SIGTERM)  # the shell and the command it runs
        for _name, child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _name, child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        if redis is not None:
            redis.stop()

    # Ctrl-C and a service manager's SIGTERM both end in stop_all(); set even when the parent
    # started us with SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        if not env.get("REDIS_URL"):
            redis = EmbeddedRedis(var_dir / "redis")
            env["REDIS_URL"] = redis.start()
            _say(f"embedded Redis on {env['REDIS_URL']}")
        else:
            _say(f"using Redis at {env['REDIS_URL']}")

        _say("migrating the database")
        _manage("migrate", "--noinput", "-v", "0", env=env)
        if not _debug(env):
            # In debug WhiteNoise serves static files from the source folders (no copy needed).
            _manage("collectstatic", "--noinput", "-v", "0", env=env)
        handle, password = _admin_credentials(var_dir)

        host = env.get("HOST", "127.0.0.1")
        port = int(env.get("PORT", "8000"))
        if not _port_is_free(port):
            port = free_port()
        concurrency = env.get("WORKER_CONCURRENCY", "1")
        # A machine with a local model (DIFFUSERS_MODEL_PATH) also serves the GPU backend's queue.
        queues = "default,render" + (",gpu" if env.get("DIFFUSERS_MODEL_PATH") else "")
        commands = {
            "web": [
                PYTHON, "-m", "uvicorn", "config.asgi:application",
                "--host", host, "--port", str(port), "--ws", "websockets",
                "--no-access-log", "--workers", env.get("WEB_CONCURRENCY", "1"),
            ],
            "worker": [
                PYTHON, "-m", "celery", "-A", "config", "worker", "-Q", queues,
                "-c", concurrency, "-l", "info", "-n", "worker@%h",
            ],
            "beat": [
                PYTHON, "-m", "celery", "-A", "config", "beat", "-l", "info",
                "-s", str(var_dir / "celerybeat-schedule"),
            ],
        }  # fmt: skip
        for name, command in commands.items():
            children.append((name, subprocess.Popen(command, cwd=ROOT, env=env)))
        # The demo renders while the servers start: the feed fills in clip by clip instead of
        # the first page waiting for a dozen renders (a second run finds it done at once).
        _say("checking the demo (the first run renders a dozen clips into the feed)")
        manage = f"{shlex.quote(PYTHON)} manage.py"
        seed = subprocess.Popen(
            f"{manage} ensure_admin --handle {shlex.quote(handle)} "
            f"--password {shlex.quote(password)} && {manage} seed_demo",
            shell=True, cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip

        url = f"http://{'localhost' if host in {'127.0.0.1', '0.0.0.0'} else host}:{port}/"
        print(
            f"\n  Reverie is running at {url}\n"
            f"  Admin: {url}admin/  handle: {handle}  password: {password}\n"
            f"  Demo users: demo_ava, demo_leo, demo_mia (password: reverie-demo)\n"
            f"  Press Ctrl-C to stop.\n",
            flush=True,
        )
        while True:
            for name, child in children:
                if child.poll() is not None:
                    _say(f"{name} exited with code {child.returncode}; stopping everything")
                    return child.returncode or 1
            if seed is not None and seed.poll() is not None:
                if seed.returncode:
                    _say(f"the demo could not be seeded (code {seed.returncode}); running without")
                seed = None
            time.sleep(0.5)
    except KeyboardInterrupt:
        _say("stopping")
        return 0
    except subprocess.CalledProcessError as exc:
        print(f"setup step failed: {exc}", file=sys.stderr)
        return exc.returncode or 1
    finally:
        stop_all()


def test(pytest_args: list[str]) -> int:
    env = dict(os.environ)
    redis: EmbeddedRedis | None = None
    with tempfile.TemporaryDirectory(prefix="reverie-test-") as tmp:
        # Test files (SQLite test DB, media) live in a fresh folder, never in the dev var/.
        env.setdefault("REVERIE_VAR_DIR", tmp)
        try:
            if not env.get("REDIS_URL"):
                redis = EmbeddedRedis(Path(tmp) / "redis", persist=False)
                env["REDIS_URL"] = redis.start()
                _say(f"embedded Redis on {env['REDIS_URL']}")
            engine = (
                "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
            )
            _say(f"running the tests on {engine} with Redis at {env['REDIS_URL']}")
            return subprocess.run(
                [PYTHON, "-m", "pytest", *pytest_args], cwd=ROOT, env=env
            ).returncode
        finally:
            if redis is not None:
                redis.stop()


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "run":
        sys.exit(run())
    if command == "test":
        sys.exit(test(sys.argv[2:]))
    sys.exit(f"unknown command {command!r}; use run or test")


if __name__ == "__main__":
    main()
