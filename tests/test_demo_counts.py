"""What the demo says before its response: counts that match what it lists."""

from __future__ import annotations

import re
from pathlib import Path

from mcpir.demo.run import SHOWN, run_demo


def test_the_demo_lists_what_it_counts(tmp_path: Path) -> None:
    said: list[str] = []
    result = run_demo(tmp_path / "demo", say=said.append)
    [counted] = [line for line in said if line.startswith("scan:")]
    found = re.fullmatch(r"scan:\s+(\d+) findings?, (\d+) high:", counted)
    assert found is not None, counted
    total, high = int(found.group(1)), int(found.group(2))
    assert (total, high) == (result.findings, result.high)
    start = said.index(counted) + 1
    listed = [line for line in said[start:] if line.startswith("        ") and ": " in line]
    listed = [line for line in listed if not line.strip().startswith(("…", f"{total - high} "))]
    assert len(listed) == min(high, SHOWN)
    if total > high:
        other = f"{total - high} other finding"
        assert any(line.strip().startswith(other) for line in said[start:])
    assert not any(":None" in line for line in said)
