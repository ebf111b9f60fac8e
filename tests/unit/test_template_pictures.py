"""The pictures of the templates in docs/ are drawn from the templates the code writes (tools/render_templates.py)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tools.render_templates import integral_picture, interval_picture

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img"


def test_rdg11_rdg16_the_pictures_still_render_from_the_current_templates() -> None:
    """Drawing them again gives pictures of the committed size: the script works and the layout has not drifted."""
    for drawn, name in ((integral_picture(), "integral-template.png"), (interval_picture(), "interval-template.png")):
        with Image.open(IMAGES / name) as committed:
            assert drawn.size == committed.size, name
