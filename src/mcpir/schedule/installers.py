"""Run the daily check from the OS's own scheduler: a systemd user timer and service, a cron
line, or a launchd agent. Each runs `python -m mcpir schedule run --once --root ROOT` with the
interpreter mcpir is installed in, at `--at` local time; systemd (`Persistent=true`) and
launchd catch up on a run missed while the machine was off.

`plan()` says what would be written and run (`--dry-run` shows it); `install()` writes it and
enables it; `uninstall()` undoes both. Nothing here needs a heavy import.
"""

from __future__ import annotations

import os
import plistlib
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mcpir.core.errors import UsageError
from mcpir.core.fileio import atomic_write_text
from mcpir.schedule.scheduler import JobSpec, parse_at

KINDS = ("systemd", "cron", "launchd")
UNIT = "mcpir-check"
LABEL = "dev.mcpir.daily-check"
CRON_MARKER = "# mcpir-daily-check"
TIMEOUT = 30


@dataclass
class Plan:
    kind: str
    files: list[tuple[Path, str]] = field(default_factory=list)
    commands: list[list[str]] = field(default_factory=list)  # run after writing, to enable
    cron_line: str | None = None

    def render(self) -> str:
        out = []
        for path, text in self.files:
            out.append(f"# {path}\n{text}")
        if self.cron_line is not None:
            out.append(f"# crontab line\n{self.cron_line}\n")
        if self.commands:
            out.append("# then\n" + "".join(shlex.join(c) + "\n" for c in self.commands))
        return "\n".join(out)


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)
    needs_you: list[str] = field(default_factory=list)


def default_kind() -> str:
    if sys.platform == "darwin":
        return "launchd"
    return "systemd" if shutil.which("systemctl") else "cron"


def command_line(spec: JobSpec) -> list[str]:
    argv = [sys.executable, "-m", "mcpir", "schedule", "run", "--once"]
    if spec.home:
        argv += ["--home", spec.home]
    if spec.root:
        argv += ["--root", spec.root]
    return argv


def _environment() -> dict[str, str]:
    """What the check needs from this shell: only where mcpir keeps its state, if moved."""
    home = os.environ.get("MCPIR_HOME")
    return {"MCPIR_HOME": home} if home else {}


def _config_home() -> Path:
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return Path(xdg) if xdg else Path.home() / ".config"


def systemd_dir() -> Path:
    return _config_home() / "systemd" / "user"


def _systemd_quote(word: str) -> str:
    """One argument as systemd's ExecStart= reads it: `%` and `$` escaped, quoted if needed."""
    word = word.replace("%", "%%").replace("$", "$$")
    if word and not any(c.isspace() or c in "\"'\\;" for c in word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def plan_systemd(spec: JobSpec) -> Plan:
    hour, minute = parse_at(spec.at)
    exec_start = " ".join(_systemd_quote(w) for w in command_line(spec))
    env = "".join(f"Environment={_systemd_quote(f'{k}={v}')}\n" for k, v in _environment().items())
    service = (
        "[Unit]\n"
        "Description=mcpir: daily MCP token rotation check and reminders\n"
        "Documentation=https://github.com/mcpir/mcpir\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"{env}"
        f"ExecStart={exec_start}\n"
    )
    timer = (
        "[Unit]\n"
        "Description=mcpir: run the daily MCP token rotation check\n\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {hour:02d}:{minute:02d}:00\n"
        "Persistent=true\n"
        "RandomizedDelaySec=300\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    folder = systemd_dir()
    return Plan(
        "systemd",
        files=[(folder / f"{UNIT}.service", service), (folder / f"{UNIT}.timer", timer)],
        commands=[
            ["systemctl", "--user", "daemon-reload"],
            ["systemctl", "--user", "enable", "--now", f"{UNIT}.timer"],
        ],
    )


def plan_cron(spec: JobSpec) -> Plan:
    hour, minute = parse_at(spec.at)
    env = "".join(f"{k}={shlex.quote(v)} " for k, v in _environment().items())
    # cron turns an unescaped % anywhere in the command (its variables too) into a newline
    command = (env + shlex.join(command_line(spec))).replace("%", "\\%")
    return Plan("cron", cron_line=f"{minute} {hour} * * * {command} {CRON_MARKER}")


def launchd_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LABEL}.plist"


def plan_launchd(spec: JobSpec) -> Plan:
    from mcpir.core.paths import data_dir

    hour, minute = parse_at(spec.at)
    document: dict[str, object] = {
        "Label": LABEL,
        "ProgramArguments": command_line(spec),
        "StartCalendarInterval": {"Hour": hour, "Minute": minute},
        "RunAtLoad": False,
        "StandardOutPath": str(data_dir() / "schedule-launchd.log"),
        "StandardErrorPath": str(data_dir() / "schedule-launchd.log"),
    }
    if _environment():
        document["EnvironmentVariables"] = _environment()
    text = plistlib.dumps(document, sort_keys=True).decode("utf-8")
    domain = f"gui/{os.getuid()}" if hasattr(os, "getuid") else "gui/501"
    return Plan(
        "launchd",
        files=[(launchd_path(), text)],
        commands=[["launchctl", "bootstrap", domain, str(launchd_path())]],
    )


PLANS = {"systemd": plan_systemd, "cron": plan_cron, "launchd": plan_launchd}


def plan(kind: str, spec: JobSpec) -> Plan:
    if kind not in PLANS:
        raise UsageError(f"unknown scheduler {kind!r}", hint=f"one of {', '.join(KINDS)}")
    return PLANS[kind](spec)


def _run(command: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    if shutil.which(command[0]) is None:
        return 127, "", f"{command[0]} not found"
    try:
        done = subprocess.run(  # noqa: S603 - fixed programs, arguments built here
            command, input=stdin, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 1, "", str(exc)
    return done.returncode, done.stdout, done.stderr


def _enable(commands: list[list[str]], outcome: Outcome) -> None:
    for command in commands:
        code, _, err = _run(command)
        if code != 0:
            why = (err.strip().splitlines() or [f"exit {code}"])[-1]
            rest = " && ".join(shlex.join(c) for c in commands[commands.index(command) :])
            outcome.needs_you.append(f"`{shlex.join(command)}` failed ({why}): run {rest}")
            return
        outcome.done.append(f"ran {shlex.join(command)}")


def _crontab() -> tuple[list[str], str | None]:
    code, out, err = _run(["crontab", "-l"])
    if code == 127:
        return [], "crontab not found: add the line by hand (see --dry-run)"
    if code != 0 and "no crontab" not in err.lower():
        return [], f"crontab -l failed: {err.strip() or code}"
    return out.splitlines(), None


def _write_crontab(lines: list[str], outcome: Outcome) -> bool:
    code, _, err = _run(["crontab", "-"], stdin="".join(f"{line}\n" for line in lines))
    if code != 0:
        outcome.needs_you.append(f"crontab - failed: {err.strip() or code}")
        return False
    return True


def install(planned: Plan, *, enable: bool = True) -> Outcome:
    outcome = Outcome()
    if planned.cron_line is not None:
        lines, problem = _crontab()
        if problem:
            outcome.needs_you.append(problem)
            return outcome
        kept = [line for line in lines if CRON_MARKER not in line]
        if _write_crontab([*kept, planned.cron_line], outcome):
            outcome.done.append("added the daily check to your crontab")
        return outcome
    for path, text in planned.files:
        if path.is_symlink():
            raise UsageError(f"{path} is a symbolic link; mcpir will not write through it")
        atomic_write_text(path, text, 0o644)
        outcome.done.append(f"wrote {path}")
    if enable:
        _enable(planned.commands, outcome)
    else:
        outcome.done.append("to enable: " + " && ".join(shlex.join(c) for c in planned.commands))
    return outcome


def uninstall(kind: str, *, enable: bool = True) -> Outcome:
    """Remove what `install` put in place (nothing there is not an error)."""
    outcome = Outcome()
    if kind == "cron":
        if shutil.which("crontab") is None:
            return outcome  # no cron here: nothing can have been installed in it
        lines, problem = _crontab()
        if problem:
            outcome.needs_you.append(problem)
            return outcome
        kept = [line for line in lines if CRON_MARKER not in line]
        if len(kept) != len(lines) and _write_crontab(kept, outcome):
            outcome.done.append("removed the daily check from your crontab")
        return outcome
    if kind == "systemd":
        files = [systemd_dir() / f"{UNIT}.timer", systemd_dir() / f"{UNIT}.service"]
        before = [["systemctl", "--user", "disable", "--now", f"{UNIT}.timer"]]
        after = [["systemctl", "--user", "daemon-reload"]]
    elif kind == "launchd":
        files = [launchd_path()]
        domain = f"gui/{os.getuid()}" if hasattr(os, "getuid") else "gui/501"
        before, after = [["launchctl", "bootout", f"{domain}/{LABEL}"]], []
    else:
        raise UsageError(f"unknown scheduler {kind!r}", hint=f"one of {', '.join(KINDS)}")
    present = [path for path in files if path.exists()]
    if not present:
        return outcome
    if enable:
        _enable(before, outcome)
    for path in present:
        path.unlink()
        outcome.done.append(f"removed {path}")
    if enable:
        _enable(after, outcome)
    return outcome


def installed() -> list[str]:
    """Which OS schedulers hold the daily check now (cron is asked only if it exists)."""
    found = []
    if (systemd_dir() / f"{UNIT}.timer").exists():
        found.append(f"systemd: {systemd_dir() / f'{UNIT}.timer'}")
    if launchd_path().exists():
        found.append(f"launchd: {launchd_path()}")
    if shutil.which("crontab"):
        lines, _ = _crontab()
        found += [f"cron: {line}" for line in lines if CRON_MARKER in line]
    return found
