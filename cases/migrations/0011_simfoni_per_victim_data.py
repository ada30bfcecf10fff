"""Today's per-case coding onto each child of the case (SIMFONI codes per victim).

Every child of a case gets the case's types of violence and online marks, a pair with each
alleged perpetrator carrying that perpetrator's relation, and every service of the case; a
child whose disability was written in words is marked as having one (its type is for the
petugas to choose). A case nobody has assessed (still "sedang", the old default, never
verified and never edited for its risk) becomes "belum dinilai".

Backwards, the per-child rows go (the case's own rows were kept all along) and the values the
older lists lack are put back into them: PAUD and TK into "PAUD/TK", not yet in school and
dropped out into "not in school", the new relations into "other", "belum dinilai" into
"sedang".
"""

from django.db import migrations
from django.db.models import Q

BATCH = 2000


def _bulk(model, rows):
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH], ignore_conflicts=True)


def forward(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    CaseViolence = apps.get_model("cases", "CaseViolence")
    Child = apps.get_model("cases", "Child")
    ChildViolence = apps.get_model("cases", "ChildViolence")
    Perpetrator = apps.get_model("cases", "Perpetrator")
    Service = apps.get_model("cases", "Service")
    VictimPerpetrator = apps.get_model("cases", "VictimPerpetrator")

    children_of: dict[int, list[int]] = {}
    for child_id, case_id in Child.objects.values_list("pk", "case_id").order_by("pk"):
        children_of.setdefault(case_id, []).append(child_id)

    _bulk(
        ChildViolence,
        [
            ChildViolence(child_id=child_id, kind=kind)
            for case_id, kind in CaseViolence.objects.values_list("case_id", "kind").order_by("pk")
            for child_id in children_of.get(case_id, [])
        ],
    )
    for online, prostitution in ((True, False), (False, True), (True, True)):
        Child.objects.filter(case__online=online, case__online_prostitution=prostitution).update(
            online=online, online_prostitution=prostitution
        )
    _bulk(
        VictimPerpetrator,
        [
            VictimPerpetrator(child_id=child_id, perpetrator_id=pk, relation=relation)
            for pk, case_id, relation in Perpetrator.objects.values_list("pk", "case_id", "relation").order_by("pk")
            for child_id in children_of.get(case_id, [])
        ],
    )
    Served = Service.children.through
    _bulk(
        Served,
        [
            Served(service_id=pk, child_id=child_id)
            for pk, case_id in Service.objects.values_list("pk", "case_id").order_by("pk")
            for child_id in children_of.get(case_id, [])
        ],
    )
    Child.objects.exclude(disability="").update(has_disability="ya")
    # An edit that changed the risk names "risk" among its fields (older rows: in the note).
    assessed = {
        case_id
        for case_id, params, note in CaseEvent.objects.filter(kind="edit").values_list("case_id", "params", "note")
        if "risk" in ((params or {}).get("fields") or []) or "risk" in note.split(", ")
    }
    unassessed = Case.objects.filter(risk="sedang", triaged_at__isnull=True).exclude(pk__in=assessed)
    unassessed.update(risk="belum_dinilai")


def backward(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Child = apps.get_model("cases", "Child")
    ChildViolence = apps.get_model("cases", "ChildViolence")
    DoNotTell = apps.get_model("cases", "DoNotTell")
    Perpetrator = apps.get_model("cases", "Perpetrator")
    Service = apps.get_model("cases", "Service")
    VictimPerpetrator = apps.get_model("cases", "VictimPerpetrator")

    ChildViolence.objects.all().delete()
    VictimPerpetrator.objects.all().delete()
    Service.children.through.objects.all().delete()
    Case.objects.filter(risk="belum_dinilai").update(risk="sedang")
    Child.objects.filter(school_level__in=["paud", "tk"]).update(school_level="paud_tk")
    Child.objects.filter(school_level__in=["belum_sekolah", "putus_sekolah"]).update(school_level="tidak_sekolah")
    Child.objects.filter(school_level__in=["perguruan_tinggi", "tidak_diketahui"]).update(school_level="")
    new_relations = Q(relation__in=["suami_istri", "rekan_kerja"])
    Perpetrator.objects.filter(new_relations).update(relation="lainnya")
    DoNotTell.objects.filter(new_relations).update(relation="lainnya")


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_simfoni_per_victim")]

    operations = [migrations.RunPython(forward, backward)]
