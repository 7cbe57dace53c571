"""Scanning folders and parsing documents into pages."""
