"""`.ci/security`: bandit's high-severity findings fail CI; pip-audit fails it only for known
vulnerabilities, and says so (without failing) when its database does not answer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _fake_bin(tmp_path: Path, bandit_rc: int, audit_output: str, audit_rc: int) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "bandit").write_text(f"#!/bin/sh\nexit {bandit_rc}\n")
    (bin_dir / "pip-audit").write_text(
        f"#!/bin/sh\ncat <<'OUT'\n{audit_output}\nOUT\nexit {audit_rc}\n"
    )
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir


def _run(bin_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        ["bash", str(ROOT / ".ci" / "security")],  # noqa: S607
        env={"BIN": str(bin_dir), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("bandit_rc", "audit_output", "audit_rc", "expected_rc", "says"),
    [
        (0, "No known vulnerabilities found", 0, 0, "no known vulnerabilities"),
        (1, "No known vulnerabilities found", 0, 1, "high-severity"),
        (0, "Found 2 known vulnerabilities in 1 package\nflask 0.1 PYSEC-1", 1, 1, "pin fixed"),
        (0, "ConnectionError: HTTPSConnectionPool(host=...): Max retries", 1, 0, "could not reach"),
        (
            0,
            "No known vulnerabilities found\nflask  Dependency not found on PyPI and could not be "
            "audited: flask (3.1.3)",
            0,
            0,
            "did not answer for 1 package",
        ),
    ],
)
def test_the_security_checks(tmp_path, bandit_rc, audit_output, audit_rc, expected_rc, says):
    result = _run(_fake_bin(tmp_path, bandit_rc, audit_output, audit_rc))
    assert result.returncode == expected_rc, result.stdout + result.stderr
    assert says in result.stdout + result.stderr


def test_ci_runs_the_security_checks():
    assert "make security" in (ROOT / ".ci" / "run").read_text()
    assert "bash .ci/security" in (ROOT / "Makefile").read_text()


def test_bandit_finds_nothing_of_high_severity_in_the_app():
    bandit = Path(sys.executable).parent / "bandit"
    if not bandit.exists():
        pytest.skip("bandit is not installed (pip install -e '.[test]')")
    result = subprocess.run(  # noqa: S603
        [str(bandit), "-q", "-r", str(ROOT / "huddles"), "--severity-level", "high"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout
