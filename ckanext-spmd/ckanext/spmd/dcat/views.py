"""The published SKOS concept schemes: ``/vocabulary/<scheme>`` (Turtle or
JSON-LD, by extension or Accept header); concept URIs resolve to their scheme."""
from __future__ import annotations

from ckan.plugins import toolkit
from flask import Blueprint, Response, request

from ckanext.dcat.utils import catalog_uri

from . import vocabulary as voc

vocabulary = Blueprint("spmd_vocabulary", __name__)

FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json; charset=utf-8"),
}
JSONLD_CONTEXT = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
}


def negotiated() -> str:
    best = request.accept_mimetypes.best_match(
        ["text/turtle", "application/ld+json", "application/json"], default="text/turtle")
    return "ttl" if best == "text/turtle" else "jsonld"


def serve(slug: str, fmt: str | None = None) -> Response:
    scheme = voc.SCHEMES.get(slug)
    if scheme is None or (fmt is not None and fmt not in FORMATS):
        return toolkit.abort(404, toolkit._("Unknown vocabulary"))
    rdflib_format, content_type = FORMATS[fmt or negotiated()]
    graph = voc.scheme_graph(catalog_uri(), scheme)
    if rdflib_format == "json-ld":
        body = graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True)
    else:
        body = graph.serialize(format=rdflib_format)
    response = Response(body, content_type=content_type)
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def read_scheme(slug: str) -> Response:
    if "." in slug:
        slug, fmt = slug.rsplit(".", 1)
        return serve(slug, fmt)
    return serve(slug)


def read_concept(slug: str, code: str) -> Response:
    scheme = voc.SCHEMES.get(slug)
    if scheme is None or voc.concept(scheme, code.split(".")[0]) is None:
        return toolkit.abort(404, toolkit._("Unknown concept"))
    return serve(slug, code.split(".", 1)[1] if "." in code else None)


vocabulary.add_url_rule("/vocabulary/<slug>", view_func=read_scheme)
vocabulary.add_url_rule("/vocabulary/<slug>/<code>", view_func=read_concept)
