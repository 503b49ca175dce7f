"""Moved to ``kaohe.services.files``; kept so old imports work."""

from kaohe.services.files import StoredFile, check_input, read_input, remove_dir, write_files

__all__ = ["StoredFile", "check_input", "read_input", "remove_dir", "write_files"]
