"""Tasks the Redis queue tests enqueue (importable by a separate rq worker process)."""

from django.tasks import task


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def fail() -> None:
    raise ValueError("this task fails on purpose")
