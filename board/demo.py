"""The demo board: the 2022–2025 pengurus, elected on paper at the 23–24 Nov 2022 training.

Synthetic holders from the demo roster only. Idempotent.
"""

from __future__ import annotations

from accounts.policy import Cap
from accounts.selectors import users_with_capability
from cadres.models import Cadre

from . import services
from .models import BoardPosition, BoardTerm


def seed_demo_board() -> None:
    """The 2022–2025 board, elected on paper at the 23–24 Nov 2022 training (synthetic holders).

    Idempotent: nothing happens once a 2022 term exists.
    """
    if BoardTerm.objects.filter(start_year=2022).exists():
        return
    actor = users_with_capability(Cap.MANAGE_CADRES).order_by("pk").first()
    if actor is None or not Cadre.objects.exists():
        return
    term = services.board_term_create(actor=actor, start_year=2022, end_year=2025)
    used: set[int] = set()
    note = "Pemilihan di Pelatihan Peningkatan Kapasitas Kader, BAPPEDA, 24 Nov 2022 (data demo sintetis)."
    for position in BoardPosition.objects.select_related("kecamatan").order_by(
        "sort_order", "kecamatan__code"
    ):
        candidates = Cadre.objects.filter(status="aktif").exclude(pk__in=used).order_by("pk")
        if position.kecamatan_id:
            candidates = candidates.filter(kelurahan__kecamatan=position.kecamatan_id)
        cadre = candidates.first()
        if cadre is None:
            continue
        used.add(cadre.pk)
        services.board_record_paper_result(actor=actor, term=term, position=position, cadre=cadre, note=note)
