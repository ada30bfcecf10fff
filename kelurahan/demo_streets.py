"""Pontianak's streets by kecamatan, for synthetic demo addresses.

The demo's cases and cadres get an address on a real street of their own kecamatan, so a
petugas from Pontianak reading the demo recognises the city. A house number and, often, a
gang (alley) are drawn at random: the addresses are synthetic, the streets are not.
Keyed by the Kemendagri kecamatan code; a kecamatan not listed (another city's data) falls
back to the generic gang names only.
"""

from __future__ import annotations

import random

STREETS_BY_KECAMATAN: dict[str, tuple[str, ...]] = {
    # Pontianak Selatan
    "61.71.01": (
        "Jl. Gajah Mada",
        "Jl. Tanjungpura",
        "Jl. Ahmad Yani",
        "Jl. Diponegoro",
        "Jl. Sisingamangaraja",
        "Jl. Prof. M. Yamin",
        "Jl. Purnama",
        "Jl. Sultan Abdurrahman",
        "Jl. K.H. Ahmad Dahlan",
    ),
    # Pontianak Timur
    "61.71.02": (
        "Jl. Tanjung Raya I",
        "Jl. Tanjung Raya II",
        "Jl. Sultan Hamid II",
        "Jl. Panglima Aim",
        "Jl. Tritura",
        "Jl. Ya' M. Sabran",
    ),
    # Pontianak Barat
    "61.71.03": (
        "Jl. Kom Yos Sudarso",
        "Jl. Pak Kasih",
        "Jl. Husein Hamzah",
        "Jl. Tabrani Ahmad",
        "Jl. Karet",
        "Jl. Apel",
    ),
    # Pontianak Utara
    "61.71.04": (
        "Jl. Khatulistiwa",
        "Jl. Gusti Situt Mahmud",
        "Jl. 28 Oktober",
        "Jl. Budi Utomo",
        "Jl. Selat Panjang",
        "Jl. Kebangkitan Nasional",
        "Jl. Parit Pangeran",
    ),
    # Pontianak Kota
    "61.71.05": (
        "Jl. Merdeka",
        "Jl. H. Rais A. Rahman",
        "Jl. Hasanuddin",
        "Jl. Dr. Wahidin Sudirohusodo",
        "Jl. Alianyang",
        "Jl. Johar",
        "Jl. Rahadi Usman",
        "Jl. Agus Salim",
        "Jl. Ampera",
    ),
    # Pontianak Tenggara
    "61.71.06": (
        "Jl. Imam Bonjol",
        "Jl. Parit H. Husin I",
        "Jl. Parit H. Husin II",
        "Jl. Sungai Raya Dalam",
        "Jl. Prof. Dr. H. Hadari Nawawi",
        "Jl. Sepakat II",
        "Jl. Daya Nasional",
    ),
}

# Gang (alley) names heard all over the city.
GANGS = (
    "Gg. Sepakat",
    "Gg. Karya Bersama",
    "Gg. Harapan",
    "Gg. Damai",
    "Gg. Melati",
    "Gg. Mawar",
    "Gg. Kurnia",
    "Gg. Family",
    "Gg. Swadaya",
    "Gg. Amal",
)


def demo_address(rng: random.Random, *, kecamatan_code: str) -> str:
    """A synthetic address on a real street of the kecamatan, e.g. "Jl. Imam Bonjol Gg. Damai No. 17"."""
    streets = STREETS_BY_KECAMATAN.get(kecamatan_code)
    number = rng.randint(1, 150)
    if not streets:
        return f"{rng.choice(GANGS)} No. {number}"
    street = rng.choice(streets)
    if rng.random() < 0.55:
        return f"{street} {rng.choice(GANGS)} No. {number}"
    return f"{street} No. {number}"
