"""Every relative link and image path in the Markdown documentation (and the report's front page) points
to an existing file, and every ``#anchor`` into a Markdown page to one of its headings."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "config/README.md", *sorted(ROOT.glob("docs/**/*.md"))]
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
TARGETS = re.compile(
    r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*)?\)"  # [text](target), ![alt](target), with an optional title
    r"|^\s*\[[^\]]+\]:\s*<?([^\s>]+)"  # [label]: target
    r"|<[a-z]+\b[^>]*?\b(?:src|href)=[\"']([^\"']+)[\"']",  # <img src="target">, <a href="target">
    re.M | re.I,
)
EXTERNAL = re.compile(r"[a-z][a-z0-9+.-]*:|//", re.I)  # http(s):, mailto:, ...
FENCED = re.compile(r"```.*?```", re.S)
HEADING = re.compile(r"^#+\s+(.*?)\s*$", re.M)
RST_TARGET = re.compile(r"<([^<>\s]+)>`_")


def anchors(text: str) -> set[str]:
    """GitHub's anchors of a Markdown text's headings: lower case, punctuation but hyphens dropped,
    spaces to hyphens."""
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in HEADING.findall(FENCED.sub("", text))}


def broken_target(target: str, folder: Path, root: Path, here: str) -> bool:
    """A relative ``target`` (from a page in ``folder`` whose text is ``here``) that names no file, or a
    ``#fragment`` that is no heading of the Markdown page it names; ``?query`` is ignored."""
    path, _, fragment = unquote(target.split("?")[0]).partition("#")
    file = folder if not path else root / path.lstrip("/") if path.startswith("/") else folder / path
    if not file.exists():
        return True
    if fragment and (file.suffix == ".md" or not path):
        return fragment not in anchors(here if not path else file.read_text(encoding="utf-8"))
    return False


def broken_links(text: str, folder: Path, root: Path = ROOT) -> list[str]:
    """Relative targets in Markdown ``text`` (outside code) that name no file under ``folder``
    (``root`` for targets starting with ``/``) or no heading of the page they point into."""
    targets = (next(t for t in m.groups() if t) for m in TARGETS.finditer(CODE.sub("", text)))
    return [t for t in targets if not EXTERNAL.match(t) and broken_target(t, folder, root, text)]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc):
    assert doc.is_file(), f"{doc.relative_to(ROOT)} is missing"
    assert broken_links(doc.read_text(encoding="utf-8"), doc.parent) == []


def test_report_front_page_links_resolve_from_the_report():
    """The report is written to results/report.html; its front page links into docs/."""
    text = (ROOT / "workflow/report/workflow.rst").read_text(encoding="utf-8")
    targets = RST_TARGET.findall(text)
    assert targets and [t for t in targets if broken_target(t, ROOT / "results", ROOT, "")] == []


def test_broken_links_are_reported(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/present.md").write_text("# Title\n\n## The part (`a`, b)\n\n```\n# not a heading\n```\n")
    (tmp_path / "fig.png").write_bytes(b"")
    text = """## Here
[ok](present.md#the-part-a-b) ![ok](../fig.png "title") <img src="../fig.png" width="50"> [root](/fig.png)
[web](https://example.org/x.md) [mail](mailto:a@b.c) [anchor](#here) `[code](absent.md)`
[gone](absent.md#part) ![gone](../missing.png) <img src="img/none.png"> [no heading](present.md#not-a-heading)
[no anchor](#there)
[label]: ../nowhere.md
"""
    assert broken_links(text, tmp_path / "docs", root=tmp_path) == [
        "absent.md#part", "../missing.png", "img/none.png", "present.md#not-a-heading", "#there", "../nowhere.md"]
