"""The `solve_schedule` management command (no database involved)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .test_solver import EXAMPLE


def test_command_prints_only_the_solution_json():
    out, err = io.StringIO(), io.StringIO()
    call_command("solve_schedule", str(EXAMPLE), "--time-limit", "20", stdout=out, stderr=err)
    solution = json.loads(out.getvalue())
    assert solution["status"] == "optimal"
    assert solution["objective"] == solution["bound"] == 37
    assert {"a": "F001", "b": "O0001", "slot": "d1-0930"} in solution["meetings"]
    assert "optimal" in err.getvalue()


def test_missing_file_is_a_clear_command_error(tmp_path):
    with pytest.raises(CommandError, match="not found"):
        call_command("solve_schedule", str(tmp_path / "nope.json"), stdout=io.StringIO())


def test_invalid_json_is_a_clear_command_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("solve_schedule", str(bad), stdout=io.StringIO())


def test_invalid_instance_is_a_clear_command_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"slots": [], "participants": [], "requests": [{"a": "X"}]}))
    with pytest.raises(CommandError, match="malformed instance"):
        call_command("solve_schedule", str(bad), stdout=io.StringIO())


def test_command_line_error_exits_1_without_traceback(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "solve_schedule", str(tmp_path / "nope.json")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "instance file not found" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
