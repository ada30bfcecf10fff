from itertools import groupby

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.policy import Cap, requires

from .selectors import kelurahan_visible_to


@require_GET
@requires(Cap.VIEW_REGIONS)
def kelurahan_list(request):
    """The kecamatan and kelurahan in the user's area, as a table and on a map."""
    kelurahan = list(kelurahan_visible_to(user=request.user).order_by("kecamatan__code", "code"))
    groups = [(kec, list(items)) for kec, items in groupby(kelurahan, key=lambda k: k.kecamatan)]
    return render(
        request,
        "kelurahan/kelurahan_list.html",
        {
            "groups": groups,
            "kelurahan_count": len(kelurahan),
            "kecamatan_count": len(groups),
            "visible_codes": [k.code for k in kelurahan],
        },
    )
