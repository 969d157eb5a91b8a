"""``cme parse`` and ``cme templates``: the FIELDS.md contract from the command line."""

from __future__ import annotations

import json

from cme.resources import SAMPLES
from tests.conftest import run_cme, write_config

EMAILS = SAMPLES


def test_parse_json_contract(tmp_path):
    config = write_config(tmp_path)
    sample = EMAILS / "cme-school-docx-two-column-01.eml"
    result = run_cme(config, "parse", str(sample), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {"source", "kind", "fields", "needs_review", "documents"}
    assert out["source"] == sample.name
    assert out["kind"] == "cme_notification"
    assert out["fields"]["child_surname"] == "Thistlewood"
    body, form = out["documents"]
    assert body["part"] == "body" and body["template"] is None
    assert form["part"] == "attachment:CME Notification Form.docx"
    assert form["template"] == "cme-notification" and 0 < form["confidence"] <= 1
    assert form["warnings"] == []


def test_several_files_give_json_lines_in_order(tmp_path):
    config = write_config(tmp_path)
    names = ["other-spam-01.eml", "ehe-parent-letter-body-01.eml"]
    result = run_cme(config, "parse", *(str(EMAILS / n) for n in names), "--json")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["source"] for line in lines] == names
    assert [line["kind"] for line in lines] == ["other", "ehe_notification"]


def test_a_bare_document_is_parsed(tmp_path):
    import email
    from email import policy

    message = email.message_from_bytes(
        (EMAILS / "cme-school-pdf-inline-01.eml").read_bytes(), policy=policy.default
    )
    pdf = next(p for p in message.walk() if (p.get_filename() or "").endswith(".pdf"))
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf.get_payload(decode=True))
    result = run_cme(write_config(tmp_path), "parse", str(path), "--json")
    assert json.loads(result.stdout)["kind"] == "cme_notification"


def test_readable_table_without_json(tmp_path):
    result = run_cme(
        write_config(tmp_path), "parse", str(EMAILS / "cme-school-docx-bad-upn-01.eml")
    )
    assert result.returncode == 0
    assert "child_upn" in result.stdout and "yes" in result.stdout


def test_missing_file_is_one_line(tmp_path):
    result = run_cme(write_config(tmp_path), "parse", str(tmp_path / "absent.eml"))
    assert result.returncode == 1 and result.stderr.count("\n") == 1


def test_templates_check_and_test_pass_on_the_shipped_templates(tmp_path):
    config = write_config(tmp_path)
    checked = run_cme(config, "templates", "check")
    assert checked.returncode == 0, checked.stdout
    tested = run_cme(config, "templates", "test")
    assert tested.returncode == 0, tested.stdout


def test_templates_check_names_the_file_and_key(tmp_path):
    templates = tmp_path / "templates"
    (templates / "forms").mkdir(parents=True)  # the site's own, over the shipped ones
    (templates / "forms/broken.toml").write_text('name = "broken"\nkind = "pigeon_post"\n')
    (templates / "forms/bad-label.toml").write_text('[labels]\nchild_shoe_size = ["shoe"]\n')
    config = tmp_path / "config.toml"
    config.write_text('[parsing]\ntemplates = "templates"\n')
    result = run_cme(config, "templates", "check")
    assert result.returncode == 1
    assert f"{templates / 'forms/broken.toml'}: [kind]" in result.stdout
    assert "[labels.child_shoe_size] not a canonical field" in result.stdout
    # the daemon keeps reading with the good templates
    parsed = run_cme(config, "parse", str(EMAILS / "cme-school-docx-merged-01.eml"), "--json")
    assert json.loads(parsed.stdout)["kind"] == "cme_notification"
