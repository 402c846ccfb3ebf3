"""A national-portal-like DCAT catalogue, served by a threaded http.server:
Turtle pages linked by hydra paging, records as the national portal writes
them (EU frequency URIs, GeoJSON geometry literals, licences as URIs)."""
from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from typing import Any

PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
@prefix locn: <http://www.w3.org/ns/locn#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix gsp: <http://www.opengis.net/ont/geosparql#> .
"""
NATIONAL = "https://national.example.org"
LICENCE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
POLYGON = ('{"type": "Polygon", "coordinates": [[[-1.75, 48.05], [-1.6, 48.05], '
           '[-1.6, 48.15], [-1.75, 48.15], [-1.75, 48.05]]]}')
TURTLE_POLYGON = POLYGON.replace('"', '\\"')


def record(slug: str, title: str | None, notes: str, frequency: str = "WEEKLY") -> str:
    uri = f"{NATIONAL}/datasets/{slug}"
    title_line = f'    dct:title "{title}"@fr ;\n' if title is not None else ""
    return f"""
<{uri}> a dcat:Dataset ;
{title_line}    dct:description "{notes}"@fr ;
    dct:identifier "{slug}" ;
    dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/{frequency}> ;
    dcat:keyword "référentiel" ;
    dct:publisher [ a foaf:Agent ; foaf:name "Institut national de l'information géographique" ] ;
    dct:spatial [ a dct:Location ; locn:geometry "{TURTLE_POLYGON}"^^gsp:geoJSONLiteral ] ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2024-01-01"^^xsd:date ] ;
    dcat:landingPage <{uri}> ;
    dcat:distribution <{uri}/csv> .

<{uri}/csv> a dcat:Distribution ;
    dct:title "{title or slug} (CSV)" ;
    dct:format "CSV" ;
    dct:license <{LICENCE}> ;
    dcat:accessURL <{NATIONAL}/files/{slug}.csv> ;
    dcat:downloadURL <{NATIONAL}/files/{slug}.csv> .
"""


def page(base: str, number: int, records: list[str], last: int) -> str:
    catalog = f"<{NATIONAL}/catalog> a dcat:Catalog ; dct:title \"Catalogue national\" .\n"
    paging = (f"<{base}/catalog.ttl?page={number}> a hydra:PagedCollection ;\n"
              f"    hydra:totalItems {len(records)} ;\n")
    if number < last:
        paging += f"    hydra:next <{base}/catalog.ttl?page={number + 1}> ;\n"
    paging += f"    hydra:last <{base}/catalog.ttl?page={last}> .\n"
    return PREFIXES + catalog + paging + "".join(records)


class Catalogue:
    """Pages by number; tests change them between harvest runs."""

    def __init__(self) -> None:
        self.pages: dict[int, list[str]] = {}
        self.base = ""
        self.requests: list[str] = []

    def body(self, number: int) -> str | None:
        if number not in self.pages:
            return None
        return page(self.base, number, self.pages[number], max(self.pages))


@contextlib.contextmanager
def served(catalogue: Catalogue) -> Iterator[Catalogue]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            catalogue.requests.append(self.path)
            number = int(self.path.rsplit("page=", 1)[1]) if "page=" in self.path else 1
            body = catalogue.body(number) if self.path.startswith("/catalog.ttl") else None
            if body is None:
                self.send_error(404)
                return
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    catalogue.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield catalogue
    finally:
        server.shutdown()
        server.server_close()
