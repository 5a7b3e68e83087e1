"""deploy/: the nginx configuration it writes is valid and sticky; bad arguments are refused clearly."""

from __future__ import annotations

import subprocess

import pytest

from deploy import COOKIE, Deployment, find_nginx, nginx_config


def test_config_hashes_the_cookie_upgrades_websockets_and_lists_every_replica(tmp_path):
    text = nginx_config([8501, 8502, 8503], 8080, "0.0.0.0", tmp_path)
    assert "hash $sticky_key consistent;" in text and "ip_hash" not in text
    assert f"default $cookie_{COOKIE};" in text and '""      $request_id;' in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text and "proxy_http_version 1.1;" in text
    assert [line.strip() for line in text.splitlines() if line.strip().startswith("server 127")] == [
        f"server 127.0.0.1:{p} max_fails=0;" for p in (8501, 8502, 8503)
    ]
    assert "listen 0.0.0.0:8080;" in text


@pytest.mark.skipif(find_nginx() is None, reason="nginx is not installed (apt-get install nginx)")
def test_nginx_accepts_the_config(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config([8501, 8502], 18080, "127.0.0.1", tmp_path), encoding="utf-8")
    result = subprocess.run(
        [find_nginx(), "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"replicas": 0}, "replicas=0 is not valid"),
        ({"replicas": True}, "replicas=True is not valid"),
        ({"port": 70000}, "port=70000 is not valid"),
        ({"replicas": 2, "replica_ports": [8501]}, "1 ports for 2 replicas"),
    ],
)
def test_bad_arguments_name_the_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Deployment(**kwargs)
