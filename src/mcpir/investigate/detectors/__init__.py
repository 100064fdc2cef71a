"""Every investigation detector, registered in one place. Adding one: a module and a line here."""

from collections.abc import Callable

from mcpir.investigate.detectors import (
    cross_tool_flow,
    echoed_instruction,
    flagged_server,
    new_domain,
    secret_in_call,
    tool_changed,
    volume_anomaly,
)
from mcpir.investigate.detectors.base import Context, Detector

DETECTORS: tuple[Callable[[Context], Detector], ...] = (
    flagged_server.make,
    tool_changed.make,
    secret_in_call.make,
    cross_tool_flow.make,
    new_domain.make,
    volume_anomaly.make,
    echoed_instruction.make,
)
