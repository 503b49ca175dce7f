"""Scale-out, small: PostgreSQL behind the Prefect server and kaohe, two process workers running every
wave (two runs per cycle and instant, racing on the same cycle); every webhook arrives exactly once."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

from kaohe.clock import BEIJING
from kaohe.settings import PROJECT_ROOT

pytestmark = [pytest.mark.prefect, pytest.mark.postgres]
_spec = importlib.util.spec_from_file_location("scale_bench", PROJECT_ROOT / "bench" / "scale_bench.py")
assert _spec and _spec.loader
scale_bench = sys.modules.setdefault("scale_bench", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(scale_bench)


def test_two_workers_share_the_waves_and_every_delivery_arrives_exactly_once(tmp_path: Path) -> None:
    reason = scale_bench.postgres_reason()
    if reason:
        pytest.skip(reason)
    result = scale_bench.run_scale(workers=2, cycles=2, units=15, until=dt.datetime(2019, 1, 31, tzinfo=BEIJING),
                                   home=tmp_path, limit=2, max_waves=2)
    assert result.waves == 2 and result.runs == 2 * 2 * 2
    assert result.failed_runs == 0
    assert result.workers_used == 2, "one worker ran every wave"
    assert result.deliveries >= 2 * 15  # a wave reaches every unit of both cycles
    assert result.unsent == 0, "deliveries left unsent"
    assert result.duplicates == 0, "a delivery arrived twice"
    assert result.received_keys == result.deliveries, "a delivery was lost"
