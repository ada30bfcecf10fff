"""The benchmark's in-process part, run as its own process against the bench database.

    python -m bench.jobs prepare bench/fixture.json   # TOTP devices and ids the pages need
    python -m bench.jobs run bench/fixture.json       # the background jobs, timed

Each prints one JSON object on standard output. ``bench.measure`` starts it with the web
process's environment (DEBUG off) but with tasks eager and mail in memory, so that what a job
sends (notification emails, the export's build) is done, and counted, inside the job.
Nothing printed names a person: only ids, counts and timings.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def prepare(fixture: dict) -> dict:
    """A confirmed TOTP device for each bench user (production asks petugas, KPAD and admin for
    a second factor, so the bench logs in as they do), and the ids the pages' URLs and floors need."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from kelurahan.models import Kecamatan

    accounts = {}
    ids = {}
    for role, username in fixture["users"].items():
        user = User.objects.get(username=username)
        TOTPDevice.objects.filter(user=user, name="bench").delete()
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        accounts[role] = {
            "username": username,
            "password": fixture["password"],
            "totp": {"key": device.key, "step": device.step, "t0": device.t0, "digits": device.digits},
        }
        ids[role] = {"pk": user.pk, "kelurahan": user.kelurahan_id, "kecamatan": user.kecamatan_id}
    kecamatan = Kecamatan.objects.get(code=fixture["kecamatan_code"])
    # The recap's stored monthly counts, as beat keeps them (reports/facts.py): counted once over
    # the whole database before the pages are measured, timed as the job it is.
    from reports.facts import recap_facts_refresh

    with Counted() as counted:
        run = recap_facts_refresh(budget=float("inf"))
    job = {
        "name": "recap_facts_first",
        "wall_ms": round(counted.ms, 1),
        "queries": counted.counter.queries,
        "emails": 0,
        "detail": {"months": len(run.counted)},
    }
    print(f"  job recap_facts_first: {counted.ms / 1000:.1f} s, {len(run.counted)} months", file=sys.stderr)
    return {"accounts": accounts, "users": ids, "kecamatan": kecamatan.pk, "jobs": [job]}


class Counted:
    """Wall time and queries of one job, on every connection the job uses."""

    def __init__(self):
        from core.timing import QueryCounter

        self.counter = QueryCounter()

    def __enter__(self):
        from django.db import connections

        self.wrappers = [connections[alias].execute_wrapper(self.counter) for alias in connections]
        for wrapper in self.wrappers:
            wrapper.__enter__()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.ms = (time.perf_counter() - self.started) * 1000
        for wrapper in reversed(self.wrappers):
            wrapper.__exit__(*exc)
        return False


def run_jobs(fixture: dict) -> list[dict]:
    from django.core import mail
    from django.utils import timezone

    from accounts.models import User
    from cadres.tasks import flag_inactive_cadres_task
    from cases.escalation import escalation_sweep
    from reports.exports.services import export_start
    from reports.models import ExportJob
    from reports.selectors import export_kinds_for
    from reports.tasks import build_export_task

    results = []

    def timed(name: str, function, detail=None) -> None:
        mail.outbox = []
        with Counted() as counted:
            outcome = function()
        results.append(
            {
                "name": name,
                "wall_ms": round(counted.ms, 1),
                "queries": counted.counter.queries,
                "emails": len(mail.outbox),
                "detail": detail(outcome) if detail else None,
            }
        )
        print(f"  job {name}: {counted.ms / 1000:.1f} s, {counted.counter.queries} queries", file=sys.stderr)

    # The first sweep meets data that has never been swept; the second is the steady state.
    timed("sweep_first", lambda: escalation_sweep(now=timezone.now()), detail=lambda c: c)
    timed("sweep_steady", lambda: escalation_sweep(now=timezone.now()), detail=lambda c: c)
    timed("inactive_cadres", flag_inactive_cadres_task, detail=_counts)
    # The recap's refresh after the sweep: the months whose cases it escalated are counted again.
    from reports.tasks import recap_facts_refresh_task

    timed("recap_facts_after_sweep", recap_facts_refresh_task, detail=_counts)

    # The biggest export a petugas can start: every case in the city, with identities if the role
    # may (the widest rows), as XLSX. Started as the web process starts it; with tasks eager the
    # outbox runs its task function (build_export_task) in this process as the request commits,
    # so the time is the request's count plus the build. Called once more in case it did not.
    petugas = User.objects.get(username=fixture["users"]["petugas"])
    kinds = export_kinds_for(petugas)
    kind = (
        ExportJob.Kind.CASES_IDENTIFIED if ExportJob.Kind.CASES_IDENTIFIED in kinds else ExportJob.Kind.CASES
    )

    def export() -> dict:
        started = export_start(actor=petugas, kind=kind, fmt=ExportJob.Format.XLSX, params={}, reason="bench")
        if started.job is None:
            raise SystemExit("the export was built at once: too few cases for a background job")
        build_export_task(started.job.pk)
        started.job.refresh_from_db()
        return {"rows": started.job.row_count, "state": started.job.state, "kind": kind}

    timed("export_cases_xlsx", export, detail=lambda d: d)
    return results


def _counts(outcome):
    """A task's result, if it is counts (never names)."""
    if isinstance(outcome, dict):
        return {k: v for k, v in outcome.items() if isinstance(v, int | float)}
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("prepare", "run"):
        print(__doc__, file=sys.stderr)
        return 2
    import django

    django.setup()
    with open(argv[1]) as handle:
        fixture = json.load(handle)
    result = prepare(fixture) if argv[0] == "prepare" else {"jobs": run_jobs(fixture)}
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
