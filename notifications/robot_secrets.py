"""Signing secrets per group robot: every DingTalk and Feishu robot has its own.

Two sources, never code: a secrets file named by ``KAOHE_ROBOT_SECRETS_FILE`` (YAML or JSON)::

    dingtalk:
      <access_token>: SEC0123…
    feishu:
      <hook token>: abcd…

and the roster: a row's ``钉钉密钥`` / ``飞书密钥`` column (kept as an attribute) signs for the robot in
its ``钉钉`` / ``飞书`` column. The file wins where both name a robot. ``KAOHE_DINGTALK_SECRET`` /
``KAOHE_FEISHU_SECRET`` remain the default for a robot named nowhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kaohe.errors import ConfigError

SIGNED_ROBOTS = ("dingtalk", "feishu")
ROSTER_COLUMNS = {"dingtalk": ("钉钉密钥", "dingtalk_secret"), "feishu": ("飞书密钥", "feishu_secret")}

RobotSecrets = dict[str, dict[str, str]]


def load_robot_secrets(path: Path | None) -> RobotSecrets:
    """The secrets file's robots by platform (empty without a file); a bad file is one ConfigError line."""
    secrets: RobotSecrets = {name: {} for name in SIGNED_ROBOTS}
    if path is None:
        return secrets
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}：无法读取机器人密钥文件（KAOHE_ROBOT_SECRETS_FILE）：{error.strerror}") from None
    import yaml

    try:
        data: Any = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}：机器人密钥文件格式错误（{type(error).__name__}）") from None
    if data is None:
        return secrets
    if not isinstance(data, dict):
        raise ConfigError(f"{path}：机器人密钥文件应为“平台: {{机器人: 密钥}}”的映射")
    for platform, robots in data.items():
        if platform not in SIGNED_ROBOTS:
            raise ConfigError(f"{path}：未知平台 {platform!r}（可用：{'、'.join(SIGNED_ROBOTS)}）")
        if not isinstance(robots, dict) or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in robots.items()):
            raise ConfigError(f"{path}：{platform} 下应为“机器人令牌: 密钥”，密钥不能为空")
        secrets[platform].update(robots)
    return secrets


def roster_robot_secrets(rows: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> RobotSecrets:
    """Secrets from roster rows ``(contacts, attributes)``: the robot in a row's 钉钉/飞书 column, signed
    with the secret in its 钉钉密钥/飞书密钥 column."""
    secrets: RobotSecrets = {name: {} for name in SIGNED_ROBOTS}
    for contacts, attributes in rows:
        for platform, columns in ROSTER_COLUMNS.items():
            robot = contacts.get(platform)
            secret = next((attributes[c] for c in columns if attributes.get(c)), None)
            if robot and secret:
                secrets[platform][str(robot)] = str(secret)
    return secrets


def merged(*sources: RobotSecrets) -> RobotSecrets:
    """Later sources win."""
    result: RobotSecrets = {name: {} for name in SIGNED_ROBOTS}
    for source in sources:
        for platform, robots in source.items():
            result.setdefault(platform, {}).update(robots)
    return result
