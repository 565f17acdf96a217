"""The national compilation in the background: DOCX, PDF and XLSX of a department's accepted
reports, written to storage with the job's progress, or failed with a reason.

`run_compilation(job_id)` does the work (the task `compile_reports` calls it):

- the job is taken only while pending (two workers never run one job);
- progress: 0–10 reading the reports, 10–90 the chapters written to the DOCX and the PDF,
  90–100 the PDF's parts joined, the XLSX and the files stored; written to the row when the
  percentage changes;
- any failure (fonts or qpdf missing, a part of the PDF failed or timed out, storage down)
  marks the job failed with the reason; the files stored so far are deleted.

`recover_stale` (the `reports_compilation_recover` command, run periodically) takes up jobs
stuck running or pending for longer than `REPORTS_COMPILATION_TIMEOUT` seconds: a running
job lost its worker and is failed after `REPORTS_COMPILATION_ATTEMPTS` tries, else enqueued again.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

STORAGE_PREFIX = "reports/compilations"


def timeout_seconds() -> int:
    return int(getattr(settings, "REPORTS_COMPILATION_TIMEOUT", 1800))


def max_attempts() -> int:
    return int(getattr(settings, "REPORTS_COMPILATION_ATTEMPTS", 2))


@task()
def compile_reports(*, job_id: int) -> None:
    """Produce the files of one compilation job."""
    run_compilation(job_id)


def _enqueue(job_id: int) -> None:
    compile_reports.enqueue(job_id=job_id)


def schedule_compilation(job_id: int) -> None:
    """Enqueue the compilation once the current transaction commits."""
    transaction.on_commit(partial(_enqueue, job_id))


def _set(job_id: int, **fields) -> None:
    from sciday.reports.models import CompilationJob

    CompilationJob.objects.filter(pk=job_id).update(**fields)


def run_compilation(job_id: int) -> None:
    """Build and store the job's three files; see the module docstring."""
    from sciday.reports import compilation as renderer
    from sciday.reports.models import CompilationJob

    State = CompilationJob.State
    now = timezone.now()
    taken = CompilationJob.objects.filter(pk=job_id, status=State.PENDING).update(
        status=State.RUNNING, started_at=now, progress=0, error="", attempts=F("attempts") + 1
    )
    if not taken:
        return
    job = CompilationJob.objects.select_related("campaign", "department").get(pk=job_id)
    stored: list[str] = []
    last = {"percent": 0}

    def progress(percent: int) -> None:
        percent = max(0, min(100, percent))
        if percent != last["percent"]:
            last["percent"] = percent
            _set(job_id, progress=percent)

    try:
        with translation.override(settings.LANGUAGE_CODE):
            data = renderer.compilation_from_reports(job.campaign, job.department)
            progress(10)
            stem = f"{STORAGE_PREFIX}/{job.pk}-{uuid.uuid4().hex}"
            with tempfile.TemporaryDirectory(prefix="sciday-compile-job-") as tmp:
                work = Path(tmp)
                docx, pdf, xlsx = work / "c.docx", work / "c.pdf", work / "c.xlsx"
                with docx.open("wb") as docx_out, pdf.open("wb") as pdf_out:
                    renderer.build_docx_and_pdf(
                        data,
                        docx_out,
                        pdf_out,
                        lambda done, total: progress(10 + 80 * done // max(total, 1)),
                    )
                with xlsx.open("wb") as xlsx_out:
                    renderer.build_xlsx(data, xlsx_out)
                progress(95)
                names = {}
                for field, path in (("docx", docx), ("pdf", pdf), ("xlsx", xlsx)):
                    with path.open("rb") as stream:
                        name = default_storage.save(f"{stem}.{field}", File(stream))
                    stored.append(name)
                    names[field] = name
        _set(
            job_id,
            status=State.DONE,
            progress=100,
            reports=len(data.chapters),
            finished_at=timezone.now(),
            **names,
        )
    except Exception as error:
        logger.exception("compilation %s failed", job_id)
        for name in stored:
            default_storage.delete(name)
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("The compilation could not be produced: %(reason)s") % {
                "reason": str(error)[:500] or error.__class__.__name__
            }
        _set(job_id, status=State.FAILED, error=reason, finished_at=timezone.now())


def recover_stale(*, now: datetime | None = None) -> dict[str, int]:
    """Take up compilations stuck running or pending too long; return what was done."""
    from sciday.reports.models import CompilationJob

    State = CompilationJob.State
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=timeout_seconds())
    stuck = CompilationJob.objects.filter(status=State.RUNNING, started_at__lt=cutoff)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("The compilation did not finish in time.")
    failed = stuck.filter(attempts__gte=max_attempts()).update(
        status=State.FAILED, error=reason, finished_at=now
    )
    retried_ids = list(stuck.values_list("pk", flat=True))
    CompilationJob.objects.filter(pk__in=retried_ids).update(status=State.PENDING, progress=0)
    pending = list(
        CompilationJob.objects.filter(status=State.PENDING, created_at__lt=cutoff)
        .exclude(pk__in=retried_ids)
        .values_list("pk", flat=True)
    )
    for job_id in [*retried_ids, *pending]:
        _enqueue(job_id)
    return {"failed": failed, "retried": len(retried_ids), "requeued": len(pending)}
