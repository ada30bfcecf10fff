"""The board's pages sit under /kader/ beside the roster: /kader/pengurus/ and /kader/pemilihan/."""

from django.urls import path

from .views import (
    ballot,
    board,
    candidate_add,
    candidate_remove,
    election_close,
    election_create,
    election_detail,
    election_open,
    election_result,
    install,
    my_elections,
    paper_result,
    term_create,
)

app_name = "board"

urlpatterns = [
    path("pengurus/", board, name="index"),
    path("pengurus/periode/baru/", term_create, name="term_create"),
    path("pengurus/periode/<int:pk>/hasil-kertas/", paper_result, name="paper_result"),
    path("pengurus/pemilihan/baru/", election_create, name="election_create"),
    path("pengurus/pemilihan/<int:pk>/", election_detail, name="election"),
    path("pengurus/pemilihan/<int:pk>/kandidat/", candidate_add, name="candidate_add"),
    path(
        "pengurus/pemilihan/<int:pk>/kandidat/<int:candidate_pk>/hapus/",
        candidate_remove,
        name="candidate_remove",
    ),
    path("pengurus/pemilihan/<int:pk>/buka/", election_open, name="election_open"),
    path("pengurus/pemilihan/<int:pk>/tutup/", election_close, name="election_close"),
    path("pengurus/pemilihan/<int:pk>/lantik/", install, name="install"),
    path("pemilihan/", my_elections, name="my_elections"),
    path("pemilihan/<int:pk>/", ballot, name="ballot"),
    path("pemilihan/<int:pk>/hasil/", election_result, name="result"),
]
