"""Build coach/text/data/sudachi_synonyms.tsv.gz from the Sudachi synonym dictionary.

The source is `src/main/text/synonyms.txt` of WorksApplications/SudachiDict (Apache License 2.0,
the analyser's own dictionary project; format: its docs/synonyms.md):

    python scripts/build_synonyms.py path/to/synonyms.txt [release]

Kept: every entry whose expansion flag is not 2 ("never used for expansion": the dictionary's
record of words it withdrew), as `group<TAB>lexeme<TAB>flag<TAB>word`, where `lexeme` numbers the
words of a group that are one word in other forms (spellings, a translation, an abbreviation)
and `flag` 1 marks a word that is expanded to but does not trigger expansion. Nothing is chosen
by hand; the file is this script's output, regenerated, never edited.
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "coach" / "text" / "data" / "sudachi_synonyms.tsv.gz"
HEADER = """\
# Synonym groups of the Sudachi synonym dictionary (WorksApplications/SudachiDict {release},
# Apache License 2.0); made by scripts/build_synonyms.py. Do not edit.
# group<TAB>lexeme<TAB>flag (0 expands both ways, 1 is only expanded to)<TAB>word
"""


def main(path: str, release: str = "synonyms.txt") -> None:
    lines: list[str] = []
    with open(path, encoding="utf-8", newline="") as source:
        for row in csv.reader(source):
            if len(row) < 9 or row[2] == "2" or not row[8].strip():
                continue
            group, flag, lexeme, word = row[0], row[2] or "0", row[3] or "0", row[8].strip()
            if "\t" in word:
                continue
            lines.append(f"{group}\t{lexeme}\t{flag}\t{word}")
    text = HEADER.format(release=release) + "\n".join(lines) + "\n"
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{len(lines)} entries -> {OUT} ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main(*sys.argv[1:])
