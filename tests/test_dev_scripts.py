"""The dev scripts fail with a message that names the service, the cause and
what to do, instead of hanging or starting a second copy."""

from __future__ import annotations

import os
import signal
import socket
import socketserver
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import ckan
import pytest

REPO = Path(__file__).resolve().parent.parent
SCHEMA_XML = Path(ckan.__file__).parent / "config" / "solr" / "schema.xml"


class _AnswersEverything(socketserver.BaseRequestHandler):
    """Something that is not our service squatting its port: it answers every
    request with a Redis PONG."""

    reply = b"+PONG\r\n"

    def handle(self) -> None:
        self.request.recv(1024)
        self.request.sendall(self.reply)


@pytest.fixture
def squatted_port() -> Iterator[int]:
    server = socketserver.TCPServer(("127.0.0.1", 0), _AnswersEverything)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(REPO / "dev" / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_redis_start_refuses_a_port_held_by_another_server(squatted_port, tmp_path):
    result = run(
        "services.sh",
        "start",
        "redis",
        DEV_DIR=str(tmp_path),
        REDIS_PORT=str(squatted_port),
    )

    assert result.returncode == 1
    assert f"port {squatted_port} answers but it is not our Redis" in result.stderr


def test_solr_start_refuses_a_solr_it_did_not_start(tmp_path):
    # The suite's own Solr answers, but it was not started from this (empty)
    # state folder.
    solr_port = os.environ.get("SOLR_PORT", "8983")
    result = run(
        "solr/solr.sh",
        "start",
        DEV_DIR=str(tmp_path),
        SOLR_PORT=solr_port,
        CKAN_SCHEMA_XML=str(SCHEMA_XML),
    )

    assert result.returncode == 1
    assert f"a Solr with a 'ckan' core already answers on 127.0.0.1:{solr_port}" in (
        result.stderr
    )


def test_solr_start_refuses_a_port_taken_by_another_program(squatted_port, tmp_path):
    result = run(
        "solr/solr.sh",
        "start",
        DEV_DIR=str(tmp_path),
        SOLR_PORT=str(squatted_port),
        CKAN_SCHEMA_XML=str(SCHEMA_XML),
    )

    assert result.returncode == 1
    assert f"port {squatted_port} on 127.0.0.1 is taken by another program" in (
        result.stderr
    )


def test_status_reports_a_stopped_service_with_exit_code_3(tmp_path):
    result = run(
        "services.sh",
        "status",
        "redis",
        DEV_DIR=str(tmp_path),
        REDIS_PORT=str(free_port()),
    )

    assert result.returncode == 3
    assert "Redis: stopped" in result.stdout


def test_status_reports_the_suites_services_as_running():
    result = run("services.sh", "status")

    assert result.returncode == 0, result.stdout + result.stderr
    pg_port = os.environ.get("PG_PORT", "54329")
    redis_port = os.environ.get("REDIS_PORT", "63799")
    assert f"PostgreSQL: running on 127.0.0.1:{pg_port}" in result.stdout
    assert f"Redis: running on 127.0.0.1:{redis_port}" in result.stdout


def test_database_setup_names_a_missing_configuration_file(tmp_path):
    missing = tmp_path / "nowhere.ini"

    result = run("ckan-db.sh", str(missing))

    assert result.returncode == 1
    assert f"no such configuration file: {missing}" in result.stderr


def test_unknown_service_is_named(tmp_path):
    result = run("services.sh", "start", "mysql", DEV_DIR=str(tmp_path))

    assert result.returncode == 1
    assert "unknown service 'mysql'" in result.stderr


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text())
    except (OSError, ValueError):
        return None


def _wait_for(check, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    return check()


def test_a_supervised_worker_killed_by_hand_is_started_again(tmp_path):
    """What make demo does for its workers (dev/supervise.sh), with a
    stand-in worker: killed, it is back within seconds, and the services'
    status reports it; stopping the supervisor stops the worker."""
    env = {
        **os.environ,
        "DEV_DIR": str(tmp_path),
        "VENV_DIR": str(REPO / ".dev" / "venv"),
    }
    log = tmp_path / "worker.log"
    supervisor = subprocess.Popen(
        [
            "bash",
            str(REPO / "dev" / "supervise.sh"),
            "worker",
            str(log),
            "--",
            "sleep",
            "300",
        ],
        env=env,
    )
    state = tmp_path / "run" / "workers"
    try:
        first = _wait_for(lambda: _read_int(state / "worker.child"))
        assert first and _alive(first)

        os.kill(first, signal.SIGKILL)
        second = _wait_for(
            lambda: (pid := _read_int(state / "worker.child")) != first and pid
        )

        assert second and _alive(second)
        assert _read_int(state / "worker.restarts") == 1
        assert "exited with status" in log.read_text()
        status = subprocess.run(
            ["bash", str(REPO / "dev" / "services.sh"), "status"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert (
            f"worker worker: running (pid {second}, started again 1 times)"
            in status.stdout
        )
    finally:
        supervisor.terminate()
        supervisor.wait(timeout=10)
    assert _wait_for(lambda: not _alive(second), 5)
    assert not (state / "worker.pid").exists()


def serve_configtest(tmp_path, **settings: str) -> subprocess.CompletedProcess:
    """`dev/serve.sh configtest` writing into tmp_path, nginx on port 5999."""
    env = {
        **os.environ,
        "DEV_DIR": str(tmp_path),
        "VENV_DIR": str(REPO / ".dev" / "venv"),
        "SERVE_PORT": "5999",
        **settings,
    }
    return subprocess.run(
        ["bash", str(REPO / "dev" / "serve.sh"), "configtest"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_make_serve_writes_configurations_nginx_and_supervisor_accept(tmp_path):
    """`make serve`'s nginx and supervisor configurations, made from
    deploy/*.in, pass `nginx -t` and supervisor's parser, with every kind
    of worker in it."""
    result = serve_configtest(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "syntax is ok" in result.stderr
    assert (
        "supervisor: harvest-fetch, harvest-gather, harvest-schedule, jobs, nginx, web"
        in result.stdout
    )
    nginx = (tmp_path / "run" / "serve" / "nginx.conf").read_text()
    assert "listen 127.0.0.1:5999;" in nginx
    assert "uwsgi_cache ckan;" in nginx


def test_make_cloud_configurations_balance_two_web_instances_and_the_solr_nodes(
    tmp_path,
):
    """`make cloud` (SERVE_TOPOLOGY=cloud): supervisor runs two uwsgi
    instances on their own sockets, nginx balances them and proxies CKAN's
    one Solr URL to both SolrCloud nodes, retrying a dead one; nginx and
    supervisor accept the configurations."""
    result = serve_configtest(
        tmp_path,
        SERVE_TOPOLOGY="cloud",
        SERVE_SOLR_PROXY_PORT="8999",
        CLOUD_SOLR_PORTS="8997 8998",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "syntax is ok" in result.stderr
    serve = tmp_path / "run" / "serve"
    nginx = (serve / "nginx.conf").read_text()
    assert f"server unix:{serve}/uwsgi-0.sock" in nginx
    assert f"server unix:{serve}/uwsgi-1.sock" in nginx
    solr = (serve / "nginx-solr.conf").read_text()
    assert "listen 127.0.0.1:8999;" in solr
    assert "server 127.0.0.1:8997 " in solr and "server 127.0.0.1:8998 " in solr
    assert "proxy_next_upstream error timeout" in solr
    supervisor = (serve / "supervisord.conf").read_text()
    assert "numprocs=2" in supervisor.split("[program:web]")[1].split("[program:")[0]
    assert "--socket " + str(serve) + "/uwsgi-%(process_num)s.sock" in supervisor


def test_the_default_topology_has_one_web_instance_and_no_solr_proxy(tmp_path):
    assert serve_configtest(tmp_path).returncode == 0
    serve = tmp_path / "run" / "serve"
    nginx = (serve / "nginx.conf").read_text()
    assert nginx.count("server unix:") == 1
    assert not (serve / "nginx-solr.conf").exists()
