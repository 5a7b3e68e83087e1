"""Serve the app to a whole class: N Streamlit replicas behind nginx, one command.

    python -m deploy --replicas 4 --port 8080            # then open http://<this machine>:8080/

Each replica is an ordinary ``streamlit run streamlit_app.py`` on a loopback port; nginx (Debian's package,
``apt-get install nginx``) listens on ``--port`` and forwards to them, upgrading Streamlit's WebSocket
(``/_stcore/stream``). A browser session must keep talking to the replica that holds its state, so routing is
sticky by a cookie, not by client address: a whole classroom behind one school router shares one address, and
``ip_hash`` would send every student to the same replica. nginx (open source) has no ``sticky`` directive, so the
cookie is made with what it has: a request without ``nnp_replica`` gets a fresh ``$request_id`` as its key, the
response sets the cookie to that key, and ``hash $sticky_key consistent`` maps the same key to the same replica
every time after. Every response names its replica in ``X-Playground-Replica`` (handy when debugging a room).

The replicas share one cookie secret (generated per start) so that anything Streamlit signs with it is valid on
each of them. nginx runs from a private prefix directory (config, pid, logs, temp files), never the system's.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_FILE = "streamlit_app.py"
COOKIE = "nnp_replica"
REPLICA_HEADER = "X-Playground-Replica"
START_TIMEOUT = 120.0  # seconds for every replica to answer its health check; cold starts on a busy box are slow
MAX_REPLICAS = 64


def find_nginx() -> str | None:
    """Path of the nginx binary (PATH, then Debian's /usr/sbin/nginx), or None when it is not installed."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def nginx_config(replica_ports: list[int], port: int, host: str, prefix: Path) -> str:
    """The whole nginx.conf: sticky (cookie-hashed) upstream of the replicas, WebSocket upgrade, private paths."""
    servers = "".join(f"        server 127.0.0.1:{p} max_fails=0;\n" for p in replica_ports)
    temp = "".join(
        f"    {kind}_temp_path {prefix / (kind + '_temp')};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""# Written by `python -m deploy`; regenerated on every start.
daemon off;
worker_processes auto;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;

events {{
    worker_connections 4096;  # each playing browser holds one WebSocket
}}

http {{
    access_log {prefix / "access.log"};
{temp}
    # Sticky sessions: the cookie's value if the browser has one, else a new random key (set below).
    map $cookie_{COOKIE} $sticky_key {{
        ""      $request_id;
        default $cookie_{COOKIE};
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ""      close;
    }}

    upstream playground {{
        hash $sticky_key consistent;
{servers}    }}

    server {{
        listen {host}:{port};
        client_max_body_size 200m;  # Streamlit's own upload limit

        location / {{
            proxy_pass http://playground;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 1d;  # a WebSocket may stay quiet while a student reads
            proxy_send_timeout 1d;
            proxy_buffering off;    # frames of the live view go out as soon as they are made
            add_header Set-Cookie "{COOKIE}=$sticky_key; Path=/; HttpOnly; SameSite=Lax" always;
            add_header {REPLICA_HEADER} $upstream_addr always;
        }}
    }}
}}
"""


def streamlit_command(port: int | str, app_file: str = APP_FILE) -> list[str]:
    """``streamlit run`` of the app on 127.0.0.1:``port``, headless, without a file watcher or usage statistics: the
    one command line every launcher uses (the replicas here, the benchmarks' servers, the browser tests' server)."""
    return [sys.executable, "-m", "streamlit", "run", app_file, "--server.port", str(port),
            "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false"]  # fmt: skip


def wait_healthy(
    url: str, process: subprocess.Popen | None, what: str, timeout: float, path: str = "_stcore/health"
) -> None:
    """Return once ``url + path`` answers 200; raise if ``process`` (None: a server started elsewhere) exits first
    (RuntimeError) or ``timeout`` seconds pass (TimeoutError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url + path, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{what} did not answer {url}{path} within {timeout:.0f} s")


def stop_process_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (each child runs in its own), then SIGKILL if it lingers."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=grace)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass
class Deployment:
    """N replicas and nginx in front; ``start()`` returns once the proxy answers, ``stop()`` ends everything.

    replicas : how many ``streamlit run`` processes; port/host : where nginx listens; prefix : nginx's private
    directory (a new temporary one when None); replica_ports : the replicas' loopback ports (free ones when None).
    """

    replicas: int = 2
    port: int = 8080
    host: str = "127.0.0.1"
    prefix: Path | None = None
    replica_ports: list[int] | None = None
    processes: list[subprocess.Popen] = field(default_factory=list)

    def __post_init__(self) -> None:
        whole = isinstance(self.replicas, int) and not isinstance(self.replicas, bool)
        if not whole or not 1 <= self.replicas <= MAX_REPLICAS:
            raise ValueError(f"replicas={self.replicas!r} is not valid; expected a whole number in [1, {MAX_REPLICAS}]")
        if not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            raise ValueError(f"port={self.port!r} is not valid; expected a TCP port in [1, 65535]")
        if self.replica_ports is not None and len(self.replica_ports) != self.replicas:
            raise ValueError(f"replica_ports has {len(self.replica_ports)} ports for {self.replicas} replicas")

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}/"

    def replica_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.replica_ports[i]}/"

    def start(self) -> Deployment:
        nginx = find_nginx()
        if nginx is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
        if self.prefix is None:
            self.prefix = Path(tempfile.mkdtemp(prefix="playground-nginx-"))
        self.prefix.mkdir(parents=True, exist_ok=True)
        self.prefix.chmod(0o755)  # nginx workers run as an unprivileged user and must reach their temp dirs
        self.replica_ports = self.replica_ports or [free_port() for _ in range(self.replicas)]
        logs = self.prefix / "logs"
        logs.mkdir(exist_ok=True)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
        try:
            for i, port in enumerate(self.replica_ports):
                command = streamlit_command(str(port), APP_FILE)
                with (logs / f"replica-{i + 1}.log").open("w", encoding="utf-8") as log:
                    self.processes.append(
                        subprocess.Popen(
                            command,
                            cwd=REPO_ROOT,
                            stdin=subprocess.DEVNULL,
                            stdout=log,
                            stderr=subprocess.STDOUT,
                            env=env,
                            start_new_session=True,
                        )
                    )
            for i, process in enumerate(self.processes):
                wait_healthy(self.replica_url(i), process, f"replica {i + 1}", START_TIMEOUT)
            conf = self.prefix / "nginx.conf"
            conf.write_text(nginx_config(self.replica_ports, self.port, self.host, self.prefix), encoding="utf-8")
            with (logs / "nginx.log").open("w", encoding="utf-8") as log:
                proxy = subprocess.Popen(
                    [nginx, "-p", str(self.prefix), "-c", str(conf), "-e", str(self.prefix / "error.log")],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self.processes.append(proxy)
            wait_healthy(self.url, proxy, "nginx", 30.0)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):  # the proxy first, so no request reaches a stopping replica
            stop_process_group(process)
        self.processes.clear()

    def __enter__(self) -> Deployment:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
