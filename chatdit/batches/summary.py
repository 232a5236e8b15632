"""A finished session as the batch's summary row, and the table of all rows."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from chatdit.batches.jobs import BatchJob, Result


def summarise(job: BatchJob, session, exports: list[Path], *, seconds: float, load_seconds: float,
              worker: str, resumed: bool) -> Result:
    """Pages of the book, the critic's verdict on each page's kept picture, and the PDF."""
    book = session.book()
    latest = {}
    for turn in session.turns():
        for critique in turn.critiques:
            latest[critique.asset_id] = critique.verdict
    verdicts = Counter(latest.get(asset.id, "not judged") for asset in book.values())
    pdfs = [path for path in exports if path.suffix.lower() == ".pdf"]
    return Result(name=job.name, script=job.script_path, session=job.folder, status="done", pages=len(book),
                  verdicts=dict(verdicts), seconds=seconds, load_seconds=load_seconds,
                  pdf=pdfs[-1] if pdfs else None, exports=exports, worker=worker, resumed=resumed)


def verdict_text(verdicts: dict[str, int]) -> str:
    return ", ".join(f"{count} {verdict}" for verdict, count in sorted(verdicts.items())) or "-"


def format_table(results: list[Result]) -> str:
    """One row per session: what a person checks after a batch."""
    rows = [("session", "status", "pages", "critic", "seconds", "pdf")]
    for r in results:
        status = r.status + (" (earlier run)" if r.earlier else "") + (" (resumed)" if r.resumed else "")
        rows.append((r.name, status, str(r.pages), verdict_text(r.verdicts), f"{r.seconds:.1f}",
                     str(r.pdf) if r.pdf else (r.error or "-")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] for row in rows]
    return "\n".join(line.rstrip() for line in lines)
