"""Adds French elision to the "text" field type of CKAN's schema.xml, in
place: ElisionFilterFactory (lang/contractions_fr.txt) right after the
tokenizer of its index and query analyzers, so that "l'école" is indexed and
searched as "école". Everything else of CKAN's schema stays as it is,
its name and version included (CKAN checks them at start-up).

    python3 dev/solr/french_text.py path/to/schema.xml
"""

from __future__ import annotations

import re
import sys

ELISION = (
    '<filter class="solr.ElisionFilterFactory" ignoreCase="true" '
    'articles="lang/contractions_fr.txt"/>'
)


def frenchify(schema: str) -> str:
    start = schema.index('<fieldType name="text" ')
    end = schema.index("</fieldType>", start)
    block = schema[start:end]
    if "ElisionFilterFactory" in block:
        return schema
    block, count = re.subn(
        r'(<tokenizer class="solr\.WhitespaceTokenizerFactory"/>)',
        lambda m: m.group(1) + "\n            " + ELISION,
        block,
    )
    if count != 2:
        raise SystemExit(f"expected 2 analyzers in the text field type, found {count}")
    return schema[:start] + block + schema[end:]


if __name__ == "__main__":
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(frenchify(text))
