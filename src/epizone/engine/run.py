"""Run a compiled rule set over all units, chunk by chunk, yielding Arrow record batches.

The output is ``dense`` (one row per unit and day, :mod:`epizone.engine.batches`) or ``periods`` (one row
per unit and run of days at the same level, :mod:`epizone.engine.periods`); both are built from the same
bounded chunk of kernel results, so memory is flat whatever the country size.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pyarrow as pa

from epizone.engine.aggregate import Aggregates
from epizone.engine.batches import BatchBuilder
from epizone.engine.carry import Carry
from epizone.engine.compile import Chunk, Kernel
from epizone.engine.periods import PeriodBuilder
from epizone.engine.plan import Plan

OUTPUTS = ("dense", "periods")
T = TypeVar("T")


@dataclass
class Graded:
    """One chunk's output batch, with its unit-days per level code and its units per level on the last day."""

    chunk: Chunk
    batch: pa.RecordBatch
    unit_days: np.ndarray
    last_day: np.ndarray


def check_output(output: str) -> str:
    """``output`` when it names an output shape; ValueError otherwise."""
    if output not in OUTPUTS:
        raise ValueError(f"--output {output}: expected one of {', '.join(OUTPUTS)}")
    return output


def run(kernel: Kernel, agg: Aggregates, plan: Plan, lang: str = "en", output: str = "dense",
        kept: list[Carry] | None = None, breaks: np.ndarray | None = None) -> Iterator[Graded]:
    """Grade every chunk of units and build its ``output`` batch (see OUTPUTS), in order of units; with
    ``plan.keep``, each chunk's carry is appended to ``kept`` (see ``carry.joined``); periods are also split
    at the day numbers ``breaks`` (see ``engine.periods``)."""
    dense = BatchBuilder(kernel, plan, lang)
    builder = dense if check_output(output) == "dense" else PeriodBuilder(dense, breaks)
    positions, population, levels = plan.positions, plan.population, len(kernel.level_ids)
    for chunk in plan.chunks():
        result = kernel.run(agg, chunk, positions, plan.stale, population[chunk.first_unit:chunk.end_unit],
                            plan.days, plan.holidays_of(chunk), plan.carry, plan.keep)
        if kept is not None and result.carry is not None:
            kept.append(result.carry)
        batch = builder.build(chunk, result.shown(plan.shown))
        yield Graded(chunk, batch, *builder.tally(batch, levels))


def ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Produce ``items`` in a background thread, up to ``depth`` ahead of the consumer.

    NumPy and the Arrow writers release the GIL on large arrays, so computing chunk k+1 overlaps
    writing chunk k on a second core. Errors in the producer are raised in the consumer.
    """
    slots: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                slots.put(item)
            slots.put(done)
        except BaseException as exc:  # handed to the consumer
            slots.put(_Failure(exc))

    worker = threading.Thread(target=produce, name="epizone-kernel", daemon=True)
    worker.start()
    try:
        while (item := slots.get()) is not done:
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                slots.get(timeout=0.05)
            except queue.Empty:
                pass


@dataclass
class _Failure:
    error: BaseException
