"""Static files collect with production's storage: nothing vendored names a file that is not there.

WhiteNoise's manifest storage rewrites every reference in CSS and JavaScript (url(), source
maps) to a hashed name, and fails the whole collectstatic on one missing file; without its
manifest no page renders. These tests run the real command as the Dockerfile does.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.strip_source_maps import strip

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
SOURCE_MAP = re.compile(r"sourceMappingURL=([^\s*]+)")


def test_it_strips_the_javascript_source_map_comment():
    text = "var a=1;\n//# sourceMappingURL=lib.min.js.map\n"
    assert strip(text) == "var a=1;\n"


def test_it_strips_the_css_source_map_comment():
    text = "body{color:red}\n/*# sourceMappingURL=bootstrap.min.css.map */"
    assert strip(text) == "body{color:red}\n"


def test_it_strips_the_old_at_sign_form_and_a_block_comment_in_javascript():
    text = "a();\n//@ sourceMappingURL=old.map\nb();/*# sourceMappingURL=x.js.map */\n"
    assert strip(text) == "a();\nb();"


def test_it_leaves_other_comments_and_code_alone():
    text = "/*! Bootstrap v5.3 */\nbody{}\n// a comment\nvar s='sourceMappingURL is a word';\n"
    assert strip(text) == text


def test_no_static_file_names_a_source_map_that_is_not_there():
    dangling = []
    for path in STATIC.rglob("*"):
        if path.suffix not in (".js", ".css", ".mjs"):
            continue
        for name in SOURCE_MAP.findall(path.read_text(encoding="utf-8", errors="replace")):
            if not name.startswith("data:") and not (path.parent / name).is_file():
                dangling.append(f"{path.relative_to(ROOT)} -> {name}")
    assert dangling == [], "run `make vendor` (it strips source map comments) or vendor the maps"


def production_env(**overrides: str) -> dict:
    """The Dockerfile's build step: DEBUG off, no secrets, only what a process needs to start."""
    inherited = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {name: os.environ[name] for name in inherited if name in os.environ}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **overrides)
    return env


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """One real `collectstatic --noinput` with production's storage into a fresh folder."""
    root = tmp_path_factory.mktemp("staticfiles")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=production_env(DJANGO_STATIC_ROOT=str(root)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return root, result


def test_collectstatic_succeeds_with_the_production_storage(collected):
    root, result = collected
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    manifest = json.loads((root / "staticfiles.json").read_text())
    for name in ("css/sigap.css", "vendor/bootstrap/bootstrap.min.css", "vendor/leaflet/leaflet.css"):
        hashed = manifest["paths"][name]
        assert hashed != name
        assert (root / hashed).is_file()
        assert (root / (hashed + ".gz")).is_file(), "WhiteNoise serves the compressed copy"


def test_collected_css_points_at_hashed_files_that_exist(collected):
    root, result = collected
    assert result.returncode == 0
    manifest = json.loads((root / "staticfiles.json").read_text())
    leaflet = (root / manifest["paths"]["vendor/leaflet/leaflet.css"]).read_text()
    images = re.findall(r"url\((?:\"|')?(images/[^)\"']+)", leaflet)
    assert images, "leaflet.css references its images"
    for image in images:
        assert (root / "vendor/leaflet" / image).is_file(), image
        assert re.search(r"\.[0-9a-f]{12}\.png$", image), f"{image} is not the hashed name"
