"""Moved to ``kaohe.services.files``; kept so old imports work."""

from kaohe.services.files import StoredFile, read_input, remove_dir, write_files

__all__ = ["StoredFile", "read_input", "remove_dir", "write_files"]
