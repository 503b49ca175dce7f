"""``kaohe serve``: one command brings up server, pool, deployments and a worker; SIGTERM stops them all."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import yaml
from prefect.client.orchestration import PrefectClient
from production_support import VENV_BIN, Session, free_port, production_env, wait_until

from kaohe.settings import PROJECT_ROOT

pytestmark = pytest.mark.prefect
DEPLOYMENTS = {d["name"] for d in yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]}


def test_serve_brings_everything_up_and_sigterm_stops_every_child(tmp_path: Path) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    serve = Session([str(VENV_BIN / "kaohe"), "serve", "--port", str(port), "--no-web", "--workers", "1"],
                    production_env(tmp_path), tmp_path / "serve.log")
    try:
        async def ready() -> bool:
            async with PrefectClient(api) as client:
                deployed = {d.name for d in await client.read_deployments()}
                workers = await client.read_workers_for_work_pool("kaohe")
            return deployed >= DEPLOYMENTS and any(w.status == "ONLINE" for w in workers)

        wait_until(ready, timeout=400, what=f"deployments and an online worker; serve printed: {serve.output()}")
        assert len(serve.alive()) >= 3  # kaohe serve, the server (and its uvicorn), the worker
        serve.process.send_signal(signal.SIGTERM)
        assert serve.process.wait(timeout=120) == 0, serve.output()
        assert serve.alive() == [], f"children outlived kaohe serve: {serve.alive()}"
        assert "kaohe 已停止" in serve.output()
    finally:
        serve.stop(grace=5)
