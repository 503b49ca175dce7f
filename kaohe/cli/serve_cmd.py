"""``kaohe serve``: run kaohe for real with one command — Prefect server, work pool, deployments, workers,
and the web portal — on loopback by default; SIGTERM or SIGINT stops every child cleanly."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

import click

from kaohe.cli.app import COMMAND_MODULES, cli, settings
from kaohe.errors import ConfigError, ExternalServiceError
from kaohe.settings import PROJECT_ROOT
from kaohe.supervisor import Child, Supervisor


class _Stop(Exception):
    """Raised by the signal handler to leave the waiting loop."""


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _wait_healthy(api: str, server: Child, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5, trust_env=False) as http:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise ExternalServiceError(f"Prefect 服务器启动失败（退出码 {server.process.returncode}），见日志")
            try:
                if http.get(f"{api}/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
    raise ExternalServiceError(f"Prefect 服务器 {timeout:.0f} 秒内未就绪：{api}/health")


def _run_step(supervisor: Supervisor, what: str, args: list[str], log: Path) -> None:
    """Run a one-off prefect command (pool, deploy) to completion; a failure stops everything."""
    child = supervisor.start(what, args, log)
    code = child.process.wait()
    supervisor.children.remove(child)
    if code != 0:
        raise ExternalServiceError(f"{what} 失败（退出码 {code}），见 {log}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Prefect 服务器与门户的监听地址")
@click.option("--port", default=4200, show_default=True, type=int, help="Prefect 服务器端口")
@click.option("--web/--no-web", "with_web", default=None, help="同时启动门户（默认：kaohe web 可用时启动）")
@click.option("--web-port", default=8000, show_default=True, type=int, help="门户端口")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(0, 16), help="进程 worker 数")
@click.option("--limit", default=4, show_default=True, type=click.IntRange(1), help="每个 worker 同时运行的流程数")
@click.option("--pool", default="kaohe", show_default=True, help="工作池名称（与 prefect.yaml 一致）")
@click.option("--startup-timeout", default=300, show_default=True, type=float, help="等待服务器就绪的秒数")
def serve(host: str, port: int, with_web: bool | None, web_port: int, workers: int, limit: int, pool: str,
          startup_timeout: float) -> None:
    """启动 Prefect 服务器，等待就绪，创建工作池，部署 prefect.yaml，启动 worker 和门户；收到 SIGTERM/SIGINT 时全部停止。"""
    conf = settings()
    project = Path(os.environ.get("KAOHE_PROJECT_DIR") or PROJECT_ROOT)
    if not (project / "prefect.yaml").is_file():
        raise ConfigError(f"环境变量 KAOHE_PROJECT_DIR 无效：{project} 下没有 prefect.yaml")
    if with_web is None:
        with_web = "web" in COMMAND_MODULES
    elif with_web and "web" not in COMMAND_MODULES:
        raise ConfigError("--web：此版本没有 kaohe web 命令")
    api = f"http://{host}:{port}/api"
    logs = conf.home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_API_URL": api, "KAOHE_PROJECT_DIR": str(project),
           "PREFECT_SERVER_ANALYTICS_ENABLED": os.environ.get("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
           "PREFECT_HOME": os.environ.get("PREFECT_HOME") or str(conf.home / "prefect")}
    supervisor = Supervisor(env, project)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise _Stop(signal.Signals(signum).name)

    # Handlers before the first child: children then start with both signals at their defaults.
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server = supervisor.start("Prefect 服务器", [_bin("prefect"), "server", "start", "--host", host, "--port", str(port)],
                                  logs / "server.log")
        click.echo(f"Prefect 服务器启动中：http://{host}:{port}（日志 {logs / 'server.log'}）", err=True)
        _wait_healthy(api, server, startup_timeout)
        _run_step(supervisor, "创建工作池", [_bin("prefect"), "work-pool", "create", pool, "--type", "process", "--overwrite"],
                  logs / "deploy.log")
        _run_step(supervisor, "部署 prefect.yaml", [_bin("prefect"), "--no-prompt", "deploy", "--all"], logs / "deploy.log")
        for number in range(1, workers + 1):
            supervisor.start(f"worker {number}", [_bin("prefect"), "worker", "start", "--pool", pool, "--type", "process", "--limit", str(limit),
                                                  "--name", f"kaohe-{os.uname().nodename}-{number}"],
                             logs / f"worker-{number}.log")
        if with_web:
            supervisor.start("门户", [_bin("kaohe"), "web", "--host", host, "--port", str(web_port)], logs / "web.log")
        portal = f"，门户 http://{host}:{web_port}" if with_web else ""
        click.echo(f"kaohe 已启动：Prefect http://{host}:{port}，{workers} 个 worker{portal}；Ctrl-C 或 SIGTERM 停止", err=True)
        while (ended := supervisor.exited()) is None:
            time.sleep(0.5)
        raise ExternalServiceError(f"{ended.name} 意外退出（退出码 {ended.process.returncode}），已停止全部进程；日志在 {logs}")
    except _Stop as received:
        click.echo(f"收到 {received}，正在停止……", err=True)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        supervisor.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("kaohe 已停止", err=True)
