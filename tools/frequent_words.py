#!/usr/bin/env python3
"""Writes src/index/frequent_words.txt: the words in at least 5% of the clinical report texts
of a corpus's train_text.jsonl (lowercased, split like tantivy's simple tokenizer).

The index makes word-pair terms only where both words are frequent (src/index/pairs.rs); a
phrase with a rarer word is answered from positions, cheap because that word's posting list
is short. The list is part of the index format: changing it needs a new PAIR_ANALYZER name
in src/index/schema.rs (the index is then rebuilt at open), and the pinned hash in
src/index/pairs.rs updated.

usage: python3 tools/frequent_words.py [../shared/corpus] > src/index/frequent_words.txt
"""
import collections
import json
import re
import sys
import unicodedata

MIN_DOC_FRACTION = 0.05


def words(text):
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return {w for w in re.findall(r"[^\W_]+", folded) if len(w) < 64}


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus"
    df = collections.Counter()
    n = 0
    with open(f"{corpus}/train_text.jsonl", encoding="utf-8") as f:
        for line in f:
            df.update(words(json.loads(line).get("text", "")))
            n += 1
    frequent = sorted(w for w, c in df.items() if c >= MIN_DOC_FRACTION * n)
    print(f"# Words in at least {MIN_DOC_FRACTION:.0%} of {n} clinical report texts "
          "(tools/frequent_words.py). Part of the index format: see that script.")
    for w in frequent:
        print(w)


if __name__ == "__main__":
    main()
