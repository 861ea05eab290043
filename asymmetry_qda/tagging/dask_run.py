"""Tagging on a Dask cluster: documents out in batches, matches back in order.

The project file stays on this machine, with its single writer. The driver
reads turns from it one document at a time, groups whole documents into
batches of about ``batch_turns`` turns, and submits each batch as a task
(texts only, no project). Every worker builds the pipeline once, when the
:class:`TaggerPlugin` is registered on it (and again on a worker that replaces
a dead one), not once per task. A task sends back only the matches. The
driver takes the results back in submission order, so suggestions are
written in the same order as with the local backend, one committed
transaction per batch; at most ``2 × workers`` batches are in flight, so
neither the driver nor the scheduler holds the corpus.

A worker that dies mid-task is replaced and its task retried by Dask
(``retries``); a task that keeps failing stops the run with the committed
batches kept. Every worker must have the same spaCy, pipeline and
asymmetry_qda versions as the driver: each result carries the worker's
pipeline label and a mismatch stops the run.

Futures rather than a ``dask.bag``: a bag computes its whole graph at once,
which would send the corpus to the scheduler up front and give results back
only at the end; submitting batches in a window streams them.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from distributed import WorkerPlugin

from ..errors import InputError, Problem

__all__ = ["TaggerPlugin", "tag_batches_on_dask"]

DEFAULT_BATCH_TURNS = 64


class TaggerPlugin(WorkerPlugin):
    """A Dask worker plugin that builds the tagging pipeline once per worker.

    Registered under a name holding the codebook's hash and the pipeline's name, so two
    runs with different codebooks never share a pipeline.
    """

    def __init__(self, codebook_text: str, pipeline: str):
        self.codebook_text = codebook_text
        self.pipeline = pipeline
        self.nlp = None
        self.label = None

    def setup(self, worker=None) -> None:
        from ..codebook import parse_codebook
        from ..pipelines import pipeline_label
        from . import build_pipeline

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the driver has already warned
            self.nlp = build_pipeline(parse_codebook(self.codebook_text, source="codebook"), pipeline=self.pipeline)
        self.label = pipeline_label(self.nlp)

    def teardown(self, worker=None) -> None:
        self.nlp = None


def _tag_on_worker(texts: list[str], plugin: str, batch_size: int) -> tuple[str, list]:
    """The task: tag ``texts`` with this worker's pipeline; (pipeline label, [(length, matches)])."""
    from distributed import get_worker

    from .matches import matches_of

    tagger = get_worker().plugins[plugin]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tagger.label, [(len(doc.text), matches_of(doc)) for doc in tagger.nlp.pipe(texts, batch_size=batch_size)]


def _batches(items: Iterable[tuple[str, Any]], batch_turns: int) -> Iterator[list[tuple[str, Any]]]:
    """Whole documents grouped into batches of at least ``batch_turns`` turns (the last may be smaller)."""
    batch: list[tuple[str, Any]] = []
    current = None
    for text, turn in items:
        if turn.doc_id != current and len(batch) >= batch_turns:
            yield batch
            batch = []
        current = turn.doc_id
        batch.append((text, turn))
    if batch:
        yield batch


def tag_batches_on_dask(items: Iterable[tuple[str, Any]], codebook, *, pipeline: str, label: str, client,
                        batch_turns: int = DEFAULT_BATCH_TURNS, batch_size: int = 64,
                        retries: int = 2) -> Iterator[list[tuple[tuple[int, list], Any]]]:
    """Tag ``(turn text, turn)`` pairs on ``client``'s workers; yield each batch's ``((length, matches), turn)``.

    Batches come back in input order whatever order the workers finish in.
    """
    from ..backends import n_workers

    name = f"asymmetry-qda-tagger-{codebook.content_hash[:16]}-{pipeline}"
    client.register_plugin(TaggerPlugin(codebook.content, pipeline), name=name)
    window = 2 * n_workers(client)
    pending: list[tuple[Any, list]] = []
    try:
        for batch in _batches(items, batch_turns):
            future = client.submit(_tag_on_worker, [text for text, _ in batch], name, batch_size, pure=False,
                                   retries=retries)
            pending.append((future, [turn for _, turn in batch]))
            while len(pending) > window:
                yield _collect(pending.pop(0), label)
        while pending:
            yield _collect(pending.pop(0), label)
    finally:
        for future, _ in pending:  # interrupted: do not leave work running on the cluster
            future.cancel()


def _collect(item: tuple[Any, list], label: str) -> list[tuple[tuple[int, list], Any]]:
    future, turns = item
    worker_label, results = future.result()
    if worker_label != label:
        raise InputError(Problem("dask worker", f"tags with {worker_label}, but this machine with {label}",
                                 fix="install the same spaCy, pipeline and asymmetry_qda versions on every worker"))
    return list(zip(results, turns, strict=True))
