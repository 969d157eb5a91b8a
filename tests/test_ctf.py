"""The CTF reader takes either form of address, and the contact's phone wherever it sits."""

from __future__ import annotations

from parsers.readers.ctf import read_ctf

CTF = b"""<?xml version="1.0" encoding="UTF-8"?>
<CTfile>
  <Header><DocumentName>Common Transfer File</DocumentName><CTFversion>23.0</CTFversion>
    <SourceSchool><LEA>931</LEA><Estab>4001</Estab><SchoolName>Example Primary School</SchoolName>
    </SourceSchool>
    <DestSchool><LEA>MMM</LEA><Estab>MMMM</Estab></DestSchool>
  </Header>
  <CTFpupilData><Pupil>
    <UPN>A931400112345</UPN><Surname>Example</Surname><Forename>Sam</Forename>
    <DOB>2015-04-03</DOB><Gender>M</Gender>
    <Address>%s<PostCode>OX1 1AA</PostCode></Address>
    <Contacts><Contact><Order>1</Order><Surname>Example</Surname><Forename>Jo</Forename>
      <Phones><Phone><TelephoneType>M</TelephoneType><PhoneNo>07700900123</PhoneNo></Phone>
      </Phones></Contact></Contacts>
  </Pupil></CTFpupilData>
</CTfile>"""


def test_a_bs7666_address_without_address_lines():
    out = read_ctf(CTF % b"<BS7666Address><SAON>Flat 2</SAON><PAON>Mill House</PAON>"
                          b"<Street>River Lane</Street><Town>Exampleton</Town></BS7666Address>")
    assert out.fields["child_address"] == "Flat 2, Mill House, River Lane, Exampleton"
    assert out.fields["child_postcode"] == "OX1 1AA"
    assert out.fields["parent_phone"] == "07700900123"


def test_no_address_at_all_is_no_address():
    out = read_ctf(CTF % b"")
    assert "child_address" not in out.fields and out.fields["child_surname"] == "Example"
