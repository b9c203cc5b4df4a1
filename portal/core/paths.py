"""Where the portal's files are: the repository root, its templates and static files."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
