"""Which files in a folder are journey maps. A YAML file is a map when its top-level mapping has a
`cjmap` key — or a key one edit away from it (`cjamp:`), so a misspelt map is checked and told,
not skipped in silence. Anything else (CI workflows, Kubernetes manifests, Ansible playbooks,
CloudFormation templates) is someone else's file: skipped and counted, never reported."""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from cjmap.reading import is_regular_file

MAP_SUFFIXES = (".yaml", ".yml")
MAP_KEY = "cjmap"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
HEAD_BYTES = 64 * 1024  # a map's top-level keys come first; the decision reads no further
# A top-level key: at the start of a line (block style) or just inside a flow mapping that opens
# the document, optionally quoted.
_TOP_KEY = re.compile(r"""^(?:\{\s*)?["']?([A-Za-z_][\w-]*)["']?\s*:(?:\s|$)""", re.MULTILINE)


def walk(folder: Path) -> tuple[list[Path], int]:
    """The YAML files below a folder (hidden folders and files skipped), sorted, and how many
    YAML names were not regular files (FIFOs, devices, broken links)."""
    found: list[Path] = []
    irregular = 0
    for current, folders, files in os.walk(folder):
        folders[:] = [f for f in folders if not f.startswith(".")]
        for name in files:
            if name.endswith(MAP_SUFFIXES) and not name.startswith("."):
                path = Path(current, name)
                if is_regular_file(path):
                    found.append(path)
                else:
                    irregular += 1
    return sorted(found), irregular


def looks_like_map(head: bytes) -> bool:
    """Whether the first bytes of a YAML file name a top-level `cjmap` key, or one a typo away."""
    # A map saved as UTF-16 or UTF-32 is still a map: read it to tell its author the encoding.
    codec = next((name for bom, name in _BOMS if head.startswith(bom)), "utf-8")
    text = head.decode(codec, errors="replace")
    return any(_one_edit_away(match.group(1).lower(), MAP_KEY) for match in _TOP_KEY.finditer(text))


def _one_edit_away(word: str, target: str) -> bool:
    """Equal, or one insertion, deletion, substitution or swap of neighbours apart."""
    if word == target:
        return True
    if abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        first, second = diffs[0], diffs[-1]
        return (
            len(diffs) == 2 and second == first + 1 and word[first] == target[second] and word[second] == target[first]
        )
    shorter, longer = sorted((word, target), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
