"""Ragtune: cited answers from your own documents, offline, with RAG and LoRA adapters side by side."""

__version__ = "0.1.0"
