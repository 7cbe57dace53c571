"""PySide6 window and widgets; they call ragtune.core.services and get results back by signals."""
