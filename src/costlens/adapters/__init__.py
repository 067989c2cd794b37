"""Source-format adapters and the one registry of them.

``identify(path)`` asks every adapter; exactly one must claim the file. No match and two matches
are both errors that list the candidates: costlens never guesses a format.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AmbiguousInput, InputError, UnrecognisedInput, located
from ._base import HEAD_BYTES, given_head, head
from .aider import AiderResults
from .anthropic_batch import AnthropicBatchResults
from .anthropic_cost import AnthropicCostReport
from .anthropic_messages import AnthropicMessageLog
from .anthropic_usage import AnthropicUsageReport
from .aws_cur import AwsCur
from .azure_costs import AzureCostDetails
from .bedrock_logs import BedrockInvocationLog
from .claude_code import ClaudeCode
from .claude_code_report import ClaudeCodeUsageReport
from .codex import CodexRollout
from .gcp_billing import GcpBillingExport
from .gemini_logs import GeminiResponseLog
from .inspect_ai import InspectLog
from .kit import Read, Reader
from .litellm import LiteLLMSpendLogs
from .openai_batch import OpenAIBatchOutput
from .openai_costs import OpenAICosts
from .openai_dashboard import OpenAIDashboardActivity, OpenAIDashboardCost
from .openai_responses import OpenAIResponseLog
from .openai_usage import OpenAIUsageCompletions
from .openrouter import OpenRouterActivity, OpenRouterGeneration
from .otel_genai import OtelGenAISpans
from .runlog import RunLogCSV, RunLogJSONL
from .swe_agent import MiniSweAgentTrajectory, SweAgentTrajectory

Adapter = Reader

ADAPTERS: list[Adapter] = [
    ClaudeCode(),
    AnthropicUsageReport(),
    OpenAIUsageCompletions(),
    OpenAICosts(),
    OpenAIDashboardActivity(),
    OpenAIDashboardCost(),
    OpenAIBatchOutput(),
    OpenAIResponseLog(),
    AnthropicCostReport(),
    ClaudeCodeUsageReport(),
    AnthropicBatchResults(),
    AnthropicMessageLog(),
    OpenRouterGeneration(),
    OpenRouterActivity(),
    LiteLLMSpendLogs(),
    CodexRollout(),
    GeminiResponseLog(),
    GcpBillingExport(),
    AwsCur(),
    BedrockInvocationLog(),
    AzureCostDetails(),
    OtelGenAISpans(),
    RunLogJSONL(),
    RunLogCSV(),
    AiderResults(),
    InspectLog(),
    SweAgentTrajectory(),
    MiniSweAgentTrajectory(),
]

DATA_SUFFIXES = (".jsonl", ".json", ".csv", ".parquet", ".eval", ".traj", ".sse")
"""Files a folder walk considers; anything else in a folder (README, scripts) is not input.
``.eval`` is an Inspect AI log (a zip read by its reader, not unpacked as a container); ``.traj``
a SWE-agent trajectory (mini-swe-agent's ``.traj.json`` is found as ``.json``); ``.sse`` a saved
server-sent event stream (a ``.txt`` one is read when named, never found by a walk).
Containers are considered too: ``.zip`` and ``<data file>.gz`` (see ``costlens.archives``)."""


def identify(path: Path) -> Adapter:
    """The one adapter that claims ``path``.

    Raises:
        UnrecognisedInput: no adapter claims it.
        AmbiguousInput: more than one does.
    """
    try:
        likely = _by_layout(path)
        if likely is not None and likely.identify(path):
            # Where the format's files live, and its head agrees: the other readers are not
            # asked (tests check that every fixture is claimed by exactly one reader). A file
            # there whose head disagrees is identified in full, so a wrong guess is never taken.
            return likely
        claims = [a for a in ADAPTERS if a.identify(path)]
    except Exception as e:  # a damaged binary (Parquet, zip) fails inside a reader's look
        why = f"cannot be read ({type(e).__name__}); is the file complete?"
        raise InputError(located(path, None, why)) from e
    if len(claims) == 1:
        return claims[0]
    if not claims:
        raise UnrecognisedInput(located(path, None, unclaimed(path)))
    names = ", ".join(a.name for a in claims)
    raise AmbiguousInput(
        located(path, None, f"more than one reader claims this file ({names}); please report it")
    )


_LAID_OUT = [a for a in ADAPTERS if a.layout is not None]


def _by_layout(path: Path) -> Adapter | None:
    """The reader whose files sit where ``path`` does (``Reader.layout``), if any."""
    text = path.as_posix() if _LAID_OUT else ""
    return next((a for a in _LAID_OUT if a.layout and a.layout.search(text)), None)


__all__ = [
    "ADAPTERS", "HEAD_BYTES", "Adapter", "Read", "Reader", "given_head", "head", "identify",
]  # fmt: skip


def unclaimed(path: Path) -> str:
    """Why no reader claims ``path``: the closest reader and what it missed, or the suffixes."""
    if path.suffix.lower() not in DATA_SUFFIXES:
        known = ", ".join(DATA_SUFFIXES)
        return f"no reader recognises this file (costlens reads {known}); see docs/formats.md"
    text = head(path)
    scored = [(sum(m in text for m in a.markers), a) for a in ADAPTERS if a.markers]
    best, reader = max(scored, key=lambda x: x[0], default=(0, None))
    if reader is None or best == 0:
        return "no reader recognises this file; see docs/formats.md for the formats costlens reads"
    lacking = next((m for m in reader.markers if m not in text), reader.markers[0])
    return (
        f"no reader recognises this file; closest is {reader.name}, which needs '{lacking}'"
        " (missing column or field); see docs/formats.md"
    )
