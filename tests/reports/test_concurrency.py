"""Two editors of the unit saving the same version at once: one save wins, the other is refused
and its text kept (PostgreSQL row locks; SQLite serialises writes and is covered by
test_drafts.py's sequential case)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from sciday.reports import services
from sciday.reports.models import DraftConflict, Report

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def test_simultaneous_saves_of_one_version_keep_both_texts(rw):
    report = rw.report("prov")
    editors = {"prov_editor": "编辑一的概况", "prov_editor2": "编辑二的概况"}
    barrier = threading.Barrier(len(editors))
    outcomes: dict[str, object] = {}

    def save(who: str, text: str) -> None:
        try:
            barrier.wait()
            services.report_save_draft(
                actor=rw.people[who],
                report=Report.objects.get(pk=report.pk),
                base_version=1,
                data={"overview": text},
            )
            outcomes[who] = "saved"
        except services.StaleDraft as error:
            outcomes[who] = error
        except BaseException as error:  # pragma: no cover - reported below
            outcomes[who] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=item) for item in editors.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [who for who, outcome in outcomes.items() if outcome == "saved"]
    losers = [who for who, outcome in outcomes.items() if isinstance(outcome, services.StaleDraft)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    report.refresh_from_db()
    assert report.version == 2 and report.overview == editors[winners[0]]
    kept = DraftConflict.objects.get()
    assert kept.author == rw.people[losers[0]]
    assert kept.sections == {"overview": editors[losers[0]]}
