from .models import Notification
from .policy import navigation_for

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
    }
