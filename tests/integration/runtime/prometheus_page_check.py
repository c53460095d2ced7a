#!/usr/bin/env python3
"""Checks a page served on `metrics.port` with Prometheus' own parser (python3-prometheus-client).

Usage: prometheus_page_check.py PAGE_FILE

Exits 0 when the page parses and is what a scraper expects: every family declared once with a
TYPE (no "unknown" families), counters' samples named <family>_total, and no two samples of a
family with the same labels. Otherwise prints what is wrong and exits 1. Run by
MetricsEndpointTest (runtime_test).
"""
import sys

from prometheus_client.parser import text_string_to_metric_families


def problems(page):
    found = []
    try:
        families = list(text_string_to_metric_families(page))
    except ValueError as error:  # the parser's complaint about a malformed line
        return [f"does not parse: {error}"]
    if not families:
        found.append("no metric families")
    seen = set()
    for family in families:
        if family.name in seen:
            found.append(f"{family.name}: declared twice")
        seen.add(family.name)
        if family.type not in ("counter", "gauge"):
            found.append(f"{family.name}: type {family.type}")
        label_sets = set()
        for sample in family.samples:
            if family.type == "counter" and sample.name != family.name + "_total":
                found.append(f"{family.name}: counter sample named {sample.name}")
            labels = tuple(sorted(sample.labels.items()))
            if labels in label_sets:
                found.append(f"{family.name}: two samples with labels {dict(labels)}")
            label_sets.add(labels)
    return found


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as page_file:
        page = page_file.read()
    found = problems(page)
    for problem in found:
        print(f"prometheus_page_check: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
