"""The daily check: APScheduler's SQLite job store across restarts and downtime, and the
systemd / cron / launchd installers (systemd units checked by `systemd-analyze verify`)."""

from __future__ import annotations

import json
import os
import plistlib
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from mcpir.schedule import JOB_ID
from mcpir.schedule.jobs import runs
from mcpir.schedule.scheduler import JobSpec, build, ensure_daily_job, list_jobs, store_path
from tests.conftest import RunCli


@pytest.fixture
def spec(tmp_path: Path) -> JobSpec:
    home, root = tmp_path / "home", tmp_path / "root"
    home.mkdir()
    root.mkdir()
    return JobSpec(at="09:00", home=str(home), root=str(root))


def wait_for_runs(count: int, timeout: float = 15.0) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = runs()
        if len(done) >= count:
            return done
        time.sleep(0.05)
    return runs()


def test_job_store_survives_a_restart_and_coalesces_missed_runs(spec: JobSpec) -> None:
    first_start = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(first_start, tick=True):
        scheduler = build("background")
        scheduler.start()
        assert ensure_daily_job(scheduler, spec) == "added"
        stored_next = scheduler.get_job(JOB_ID).next_run_time
        scheduler.shutdown()
    assert stored_next > first_start
    assert store_path().is_file()
    # Down for three days: three 09:00 runs were missed.
    with time_machine.travel(first_start + timedelta(days=3), tick=True):
        scheduler = build("background")
        scheduler.start(paused=True)
        job = scheduler.get_job(JOB_ID)
        assert job.next_run_time == stored_next  # kept in SQLite across the restart
        assert (job.coalesce, job.misfire_grace_time) == (True, 7 * 24 * 3600)
        assert ensure_daily_job(scheduler, spec) == "kept"
        scheduler.resume()
        done = wait_for_runs(1)
        time.sleep(0.5)  # room for a second, wrong, run
        after = scheduler.get_job(JOB_ID).next_run_time
        scheduler.shutdown()
    assert len(runs()) == 1, "missed runs must coalesce into one"
    assert done[0]["ok"] is True and done[0]["tokens"] == 0
    assert after == datetime(2026, 1, 5, 9, 0, tzinfo=UTC).astimezone(after.tzinfo)


def test_a_changed_time_updates_the_stored_job(run_cli: RunCli, spec: JobSpec) -> None:
    with time_machine.travel(datetime(2026, 1, 1, 12, 0, tzinfo=UTC), tick=True):
        scheduler = build("background")
        scheduler.start(paused=True)
        ensure_daily_job(scheduler, spec)
        moved = JobSpec(at="18:30", home=spec.home, root=spec.root)
        assert ensure_daily_job(scheduler, moved) == "updated"
        scheduler.shutdown()
    (job,) = list_jobs()
    assert "hour='18', minute='30'" in job.trigger
    assert job.kwargs == {"home": spec.home, "root": spec.root}
    listed = run_cli("schedule", "list").stdout.splitlines()
    header = next(i for i, line in enumerate(listed) if line.startswith("job "))
    assert listed[header].split() == ["job", "trigger", "next", "run", "for"]
    assert listed[header + 1].split()[0] == JOB_ID and "minute='30'" in listed[header + 1]


def test_schedule_run_blocks_until_sigterm(spec: JobSpec) -> None:
    """`mcpir schedule run`: the BlockingScheduler stores its job, and stops on SIGTERM."""
    command = [sys.executable, "-m", "mcpir", "schedule", "run", "--at", "03:15",
               "--home", str(spec.home), "--root", str(spec.root)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("daily check added; next run "), line
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()
    (job,) = list_jobs()
    assert job.id == JOB_ID and "hour='3', minute='15'" in job.trigger


def test_run_once_and_list(run_cli: RunCli, spec: JobSpec) -> None:
    done = run_cli(
        "schedule", "run", "--once", "--home", spec.home or "", "--root", spec.root or ""
    )
    assert done.code == 0
    assert done.stdout.startswith("checked 0 tokens: 0 overdue, 0 due soon")
    listed = run_cli("schedule", "list", "--json")
    document = json.loads(listed.stdout)
    assert document["jobs"] == [] and len(document["runs"]) == 1
    assert document["runs"][0]["ok"] is True
    rows = [line.split() for line in run_cli("schedule", "list").stdout.splitlines()]
    assert ["ran", "at", "tokens", "overdue", "reminders", "result"] in rows
    assert rows[-1] == [document["runs"][0]["at"], "0", "0", "0", "ok"]


def test_a_failed_check_is_recorded_and_exits_3(run_cli: RunCli, spec: JobSpec) -> None:
    Path(spec.root or "", ".mcpir.toml").write_text("[rotation]\nmax_age_days = 0\n")
    done = run_cli(
        "schedule", "run", "--once", "--home", spec.home or "", "--root", spec.root or ""
    )
    assert done.code == 3 and "max_age_days" in done.stderr
    assert runs()[-1]["ok"] is False


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "userhome"))
    return tmp_path / "xdg"


def test_print_shows_and_writes_nothing(run_cli: RunCli, spec: JobSpec, config_home: Path) -> None:
    done = run_cli("schedule", "install", "--systemd", "--print", "--root", spec.root or "")
    assert done.code == 0
    assert "OnCalendar=*-*-* 09:00:00" in done.stdout and "Persistent=true" in done.stdout
    assert f"-m mcpir schedule run --once --root {spec.root}" in done.stdout
    assert "systemctl --user enable --now mcpir-check.timer" in done.stdout
    assert not config_home.exists()


def test_systemd_units_pass_systemd_analyze_verify(
    run_cli: RunCli, tmp_path: Path, config_home: Path
) -> None:
    root = tmp_path / "a project with spaces and 100%"
    root.mkdir()
    done = run_cli("schedule", "install", "--systemd", "--no-enable", "--at", "07:05",
                   "--root", root)  # fmt: skip
    assert done.code == 0, done.stderr
    unit_dir = config_home / "systemd" / "user"
    service, timer = unit_dir / "mcpir-check.service", unit_dir / "mcpir-check.timer"
    assert "to enable: systemctl --user daemon-reload" in done.stdout
    text = service.read_text()
    assert '"--root" "' not in text and f'"{str(root).replace("%", "%%")}"' in text
    assert f"Environment=MCPIR_HOME={os.environ['MCPIR_HOME']}" in text
    assert "OnCalendar=*-*-* 07:05:00" in timer.read_text()
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed: unit files written but not verified")
    checked = subprocess.run([analyze, "verify", str(service), str(timer)],
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.strip() == "", checked.stderr
    # The check must be able to fail: a broken unit is reported.
    service.write_text(text.replace("Type=oneshot", "Type=oneshoot"))
    broken = subprocess.run([analyze, "verify", str(service), str(timer)],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert "oneshoot" in broken.stderr
    gone = run_cli("schedule", "uninstall", "--systemd", "--no-enable")
    assert gone.code == 0 and not service.exists() and not timer.exists()


@pytest.fixture
def fake_crontab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `crontab` on PATH that keeps the table in a file, as the real one does per user."""
    table, bin_dir = tmp_path / "crontab.txt", tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "crontab"
    script.write_text(
        "#!/bin/sh\n"
        f'TABLE="{table}"\n'
        'if [ "$1" = "-l" ]; then\n'
        '  [ -f "$TABLE" ] || { echo "no crontab for $USER" >&2; exit 1; }\n'
        '  cat "$TABLE"; exit 0\n'
        "fi\n"
        'if [ "$1" = "-" ]; then cat > "$TABLE"; exit 0; fi\n'
        "exit 2\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return table


def test_cron_line_is_added_once_and_removed(
    run_cli: RunCli, spec: JobSpec, fake_crontab: Path
) -> None:
    for _ in range(2):
        done = run_cli("schedule", "install", "--cron", "--at", "06:45", "--root", spec.root or "")
        assert done.code == 0, done.stderr
    lines = fake_crontab.read_text().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("45 6 * * * MCPIR_HOME=")
    assert lines[0].endswith(f"schedule run --once --root {spec.root} # mcpir-daily-check")
    fake_crontab.write_text("0 1 * * * backup\n" + fake_crontab.read_text())
    listed = run_cli("schedule", "list")
    assert "installed: cron: 45 6 * * *" in listed.stdout
    assert run_cli("schedule", "uninstall", "--cron").code == 0
    assert fake_crontab.read_text() == "0 1 * * * backup\n"


def test_no_crontab_program_needs_you(
    run_cli: RunCli, spec: JobSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    done = run_cli("schedule", "install", "--cron", "--root", spec.root or "")
    assert done.code == 1 and "crontab not found" in done.stderr


def test_launchd_plist(run_cli: RunCli, spec: JobSpec, config_home: Path) -> None:
    done = run_cli("schedule", "install", "--launchd", "--no-enable", "--root", spec.root or "")
    assert done.code == 0, done.stderr
    path = Path(os.environ["HOME"]) / "Library" / "LaunchAgents" / "dev.mcpir.daily-check.plist"
    document = plistlib.loads(path.read_bytes())
    assert document["Label"] == "dev.mcpir.daily-check"
    assert document["ProgramArguments"][1:] == [
        "-m", "mcpir", "schedule", "run", "--once", "--root", spec.root,
    ]  # fmt: skip
    assert document["StartCalendarInterval"] == {"Hour": 9, "Minute": 0}
    assert document["EnvironmentVariables"] == {"MCPIR_HOME": os.environ["MCPIR_HOME"]}
    assert run_cli("schedule", "uninstall", "--launchd", "--no-enable").code == 0
    assert not path.exists()


@pytest.mark.parametrize("bad", ["9", "24:00", "09:60", "nine"])
def test_bad_time_is_usage_error(run_cli: RunCli, bad: str) -> None:
    done = run_cli("schedule", "install", "--cron", "--print", "--at", bad)
    assert done.code == 2 and "HH:MM" in done.stderr


def test_two_kinds_at_once_is_usage_error(run_cli: RunCli) -> None:
    assert run_cli("schedule", "install", "--cron", "--systemd", "--print").code == 2


@pytest.mark.parametrize("damage", ["garbage", "random", "directory"])
@pytest.mark.parametrize("command", [("schedule", "list"), ("schedule", "run")])
def test_a_damaged_job_store_is_one_line_exit_2(
    run_cli: RunCli, spec: JobSpec, damage: str, command: tuple[str, ...]
) -> None:
    path = store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if damage == "directory":
        path.mkdir()  # opens like a read-only or unreachable store: "unable to open"
    else:
        path.write_bytes(b"not a database\n" if damage == "garbage" else os.urandom(4096))
    done = (
        run_cli(*command, "--root", spec.root or "") if command[1] == "run" else run_cli(*command)
    )
    assert done.code == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert f"{path}: job store unusable" in done.stderr and "move it aside" in done.stderr


def test_run_once_with_an_unwritable_run_log_exits_3(run_cli: RunCli, spec: JobSpec) -> None:
    log = store_path().parent / "schedule-runs.jsonl"
    log.mkdir(parents=True)  # cannot be appended to, as on a read-only data dir
    done = run_cli(
        "schedule", "run", "--once", "--home", spec.home or "", "--root", spec.root or ""
    )
    assert done.code == 3 and "Traceback" not in done.stderr
    assert "cannot record the daily check" in done.stderr


def test_uninstall_with_nothing_installed_is_exit_0(
    run_cli: RunCli, tmp_path: Path, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for kind in ("--systemd", "--launchd"):
        done = run_cli("schedule", "uninstall", kind)
        assert done.code == 0 and "nothing to remove" in done.stdout, done.stderr
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no crontab program at all
    done = run_cli("schedule", "uninstall", "--cron")
    assert done.code == 0 and "nothing to remove from cron" in done.stdout, done.stderr


def test_install_twice_writes_the_same_units(
    run_cli: RunCli, spec: JobSpec, config_home: Path
) -> None:
    args = ("schedule", "install", "--systemd", "--no-enable", "--root", spec.root or "")
    assert run_cli(*args).code == 0
    folder = config_home / "systemd" / "user"
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert run_cli(*args).code == 0
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first
    assert sorted(first) == ["mcpir-check.service", "mcpir-check.timer"]


def test_a_channel_that_cannot_work_is_on_record(
    run_cli: RunCli, spec: JobSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcpir.config.rotation import user_config_path

    monkeypatch.delenv("MCPIR_NO_SUCH_TOKEN", raising=False)
    user_config_path().parent.mkdir(parents=True, exist_ok=True)
    user_config_path().write_text(
        '[notify]\nchannels = ["github"]\n[notify.github]\nrepo = "a/b"\n'
        'token = "MCPIR_NO_SUCH_TOKEN"\napi_url = "http://127.0.0.1:9"\n',
        encoding="utf-8",
    )
    done = run_cli(
        "schedule", "run", "--once", "--home", spec.home or "", "--root", spec.root or ""
    )
    assert done.code == 0 and "channel skipped: github: no GitHub token" in done.stderr
    (record,) = runs()
    assert record["skipped"] == [
        "github: no GitHub token: set $MCPIR_NO_SUCH_TOKEN or "
        "`mcpir tokens add MCPIR_NO_SUCH_TOKEN`"
    ]


def test_a_percent_in_mcpir_home_survives_cron(
    spec: JobSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cron turns every unescaped % of a line into a newline: one in MCPIR_HOME cut the
    command short and the check ran against the wrong data dir, or not at all."""
    from mcpir.schedule.installers import plan_cron

    monkeypatch.setenv("MCPIR_HOME", str(tmp_path / "100%home"))
    line = plan_cron(spec).cron_line or ""
    assert "100\\%home" in line and "100%home" not in line.replace("\\%", "")
