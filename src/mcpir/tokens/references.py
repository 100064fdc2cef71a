"""References to secrets kept in a team's vault, resolved only when a command needs the value.

`op://VAULT/ITEM[/SECTION]/FIELD`: 1Password, through its CLI (`op read`; writes with
`op item edit`, the item's JSON on stdin, never a value on argv). `vault://MOUNT/PATH#FIELD`:
HashiCorp Vault's KV version 2 engine through `hvac`, the address and token from Vault's own
`VAULT_ADDR`, `VAULT_TOKEN` (and `VAULT_NAMESPACE`). Every part of a reference is checked
before anything runs: it is one argv element or one URL path, and cannot become an option,
climb out of its mount (`..`), or carry a query.
"""

from __future__ import annotations

import json
import os
import subprocess  # noqa: S404 - `op` with a list argv, never a shell
from typing import TYPE_CHECKING, Any

from mcpir.core.redact import redact_text
from mcpir.core.secret import Secret
from mcpir.tokens.reference_syntax import (
    INSTALL_HVAC,
    INSTALL_OP,
    Reference,
    ReferenceFailed,
    _absent,
    looks_like,
    parse,
    parse_base,
    under,
)

__all__ = [
    "INSTALL_HVAC",
    "INSTALL_OP",
    "Reference",
    "ReferenceFailed",
    "held",
    "looks_like",
    "parse",
    "parse_base",
    "read",
    "under",
    "write",
]

if TYPE_CHECKING:
    import hvac

# Bounded everywhere: a value bigger than this is not a credential but an attack on memory.
MAX_VALUE = 1 << 20
TIMEOUT = 30


def held(ref: Reference) -> Secret | None:
    """The value `ref` names now, or None when the vault has no such field (yet)."""
    try:
        return read(ref)
    except ReferenceFailed as exc:
        if exc.absent:
            return None
        raise


def read(ref: Reference) -> Secret:
    return _op_read(ref) if ref.kind == "op" else _vault_read(ref)


def write(ref: Reference, value: Secret) -> None:
    """Store `value` where `ref` points: a new Vault version, or the 1Password field edited."""
    if ref.kind == "op":
        _op_write(ref, value)
        return
    try:
        _vault_write(ref, value)
    except ReferenceFailed as exc:  # a Vault (or what answers at VAULT_ADDR) may echo the body
        text = value.reveal()
        # As sent (JSON) and as `_line` folds it (whitespace runs made one space).
        spelled = {text, json.dumps(text)[1:-1], " ".join(text.split())} - {""}
        message = exc.message
        for one in sorted(spelled, key=len, reverse=True):
            message = message.replace(one, "***")
        if message == exc.message:
            raise
        raise ReferenceFailed(message, exc.hint) from None


# -- 1Password ------------------------------------------------------------------------------


def _op(args: list[str], stdin: str | None = None, hide: tuple[str, ...] = ()) -> str:
    """`op ARGS`'s stdout. Its error line names none of `hide` (the values sent on stdin)."""
    import shutil

    from mcpir.tokens.passphrase import without_it

    binary = shutil.which("op")
    if binary is None:
        raise ReferenceFailed("the 1Password CLI `op` is not on PATH", hint=INSTALL_OP)
    try:
        proc = subprocess.Popen(  # noqa: S603 - a list argv; every part checked by `parse`
            [binary, *args],
            # `op` needs no keyring passphrase, which is still in the environment when no
            # keyring was unlocked before it runs.
            env=without_it(os.environ),
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise ReferenceFailed(f"`op` cannot be run: {exc.strerror}") from None
    out, err, late = _bounded(proc, None if stdin is None else stdin.encode())
    if late:
        raise ReferenceFailed(f"`op {args[0]}` did not answer within {TIMEOUT} s")
    if len(out) > MAX_VALUE:
        raise ReferenceFailed(f"`op {args[0]}` answered more than {MAX_VALUE} bytes")
    if proc.returncode != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        why = (lines or [f"exit {proc.returncode}"])[0]
        for value in sorted((v for v in hide if v), key=len, reverse=True):
            why = why.replace(value, "***")
        raise ReferenceFailed(f"`op {args[0]}` failed: {redact_text(why[:300])}")
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise ReferenceFailed(f"`op {args[0]}` answered something that is not UTF-8") from None


def _bounded(proc: subprocess.Popen[bytes], stdin: bytes | None) -> tuple[bytes, bytes, bool]:
    """(stdout, stderr, timed out) of `proc`, each read up to a limit: an `op` that writes
    without end is killed once it passes MAX_VALUE, one that hangs after TIMEOUT seconds."""
    import threading

    got: dict[str, bytes] = {}

    def drain(key: str, stream: Any, limit: int) -> None:  # noqa: ANN401 - a binary pipe
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = stream.read1(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            proc.kill()
        got[key] = b"".join(chunks)

    def feed() -> None:
        try:
            proc.stdin.write(stdin)  # type: ignore[union-attr,arg-type]
            proc.stdin.close()  # type: ignore[union-attr]
        except OSError:  # `op` exited without reading it all
            pass

    threads = [
        threading.Thread(target=drain, args=("out", proc.stdout, MAX_VALUE), daemon=True),
        threading.Thread(target=drain, args=("err", proc.stderr, 1 << 16), daemon=True),
    ]
    if stdin is not None:
        threads.append(threading.Thread(target=feed, daemon=True))
    for thread in threads:
        thread.start()
    try:
        proc.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return b"", b"", True
    for thread in threads:
        thread.join(5)  # a child of `op` holding the pipes open is not waited for
    return got.get("out", b""), got.get("err", b""), False


def _op_read(ref: Reference) -> Secret:
    try:
        value = _op(["read", "--no-newline", ref.text])
    except ReferenceFailed as exc:
        if "isn't a field" in exc.message or "could not find" in exc.message.lower():
            raise _absent(exc.message) from None
        raise
    if not value:
        raise ReferenceFailed(f"{ref}: 1Password holds an empty value there")
    return Secret(value)


def _op_write(ref: Reference, value: Secret) -> None:
    vault, item, section, field = ref.parts
    try:
        doc = json.loads(_op(["item", "get", item, "--vault", vault, "--format", "json"]))
    except ValueError:
        raise ReferenceFailed(f"{ref}: `op item get` did not answer JSON") from None
    fields = doc.get("fields") if isinstance(doc, dict) else None
    if not isinstance(fields, list):
        raise ReferenceFailed(f"{ref}: `op item get` answered no fields")
    hits = [
        one
        for one in fields
        if isinstance(one, dict)
        and field in (one.get("label"), one.get("id"))
        and (not section or section in _section_names(one))
    ]
    if len(hits) > 1:
        raise ReferenceFailed(f"{ref}: the item has {len(hits)} fields of that name, not one")
    if hits:
        hits[0]["value"] = value.reveal()
    elif section:
        raise ReferenceFailed(f"{ref}: no such field in that section; add it in 1Password first")
    else:  # `tokens externalize --to`: a new concealed field of that name
        fields.append({"id": field, "label": field, "type": "CONCEALED", "value": value.reveal()})
    # The template on stdin: argv is readable by every process on the machine. Its values
    # (the new one and the item's others) stay out of an error `op` may echo it in.
    values = tuple(one["value"] for one in fields if isinstance(one, dict)
                   and isinstance(one.get("value"), str) and len(one["value"]) >= 4)  # fmt: skip
    template = json.dumps(doc)
    args = ["item", "edit", item, "--vault", vault, "--template", "/dev/stdin"]
    _op(args, template, hide=(*values, *(json.dumps(v)[1:-1] for v in values)))


def _section_names(field: dict[str, Any]) -> tuple[str, ...]:
    section = field.get("section")
    if not isinstance(section, dict):
        return ()
    return tuple(str(section[key]) for key in ("id", "label") if key in section)


# -- HashiCorp Vault, KV version 2 ----------------------------------------------------------


def _client() -> hvac.Client:
    address, token = os.environ.get("VAULT_ADDR"), os.environ.get("VAULT_TOKEN")
    if address and not token:
        token = _token_file()
    if not address or not token:
        raise ReferenceFailed(
            "vault:// needs VAULT_ADDR and VAULT_TOKEN",
            hint="Vault's own variables, as the `vault` CLI reads them",
        )
    try:
        import hvac
    except ImportError:
        raise ReferenceFailed("vault:// needs the hvac package", hint=INSTALL_HVAC) from None
    from mcpir.tokens.bounded_http import BoundedSession

    _warn_if_cleartext(address)
    return hvac.Client(
        url=address,
        token=token,
        namespace=os.environ.get("VAULT_NAMESPACE") or None,
        session=BoundedSession(MAX_VALUE),
        timeout=TIMEOUT,
    )


_warned: set[str] = set()


def _warn_if_cleartext(address: str) -> None:
    """Once per address: an `http://` Vault off this machine gets the token (and every value)
    in clear text, as Vault's own CLI would send it; said on stderr, never on stdout."""
    import ipaddress
    import sys
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(address)
        host = parts.hostname or ""
    except ValueError:
        return  # hvac refuses it with its own one-line error
    if parts.scheme.lower() != "http" or address in _warned or host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass  # a name, not an address: not known to stay on this machine
    _warned.add(address)
    print(
        f"mcpir: warning: VAULT_ADDR {redact_text(address)} is http://: the Vault token and the "
        "values travel unencrypted; use https://",
        file=sys.stderr,
    )


def _token_file() -> str | None:
    """`~/.vault-token`, where `vault login` leaves the token (Vault's default token helper)."""
    from pathlib import Path

    path = Path.home() / ".vault-token"
    try:
        if path.is_symlink() or not path.is_file():
            return None
        with path.open("rb") as handle:
            text = handle.read(8193)
    except OSError:
        return None
    if len(text) > 8192:
        return None
    return text.decode("utf-8", "replace").strip() or None


def _vault_call(ref: Reference, call: Any) -> Any:  # noqa: ANN401 - hvac's untyped answers
    import requests

    try:
        return call()
    except (requests.RequestException, ValueError, TypeError, KeyError) as exc:
        raise ReferenceFailed(f"{ref}: Vault could not be asked: {_line(exc)}") from None
    except Exception as exc:  # hvac.exceptions.VaultError and kin: 403, 404, sealed
        raise ReferenceFailed(f"{ref}: Vault refused: {_line(exc)}") from None


def _line(exc: BaseException) -> str:
    # hvac joins Vault's errors over lines ("1 error occurred:\n\t* permission denied").
    text = " ".join(str(exc).split())[:300] or type(exc).__name__
    return redact_text(text)


def _current(ref: Reference, client: hvac.Client) -> tuple[dict[str, Any], int | None]:
    """The secret's keys and its version; `absent` when the path holds no secret yet."""
    from hvac.exceptions import InvalidPath

    mount, path, _ = ref.parts

    def ask() -> Any:  # noqa: ANN401 - hvac's untyped answer
        try:
            return client.secrets.kv.v2.read_secret_version(
                path=path, mount_point=mount, raise_on_deleted_version=True
            )
        except InvalidPath:  # 404: nothing there yet
            return None

    answer = _vault_call(ref, ask)
    if answer is None:
        raise _absent(f"{ref}: Vault holds no secret at {mount}/{path}")
    data = answer.get("data") if isinstance(answer, dict) else None
    values = data.get("data") if isinstance(data, dict) else None
    meta = data.get("metadata") if isinstance(data, dict) else None
    if not isinstance(values, dict):
        raise ReferenceFailed(f"{ref}: Vault's answer is not a KV version 2 secret")
    version = meta.get("version") if isinstance(meta, dict) else None
    return values, version if isinstance(version, int) else None


def _vault_read(ref: Reference) -> Secret:
    values, _ = _current(ref, _client())
    value = values.get(ref.parts[2])
    if not isinstance(value, str) or not value:
        raise _absent(f"{ref}: the secret has no text field {ref.parts[2]!r}")
    return Secret(value)


def _vault_write(ref: Reference, value: Secret) -> None:
    mount, path, field = ref.parts
    client = _client()
    try:
        values, version = _current(ref, client)
    except ReferenceFailed as exc:
        if not exc.absent:
            raise
        values, version = {}, 0  # cas 0: create it, unless someone else just did
    # check-and-set on the version read: a write by someone else meanwhile is refused, not lost.
    _vault_call(
        ref,
        lambda: client.secrets.kv.v2.create_or_update_secret(
            path=path,
            secret={**values, field: value.reveal()},
            cas=version,
            mount_point=mount,
        ),
    )
