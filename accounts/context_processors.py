import json

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from .models import Notification
from .policy import Cap, navigation_for, user_can

# The pages a kader's phone keeps for offline use before they are visited (the worker fetches
# those not kept yet): the start page, the report form, "Kasus saya", the outreach form.
OFFLINE_WARM = ("start:kader", "cases:report", "cases:mine", "cadres:my_activity")


def _offline_warm() -> str:
    urls = []
    for name in OFFLINE_WARM:
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue
    return json.dumps(urls)


UNREAD_SHOWN = 99


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "unread_notifications": 0}
    # A bounded fetch instead of COUNT(*): the badge needs no more than "99+".
    unread = len(
        Notification.objects.filter(user=user, read_at__isnull=True).values_list("pk", flat=True)[
            : UNREAD_SHOWN + 1
        ]
    )
    return {
        "nav_items": navigation_for(user),
        "unread_notifications": unread,
        "unread_notifications_label": f"{UNREAD_SHOWN}+" if unread > UNREAD_SHOWN else str(unread),
        "works_offline": user_can(user, Cap.WORK_OFFLINE),
        "device_draft_days": settings.SIGAP_DEVICE_DRAFT_DAYS,
        "offline_warm": _offline_warm(),
    }
