"""The wording of the shipped letters, used by build_templates.py.

A body is a sequence of blocks: a string is one paragraph (a "\\n" inside it is a
line break), ``Details`` is a two-column table of label and value, and ``when()``
wraps paragraphs in docxtpl's ``{%p if ... %}`` / ``{%p endif %}`` so the whole
paragraphs disappear when the condition is false.

A value that may be unknown never leaves a hole: its table row sits between
``{%tr if %}`` rows, its sentence between ``{% if %}`` tags, and a sentence
about another letter (``letters.STEM``) appears only when that letter was
written for the case. ``cme templates check`` renders every letter for a full
case and a sparse one to hold them to that.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Details:
    # label, value, and the condition that shows the row (None: always)
    rows: tuple[tuple[str, str, str | None], ...]

    def lines(self) -> Iterator[tuple[str, str, str | None]]:
        yield from self.rows


def row(label: str, variable: str) -> tuple[str, str, str]:
    """A row showing one variable, left out when it is empty."""
    return (label, f"{{{{ {variable} }}}}", variable)


@dataclass(frozen=True)
class Letter:
    stem: str
    subject: str  # shown before the child's name; also the document title
    salutation: str  # used when recipient.salutation is blank
    body: tuple[str | Details, ...]
    clock: bool = False  # the letter asks for something by deadline.due


def when(condition: str, *paragraphs: str) -> tuple[str, ...]:
    return (f"{{%p if {condition} %}}", *paragraphs, "{%p endif %}")


REGS = "the School Attendance (Pupil Registration) (England) Regulations 2024"
DUE = "{% if deadline.due %}by {{ deadline.due }}{% else %}as soon as possible{% endif %}"
ESW = "the Education Social Worker{% if esw.name %}, {{ esw.name }},{% endif %}"
KEYWORKER = "the child's keyworker{% if keyworker.name %}, {{ keyworker.name }},{% endif %}"
# the same at the end of a sentence, where the closing comma would double the full stop
KEYWORKER_END = "the child's keyworker{% if keyworker.name %}, {{ keyworker.name }}{% endif %}"
NOTIFIED = "{% if dates.notified %} on {{ dates.notified }}{% endif %}"
REMOVED = "{% if dates.removed_from_roll %} on {{ dates.removed_from_roll }}{% endif %}"
OPENED = "{% if case.opened %} on {{ case.opened }}{% endif %}"
ADDRESS = "{{ child.address }}{% if child.postcode %}\n{{ child.postcode }}{% endif %}"
IN_YEAR = "{% if child.year_group %}, in {{ child.year_group }},{% endif %}"
BY_SCHOOL = "{% if school.name %} by {{ school.name }}{% endif %}"
NEW_SCHOOL = "{% if school.name %}{{ school.name }}{% else %}the child's new school{% endif %}"
TO_OFFICER = ("to us{% if team.officer %}, for the attention of {{ team.officer }},{% endif %}"
              "{% if team.email %} at {{ team.email }}{% endif %}")

CHILD_ROWS = (
    ("Child", "{{ child.full_name }}", None),
    row("Date of birth", "child.dob"),
    row("UPN", "child.upn"),
    row("Year group", "child.year_group"),
    ("Last known address", ADDRESS, "child.address or child.postcode"),
)
# Formatted by hand: the formatter would break every sentence at each "+".
# fmt: off
MISSING_DETAILS = Details((
    *CHILD_ROWS,
    row("School", "school.name"),
    row("Last attended", "dates.last_attended"),
    row("Parent or carer", "parent.name"),
    row("Parent's telephone", "parent.phone"),
    row("Reason given", "reason"),
))
CP_URGENT = when(
    "flags.cp_plan",
    "{{ child.forenames }} is subject to a Child Protection Plan, so please treat this as "
    "urgent.",
)
VULNERABLE = (
    *when("flags.looked_after",
          "{{ child.forenames }} is a looked-after child. Please involve the child's social "
          "worker and the Virtual School."),
    *when("flags.known_to_social_care",
          "The family is known to children's social care, who may know where they are."),
    *when("flags.sen",
          "{{ child.forenames }} has special educational needs. Please keep the SEN team "
          "informed."),
    *when("flags.traveller",
          "The family is from a Gypsy, Roma or Traveller community and may be travelling. The "
          "Traveller Education Service can help to trace them."),
)

LETTERS: tuple[Letter, ...] = (
    Letter("acknowledgement_school", "Children missing education notification", "Head Teacher", (
        "Thank you for your notification" + NOTIFIED + " that {{ child.full_name }}" + IN_YEAR
        + " may be missing education. We have recorded it on our register of children missing "
        "education under the reference above; please quote it whenever you contact us about "
        "this child.",
        *when("reason", "The reason you gave: {{ reason }}."),
        *when("letters.esw_enquiry_request",
              "We have asked " + ESW + " to make enquiries with the family and other agencies, "
              "and they may contact you for information."),
        "Please keep {{ child.forenames }} on your admission register while our enquiries "
        "continue. Under regulation 9(1)(i) of " + REGS + ", a pupil may be removed after 20 "
        "school days of continuous absence only once both the school and the local authority "
        "have made reasonable enquiries, so please do not remove {{ child.forenames }} until the "
        "Education Social Worker advises you to. When you do, please send us the deletion return "
        "that regulation 13 requires and upload the Common Transfer File to the School to School "
        "(S2S) service.",
        "Please tell us straight away if {{ child.forenames }} returns to school or if you learn "
        "where the family has gone.",
        *when("flags.cp_plan",
              "{{ child.forenames }} is subject to a Child Protection Plan."
              "{% if letters.keyworker_notification %} We have told " + KEYWORKER + " today."
              "{% endif %} Please also follow your own safeguarding procedures and share "
              "anything you learn with children's social care without waiting for us."),
    )),
    Letter("esw_enquiry_request", "Request for enquiries", "colleague", (
        "{% if school.name %}{{ school.name }} has told us{% else %}We have been told{% endif %}"
        + NOTIFIED + " that {{ child.full_name }}" + IN_YEAR + " may be missing education. "
        "Please make enquiries to find out where the child is and whether they are receiving a "
        "suitable education.",
        MISSING_DETAILS,
        "Please visit the last known address and check with the family, neighbours, health, "
        "housing and other agencies, as the Department for Education's statutory guidance "
        "'Children missing education' expects. The school may remove the pupil under "
        "regulation 9(1)(i) of " + REGS + " only after 20 school days of continuous absence and "
        "once both the school and the local authority have made reasonable enquiries, so please "
        "advise the school, and copy us, when removal is appropriate.",
        "Please let us have the outcome of your enquiries " + DUE + ": whether "
        "{{ child.forenames }} has been found, where the child is living and which school they "
        "attend, or that they are still missing.",
        *when("flags.cp_plan",
              "{{ child.forenames }} is subject to a Child Protection Plan, so this request is "
              "urgent.{% if letters.keyworker_notification %} We have told " + KEYWORKER
              + " and you may wish to speak to them first.{% endif %}"),
        *VULNERABLE,
    ), clock=True),
    Letter("esw_chase", "Reminder: enquiries about a child missing education", "colleague", (
        "{% if letters.esw_enquiry_request %}We asked you" + OPENED + " to make enquiries about "
        "{{ child.full_name }}{% else %}We are waiting for the outcome of enquiries about "
        "{{ child.full_name }}{% endif %}, who was reported to us as missing education"
        + BY_SCHOOL + ". We have not yet received the outcome, which is now overdue.",
        "Please let us have the outcome " + DUE + ". If your enquiries are not finished, please "
        "tell us what has been done so far and what is planned, so that our register stays "
        "accurate.",
        "Our procedures require us to refer any enquiry still open after 20 school days to your "
        "service manager.",
        *CP_URGENT,
    ), clock=True),
    Letter("keyworker_notification",
           "Urgent: child on a Child Protection Plan missing education", "colleague", (
        "I am writing to tell you that {{ child.full_name }}, who is subject to a Child "
        "Protection Plan, has been reported to us as missing education"
        "{% if referrer.organisation %} by {{ referrer.organisation }}"
        "{% elif school.name %} by {{ school.name }}{% endif %}" + NOTIFIED + ".",
        MISSING_DETAILS,
        "{% if letters.esw_enquiry_request %}We have asked " + ESW + " to make enquiries. "
        "Please share with us and with the Education Social Worker{% else %}Please share with us"
        "{% endif %} anything you know about where the child is, and consider whether a "
        "strategy discussion or a review of the Child Protection Plan is needed.",
        "Please contact us straight away if you know where {{ child.forenames }} is, or if the "
        "child's circumstances change.",
    )),
    Letter("ehe_acknowledgement_parent", "Elective home education", "Parent or Carer", (
        "Thank you for letting us know that you have decided to educate {{ child.forenames }} at "
        "home{% if dates.ehe_start %} from {{ dates.ehe_start }}{% endif %}. "
        "{% if school.name %}{{ school.name }}{% else %}Your child's school{% endif %} has told "
        "us that, following your written notice, {{ child.forenames }} was removed from the "
        "school's admission register" + REMOVED + " under regulation 9(1)(f) of " + REGS + ".",
        "As a parent, you are responsible for making sure that {{ child.forenames }} receives a "
        "suitable, efficient, full-time education (section 7 of the Education Act 1996). The "
        "local authority must identify children who are not receiving a suitable education, so "
        "our Elective Home Education team will contact you to offer advice and to ask about the "
        "education you are providing.",
        *when("flags.sen",
              "If {{ child.forenames }} has an education, health and care plan, the plan stays in "
              "place, and we will review it with you to agree how the special educational "
              "provision will be made."),
        "If you change your mind, you can apply for a school place at any time through the "
        "school admissions team. Please let us know if you move house, so that our records stay "
        "up to date.",
    )),
    Letter("file_transfer_request", "Elective home education: transfer of pupil file",
           "Head Teacher", (
        "Thank you for telling us that {{ child.full_name }} was removed from your admission "
        "register" + REMOVED + " under regulation 9(1)(f) of " + REGS + ", because the parent "
        "has chosen to educate the child at home.",
        "While a child is educated at home, our procedures ask the school to transfer the pupil "
        "file to the Service Manager, Tracking and Monitoring. Please send the educational record, "
        "with any special educational needs records, securely " + TO_OFFICER + " " + DUE
        + ", quoting our reference.",
        "Please ask your designated safeguarding lead to send any child protection file "
        "separately, by secure transfer.",
        *when("flags.cp_plan",
              "{{ child.forenames }} is subject to a Child Protection Plan. If you have not "
              "already done so, please tell " + KEYWORKER + " that the child is now educated "
              "at home."),
    ), clock=True),
    Letter("file_transfer_chase", "Reminder: elective home education pupil file",
           "Head Teacher", (
        "{% if letters.file_transfer_request %}We wrote to you" + OPENED + " asking you to "
        "transfer{% else %}We are waiting for{% endif %} the pupil file for {{ child.full_name }}, "
        "who was removed from your admission register" + REMOVED + " to be educated at home. We "
        "have not yet received it.",
        "Please send the educational record securely " + TO_OFFICER + " " + DUE + ". If you have "
        "already sent it, please tell us when and how, so that we can trace it.",
        "Until the file reaches us, our Elective Home Education team cannot see the child's "
        "history, which delays our checks that the education provided is suitable.",
    ), clock=True),
    Letter("ehe_late_notification", "Late notification of elective home education",
           "Head Teacher", (
        "We received your notification" + NOTIFIED + " that {{ child.full_name }} was removed "
        "from your admission register" + REMOVED + " because the parent has chosen to educate "
        "the child at home (regulation 9(1)(f) of " + REGS + ").",
        "Our local procedure asks schools to inform the Service Manager, Tracking and Monitoring, "
        "within 10 school days of removing a pupil for home education, and this notification "
        "reached us later than that. Regulation 13 of the same Regulations goes further: the "
        "school must make a deletion return to the local authority as soon as the ground for "
        "deletion is met, and no later than the removal itself.",
        "Prompt notification matters: the local authority must find out whether children "
        "educated at home are receiving a suitable education, and some of them are vulnerable. "
        "Please review your procedures so that future removals are reported to us no later than "
        "the day they are made.",
        *when("flags.cp_plan",
              "{{ child.forenames }} is subject to a Child Protection Plan, which makes prompt "
              "notification especially important."),
        "If you have not already done so, please also transfer the pupil file " + TO_OFFICER
        + ".",
    )),
    Letter("referral_acknowledgement", "Referral received", "colleague", (
        "Thank you for your referral" + NOTIFIED + " about {{ child.full_name }}. We have "
        "recorded it on our register of children missing education under the reference above; "
        "please quote it whenever you contact us about this child.",
        "The Service Manager, Tracking and Monitoring, will assess the referral and let you know "
        "the outcome " + DUE + ". Where a child needs help to return to education, we will "
        "identify a Lead Professional to work with the family, the school and other agencies.",
        "In the meantime, please keep working with the family and share with us, and with the "
        "child's school, any information that may help.",
        *when("flags.cp_plan",
              "As {{ child.forenames }} is subject to a Child Protection Plan, we are treating "
              "the referral as urgent and will make sure that " + KEYWORKER + " is aware."),
    ), clock=True),
    Letter("lead_professional_allocation", "Lead Professional allocation", "colleague", (
        "You have been identified as the Lead Professional for {{ child.full_name }}"
        "{% if referrer.organisation %}, following a referral from {{ referrer.organisation }}"
        "{% endif %}. The concern is that the child is not receiving a suitable education"
        "{% if reason %}: {{ reason }}{% endif %}.",
        Details((*CHILD_ROWS, row("School", "school.name"), row("Parent or carer", "parent.name"),
                 row("Parent's telephone", "parent.phone"))),
        "Please contact the family, agree with them and the agencies involved a plan to return "
        "{{ child.forenames }} to suitable education, and keep us informed so that our register "
        "stays accurate. Please send us a progress update " + DUE + ".",
        "If the issue cannot be resolved, please bring together a Team Around the Child, unless "
        "a multi-agency panel is already involved. We will review the case with you if it is "
        "still open after 40 school days.",
        *when("flags.cp_plan",
              "{{ child.forenames }} is subject to a Child Protection Plan; please work "
              "closely with " + KEYWORKER_END + "."),
        *VULNERABLE,
    ), clock=True),
    Letter("previous_school_request", "Request for pupil records", "Head Teacher", (
        "{{ child.full_name }} is now on the roll of " + NEW_SCHOOL + "{% if school.laestab %} "
        "(LAESTAB {{ school.laestab }}){% endif %}. Our records show that the child previously "
        "attended your school, but neither a Common Transfer File nor the pupil's educational "
        "record has reached " + NEW_SCHOOL + ".",
        Details((*CHILD_ROWS, row("Previous school", "previous_school.name"),
                 row("New school", "school.name"))),
        "The Education (Pupil Information) (England) Regulations 2005 require the old school to "
        "send these within 15 school days of the pupil ceasing to be registered there. Please "
        "upload the Common Transfer File to the School to School (S2S) service for "
        + NEW_SCHOOL + " and send the educational record " + DUE + ", and let us know when you "
        "have done so.",
        "If you know why the pupil left, or where they went in between, please tell us: it helps "
        "us check that the child has not been missing education.",
        "Please ask your designated safeguarding lead to send any child protection file "
        "separately and securely to the designated safeguarding lead at " + NEW_SCHOOL + ".",
        *CP_URGENT,
    ), clock=True),
    Letter("previous_school_chase", "Reminder: request for pupil records", "Head Teacher", (
        "{% if letters.previous_school_request %}We wrote to you" + OPENED + " asking you to "
        "send{% else %}We are waiting for{% endif %} the Common Transfer File and educational "
        "record for {{ child.full_name }}, who is now on the roll of " + NEW_SCHOOL + ". As far "
        "as we know, they have not yet been received.",
        "Please upload the Common Transfer File to the School to School (S2S) service for "
        + NEW_SCHOOL + "{% if school.laestab %} (LAESTAB {{ school.laestab }}){% endif %} and "
        "send the educational record " + DUE + ". If you have already sent them, please tell us "
        "when and how; if {{ child.forenames }} never attended your school, please let us know so "
        "that we can correct our records.",
        *CP_URGENT,
    ), clock=True),
    Letter("esw_escalation", "Escalation: enquiries about a child missing education",
           "colleague", (
        "I am writing about {{ child.full_name }}, reported to us as missing education"
        + BY_SCHOOL + NOTIFIED + ".{% if letters.esw_enquiry_request %} We asked " + ESW
        + " to make enquiries" + OPENED + "{% if letters.esw_chase %} and sent a reminder when "
        "the outcome became overdue{% endif %}.{% endif %} The enquiry is still open after 20 "
        "school days and we have not received an outcome.",
        MISSING_DETAILS,
        "Until the local authority's enquiries are complete, the child's whereabouts cannot be "
        "confirmed and the school cannot safely remove the pupil under regulation 9(1)(i) of "
        + REGS + ". Please make sure the enquiries are completed and the outcome sent to us "
        + DUE + ".",
        "If the child cannot be found, please confirm that they are missing, so that the school "
        "can upload a Common Transfer File to the Lost Pupil Database on the School to School "
        "(S2S) service.",
        *when("flags.cp_plan",
              "{{ child.forenames }} is subject to a Child Protection Plan: this is a "
              "safeguarding concern{% if letters.keyworker_notification %}, and " + KEYWORKER
              + " has been informed{% endif %}."),
    ), clock=True),
    Letter("case_closed", "Case closed", "colleague", (
        "Thank you for your help with {{ child.full_name }}. I am writing to let you know that "
        "we have closed this case on our register of children missing education.",
        *when("case.close_reason", "Reason for closing: {{ case.close_reason }}."),
        "If you learn anything that suggests {{ child.forenames }} is again missing education, "
        "please contact us, quoting our reference, and we will look into it straight away.",
    )),
)
# fmt: on
