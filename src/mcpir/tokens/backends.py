"""Which keyring backend holds mcpir's secrets, chosen through keyring's own mechanism.

Order: `PYTHON_KEYRING_BACKEND` (keyring's variable), then the choice `mcpir secrets backend
NAME` recorded in mcpir's data dir, then keyring's `keyringrc.cfg`, then keyring's own pick.
Whatever is chosen is used alone: keyring's chainer would ask an encrypted file for its
passphrase each time the OS keyring lacks an entry, so mcpir takes the backend the chainer
writes to. A plaintext backend is refused unless `--insecure` chose it, and warned about on
every use. `keyring` is imported inside the functions only (~140 ms).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpir.core.errors import McpirError, UsageError
from mcpir.core.fileio import atomic_write_text, private_dirs
from mcpir.core.paths import data_dir
from mcpir.core.redact import redact_text

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

CHOICE_FILE = "keyring.json"
INSTALL = "pip install 'mcpir[headless]'"
PROBE_SERVICE = "mcpir-probe"


@dataclass(frozen=True)
class Known:
    name: str  # what `mcpir secrets backend NAME` and `store: keyring:NAME` say
    path: str  # the class, as PYTHON_KEYRING_BACKEND and keyringrc.cfg name it
    encrypted: bool | None  # at rest; None: cannot say
    install: str | None = None  # how to get it when it is missing


KNOWN: tuple[Known, ...] = (
    Known("secretservice", "keyring.backends.SecretService.Keyring", True),
    Known("kwallet", "keyring.backends.kwallet.DBusKeyring", True),
    Known("macos", "keyring.backends.macOS.Keyring", True),
    Known("windows", "keyring.backends.Windows.WinVaultKeyring", True),
    # Argon2id-derived key, AES-GCM per entry, file 0600.
    Known("cryptfile", "keyrings.cryptfile.cryptfile.CryptFileKeyring", True, INSTALL),
    # gpg-encrypted files of password-store; needs `pass init KEYID` once.
    Known("pass", "keyring_pass.PasswordStoreBackend", True, f"{INSTALL} and the `pass` tool"),
    Known("plaintext", "keyrings.cryptfile.file.PlaintextKeyring", False, INSTALL),
    Known("plaintext", "keyrings.alt.file.PlaintextKeyring", False, "pip install keyrings.alt"),
)
_BY_NAME = {known.name: known for known in reversed(KNOWN)}  # first of a name wins
_BY_PATH = {known.path: known for known in KNOWN}
HEADLESS_HINT = (
    "no OS keyring here (over SSH, in a container, in CI): "
    f"`{INSTALL}`, then `mcpir secrets backend cryptfile` (an encrypted file; passphrase from "
    "MCPIR_KEYRING_PASSPHRASE or a prompt) or `mcpir secrets backend pass`"
)


class KeyringUnavailable(McpirError):
    """No usable keyring: none installed, not running, locked, refused (exit 2)."""


BackendUnusable = KeyringUnavailable


def class_path(backend: object) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"


def known(backend: object) -> Known | None:
    return _BY_PATH.get(class_path(backend))


def short_name(backend: object) -> str:
    found = known(backend)
    return found.name if found is not None else type(backend).__name__.lower()


def encrypted_at_rest(backend: object) -> bool | None:
    found = known(backend)
    if found is not None:
        return found.encrypted
    return False if "plaintext" in class_path(backend).lower() else None


def encrypted_name(name: str) -> bool | None:
    """Encrypted at rest, by the short name `label` gives: None when mcpir cannot say."""
    found = _BY_NAME.get(name)
    if found is not None:
        return found.encrypted
    return False if "plaintext" in name.lower() else None


def where(backend: object) -> str | None:
    """The file a file-backed backend keeps its secrets in."""
    path = getattr(backend, "file_path", None)
    return str(path) if isinstance(path, str | Path) else None


def label(reachable: bool = True) -> str:
    """The short name of the backend in use (`cryptfile`), without loading one that is not
    loaded yet: for `store: keyring:<backend>` in the inventory."""
    import keyring.core

    chosen = os.environ.get("PYTHON_KEYRING_BACKEND")
    if not chosen:
        try:
            choice = load_choice()
        except UsageError:
            choice = None
        chosen = choice.path if choice is not None else None
    if chosen:
        found = _BY_PATH.get(chosen)
        return found.name if found is not None else chosen.rsplit(".", 1)[-1].lower()
    current = keyring.core._keyring_backend if reachable else None
    return short_name(current) if current is not None else "unknown"


# -- the choice `mcpir secrets backend NAME` records ---------------------------------------


@dataclass(frozen=True)
class Choice:
    path: str
    insecure: bool = False


def _choice_path() -> Path:
    return data_dir() / CHOICE_FILE


def load_choice() -> Choice | None:
    path = _choice_path()
    try:
        if path.is_symlink():
            raise UsageError(f"{path}: a symlink; mcpir reads only the file it wrote")
        with path.open("rb") as handle:
            raw = handle.read(4097)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        doc: Any = json.loads(raw) if len(raw) <= 4096 else None
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or not isinstance(doc.get("backend"), str):
        raise UsageError(
            f"{path}: not a keyring choice mcpir wrote",
            hint="remove it, then `mcpir secrets backend NAME`",
        )
    return Choice(doc["backend"], doc.get("insecure") is True)


def save_choice(choice: Choice) -> Path:
    path = _choice_path()
    private_dirs(path.parent)
    doc = {"version": 1, "backend": choice.path, "insecure": choice.insecure}
    atomic_write_text(path, json.dumps(doc, indent=2) + "\n", 0o600)
    return path


def resolve_name(name: str) -> str:
    """A short name (`cryptfile`) or a class path, as a class path."""
    found = _BY_NAME.get(name.lower())
    if found is not None:
        return found.path
    if "." not in name:
        names = ", ".join(sorted(_BY_NAME))
        raise UsageError(f"unknown keyring backend {name!r}", hint=f"one of {names}, or a class")
    return name


def load(path: str) -> KeyringBackend:
    """An instance of the backend class `path`; a one-line error naming the install."""
    from keyring.core import load_keyring

    try:
        return load_keyring(path)
    except (ImportError, AttributeError, ValueError):
        hint = _BY_PATH[path].install if path in _BY_PATH else None
        raise BackendUnusable(
            f"keyring backend {path} is not installed",
            hint=f"install it: `{hint}`" if hint else None,
        ) from None
    except Exception as exc:  # a backend's own constructor: anything, said in one line
        raise BackendUnusable(f"keyring backend {path} cannot start: {_line(exc)}") from None


def _line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return redact_text(text[0]) if text else type(exc).__name__


def source() -> str:
    """Where the active backend was chosen: for `mcpir secrets backend`."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return "PYTHON_KEYRING_BACKEND"
    if load_choice() is not None:
        return f"mcpir secrets backend ({_choice_path()})"
    from keyring.util import platform_

    config = Path(platform_.config_root()) / "keyringrc.cfg"
    return f"keyringrc.cfg ({config})" if config.is_file() else "keyring's own choice"


# -- the one backend every command uses -------------------------------------------------------

_warned: set[int] = set()


def active(*, prompt: bool = True) -> KeyringBackend:
    """The backend mcpir uses, ready: unlocked, refused when plaintext was not accepted. It is
    made keyring's own, so every `keyring.*` call of this process goes to it alone."""
    import keyring
    from keyring.backends import chainer, fail

    choice = load_choice() if not os.environ.get("PYTHON_KEYRING_BACKEND") else None
    current = _detected()
    if choice is not None and class_path(current) != choice.path:
        current = load(choice.path)
        keyring.set_keyring(current)
    if isinstance(current, chainer.ChainerBackend):
        chained = [b for b in current.backends if not isinstance(b, fail.Keyring)]
        current = chained[0] if chained else fail.Keyring()  # type: ignore[no-untyped-call]
        keyring.set_keyring(current)
    if isinstance(current, fail.Keyring):
        raise BackendUnusable("no usable OS keyring on this machine", HEADLESS_HINT)
    if encrypted_at_rest(current) is False:
        accepted = choice is not None and choice.insecure and choice.path == class_path(current)
        if not accepted:
            raise BackendUnusable(
                f"refusing the plaintext keyring backend {class_path(current)}: "
                "secrets would be stored unencrypted",
                hint="choose an encrypted one (`mcpir secrets backend cryptfile`), or accept "
                "it with `mcpir secrets backend plaintext --insecure`",
            )
        if id(current) not in _warned:
            _warned.add(id(current))
            at = where(current) or class_path(current)
            print(f"mcpir: warning: secrets are stored UNENCRYPTED in {at}", file=sys.stderr)
    _unlock(current, prompt)
    atomic_writes(current)
    return current


def atomic_writes(backend: object) -> None:
    """keyrings.cryptfile rewrites its file in place (`open(path, "w")`): a full disk or a
    Ctrl-C between the truncation and the last write leaves it cut short, every entry lost.
    Here each write goes to a private copy that then replaces the file in one rename."""
    if vars(backend).get("_mcpir_atomic") or not isinstance(where(backend), str):
        return
    if not callable(getattr(backend, "_write_config_value", None)):
        return
    import shutil
    import tempfile

    def through_copy(original: Any) -> Any:  # noqa: ANN401 - the backend's own method
        def run(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
            real = str(where(backend))
            own = "file_path" in vars(backend)
            folder = os.path.dirname(real) or "."
            os.makedirs(folder, mode=0o700, exist_ok=True)
            # 0600, beside the file: the rename stays on one file system.
            fd, copy = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(real)}.")
            os.close(fd)
            try:
                if os.path.isfile(real):
                    shutil.copyfile(real, copy)  # into the 0600 copy, its mode kept
                else:
                    os.unlink(copy)  # the backend creates it, 0600, as for a new file
                backend.file_path = copy  # type: ignore[attr-defined]
                result = original(*args, **kwargs)
                with open(copy, "rb+") as written:
                    os.fsync(written.fileno())
                os.replace(copy, real)
                return result
            finally:
                if own:
                    backend.file_path = real  # type: ignore[attr-defined]
                else:
                    vars(backend).pop("file_path", None)
                if os.path.lexists(copy):
                    os.unlink(copy)

        return run

    for name in ("_write_config_value", "delete_password"):
        setattr(backend, name, through_copy(getattr(backend, name)))
    backend._mcpir_atomic = True  # type: ignore[attr-defined]


def _detected() -> KeyringBackend:
    """keyring's backend; its first detection asks every installed backend whether it is
    viable, and keyring-pass answers by running `pass ls` with its errors on our stderr
    ("password store is empty"): that noise goes to /dev/null, not to the user."""
    import keyring

    held = sys.stderr
    with open(os.devnull, "w", encoding="utf-8") as quiet:
        sys.stderr = quiet
        try:
            return keyring.get_keyring()
        finally:
            sys.stderr = held


def _damaged(path: str) -> str | None:
    """Why an existing encrypted keyring file must not be unlocked, or None. keyrings.cryptfile
    takes a file without its passphrase check (or with a scheme but no version) for a new one
    and writes a fresh check for whatever passphrase it is given, a wrong one too: the entries
    already there would then open with no passphrase at all."""
    import configparser

    config = configparser.RawConfigParser()
    try:
        if os.path.getsize(path) == 0:
            return None
        config.read(path, encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    except (configparser.Error, UnicodeDecodeError):
        return "not an encrypted keyring file (it does not parse)"
    setting = "keyring_2Dsetting"  # 'keyring-setting', as cryptfile escapes it
    if not config.sections():
        return None  # nothing in it to lose
    if not config.has_option(setting, "password_20reference"):
        return "damaged: its passphrase check is missing"
    if config.has_option(setting, "scheme") and not config.has_option(setting, "version"):
        return "damaged: its version is missing"
    return None


def _unlock(backend: KeyringBackend, prompt: bool) -> None:
    """Give an encrypted-file backend its passphrase once; a wrong one is exit 2."""
    # On the class: the instance's property would ask for the passphrase on stdin itself.
    if not hasattr(type(backend), "keyring_key") or vars(backend).get("_keyring_key") is not None:
        return
    from mcpir.tokens import passphrase

    path = where(backend) or class_path(backend)
    if os.path.islink(path):
        raise BackendUnusable(f"{path}: a symlink; the encrypted keyring must be a file")
    damaged = _damaged(path)
    if damaged:
        raise BackendUnusable(
            f"{path}: {damaged}; nothing read or changed",
            hint="restore the file from a backup, or move it aside to start a new one",
        )
    secret = passphrase.read(path, prompt=prompt)
    try:
        backend.keyring_key = secret  # type: ignore[attr-defined]  # checks it, or creates the file
    except Exception:  # noqa: BLE001 - ValueError, AssertionError, a decrypt error: all "wrong"
        backend._keyring_key = None  # type: ignore[attr-defined]  # so no later call uses it
        raise BackendUnusable(
            f"wrong passphrase for the encrypted keyring {path}: nothing read or changed"
        ) from None
    try:
        os.chmod(path, 0o600)  # cryptfile creates it 0600; an older or copied file may not be
    except OSError:
        pass
