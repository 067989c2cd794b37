"""Source-format adapters and the one registry of them.

``identify(path)`` asks every adapter; exactly one must claim the file. No match and two matches
are both errors that list the candidates: costlens never guesses a format.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AmbiguousInput, UnrecognisedInput, located
from . import _container
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

DATA_SUFFIXES = (".jsonl", ".json", ".csv", ".parquet", ".eval", ".traj")
"""Files a folder walk considers; anything else in a folder (README, scripts) is not input.
``.eval`` is an Inspect AI log (a zip read by its reader, not unpacked as a container); ``.traj``
a SWE-agent trajectory (mini-swe-agent's ``.traj.json`` is found as ``.json``).
Containers are considered too: ``.zip`` and ``<data file>.gz`` (see ``_container``)."""


def identify(path: Path) -> Adapter:
    """The one adapter that claims ``path``.

    Raises:
        UnrecognisedInput: no adapter claims it.
        AmbiguousInput: more than one does.
    """
    claims = [a for a in ADAPTERS if a.identify(path)]
    if len(claims) == 1:
        return claims[0]
    tried = ", ".join(a.name for a in ADAPTERS)
    if not claims:
        raise UnrecognisedInput(
            located(path, None, f"no reader recognises this file (tried: {tried})")
        )
    names = ", ".join(a.name for a in claims)
    raise AmbiguousInput(
        located(path, None, f"more than one reader claims this file ({names}); please report it")
    )


def expand(paths: list[Path]) -> list[Path]:
    """Files named directly, plus data files found under named folders, in a stable order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = (
                f
                for f in p.rglob("*")
                if f.is_file()
                and (f.suffix in DATA_SUFFIXES or _container.is_container(f, DATA_SUFFIXES))
                and not any(part.startswith(".") for part in f.relative_to(p).parent.parts)
                and (not f.name.startswith(".") or f.name == ".aider.results.json")
            )
            # Full-path byte order (as ccusage reads), so "first seen" ties break the same way.
            for f in sorted(found, key=str):
                out.extend(_opened(f))
        elif p.exists():
            out.extend(_opened(p))
        else:
            raise UnrecognisedInput(located(p, None, "no such file or folder"))
    return out


def _opened(path: Path) -> list[Path]:
    """A container's data members (decompressed, with limits), or the file itself."""
    if _container.is_container(path, DATA_SUFFIXES):
        return _container.members(path, DATA_SUFFIXES)
    return [path]


__all__ = ["ADAPTERS", "Adapter", "Read", "Reader", "expand", "identify"]
