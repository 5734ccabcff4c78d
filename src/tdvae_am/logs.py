"""Per-job logging: everything a job prints (including progress bars) goes to its log file."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def setup_job_logging(log_path: str | Path, name: str = "tdvae_am") -> logging.Logger:
    """Send logging records, stdout and stderr of this process to ``log_path``."""
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    stream = open(log_path, "a", buffering=1)
    sys.stdout = sys.stderr = stream
    logging.basicConfig(
        stream=stream, level=logging.INFO, force=True,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.captureWarnings(True)
    return logging.getLogger(name)
