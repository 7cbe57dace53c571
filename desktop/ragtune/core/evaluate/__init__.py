"""Evaluate: question sets over a library, runs of the bench across modes, and the verdict.

- ``questions``: the value types (``Question``, ``QuestionSet``, ``Kind``, ``Split``, ``Origin``).
- the sets and runs in the library's database: ``core.store.question_store`` and
  ``core.store.run_store`` (migration 4; all SQL lives in ``core.store``).
- ``question_files``: JSONL and CSV import and export, line-numbered errors.
- ``split``: the seeded train/test split.
- ``correctness``: when an answer counts as correct, declined or citing the gold source.
- ``generate`` / ``pair_checks``: questions written by the chat model, and the checks they pass.
- ``bench`` / ``summary`` / ``verdict`` / ``report``: the bench, its stored results,
  the figures per mode, the plain-words verdict and the exported report.
"""
