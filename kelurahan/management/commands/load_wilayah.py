from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kelurahan import loader
from kelurahan.models import Kecamatan, Kelurahan


class Command(BaseCommand):
    help = (
        "Load (or refresh) a city's kecamatan and kelurahan from a CSV in the format of "
        "kelurahan/data/pontianak_wilayah.csv, optionally with a crosswalk CSV (BPS codes, everyday "
        "spelling). Every row is checked first; if any row is bad, nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("wilayah_csv", type=Path, help="the kecamatan/kelurahan CSV")
        parser.add_argument("--crosswalk", type=Path, default=None, help="optional crosswalk CSV")
        parser.add_argument("--dry-run", action="store_true", help="check the files and change nothing")

    def handle(self, *args, wilayah_csv: Path, crosswalk: Path | None, dry_run: bool, **options):
        for path in filter(None, [wilayah_csv, crosswalk]):
            if not path.is_file():
                raise CommandError(_("File not found: %(path)s") % {"path": path})
            try:
                path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                message = _("%(path)s is not UTF-8 text. Save the CSV as UTF-8 and try again.")
                raise CommandError(message % {"path": path}) from None
        try:
            wilayah = loader.parse_files(wilayah_csv, crosswalk)
        except loader.WilayahError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)d bad row(s); nothing was changed.") % {"count": len(exc.errors)}
            ) from None
        summary = {"kecamatan": len(wilayah.kecamatan), "kelurahan": len(wilayah.kelurahan)}
        if dry_run:
            self.stdout.write(
                _(
                    "The files are valid: %(kecamatan)d kecamatan, %(kelurahan)d kelurahan. "
                    "Nothing was changed."
                )
                % summary
            )
            return
        result = loader.apply(wilayah, kecamatan_model=Kecamatan, kelurahan_model=Kelurahan)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(kecamatan)d kecamatan and %(kelurahan)d kelurahan loaded: %(created)d created, "
                    "%(updated)d updated, %(unchanged)d unchanged."
                )
                % {
                    **summary,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                }
            )
        )
