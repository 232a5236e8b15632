"""Batches of scripted sessions: many books at once, on Ray workers or one after another here.

`chatdit batch` and `chatdit.batch()` call run_batch; Ray is imported only when a batch asks for it.
"""

from chatdit.batches.jobs import BatchError, BatchJob, Result
from chatdit.batches.runner import run_batch

__all__ = ["BatchError", "BatchJob", "Result", "run_batch"]
