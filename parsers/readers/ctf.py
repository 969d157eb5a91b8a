"""Common Transfer Files (CTF XML), read with a hardened parser.

defusedxml refuses DTDs, entities and external references, so a
"billion laughs" or an external-entity file is refused with its reason and
never expanded or fetched. Any CTF version is read; an unknown one is a warning.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from parsers.document import Extract, ReadError, clean

KNOWN_VERSIONS = {"18", "19", "20", "21", "22", "23", "24", "25", "26"}
LOST = {"XXX", "XXXX", "MMM", "MMMM"}


def read_ctf(data: bytes) -> Extract:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ReadError(
            "the XML file declares a DTD or entities (a known attack): not read"
        ) from None
    except (ParseError, ValueError) as exc:
        raise ReadError(f"the XML file is damaged and cannot be read ({exc})") from None
    if _local(root.tag) != "CTfile":
        raise ReadError("an XML file that is not a Common Transfer File: not read")
    out = Extract()
    header = _child(root, "Header")
    version = _text(header, "CTFversion")
    if version and version.split(".")[0] not in KNOWN_VERSIONS:
        out.warnings.append(f"CTF version {version} is not one cme knows; read as usual")
    source = _child(header, "SourceSchool")
    dest = _child(header, "DestSchool")
    pupils = [p for p in _all(root, "Pupil")]
    if not pupils:
        raise ReadError("the CTF holds no pupil")
    if len(pupils) > 1:
        out.warnings.append(f"the CTF holds {len(pupils)} pupils: only the first is read")
    fields = _pupil(pupils[0])
    fields.update(_school(source, "school"))
    lost = _text(dest, "LEA") in LOST or _text(dest, "Estab") in LOST
    if not lost and _text(dest, "SchoolName"):
        fields["destination_school"] = _text(dest, "SchoolName")
    out.fields = {k: v for k, v in fields.items() if v}
    kind_line = "lost pupil CTF (destination unknown: XXX)" if lost else "CTF transfer"
    out.text = "\n".join(
        [f"Common Transfer File: {kind_line}", *(f"{k}: {v}" for k, v in out.fields.items())]
    )
    return out


def _pupil(pupil: Element) -> dict[str, str]:
    basic = _child(pupil, "BasicDetails")
    forenames = " ".join(filter(None, [_text(pupil, "Forename"), _text(basic, "MiddleNames")]))
    address = _child(pupil, "Address")
    # Either form of address may be absent: a CTF may carry either or neither.
    lines = _child(address, "AddressLines")
    address_text = ", ".join(clean(e.text or "") for e in list(lines or ()) if clean(e.text or ""))
    if not address_text:
        bs7666 = _child(address, "BS7666Address")
        address_text = ", ".join(
            clean(e.text or "")
            for e in list(bs7666 or ())
            if clean(e.text or "") and _local(e.tag) != "PostCode"
        )
    fields = {
        "child_upn": _text(pupil, "UPN"),
        "child_surname": _text(pupil, "Surname"),
        "child_forenames": forenames,
        "child_dob": _text(pupil, "DOB"),
        "child_gender": _text(pupil, "Gender") or _text(pupil, "Sex"),
        "child_year_group": _text(basic, "NCyearActual") or _text(pupil, "NCyearActual"),
        "child_address": address_text,
        "child_postcode": _text(address, "PostCode"),
    }
    contacts = sorted(_all(pupil, "Contact"), key=lambda c: _text(c, "Order") or "9")
    if contacts:
        first = contacts[0]
        fields["parent_name"] = " ".join(
            filter(None, [_text(first, "Forename"), _text(first, "Surname")])
        )
        fields["parent_phone"] = next(
            (clean(p.text or "") for p in _all(first, "PhoneNo") + _all(first, "TelephoneNumber")
             if clean(p.text or "")), "")
        fields["parent_email"] = next(
            (clean(e.text or "") for e in _all(first, "EmailAddress")), ""
        )
    return fields


def _school(element: Element | None, prefix: str) -> dict[str, str]:
    lea, estab = _text(element, "LEA"), _text(element, "Estab")
    return {
        f"{prefix}_name": _text(element, "SchoolName"),
        f"{prefix}_laestab": f"{lea}{estab}" if lea.isdigit() and estab.isdigit() else "",
        f"{prefix}_urn": _text(element, "URN"),
    }


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next((c for c in element if _local(c.tag) == name), None)


def _all(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [e for e in element.iter() if _local(e.tag) == name]


def _text(element: Element | None, name: str) -> str:
    found = _child(element, name)
    return clean(found.text or "") if found is not None else ""
