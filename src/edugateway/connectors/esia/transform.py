"""The two transforms a СМЭВ 3 signature reference applies: exclusive c14n, then `urn://smev-gov-ru/xmldsig/transform`.

The СМЭВ transform is described in СМЭВ's «Методические рекомендации» and implemented by the reference Java
`SmevTransformSpi`; it normalises what exclusive c14n leaves to the writer:

- the XML declaration, processing instructions and comments are dropped;
- a text node holding only whitespace is dropped; any other text is kept verbatim (its whitespace too);
- every element and attribute namespace gets a generated prefix `ns1`, `ns2`, … from one counter over the
  whole document, declared on the element where it is first needed and in scope for its descendants only
  (a sibling using the same namespace later gets a new number); unused declarations disappear;
- attributes are sorted: qualified ones first by namespace URI then local name, then unqualified ones by
  local name; the element's own declaration comes first, then those its attributes need, in that order;
- empty elements are written as `<a></a>`;
- text escapes `&`, `<`, `>`; attribute values escape `&`, `<`, `>`, `"`; the output is UTF-8.

Where this may differ from the Java reference: text is taken as the exclusive c14n output presents it, one
text node between two tags (the Java StAX reader may report one text run as several events, each trimmed on
its own; after c14n that happens only at its buffer boundaries). Elements without a namespace are refused,
as in the reference.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from lxml import etree

EXCLUSIVE_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
SMEV_TRANSFORM = "urn://smev-gov-ru/xmldsig/transform"
_WHITESPACE = " \t\r\n"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True
)


class TransformError(ValueError):
    """The document cannot be put through the СМЭВ transform (an element without a namespace)."""


def exclusive_c14n(element: etree._Element) -> bytes:
    """Exclusive XML canonicalisation 1.0 without comments of `element`'s subtree."""
    return bytes(etree.tostring(element, method="c14n", exclusive=True, with_comments=False))


def smev_transform(document: bytes) -> bytes:
    """The СМЭВ transform of one serialised XML document (usually the exclusive c14n output)."""
    root = etree.fromstring(document, _PARSER)
    out: list[str] = []
    _write_element(root, [], itertools.count(1), out)
    return "".join(out).encode("utf-8")


def signed_bytes(element: etree._Element) -> bytes:
    """What a СМЭВ reference digests: the СМЭВ transform of the element's exclusive c14n."""
    return smev_transform(exclusive_c14n(element))


def _write_element(
    element: etree._Element, scopes: list[dict[str, str]], counter: Iterator[int], out: list[str]
) -> None:
    declared: dict[str, str] = {}  # namespace URI -> generated prefix, in declaration order
    scopes.append(declared)
    name = etree.QName(element)
    if not name.namespace:
        raise TransformError(f"element <{name.localname}> has no namespace; the СМЭВ transform needs qualified names")
    tag = f"{_prefix(name.namespace, scopes, counter)}:{name.localname}"
    attributes = []
    for key, value in sorted(element.attrib.items(), key=_attribute_order):
        attribute = etree.QName(key)
        qualified = f"{_prefix(attribute.namespace, scopes, counter)}:" if attribute.namespace else ""
        attributes.append(f' {qualified}{attribute.localname}="{_escape_attribute(str(value))}"')
    declarations = [f' xmlns:{prefix}="{_escape_attribute(uri)}"' for uri, prefix in declared.items()]
    out.append(f"<{tag}{''.join(declarations)}{''.join(attributes)}>")
    _write_text(element.text, out)
    for child in element:
        if isinstance(child.tag, str):
            _write_element(child, scopes, counter, out)
        _write_text(child.tail, out)
    out.append(f"</{tag}>")
    scopes.pop()


def _prefix(namespace: str, scopes: list[dict[str, str]], counter: Iterator[int]) -> str:
    for scope in scopes:
        if namespace in scope:
            return scope[namespace]
    prefix = f"ns{next(counter)}"
    scopes[-1][namespace] = prefix
    return prefix


def _attribute_order(item: tuple[str | bytes, str | bytes]) -> tuple[int, str, str]:
    name = etree.QName(item[0])
    return (0, name.namespace, name.localname) if name.namespace else (1, "", name.localname)


def _write_text(text: str | None, out: list[str]) -> None:
    if text and text.strip(_WHITESPACE):
        out.append(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _escape_attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
