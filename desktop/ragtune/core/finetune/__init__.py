"""Fine-tuning (issue 10): from a library's question set to a LoRA adapter the chat model loads hot.

- ``types.py``: the value types the CLI and the GUI see (``Example``, ``TrainingSetReport``).
- ``examples.py``: the training-set builder: grounded examples in the exact shape Ragtune answers
  with at inference (the gold passage among retrieved distractors, shuffled; the target cites it),
  decline examples (gold left out, absent questions), train split only; canonical JSONL and its hash.
- ``chat_jsonl.py``: a person's style or task set in the chat-messages JSONL format other
  fine-tuning tools use, validated with line-numbered errors.
- ``service.py``: ``FineTune``, the fine-tune part of the service (``svc.finetune``).
- ``workflow.py``: the workflow ``FineTune.run`` does (build, train, validate, bench on the test
  split): its steps, the events it reports, its result and their words, which both front ends show.
- ``trainer.py``, ``lora_gguf.py``, ``train_process.py`` (with ``train_types.py``,
  ``train_tokens.py``, ``train_checkpoint.py``): the trainer (torch + peft, the optional
  ``ragtune[train]`` extra), the GGUF LoRA export, and training in a child process.
"""
