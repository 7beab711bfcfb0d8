#!/usr/bin/env python3
"""Document-type classification, side by side in one run, on the same split and texts:

  1. ChartVault's classifier (`chartvault classify`: rules + the shipped model), and
  2. paperless-ngx's recipe: scikit-learn CountVectorizer(ngram_range=(1, 2), min_df=0.01)
     + MLPClassifier(tol=0.01), trained on exactly the texts ChartVault's model was
     trained on.

Split (same as `chartvault train --corpus` and `chartvault eval`): train = odd-numbered
charts + train_text.jsonl rows not used by an even-numbered chart; test = the documents of
even-numbered charts. Test texts are the manifest's page text (printed text) and, with
--export, also the OCR text of an archive that ingested the corpus (`chartvault export`).

Usage: python3 tools/compare_classifier.py [--corpus ../shared/corpus]
           [--bin target/release/chartvault] [--export export.jsonl]
Needs: pip install scikit-learn. Exits 0 without doing anything if the corpus is absent.
"""
import argparse
import json
import os
import subprocess
import sys


def chart_number(chart_id):
    digits = ""
    for ch in reversed(chart_id):
        if not ch.isdigit():
            break
        digits = ch + digits
    return int(digits or 0)


def is_train(chart_id):
    return chart_number(chart_id) % 2 == 1


def doc_texts(chart):
    for d in chart["documents"]:
        pages = [p for p in chart["pages"] if p.get("doc_id") == d["doc_id"]]
        yield d, pages


def macro_f1(truth, pred):
    labels = sorted(set(truth))
    f1s = []
    for t in labels:
        tp = sum(1 for a, b in zip(truth, pred) if a == t and b == t)
        p = sum(1 for b in pred if b == t)
        r = sum(1 for a in truth if a == t)
        prec = tp / p if p else 0.0
        rec = tp / r if r else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    acc = sum(1 for a, b in zip(truth, pred) if a == b) / len(truth)
    return acc, sum(f1s) / len(f1s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="../shared/corpus")
    ap.add_argument("--bin", default="target/release/chartvault")
    ap.add_argument("--export", help="export.jsonl of an archive that ingested the corpus")
    args = ap.parse_args()
    manifest = os.path.join(args.corpus, "manifest.jsonl")
    if not os.path.exists(manifest):
        print(f"no corpus at {args.corpus}; skipping")
        return 0
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.neural_network import MLPClassifier

    charts = [json.loads(l) for l in open(manifest) if l.strip()]
    train_x, train_y, test_sha1 = [], [], set()
    tests = []  # (label, first page text, full text, (source path, first page))
    for c in charts:
        for d, pages in doc_texts(c):
            text = "\n".join(p["text"] for p in pages)
            if is_train(c["chart_id"]):
                train_x.append(text)
                train_y.append(d["doc_type"])
            else:
                test_sha1.add((d.get("source") or {}).get("sha1"))
                tests.append((d["doc_type"], pages[0]["text"], text,
                              (os.path.basename(c["file"]), d["first_page"])))
    tt = os.path.join(args.corpus, "train_text.jsonl")
    if os.path.exists(tt):
        for l in open(tt):
            if not l.strip():
                continue
            row = json.loads(l)
            if row.get("sha1") in test_sha1:
                continue
            train_x.append(row["text"])
            train_y.append(row["doc_type"])

    test_sets = {"printed text": [(t[0], t[1], t[2]) for t in tests]}
    if args.export:
        pages_by_doc = {}
        for l in open(args.export):
            row = json.loads(l)
            if row.get("kind") != "document":
                continue
            key = row["source"]["path"]
            for p in row["pages"]:
                pages_by_doc[(key, p["source_page"])] = row
        ocr = []
        for label, _, _, key in tests:
            row = pages_by_doc.get(key)
            texts = [p["text"] for p in row["pages"]] if row else [""]
            ocr.append((label, texts[0], "\n".join(texts)))
        test_sets["OCR text (export)"] = ocr

    print(f"train: {len(train_x)} texts; test: {len(tests)} documents of even-numbered charts")
    vec = CountVectorizer(ngram_range=(1, 2), min_df=0.01)
    xs = vec.fit_transform(train_x)
    mlp = MLPClassifier(tol=0.01, random_state=0)
    mlp.fit(xs, train_y)

    print(f"{'test texts':<20} {'classifier':<34} {'accuracy':>9} {'macro-F1':>9}")
    for name, rows in test_sets.items():
        truth = [r[0] for r in rows]
        sk = list(mlp.predict(vec.transform([r[2] for r in rows])))
        inp = "\n".join(json.dumps({"id": i, "first_page": r[1], "text": r[2]})
                        for i, r in enumerate(rows))
        out = subprocess.run([args.bin, "classify"], input=inp, capture_output=True,
                             text=True, check=True).stdout
        ours = [json.loads(l)["doc_type"] for l in out.splitlines() if l.strip()]
        for label, pred in (("chartvault (rules + model)", ours),
                            ("paperless recipe (sklearn MLP)", sk)):
            acc, f1 = macro_f1(truth, pred)
            print(f"{name:<20} {label:<34} {acc:>9.3f} {f1:>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
