"""The production stack, as a deployer builds it from docs/deploy.md, for tests/stack/.

Outside the source tree (a temporary directory): a wheel built from the tree and
installed into a venv of its own; PostgreSQL databases of its own; keys made with the
installed ``python -m vault.keygen``; ``amparo migrate``, ``collectstatic`` and the deploy
check; gunicorn and ``amparo run_worker`` from that venv; Caddy with its internal
certificate authority on a local HTTPS port, configured from deploy/Caddyfile; an SMTP
sink (aiosmtpd) as the mail server. Module-scoped: the tests of one module share it, in
order. Run by ``.ci/run`` (``pytest -m stack``); never by plain ``pytest``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://postgres@127.0.0.1:5432"
# Databases of its own (AMPARO_STACK_DB names them on a shared machine).
DB = os.environ.get("AMPARO_STACK_DB", "amparo_stack")
KEYS_DB = f"{DB}_keys"
# Two roles, as docs/database-roles.md asks of a deployment: the owner migrates and
# grants; the application connects as a role that may only add to the access log.
OWNER_ROLE = f"{DB}_owner"
APP_ROLE = f"{DB}_app"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Mailbox:
    messages: list[str] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"


@dataclass
class Stack:
    home: Path
    venv: Path
    env: dict[str, str]
    https_port: int
    app_ports: list[int]
    mailbox: Mailbox
    db: str = DB
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def app_port(self) -> int:
        return self.app_ports[0]

    @property
    def servers(self) -> list[str]:
        """The application servers' process names, one per port."""
        return ["gunicorn"] + [f"gunicorn-{n}" for n in range(2, len(self.app_ports) + 1)]

    def owner_urls(self) -> dict[str, str]:
        owner = pg_as(f"{self.db}_owner")
        return {"DATABASE_URL": f"{owner}/{self.db}",
                "KEYS_DATABASE_URL": f"{owner}/{self.db}_keys"}

    def grant_to_application(self) -> None:
        """What docs/database-roles.md has the owner do after every migrate or restore."""
        for database in ("default", "keys"):
            self.amparo("grant_app_role", f"{self.db}_app", "--database", database,
                        as_owner=True)

    @property
    def url(self) -> str:
        return f"https://localhost:{self.https_port}"

    def amparo(
        self, *args: str, check: bool = True, as_owner: bool = False
    ) -> subprocess.CompletedProcess:
        env = {**self.env, **self.owner_urls()} if as_owner else self.env
        result = subprocess.run(
            [str(self.venv / "bin" / "amparo"), *args], cwd=self.home, env=env,
            capture_output=True, text=True, timeout=300, check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"amparo {' '.join(args)}:\n{result.stdout}\n{result.stderr}")
        return result

    def helper(self, *args: str) -> dict:
        result = subprocess.run(
            [str(self.venv / "bin" / "python"), str(self.home / "stack_helper.py"), *args],
            cwd=self.home, env={**self.env, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True, text=True, timeout=120, check=False,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.home / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            command, cwd=self.home, env=env or self.env, stdout=log, stderr=log,
            start_new_session=True,
        )

    def start_application(self) -> None:
        """gunicorn (one per application server) and the worker, as the systemd units
        start them."""
        for name, port in zip(self.servers, self.app_ports, strict=True):
            self._spawn(name, [
                str(self.venv / "bin" / "gunicorn"), "config.wsgi", "--bind",
                f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60"])
        self._spawn("worker", [str(self.venv / "bin" / "amparo"), "run_worker",
                               "--interval", "0.5"])
        for port in self.app_ports:
            wait_for(lambda port=port: self.status("/health/", port=port) in (200, 503),
                     f"gunicorn on {port}")

    def stop_application(self) -> None:
        for name in (*self.servers, "worker"):
            self.stop(name)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def status(self, path: str, *, direct: bool = False, port: int | None = None) -> int:
        """HTTP status of a GET, through Caddy (HTTPS) or straight to a gunicorn."""
        import ssl

        if direct and port is None:
            port = self.app_port
        url = (f"http://127.0.0.1:{port}" if port else self.url) + path
        request = urllib.request.Request(url, headers={"Host": "localhost"} if port else {})
        context = ssl._create_unverified_context()  # Caddy's internal CA: not installed here
        try:
            with urllib.request.urlopen(request, context=context, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def log(self, name: str) -> str:
        path = self.home / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def pg_as(role: str) -> str:
    return f"postgres://{role}@127.0.0.1:5432"


def _psql(*sql: str, database: str = "postgres") -> None:
    for statement in sql:
        subprocess.run(["psql", f"{PG}/{database}", "-q", "-c", statement], check=True,
                       capture_output=True)


def recreate_databases(db: str = DB) -> None:
    # Connections of a stopped stack are gone; WITH (FORCE) covers a crashed earlier run.
    keys_db, owner_role, app_role = f"{db}_keys", f"{db}_owner", f"{db}_app"
    for role in (owner_role, app_role):
        _psql(f"DO $$BEGIN CREATE ROLE {role} LOGIN; "
              "EXCEPTION WHEN duplicate_object THEN NULL; END$$")
    _psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)",
          f"DROP DATABASE IF EXISTS {keys_db} WITH (FORCE)",
          f"CREATE DATABASE {db} OWNER {owner_role}",
          f"CREATE DATABASE {keys_db} OWNER {owner_role}")
    for database in (db, keys_db):
        _psql(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
              f"ALTER SCHEMA public OWNER TO {owner_role}",
              "REVOKE CREATE ON SCHEMA public FROM PUBLIC", database=database)


def _install(home: Path) -> Path:
    # Built from a clean copy: pip builds in the tree, and a build/ folder left there by
    # an earlier build would carry files since deleted into the wheel.
    source = home / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "var", "build", "*.egg-info", "__pycache__", "tests", "bench",
        "*.mo"))
    wheels = home / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q",
                    "-w", str(wheels)], check=True, cwd=home)
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    [wheel] = wheels.glob("amparo-*.whl")
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True,
                   cwd=home, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    return venv


def _caddyfile(home: Path, https_port: int, app_ports: list[int]) -> Path:
    """deploy/Caddyfile for this machine: our host and ports, Caddy's local CA, no admin.

    With more than one application server Caddy balances them round-robin and names the
    one that answered in ``X-Amparo-Upstream``, so a test can tell the servers apart."""
    text = (ROOT / "deploy" / "Caddyfile").read_text()
    text = text.replace("amparo.example.org {", f"localhost:{https_port} {{")
    upstreams = " ".join(f"127.0.0.1:{port}" for port in app_ports)
    text = text.replace("127.0.0.1:8000", upstreams)
    if len(app_ports) > 1:
        text = text.replace(
            "header_up X-Forwarded-Proto https\n",
            "header_up X-Forwarded-Proto https\n\t\tlb_policy round_robin\n"
            "\t\theader_down X-Amparo-Upstream {http.reverse_proxy.upstream.hostport}\n")
        assert "lb_policy round_robin" in text
    assert f"localhost:{https_port}" in text and upstreams in text
    global_options = (
        "{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n\tauto_https disable_redirects\n"
        f"\thttp_port {free_port()}\n\tstorage file_system {home / 'caddy'}\n}}\n\n"
    )
    path = home / "Caddyfile"
    path.write_text(global_options + text)
    return path


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack(DB, app_servers=1) as built:
        yield built


@contextmanager
def running_stack(db: str, *, app_servers: int) -> Iterator[Stack]:
    """The installed wheel on databases ``db`` and ``db``_keys, with ``app_servers``
    gunicorn servers and the worker behind one Caddy; torn down afterwards."""
    for tool in ("caddy", "pg_dump", "psql"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (apt-get install caddy postgresql-client)")
    # Outside the tree: the test settings point tempfile at var/test for the canary scan.
    home = Path(tempfile.mkdtemp(prefix="amparo-stack-", dir="/tmp"))
    assert ROOT not in home.parents
    venv = _install(home)
    shutil.copy(ROOT / "tests" / "stack" / "stack_helper.py", home / "stack_helper.py")
    recreate_databases(db)

    secrets_dir = home / "etc"
    secrets_dir.mkdir(mode=0o700)
    keygen = subprocess.run([str(venv / "bin" / "python"), "-m", "vault.keygen", "2026"],
                            capture_output=True, text=True, check=True, cwd=home)
    master, index = [line for line in keygen.stdout.splitlines() if not line.startswith("#")]
    (secrets_dir / "master.keys").write_text(master + "\n")
    (secrets_dir / "index.key").write_text(index + "\n")
    (secrets_dir / "secret_key").write_text(os.urandom(32).hex() + "\n")
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    (secrets_dir / "backup.key").write_text(f"{identity}\n")
    (secrets_dir / "backup-recipients.txt").write_text(f"{identity.to_public()}\n")
    for path in secrets_dir.iterdir():
        path.chmod(0o600)

    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    smtp_port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    https_port, app_ports = free_port(), [free_port() for _ in range(app_servers)]
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "ALLOWED_HOSTS": "localhost",
        "CSRF_TRUSTED_ORIGINS": f"https://localhost:{https_port}",
        "AMPARO_SITE_URL": f"https://localhost:{https_port}",
        "AMPARO_TRUSTED_PROXIES": "127.0.0.1,::1",
        "AMPARO_VAR_DIR": str(home / "var"),
        "SECRET_KEY_FILE": str(secrets_dir / "secret_key"),
        "AMPARO_MASTER_KEY_FILE": str(secrets_dir / "master.keys"),
        "AMPARO_INDEX_KEY_FILE": str(secrets_dir / "index.key"),
        "AMPARO_AUDIT_SIGNING_KEY_FILE": str(secrets_dir / "audit-signing-key.pem"),
        "AMPARO_BACKUP_RECIPIENTS_FILE": str(secrets_dir / "backup-recipients.txt"),
        "AMPARO_AUDIT_CHECKPOINT_DIR": str(home / "var" / "checkpoints"),
        "DATABASE_URL": f"{pg_as(f'{db}_app')}/{db}",
        "KEYS_DATABASE_URL": f"{pg_as(f'{db}_app')}/{db}_keys",
        "DATABASE_CONN_MAX_AGE": "60",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "0",
        "DEFAULT_FROM_EMAIL": "amparo@stack.invalid",
        "LANGUAGE_CODE": "en",
    }
    stack = Stack(home=home, venv=venv, env=env, https_port=https_port, app_ports=app_ports,
                  mailbox=mailbox, db=db)
    pem = stack.amparo("audit_checkpoint", "--new-key").stdout
    (secrets_dir / "audit-signing-key.pem").write_text(pem)
    (secrets_dir / "audit-signing-key.pem").chmod(0o600)
    stack.amparo("migrate", "--noinput", "-v0", as_owner=True)
    stack.amparo("migrate", "--database", "keys", "--noinput", "-v0", as_owner=True)
    stack.grant_to_application()
    stack.amparo("collectstatic", "--noinput", "-v0")
    stack.amparo("check", "--deploy", "--fail-level", "WARNING")
    stack.start_application()
    stack._spawn("caddy", ["caddy", "run", "--config",
                           str(_caddyfile(home, https_port, app_ports)), "--adapter",
                           "caddyfile"])
    wait_for(lambda: stack.status("/accounts/login/") == 200, "Caddy", 60)
    try:
        yield stack
    finally:
        for name in list(stack.processes):
            stack.stop(name)
        smtp.stop()
        if os.environ.get("AMPARO_STACK_KEEP") != "1":
            _psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)",
                  f"DROP DATABASE IF EXISTS {db}_keys WITH (FORCE)")
            shutil.rmtree(home, ignore_errors=True)
