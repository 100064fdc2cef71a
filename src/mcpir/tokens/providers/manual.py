"""Any other token: verified by a command the user names, replaced and revoked by hand.

The command gets the token in the environment variable `MCPIR_TOKEN` (never on its command
line, where `ps` would show it) and answers with its exit status: 0 means the token works.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

from mcpir.core.secret import Secret
from mcpir.tokens.providers.base import Ask, NoNewToken, Options, Revocation, Verification, one_line

ENV_VAR = "MCPIR_TOKEN"
TIMEOUT = 30


class ManualProvider:
    name = "manual"

    def __init__(self, command: Sequence[str] = (), timeout: float = TIMEOUT) -> None:
        self.command = tuple(command)
        self.timeout = timeout

    def verify(self, secret: Secret, api_url: str | None) -> Verification:
        if not self.command:
            return Verification(
                False, detail="no --verify-command given: mcpir cannot check it", unknown=True
            )
        from mcpir.tokens.passphrase import without_it

        # The keyring's passphrase is mcpir's, not the check command's.
        env = {**without_it(os.environ), ENV_VAR: secret.reveal()}
        try:
            done = subprocess.run(  # noqa: S603 - the user's own command, by design
                self.command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            detail = f"check timed out after {self.timeout} s"
            return Verification(False, detail=detail, unknown=True)
        except OSError as exc:
            return Verification(False, detail=one_line(f"check not run: {exc}"), unknown=True)
        if done.returncode == 0:
            return Verification(True, detail="the verification command accepted it")
        return Verification(False, detail=f"the verification command exited {done.returncode}")

    def obtain_new(self, old: Verification, *, ask: Ask) -> Secret:
        value = ask("Create a replacement in the provider's console, then paste it here")
        if value is None or not value.reveal():
            raise NoNewToken("no new token given")
        return value

    def revoke(self, secret: Secret, api_url: str | None) -> Revocation:
        return Revocation(False, revoke_steps(secret, self.command), by_hand=True)


def revoke_steps(secret: Secret, command: Sequence[str]) -> str:
    """What a person does to retire a token mcpir has no API for, one line."""
    import shlex

    check = (
        f"then check that `{shlex.join(command)}` with the old value in ${ENV_VAR} exits non-zero"
        if command
        else "then check that the old value is refused"
    )
    from mcpir.core.redact import redact_text

    return redact_text(
        f"revoke the old token by hand: sign in to the service that issued it, open its list of "
        f"API tokens, delete the one this rotation replaced (fingerprint {secret.fingerprint}), "
        f"{check}"
    )


def build(options: Options) -> ManualProvider:
    return ManualProvider(tuple(options.verify_command))
