"""Where one `assess` run spends its time: prepare (read, validate, aggregate), kernel + build, write.

    python benchmarks/phases.py [--work benchmarks/work/full] [--unit township] [--repeats 3] [--output periods]

Each repeat runs in this process after a warm-up, so the figures are lower than a fresh process's;
use run_assess.py for end-to-end numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

from epizone.engine.run import OUTPUTS, ahead
from epizone.io.write import write_batches
from epizone.services import assess

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=HERE / "work" / "full")
    parser.add_argument("--unit", default="township")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", choices=OUTPUTS, default="dense")
    args = parser.parse_args()
    req = assess.Request(areas=args.work / "areas.csv", cases=args.work / "cases.parquet", unit=args.unit,
                         start=dt.date(2020, 1, 1), end=dt.date(2022, 12, 31))
    out = args.work / "phases.parquet"
    times: dict[str, list[float]] = {}
    for _ in range(args.repeats + 1):
        began = time.perf_counter()
        prepared = assess.prepare(req)
        mid = time.perf_counter()
        batches = list(assess._counted(prepared, None, args.output))
        built = time.perf_counter()
        write_batches(out, batches[0].schema, iter(batches))
        done = time.perf_counter()
        prepared = assess.prepare(req)
        again = time.perf_counter()
        stream = ahead(assess._counted(prepared, None, args.output))
        first = next(stream)
        write_batches(out, first.schema, assess._chain(first, stream))
        piped = time.perf_counter()
        for name, value in (("prepare", mid - began), ("kernel + Arrow build", built - mid),
                            ("Parquet write", done - built), ("kernel | write overlapped", piped - again)):
            times.setdefault(name, []).append(value)
    out.unlink()
    for name, values in times.items():
        print(f"{name:28} median {statistics.median(values[1:]):6.2f} s  (runs {', '.join(f'{v:.2f}' for v in values[1:])})")


if __name__ == "__main__":
    main()
