"""Case lists: the petugas' filtered list, the kader's "kasus saya", KPAD's escalated cases."""

urlpatterns: list = []
