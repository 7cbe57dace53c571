"""Models load without llama.cpp's extra (AMX) weight buffers where the build has AMX, whose matrix
multiplication crashes on such machines (core/generation/llama_params.py); elsewhere, and with
RAGTUNE_LLAMA_EXTRA_BUFFERS=1, the defaults stay."""

from __future__ import annotations

import llama_cpp.llama_cpp as raw
import pytest

from ragtune.core.generation import llama_params


@pytest.mark.parametrize(("amx", "env", "off"), [(True, "", True), (True, "1", False), (False, "", False)])
def test_extra_buffers_follow_the_build(monkeypatch: pytest.MonkeyPatch, amx: bool, env: str, off: bool) -> None:
    monkeypatch.setattr(llama_params, "amx_build", lambda: amx)
    monkeypatch.setenv(llama_params.ENV, env)
    original = raw.llama_model_default_params
    assert original().use_extra_bufts is True
    with llama_params.safe_model_params():
        assert raw.llama_model_default_params().use_extra_bufts is (not off)
    assert raw.llama_model_default_params is original
    assert llama_params.extra_buffers_off() is off


def test_the_build_is_read_from_llama_cpp() -> None:
    info = raw.llama_print_system_info()
    assert llama_params.amx_build() is (b"AMX_INT8 = 1" in info)
