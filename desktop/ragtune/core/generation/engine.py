"""The model engine: one ``llama_cpp.Llama``, chat streaming with cancel, token counting, LoRA hot-swap.

- The prompt is rendered by llama-cpp-python's ``Jinja2ChatFormatter`` from the GGUF file's own
  ``tokenizer.chat_template`` (never a hand-written format); only the template's own text may become
  control tokens, every message's content is tokenized as plain text (``chat_tokens``: a document
  cannot open a new turn). ``count_chat_tokens`` counts the very tokens that ``stream_chat`` evaluates.
- llama-cpp-python keeps the KV cache of the previous prompt and evaluates only what follows the
  common prefix, so a fixed system prompt is processed once; ``last_stats.prompt_tokens_cached``
  shows the reuse. The cache is cleared whenever the adapter set or strengths change.
- Cancel is checked between tokens (a stopping criterion) and, during prompt evaluation, by
  llama.cpp's abort callback, so a long prompt stops too.
- ``complete_json`` samples under llama.cpp's grammar made from a JSON schema (``json_output``).
- Not thread-safe: one worker thread owns an Engine (docs/architecture.md, "Threads").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ragtune.core.answer_types import AdapterInfo, AdapterSpec, ModelInfo
from ragtune.core.generation import json_output, llama_log
from ragtune.core.generation.adapters import AdapterSet
from ragtune.core.generation.chat_model import ChatModel
from ragtune.core.generation.chat_tokens import ChatTokenizer, Message
from ragtune.core.generation.gguf_info import GGUFInfo, read_gguf
from ragtune.core.generation.llama_params import safe_model_params
from ragtune.core.generation.llama_stop import Watch
from ragtune.core.generation.stats import GenerationStats
from ragtune.core.generation.thinking import without_thinking
from ragtune.core.machine import usable_cores
from ragtune.core.memory import return_freed_memory
from ragtune.errors import Cancelled, ModelError

__all__ = ["Engine", "GenerationStats", "Message", "PromptTooLong"]


class PromptTooLong(ModelError):
    """The formatted prompt leaves no room in the context window (the caller must trim it)."""


class Engine:
    """One loaded GGUF chat model (see module docstring)."""

    def __init__(
        self,
        model_path: str | Path,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        seed: int = 0,
        *,
        n_gpu_layers: int = 0,
        n_batch: int = 512,
        runs_on: str = "CPU",
    ) -> None:
        import llama_cpp

        path = Path(model_path)
        if not path.is_file():
            raise ModelError(f"model file not found: {path}")
        llama_log.install()
        llama_log.clear()
        threads = n_threads if n_threads and n_threads > 0 else usable_cores()
        self.model_path = path
        self.seed = seed
        self.runs_on = runs_on
        self._gguf: GGUFInfo | None = None
        self._info: ModelInfo | None = None
        try:
            with safe_model_params():
                self._llm: Any = llama_cpp.Llama(
                    model_path=str(path), n_ctx=n_ctx, n_batch=min(n_batch, n_ctx), n_threads=threads,
                    n_threads_batch=threads, n_gpu_layers=n_gpu_layers, seed=seed, verbose=False,
                )
        except (ValueError, RuntimeError, OSError) as exc:
            reason = llama_log.last_error(str(exc))
            raise ModelError(f"llama.cpp could not load {path.name}: {reason}") from exc
        template = self._llm.metadata.get("tokenizer.chat_template")
        if not template:
            self._llm.close()
            raise ModelError(f"{path.name} has no chat template; use an instruction-tuned (chat) model")
        try:
            self._chat = ChatTokenizer(self._llm, template)
        except Exception as exc:  # jinja2 raises several kinds for a broken template
            self._llm.close()
            raise ModelError(f"{path.name} has a chat template that cannot be used: {exc}") from exc
        self._adapters = AdapterSet(self._llm.model, self._llm.ctx, self.gguf)
        self._abort_flag = False
        self._abort_cb: Any = None  # referenced while llama.cpp may call it
        self.last_stats = GenerationStats()
        self._closed = False

    # -- model -------------------------------------------------------------------------------
    @property
    def llama(self) -> Any:
        """The underlying ``llama_cpp.Llama`` (for tests and benchmarks)."""
        return self._llm

    @property
    def n_ctx(self) -> int:
        return int(self._llm.n_ctx())

    @property
    def gguf(self) -> GGUFInfo:
        if self._gguf is None:
            self._gguf = read_gguf(self.model_path)
        return self._gguf

    @property
    def info(self) -> ModelInfo:
        """The model as Ragtune lists it (its registry name when listed, else the GGUF's name)."""
        if self._info is None:
            from ragtune.core.generation.models import known_name

            g = self.gguf
            try:
                listed = known_name(self.model_path)
            except ModelError:  # an unreadable registry must not stop a loaded model
                listed = None
            self._info = ModelInfo(
                name=listed[0] if listed else g.name, path=str(self.model_path), size=g.size,
                architecture=g.architecture, context_length=g.context_length,
                quantization=g.quantization, embedded=bool(listed and listed[1]), runs_on=self.runs_on,
            )
        return self._info

    # -- tokens ------------------------------------------------------------------------------
    def tokenize(self, text: str, special: bool = False) -> list[int]:
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=special))

    def detokenize(self, tokens: Sequence[int]) -> str:
        return bytes(self._llm.detokenize(list(tokens))).decode("utf-8", "replace")

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` with the model's own tokenizer (no BOS, no special tokens)."""
        return len(self.tokenize(text))

    def format_prompt(self, messages: Sequence[Message]) -> str:
        """The chat rendered by the model's template, ending with the assistant's turn opener."""
        return self._chat.render(messages)

    def chat_tokens(self, messages: Sequence[Message]) -> list[int]:
        """The prompt's tokens: control tokens only where the template puts them."""
        return self._chat.tokens(messages)

    def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        """Tokens of the whole formatted prompt; fits when this plus max_tokens <= ``n_ctx``."""
        return len(self.chat_tokens(messages))

    # -- generation --------------------------------------------------------------------------
    def stream_chat(
        self,
        messages: Sequence[Message],
        max_tokens: int = 256,
        temperature: float = 0.0,
        cancel: threading.Event | None = None,
    ) -> Iterator[str]:
        """Yield the answer's text pieces. Raises Cancelled (after the pieces so far) on cancel,
        PromptTooLong when the prompt leaves no room. Greedy, hence deterministic, at temperature 0.
        A reasoning block the model writes first is left out (``thinking``)."""
        return without_thinking(self._generate(messages, max_tokens, temperature, cancel))

    def complete_json(
        self,
        messages: Sequence[Message],
        schema: dict[str, Any],
        max_tokens: int = 256,
        cancel: threading.Event | None = None,
    ) -> dict[str, Any]:
        """The answer sampled (greedily) under the grammar made from ``schema``; ModelError when it
        is not valid JSON (cut by ``max_tokens``), Cancelled on cancel."""
        text = "".join(self._generate(messages, max_tokens, 0.0, cancel, json_output.grammar(schema)))
        return json_output.parse(text, schema, self.last_stats.finish_reason)

    def _generate(
        self, messages: Sequence[Message], max_tokens: int, temperature: float,
        cancel: threading.Event | None, grammar: Any = None,
    ) -> Iterator[str]:
        start = time.perf_counter()
        tokens = self.chat_tokens(messages)
        n_ctx = self.n_ctx
        if len(tokens) >= n_ctx:
            raise PromptTooLong(f"the prompt has {len(tokens)} tokens; the context window holds {n_ctx}")
        max_tokens = max(1, min(max_tokens, n_ctx - len(tokens)))
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        cached = self._cached_prefix(tokens)
        watch = Watch(cancel)
        first: float | None = None
        finish = ""
        self._arm_abort(cancel)
        try:
            stream = self._llm.create_completion(
                prompt=tokens, max_tokens=max_tokens, temperature=temperature, stream=True,
                seed=self.seed, stop=[eos] if (eos := self._chat.formatter.eos_token) else [],
                stopping_criteria=watch.criteria(), grammar=grammar,
            )
            try:
                for chunk in stream:
                    choice = chunk["choices"][0]
                    finish = choice.get("finish_reason") or finish
                    text = choice.get("text") or ""
                    if text:
                        if first is None:
                            first = time.perf_counter()
                            self._disarm_abort()
                        yield text
            finally:
                stream.close()
        except RuntimeError as exc:
            if not self._abort_flag:
                raise ModelError(f"generation failed: {llama_log.last_error(str(exc))}") from exc
            watch.cancelled = True
        finally:
            self._disarm_abort()
        end = time.perf_counter()
        made = max(0, watch.sampled - (1 if finish == "stop" and not watch.cancelled else 0))
        gen_time = end - first if first is not None else 0.0
        self.last_stats = GenerationStats(
            prompt_tokens=len(tokens), prompt_tokens_cached=cached, completion_tokens=made,
            ttft_s=(first - start) if first is not None else end - start,
            tokens_per_s=(made - 1) / gen_time if made > 1 and gen_time > 0 else 0.0,
            total_s=end - start, finish_reason="cancelled" if watch.cancelled else (finish or "stop"),
        )
        if watch.cancelled:
            raise Cancelled("Generation cancelled.")

    def _cached_prefix(self, tokens: list[int]) -> int:
        llm = self._llm
        previous = llm.input_ids[: llm.n_tokens].tolist()
        return min(int(llm.longest_token_prefix(previous, tokens)), max(0, len(tokens) - 1))

    def _arm_abort(self, cancel: threading.Event | None) -> None:
        """Let llama.cpp abort prompt evaluation on cancel (the callback runs between graph nodes)."""
        import llama_cpp

        self._abort_flag = False
        if cancel is None:
            return
        self._abort_cb = llama_cpp.ggml_abort_callback(lambda _data: cancel.is_set() and self._set_abort())
        llama_cpp.llama_set_abort_callback(self._llm.ctx, self._abort_cb, None)

    def _set_abort(self) -> bool:
        self._abort_flag = True
        return True

    def _disarm_abort(self) -> None:
        import llama_cpp

        llama_cpp.llama_set_abort_callback(self._llm.ctx, llama_cpp.ggml_abort_callback(), None)

    # -- adapters ----------------------------------------------------------------------------
    @property
    def adapters(self) -> list[AdapterSpec]:
        """The adapters applied now, with their strengths."""
        return [AdapterSpec(path, scale) for path, scale in self._adapters.active]

    @property
    def loaded_adapters(self) -> list[AdapterInfo]:
        """Every adapter file loaded (applied or not) and not removed."""
        return self._adapters.loaded()

    def set_adapters(self, specs: Sequence[AdapterSpec]) -> None:
        """Apply exactly ``specs`` (strength 0 = left out), hot, without reloading the model. New
        files are validated and loaded once; on any error nothing changes (AdapterError). The
        prompt cache is cleared when the set or a strength changes."""
        if self._adapters.set(specs):
            self.reset_cache()

    def remove_adapter(self, path: str | Path) -> None:
        """Stop applying ``path`` if it is applied, and free its native handle."""
        if self._adapters.remove(path):
            self.reset_cache()

    def reset_cache(self) -> None:
        """Forget the cached prompt (KV cache), so the next prompt is evaluated from scratch."""
        import llama_cpp

        self._llm.reset()
        memory = llama_cpp.llama_get_memory(self._llm.ctx)
        if memory:
            llama_cpp.llama_memory_clear(memory, True)

    # -- lifetime ----------------------------------------------------------------------------
    def close(self) -> None:
        """Free adapters, then the model and context, and return the memory to the system.
        Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._adapters.close()
        self._llm.close()
        return_freed_memory()  # else 70-180 MB of the model stay resident (glibc keeps freed memory)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


#: mypy checks here that the in-process Engine is a ChatModel (the protocol the answer path takes)
_IS_CHAT_MODEL: type[ChatModel] = Engine
