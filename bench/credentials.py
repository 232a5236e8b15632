"""Bench what content credentials cost per picture on the nano path, side by side in one run.

    python bench/credentials.py            # a 4-page nano book, then 30 stores of each page each way

Draws a four-page book with the embedded model (critic off, after a warm-up turn) to get real
pages and the seconds a page takes (signing included), then stores those same pictures again and again into fresh session folders two ways,
interleaved: as an upload (PNG written, no manifest) and as a generated page (PNG written with a
signed C2PA manifest). Prints the median milliseconds of each, the difference, that difference
as a share of a nano page's time, the bytes the manifest adds, and the median `verify` time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()

    from PIL import Image

    from chatdit.provenance.verify import verify_file
    from chatdit.session import Session
    from chatdit.store import SessionStore

    work = Path(tempfile.mkdtemp(prefix="bench-credentials-"))
    with Session.create(work / "book", model="nano", critic=False, seed=1) as session:
        session.chat("a red fox")  # loads the model, so the timed turn is a warm one
        started = time.perf_counter()
        turn = session.chat("make a four-page picture book about a red fox and a blue bird")
        per_page = (time.perf_counter() - started) / len(turn.assets)
        pictures = [Image.open(session.asset_path(a)).convert("RGB") for a in turn.assets]
    timings: dict[str, list[float]] = {"upload": [], "group": []}
    sizes: dict[str, list[int]] = {"upload": [], "group": []}
    verify_times = []
    for rep in range(args.reps):
        for index, picture in enumerate(pictures):
            for tool in ("upload", "group"):
                store = SessionStore(work / f"{tool}-{rep}-{index}")
                provenance = {"tool": tool, "model": "nano", "prompt": "a red fox", "page": index + 1, "seed": rep}
                began = time.perf_counter()
                asset = store.add_image(picture, provenance, tool=tool)
                timings[tool].append(time.perf_counter() - began)
                sizes[tool].append(store.asset_path(asset).stat().st_size)
                if tool == "group":
                    began = time.perf_counter()
                    assert verify_file(store.asset_path(asset)).state == "trusted"
                    verify_times.append(time.perf_counter() - began)
    plain, signed = (statistics.median(timings[k]) * 1000 for k in ("upload", "group"))
    print(f"nano page (warm 4-page book, critic off, whole turn / pages): {per_page * 1000:.0f} ms")
    print(f"{'store a picture':28s} {'ms (median)':>12s} {'bytes':>8s}")
    print(f"{'PNG only (upload)':28s} {plain:12.2f} {statistics.median(sizes['upload']):8.0f}")
    print(f"{'PNG + signed C2PA manifest':28s} {signed:12.2f} {statistics.median(sizes['group']):8.0f}")
    print(f"overhead: {signed - plain:.2f} ms a picture = {(signed - plain) / (per_page * 1000):.2%} of a nano page; "
          f"verify {statistics.median(verify_times) * 1000:.2f} ms ({len(verify_times)} files)")


if __name__ == "__main__":
    main()
