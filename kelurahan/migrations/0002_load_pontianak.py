"""Load Kota Pontianak's 6 kecamatan and 29 kelurahan from the project's own copy
of the official list (kelurahan/data/, sources in kelurahan/data/SOURCES.md)."""

from django.db import migrations


def load(apps, schema_editor):
    from kelurahan import loader

    wilayah = loader.parse_files(loader.PONTIANAK_WILAYAH, loader.PONTIANAK_CROSSWALK)
    loader.apply(
        wilayah,
        kecamatan_model=apps.get_model("kelurahan", "Kecamatan"),
        kelurahan_model=apps.get_model("kelurahan", "Kelurahan"),
    )


class Migration(migrations.Migration):
    dependencies = [("kelurahan", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
