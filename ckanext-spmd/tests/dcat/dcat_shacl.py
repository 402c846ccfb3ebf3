"""Validation against the official DCAT-AP 3.0.1 shapes copied in ``shapes/``."""
from __future__ import annotations

import functools
from pathlib import Path

import pyshacl
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES = Path(__file__).parent / "shapes"


@functools.cache
def shapes() -> Graph:
    g = Graph()
    for name in ("shacl_dcat-ap-SHACL.ttl", "html_shacl_mdr-vocabularies.shape.ttl"):
        g.parse(SHAPES / name, format="turtle")
    return g


def results(data: Graph, severity: str = "Violation") -> list[str]:
    """One line per SHACL result of the given severity (focus, path, message)."""
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes(), inference="none", advanced=False, allow_warnings=True)
    lines = []
    # Top-level results only: the sh:detail of a sh:node failure carries the
    # nested shape's severity, not the one the property shape declares.
    top = {r for report_node in report.subjects(RDF.type, SH.ValidationReport)
           for r in report.objects(report_node, SH.result)}
    for result in top:
        if report.value(result, SH.resultSeverity) != SH[severity]:
            continue
        lines.append(" | ".join(str(report.value(result, p)) for p in (
            SH.focusNode, SH.resultPath, SH.value, SH.resultMessage)))
    return sorted(lines)
