"""Page templates carry no inline script or style: the Content Security Policy forbids them.

E-mail bodies and PDF print templates are not pages served to browsers, so they may.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)


def page_templates():
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            rel = path.relative_to(ROOT).as_posix()
            if "/email/" in rel or "pdf" in path.name:
                continue
            yield rel


@pytest.mark.parametrize("rel", sorted(page_templates()))
def test_no_inline_script_or_style(rel):
    text = (ROOT / rel).read_text()
    assert not INLINE_SCRIPT.search(text), f"{rel} has an inline <script>"
    assert not STYLE_ATTR.search(text), f"{rel} has a style= attribute"
    assert not STYLE_TAG.search(text), f"{rel} has a <style> block"


def test_the_guard_finds_templates():
    assert len(list(page_templates())) > 20
