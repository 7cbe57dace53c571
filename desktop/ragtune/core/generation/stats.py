"""What one generation cost: prompt and completion tokens, prompt-cache reuse, TTFT, tokens/s."""

from __future__ import annotations

from dataclasses import dataclass

from ragtune.core.answer_types import Timings


@dataclass(frozen=True)
class GenerationStats:
    """How the last ``stream_chat`` went."""

    prompt_tokens: int = 0
    prompt_tokens_cached: int = 0  # reused from the previous prompt's KV cache, not evaluated
    completion_tokens: int = 0
    ttft_s: float = 0.0
    tokens_per_s: float = 0.0
    total_s: float = 0.0
    finish_reason: str = ""  # "stop", "length" or "cancelled"

    def timings(self) -> Timings:
        return Timings(
            time_to_first_token_s=self.ttft_s,
            tokens_per_s=self.tokens_per_s,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            total_s=self.total_s,
        )
