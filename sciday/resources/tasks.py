"""Background work for resources: media processing, enqueued after the commit."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.tasks import task
from django.utils import timezone


@task()
def process_resource(*, resource_id: int) -> None:
    """Process one uploaded resource (see `sciday.resources.processing`)."""
    from sciday.resources.processing import process

    process(resource_id)


def _enqueue(resource_id: int, delay: timedelta | None) -> None:
    job = process_resource
    if delay and job.get_backend().supports_defer:
        job = job.using(run_after=timezone.now() + delay)
    job.enqueue(resource_id=resource_id)


def schedule_processing(resource_id: int, *, delay: timedelta | None = None) -> None:
    """Enqueue the processing of a resource once the current transaction commits."""
    transaction.on_commit(partial(_enqueue, resource_id, delay))
