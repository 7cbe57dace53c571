"""llama.cpp engine, prompts, LoRA adapters and citations."""
