"""Remove source-map comments from vendored CSS and JavaScript files, in place.

`make vendor` copies minified files from npm without their `.map` files. A file that
still names its map makes `collectstatic` with the production storage (WhiteNoise's
manifest) fail with MissingFileError, and then no page can be rendered. Both comment
forms are removed: `//# sourceMappingURL=…` (JavaScript) and `/*# sourceMappingURL=… */`
(CSS, and sometimes JavaScript), with the old `@` marker as well as `#`.

    python scripts/strip_source_maps.py FILE...
"""

import re
import sys
from pathlib import Path

LINE_COMMENT = re.compile(r"(?m)^[ \t]*//[ \t]*[#@][ \t]*sourceMappingURL=[^\r\n]*(?:\r?\n)?")
BLOCK_COMMENT = re.compile(r"[ \t]*/\*[ \t]*[#@][ \t]*sourceMappingURL=.*?\*/[ \t]*(?:\r?\n)?", re.DOTALL)


def strip(text: str) -> str:
    """The text without any source-map comment."""
    return BLOCK_COMMENT.sub("", LINE_COMMENT.sub("", text))


def main(paths: list[str]) -> int:
    for name in paths:
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        stripped = strip(text)
        if stripped != text:
            path.write_text(stripped, encoding="utf-8")
            print(f"source map comment removed: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
