"""Ragtune: cited answers from your own documents, offline, with RAG and LoRA adapters side by side."""

import os

# huggingface_hub (model downloads; fastembed imports it too) otherwise adds environment details to
# its requests and fetches a registry for them from the hub: a download sends only the download.
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

__version__ = "0.1.0"
