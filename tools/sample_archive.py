"""Writes the bundled sample archive (fictional people and organisations only).

Kept as a script so the sample stays consistent when the format grows; the
files it writes are committed and are what the README's commands run on.
Run: python tools/sample_archive.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

D = dt.date.fromisoformat
ROOT = Path(__file__).resolve().parent.parent / "archive"


def org(name, sector, role):
    return {"name": name, "sector": sector, "role": role}


def said(i, text, topics=None, revisits=None):
    d = {"id": f"S{i}", "text": text}
    if topics:
        d["topics"] = topics
    if revisits:
        d["revisits"] = revisits
    return d


def revisit(finding, outcome, note=None):
    """A finding going back to an earlier one (contract section 6)."""
    d = {"finding": finding, "outcome": outcome}
    if note:
        d["note"] = note
    return d


def told(date, channel, note=None):
    """feedback_given: when and how people were told what was done."""
    d = {"date": D(date), "channel": channel}
    if note:
        d["note"] = note
    return d


def did(i, responds, status, text, date=None, reason=None):
    d = {"id": f"D{i}", "responds_to": responds, "status": status, "text": text}
    if date:
        d["date"] = D(date)
    if reason:
        d["reason"] = reason
    return d


RECORDS = []


def record(meta, body):
    RECORDS.append((meta, body))


HARBOUR = "Harbour Lane Mental Health NHS Foundation Trust"
SOMALI_2019 = "2019-03-somali-mothers-parenting"
PEER_2018 = "2018-05-peer-coaching-programme"

record(
    {
        "id": "2018-05-peer-coaching-programme",
        "title": "Peer coaching programme shaped by a lived-experience management committee",
        "aim": "To shape how the new peer coaching programme takes referrals, writes to people and supports its peer coaches, with the people it is for.",
        "status": "completed",
        "date": D("2018-05-14"),
        "end_date": D("2019-04-30"),
        "organisations": [
            org(HARBOUR, "nhs", "lead"),
            org("Open Door Peer Network", "voluntary", "partner"),
            org("North Central London Integrated Care Board", "commissioner", "funder"),
        ],
        "places": ["camden", "islington"],
        "methods": ["lived-experience-committee", "workshop"],
        "ladder": "co-production",
        "populations": ["peer-workers", "mental-health-service-users"],
        "participants": 14,
        "topics": ["peer-support", "referral", "language-and-interpreting", "peer-worker-wellbeing"],
        "asked": [
            "How should people be referred to a peer coach?",
            "What words in our letters and leaflets put people off?",
            "What do peer coaches need to stay well in the role?",
        ],
        "you_said": [
            said(1, "Referral only through a care coordinator meant people who most needed a peer coach never heard of it.", ["referral"]),
            said(2, "Letters full of clinical words like 'non-compliant' and 'disengaged' made people feel judged before they arrived.", ["language-and-interpreting", "stigma"]),
            said(3, "Peer coaches carry a lot of other people's distress and need protected time to talk it through.", ["peer-worker-wellbeing"]),
            said(4, "The committee should decide how the programme budget is spent.", ["governance"]),
        ],
        "we_did": [
            did(1, ["S1"], "done", "Opened self-referral by text form and through GP practices and the Open Door drop-in.", "2018-09-03"),
            did(2, ["S2"], "done", "The committee wrote a plain-language guide; every programme letter was rewritten with it.", "2018-11-20"),
            did(3, ["S3"], "done", "Monthly reflective supervision with an external supervisor, in paid time.", "2018-10-01"),
            did(4, ["S4"], "not-doing", "The committee does not control the programme budget.",
                reason="The trust's standing financial instructions keep budget decisions with the trust board; the committee now sees the budget each quarter and its chair attends the budget meeting."),
        ],
        "decisions": [
            {"text": "Referral criteria and routes", "made_by": "joint", "date": D("2018-07-10")},
            {"text": "Plain-language guide for all letters", "made_by": "joint", "date": D("2018-09-18")},
            {"text": "Programme budget stays with the trust board", "made_by": "organisation", "date": D("2018-06-05")},
        ],
        "contributors": [
            {"role": "committee chair", "credit": "named", "name": "Marigold Teasdale"},
            {"role": "peer coach", "credit": "named", "name": "Fenwick Oduya"},
            {"role": "committee member", "credit": "anonymous"},
            {"role": "committee member", "credit": "anonymous"},
        ],
        "recognition": {"payment": "sessional", "rate": "London Living Wage per session, paid within 14 days", "other": ["training", "references"]},
        "consent": {"quotes": True, "recontact": True, "recontact_via": "Peer Coaching Team, Harbour Lane Trust"},
        "review_by": D("2020-05-01"),
        "feedback_given": [
            told("2019-05-20", "the committee's closing meeting and the programme newsletter",
                 "What changed for each thing the committee raised, and why the budget stays with the trust board."),
        ],
    },
    """## Summary

A twelve-month peer coaching programme for people leaving community mental health
teams. A management committee of people with lived experience met monthly and
shaped how people are referred, the language the programme uses, and how peer
coaches are supported. Budget decisions stayed with the trust.

## What happened

Fourteen committee members met eleven times. Three workshops tested referral
routes and letters with people on the waiting list.

## Reflections

- What went well: the plain-language guide is now used beyond the programme.
- What did not: the committee was told late that the budget was not theirs to
  decide; that should have been said on day one.
- What we learned: say plainly what is and is not up for decision.
""",
)

record(
    {
        "id": "2019-03-somali-mothers-parenting",
        "title": "Somali mothers on parenting and family support in Islington",
        "aim": "To learn why few Somali mothers in Islington use family hubs and parenting courses, to shape the family hubs' programme for 2019-20.",
        "status": "completed",
        "date": D("2019-03-09"),
        "end_date": D("2019-05-25"),
        "organisations": [
            org("Hiddo Women's Association", "voluntary", "lead"),
            org("Islington Family Hubs", "local-authority", "partner"),
        ],
        "places": ["islington"],
        "methods": ["focus-group", "community-conversation"],
        "ladder": "consultation",
        "populations": ["somali-women", "mothers"],
        "participants": 32,
        "topics": ["parenting", "language-and-interpreting", "stigma"],
        "asked": [
            "What helps you most in bringing up your children here?",
            "What stops you using children's centres and parenting courses?",
        ],
        "you_said": [
            said(1, "Parenting courses are in English only and feel as if they are for other families.", ["parenting", "language-and-interpreting"]),
            said(2, "We want women interpreters, especially when talking about our bodies and our children's health.", ["language-and-interpreting"]),
            said(3, "Many mothers fear that asking for help will bring social services to the door.", ["stigma"]),
            said(4, "Sessions at school pick-up time or with no creche are impossible for mothers of several children.", ["parenting"]),
        ],
        "we_did": [
            did(1, ["S1"], "done", "A Somali-language parenting group now runs each term at the Hornsey Road family hub.", "2019-09-16"),
            did(2, ["S2"], "done", "The family hubs book women interpreters by default for Somali-speaking mothers.", "2019-07-01"),
            did(3, ["S4"], "planned", "Move sessions to mid-morning with a creche."),
        ],
        "contributors": [
            {"role": "community researcher", "credit": "named", "name": "Ubah Warsame-Ellery"},
            {"role": "participant", "credit": "anonymous"},
        ],
        "recognition": {"payment": "vouchers", "rate": "shopping voucher per session", "other": ["certificates"]},
        "consent": {"quotes": False, "recontact": True, "recontact_via": "Islington Family Hubs engagement team"},
        "review_by": D("2022-03-01"),
        "feedback_given": [
            told("2019-10-05", "community meeting at Hiddo Women's Association",
                 "The new Somali-language parenting group and women interpreters, and that we had no answer yet on fear of social services."),
        ],
    },
    """## Summary

Five focus groups and two community conversations with Somali mothers in
Islington about bringing up children and using family services.

## What happened

The groups met in a community centre and at a mosque women's room, in Somali,
with a bilingual facilitator from the association.

## Reflections

- What went well: meeting in places the women already use.
- What did not: we had no answer on the fear of social services and said so.
- What we learned: bring a family hub manager who can answer questions on the day.
""",
)

record(
    {
        "id": "2024-04-somali-mothers-parenting-follow-up",
        "title": "Does it still hold? Returning to Somali mothers on parenting",
        "aim": "To go back to the Somali mothers we met in 2019, ask whether what they told us still holds, and report what changed since.",
        "status": "active",
        "date": D("2024-04-13"),
        "organisations": [
            org("Islington Family Hubs", "local-authority", "lead"),
            org("Hiddo Women's Association", "voluntary", "partner"),
        ],
        "places": ["islington"],
        "methods": ["community-conversation", "interviews"],
        "ladder": "engagement",
        "populations": ["somali-women", "mothers"],
        "participants": 21,
        "topics": ["parenting", "language-and-interpreting", "stigma"],
        "asked": [
            "In March 2019 you told us: Parenting courses are in English only and feel as if they are for other families. Does this still hold?",
            "In March 2019 you told us: We want women interpreters, especially when talking about our bodies and our children's health. Does this still hold?",
            "In March 2019 you told us: Many mothers fear that asking for help will bring social services to the door. Does this still hold?",
            "In March 2019 you told us: Sessions at school pick-up time or with no creche are impossible for mothers of several children. Does this still hold?",
        ],
        "you_said": [
            said(1, "The Somali parenting group helps, but it stopped when the facilitator left and nobody told us.", ["parenting"],
                 [revisit(f"{SOMALI_2019}#S1", "changed", "There is a course in Somali now, but only while one facilitator runs it.")]),
            said(2, "Fear of social services is still there; a named family worker we already know would help.", ["stigma"],
                 [revisit(f"{SOMALI_2019}#S3", "still-holds")]),
            said(3, "Women interpreters are booked for us now without asking; nobody raised this as a problem.", ["language-and-interpreting"],
                 [revisit(f"{SOMALI_2019}#S2", "no-longer-holds")]),
            said(4, "Mid-morning sessions suit some of us, but there is still no creche at most of them.", ["parenting"],
                 [revisit(f"{SOMALI_2019}#S4", "unclear", "Mothers who had used the new times disagreed with those who had not been since 2019.")]),
        ],
        "we_did": [
            did(1, ["S1"], "in-progress", "Training a second facilitator so the group does not depend on one person."),
            did(2, ["S4"], "planned", "Ask each family hub to run a creche alongside its mid-morning sessions."),
        ],
        "related": ["2019-03-somali-mothers-parenting"],
        "contributors": [{"role": "participant", "credit": "anonymous"}],
        "recognition": {"payment": "vouchers"},
        "consent": {"quotes": False, "recontact": True, "recontact_via": "Islington Family Hubs engagement team"},
        "review_by": D("2027-04-01"),
    },
    """## Summary

A follow-up five years on: we went back to ask whether what Somali mothers told
us in 2019 still holds, and to report what changed.

## What happened

Two community conversations and eight interviews so far.

## Reflections

Several women said it was the first time anyone had come back to them.
""",
)

record(
    {
        "id": "2019-10-young-carers-survey",
        "title": "Young carers' survey on school and mental health",
        "status": "completed",
        "date": D("2019-10-01"),
        "end_date": D("2019-12-13"),
        "organisations": [org("Salford City Council", "local-authority", "lead")],
        "places": ["salford"],
        "methods": ["online-survey"],
        "ladder": "informing",
        "populations": ["young-carers"],
        "participants": 118,
        "topics": ["carers-support", "mental-health"],
        "asked": ["What would make school easier for you as a young carer?"],
        "you_said": [
            said(1, "Teachers do not know who is a young carer, so lateness is punished."),
            said(2, "Young carers want somewhere to talk that is not in front of classmates."),
        ],
        "we_did": [
            did(1, ["S1"], "done", "Every secondary school now has a named young carers lead.", "2020-09-01"),
        ],
        "consent": {"quotes": True, "recontact": False},
    },
    """## Summary

An online survey of young carers aged 11 to 18 about school and wellbeing.

## Reflections

A survey told us what, not why; a follow-up should meet young carers in person.
""",
)

record(
    {
        "id": "2020-06-digital-gp-access",
        "title": "Getting a GP appointment when everything moved online",
        "status": "completed",
        "date": D("2020-06-15"),
        "end_date": D("2020-08-28"),
        "organisations": [
            org("North Central London Integrated Care Board", "commissioner", "lead"),
            org("Barnet Healthwatch Friends", "voluntary", "partner"),
        ],
        "places": ["barnet", "enfield"],
        "methods": ["online-survey", "interviews"],
        "ladder": "consultation",
        "populations": ["gp-patients", "older-people"],
        "participants": 640,
        "topics": ["gp-access", "digital-inclusion"],
        "asked": ["How did you get GP help during the first lockdown?"],
        "you_said": [
            said(1, "Online forms close by 8.30 in the morning, so people without the internet cannot get in."),
            said(2, "Older people want a phone route that is as good as the online one."),
            said(3, "Text reminders in English only are missed by families who read other languages.", ["language-and-interpreting"]),
        ],
        "we_did": [
            did(1, ["S1", "S2"], "done", "Practices keep phone lines open all day with the same slots as online.", "2021-01-11"),
        ],
        "consent": {"quotes": True, "recontact": False},
        "review_by": D("2023-06-01"),
    },
    """## Summary

A survey and follow-up interviews on access to GP practices during the pandemic.

## Reflections

The survey itself was online, so it under-heard the people it was about.
""",
)

record(
    {
        "id": "2021-02-gp-care-plan-co-design",
        "title": "Co-designing the GP care plan with people with long-term conditions",
        "aim": "To design, with the people who use it, the care plan template every practice in the federation uses.",
        "status": "completed",
        "date": D("2021-02-08"),
        "end_date": D("2021-07-30"),
        "organisations": [
            org("Fleetside GP Federation", "nhs", "lead"),
            org("Thameside University Centre for Care Research", "academic", "partner"),
        ],
        "places": ["hackney", "tower-hamlets"],
        "methods": ["co-design-workshop", "interviews"],
        "ladder": "co-design",
        "populations": ["people-with-long-term-conditions", "gp-patients", "gp-practice-staff"],
        "participants": 26,
        "topics": ["care-planning", "gp-access"],
        "asked": [
            "What should a care plan that you own look like?",
            "What would you want to bring to a care-planning appointment?",
        ],
        "you_said": [
            said(1, "A care plan should start with what matters to me, not with my test results.", ["care-planning"]),
            said(2, "Send the questions a week before so I can think and talk to my family.", ["care-planning"]),
            said(3, "Let me see and correct my plan on paper, not only in an app.", ["digital-inclusion"]),
        ],
        "we_did": [
            did(1, ["S1"], "done", "The new template opens with 'What matters to me'.", "2021-09-01"),
            did(2, ["S2"], "done", "Practices post or text a preparation sheet seven days ahead.", "2021-10-04"),
            did(3, ["S3"], "in-progress", "A printed copy is offered at every review; correcting it online is being built."),
        ],
        "decisions": [
            {"text": "Order and wording of the care plan template", "made_by": "joint", "date": D("2021-06-15")},
        ],
        "contributors": [
            {"role": "co-designer", "credit": "named", "name": "Perpetua Lindqvist-Obi"},
            {"role": "co-designer", "credit": "anonymous"},
            {"role": "practice nurse", "credit": "named", "name": "Idris Pemberton-Vale"},
        ],
        "recognition": {"payment": "hourly", "rate": "£20 an hour plus travel", "other": ["certificates"]},
        "consent": {"quotes": True, "recontact": True, "recontact_via": "Fleetside GP Federation patient involvement lead"},
        "feedback_given": [
            told("2021-11-10", "a closing workshop with the co-designers"),
            told("2022-02-01", "a summary posted in every practice's waiting room",
                 "Also says why correcting the plan online is taking longer."),
        ],
        "review_by": D("2024-02-01"),
    },
    """## Summary

Six co-design workshops with patients, carers and practice staff produced a new
personalised care plan template now used in 31 practices.

## Reflections

Mixing patients and staff in the same room worked once staff stopped presenting.
""",
)

record(
    {
        "id": "2021-09-phb-peer-network",
        "title": "Peer network for people using personal health budgets",
        "status": "completed",
        "date": D("2021-09-20"),
        "organisations": [org("Brixton Budget Holders Collective", "community", "lead")],
        "places": ["lambeth"],
        "methods": ["community-conversation", "peer-research"],
        "ladder": "engagement",
        "populations": ["disabled-people", "people-with-long-term-conditions"],
        "participants": 19,
        "topics": ["personal-health-budgets", "peer-support"],
        "asked": ["What do you wish someone had told you before you took on a PHB?"],
        "you_said": [
            said(1, "The paperwork for a personal health budget is overwhelming at first; a buddy who has done it helps most."),
            said(2, "Payments to personal assistants are often late because the budget arrives late."),
        ],
        "we_did": [
            did(1, ["S1"], "done", "A buddy scheme pairs new budget holders with experienced ones.", "2022-01-10"),
            did(2, ["S2"], "not-doing", "We cannot change when the budget is paid.",
                reason="Payment dates are set by the commissioner; we raised it with them and report their answer in the 2022 newsletter."),
        ],
        "contributors": [{"role": "peer researcher", "credit": "anonymous"}],
        "recognition": {"payment": "expenses-only"},
        "consent": {"quotes": True, "recontact": False},
    },
    """## Summary

Budget holders met monthly to share what they had learned the hard way.
""",
)

record(
    {
        "id": "2022-01-staff-co-production-training-module",
        "title": "Co-production in practice: a training module for health and care staff",
        "status": "completed",
        "date": D("2022-01-17"),
        "end_date": D("2022-06-30"),
        "organisations": [
            org("Thameside University Centre for Care Research", "academic", "lead"),
            org(HARBOUR, "nhs", "partner"),
            org("Camden Council Adult Social Care", "local-authority", "partner"),
        ],
        "places": ["camden"],
        "methods": ["training-course", "workshop"],
        "ladder": "educating",
        "populations": ["nhs-staff", "council-staff", "people-with-lived-experience"],
        "participants": 64,
        "topics": ["training", "co-production-practice", "recognition-and-payment"],
        "asked": ["What do staff need to know before they invite people to co-produce?"],
        "you_said": [
            said(1, "Staff did not know they could pay people for their time, or how.", ["recognition-and-payment"]),
            said(2, "Lived-experience trainers should be paid the same as other trainers."),
        ],
        "we_did": [
            did(1, ["S1"], "done", "The module includes the payment policy and a worked example.", "2022-04-04"),
            did(2, ["S2"], "done", "Co-trainers are paid the university's associate lecturer rate.", "2022-02-01"),
        ],
        "contributors": [
            {"role": "co-trainer", "credit": "named", "name": "Ottoline Ashgrove"},
            {"role": "co-trainer", "credit": "anonymous"},
        ],
        "recognition": {"payment": "salaried", "other": ["training"]},
        "consent": {"quotes": True, "recontact": False},
    },
    """## Summary

A half-day module, co-written and co-delivered with trainers with lived
experience, taught to 64 staff in four cohorts.
""",
)

record(
    {
        "id": "2022-07-housing-benefits-drop-in",
        "title": "Housing and benefits drop-in for people sleeping rough",
        "status": "completed",
        "date": D("2022-07-05"),
        "organisations": [org("Manchester City Council Homelessness Service", "local-authority", "lead")],
        "places": ["manchester"],
        "methods": ["drop-in"],
        "ladder": "informing",
        "populations": ["people-experiencing-homelessness"],
        "participants": 45,
        "topics": ["housing", "benefits"],
        "asked": ["What gets in the way of claiming Universal Credit without an address?"],
        "you_said": [
            said(1, "Without a fixed address, letters about benefits never arrive."),
            said(2, "Appointments at the job centre clash with hostel curfews."),
        ],
        "consent": {"quotes": False, "recontact": False},
    },
    """## Summary

Monthly drop-ins at a day centre, giving information and noting what people raised.

## Reflections

We recorded what people said but nobody owned a response: both findings are still open.
""",
)

record(
    {
        "id": "2023-03-crisis-care-listening-events",
        "title": "Listening events on mental health crisis care",
        "status": "completed",
        "date": D("2023-03-18"),
        "end_date": D("2023-05-06"),
        "organisations": [
            org("Southbank Mental Health NHS Trust", "nhs", "lead"),
            org("Peckham Black Mental Health Forum", "community", "partner"),
        ],
        "places": ["lambeth", "southwark"],
        "methods": ["community-conversation", "focus-group"],
        "ladder": "consultation",
        "populations": ["mental-health-service-users", "ethnic-minority-communities"],
        "participants": 57,
        "topics": ["crisis-care", "stigma"],
        "asked": ["What happened the last time you or someone close to you was in crisis?"],
        "you_said": [
            said(1, "Black men are more likely to meet the police than a nurse in a crisis."),
            said(2, "A crisis café open at night would keep people out of A&E."),
            said(3, "Staff should learn from people who have been sectioned."),
        ],
        "we_did": [
            did(1, ["S2"], "planned", "A night crisis café is in the 2024 business case."),
            did(2, ["S3"], "in-progress", "Lived-experience trainers join the crisis team induction."),
        ],
        "contributors": [{"role": "co-facilitator", "credit": "named", "name": "Desmond Achterberg"}],
        "recognition": {"payment": "vouchers"},
        "consent": {"quotes": True, "recontact": True, "recontact_via": "Southbank Trust involvement team"},
        "review_by": D("2025-03-01"),
    },
    """## Summary

Four listening events on what crisis care is like, co-hosted with a community forum.
""",
)

record(
    {
        "id": "2023-10-bangladeshi-elders-loneliness",
        "title": "Bangladeshi elders on loneliness after the pandemic",
        "status": "completed",
        "date": D("2023-10-02"),
        "organisations": [org("Brick Lane Elders Circle", "community", "lead")],
        "places": ["tower-hamlets"],
        "methods": ["community-conversation", "photovoice"],
        "ladder": "engagement",
        "populations": ["older-people", "bangladeshi-community"],
        "participants": 23,
        "topics": ["loneliness", "language-and-interpreting"],
        "asked": ["When do you feel most alone, and what helps?"],
        "you_said": [
            said(1, "Lunch clubs closed in the pandemic and never came back."),
            said(2, "Sylheti speakers cannot follow health talks given in English or standard Bengali.", ["language-and-interpreting"]),
        ],
        "we_did": [did(1, ["S1"], "done", "Two lunch clubs reopened with council grant funding.", "2024-02-05")],
        "contributors": [{"role": "photographer", "credit": "anonymous"}],
        "recognition": {"payment": "vouchers", "other": ["exhibition of photographs"]},
        "consent": {"quotes": True, "recontact": False},
    },
    """## Summary

Elders took photographs of places where they feel connected or alone, and talked
about them in Sylheti.
""",
)

record(
    {
        "id": "2024-11-mandatory-employment-support-sessions",
        "title": "Mandatory 'engagement' sessions for people claiming benefits",
        "status": "withdrawn",
        "date": D("2024-11-04"),
        "organisations": [org("Westway Employment Partnership", "other", "lead")],
        "places": ["birmingham"],
        "methods": ["workshop"],
        "ladder": "coercion",
        "populations": ["mental-health-service-users"],
        "topics": ["benefits", "co-production-practice"],
        "asked": ["Why did people feel they had to attend?"],
        "you_said": [
            said(1, "People came only because they were told their benefits depended on it."),
        ],
        "we_did": [
            did(1, ["S1"], "done", "The series was withdrawn and will not be counted as engagement.", "2024-12-02"),
        ],
        "consent": {"quotes": False, "recontact": False},
    },
    """## Summary

Recorded honestly: attendance was a condition of a benefits programme, so this
was not engagement. The series was withdrawn.
""",
)

record(
    {
        "id": "2025-02-hospital-discharge-carers",
        "title": "Carers co-designing hospital discharge",
        "status": "active",
        "date": D("2025-02-10"),
        "organisations": [
            org("Leeds Riverside Hospitals NHS Trust", "nhs", "lead"),
            org("Leeds Carers Together", "voluntary", "partner"),
        ],
        "places": ["leeds"],
        "methods": ["co-design-workshop"],
        "ladder": "co-design",
        "populations": ["carers"],
        "participants": 17,
        "topics": ["hospital-discharge", "carers-support"],
        "asked": ["What should happen in the 48 hours before someone you care for comes home?"],
        "you_said": [
            said(1, "Carers hear about discharge on the day, often by a phone call at work."),
            said(2, "Nobody checks whether the carer can actually do what the plan assumes."),
        ],
        "we_did": [
            did(1, ["S1"], "in-progress", "Wards are trialling a discharge date agreed with the carer 48 hours ahead."),
        ],
        "decisions": [{"text": "Carers' checklist for discharge", "made_by": "joint"}],
        "consent": {"quotes": True, "recontact": True, "recontact_via": "Leeds Carers Together"},
        "review_by": D("2026-02-01"),
    },
    """## Summary

Carers and ward staff are designing discharge together on two wards.
""",
)

record(
    {
        "id": "2025-06-peer-coaching-programme-refresh",
        "title": "Peer coaching programme refresh: the committee's second term",
        "aim": "To check with the committee what still holds from 2018, and to extend the programme to Haringey.",
        "status": "active",
        "date": D("2025-06-02"),
        "organisations": [
            org(HARBOUR, "nhs", "lead"),
            org("Open Door Peer Network", "voluntary", "partner"),
        ],
        "places": ["camden", "islington", "haringey"],
        "methods": ["lived-experience-committee"],
        "ladder": "co-production",
        "populations": ["peer-workers", "mental-health-service-users"],
        "participants": 12,
        "topics": ["peer-support", "referral", "peer-worker-wellbeing", "governance"],
        "asked": ["What has to change for the programme to reach Haringey?"],
        "you_said": [
            said(1, "Self-referral works, but the text form is not known in Haringey.", ["referral"],
                 [revisit(f"{PEER_2018}#S1", "no-longer-holds", "People now refer themselves; the gap is that Haringey has not heard of the form.")]),
            said(2, "Peer coaches want a say in how their caseload is set.", ["peer-worker-wellbeing"],
                 [revisit(f"{PEER_2018}#S3", "changed", "Supervision time is protected now; the strain has moved to the size of caseloads.")]),
            said(3, "Programme letters are easy to read now; people no longer mention the old clinical words.", ["language-and-interpreting"],
                 [revisit(f"{PEER_2018}#S2", "no-longer-holds")]),
        ],
        "we_did": [
            did(1, ["S2"], "done", "Caseloads are now set with each peer coach at supervision.", "2025-09-01"),
        ],
        "decisions": [
            {"text": "Caseload limits for peer coaches", "made_by": "joint", "date": D("2025-08-12")},
        ],
        "supersedes": "2018-05-peer-coaching-programme",
        "related": ["2018-05-peer-coaching-programme"],
        "contributors": [
            {"role": "committee chair", "credit": "named", "name": "Marigold Teasdale"},
            {"role": "committee member", "credit": "anonymous"},
        ],
        "recognition": {"payment": "sessional", "other": ["training"]},
        "consent": {"quotes": True, "recontact": True, "recontact_via": "Peer Coaching Team, Harbour Lane Trust"},
        "review_by": D("2027-01-15"),
    },
    """## Summary

The committee's second term extends the programme to Haringey.
""",
)

record(
    {
        "id": "2026-01-young-people-mental-health-design-sprint",
        "title": "Young people designing a mental health drop-in",
        "status": "planned",
        "date": D("2026-01-19"),
        "organisations": [
            org("Digbeth Youth Voice", "voluntary", "lead"),
            org("Birmingham Children's Partnership", "commissioner", "funder"),
        ],
        "places": ["birmingham"],
        "methods": ["co-design-workshop"],
        "ladder": "co-design",
        "populations": ["young-people"],
        "topics": ["mental-health", "digital-inclusion"],
        "asked": ["What would make you walk into a mental health drop-in?"],
        "consent": {"quotes": False, "recontact": True, "recontact_via": "Digbeth Youth Voice staff team"},
        "review_by": D("2026-12-01"),
    },
    """## Summary

Planned: four evening sessions with young people aged 14 to 25.
""",
)

record(
    {
        "id": "2026-03-maternity-experiences-refugee-women",
        "title": "Maternity experiences of women seeking asylum in Bristol",
        "status": "planned",
        "date": D("2026-03-02"),
        "organisations": [
            org("Avon Maternity Commissioning Group", "commissioner", "lead"),
            org("Bristol Sanctuary Mothers", "community", "partner"),
        ],
        "places": ["bristol"],
        "methods": ["interviews", "community-conversation"],
        "ladder": "consultation",
        "populations": ["mothers", "refugees-and-asylum-seekers"],
        "topics": ["maternity", "language-and-interpreting"],
        "asked": ["What made antenatal appointments easier or harder?"],
        "consent": {"quotes": False, "recontact": False},
    },
    """## Summary

Planned interviews with women who gave birth while seeking asylum.
""",
)


# ---------------------------------------------------------------- consensus statements
# What many engagements say together (contract section 8). The first rests on four
# engagements (the elders' one partly disagreeing), was agreed with a reference group
# and led to a decision; the second, agreed earlier, rests on two findings that later
# revisits found no longer hold, so copro shows it as stale.

STATEMENTS = []


def evidence(finding, stance, note=None):
    d = {"finding": finding, "stance": stance}
    if note:
        d["note"] = note
    return d


def concern(level, note=None):
    d = {"concerns": level}
    if note:
        d["note"] = note
    return d


STATEMENTS.append(
    (
        {
            "id": "2025-09-own-language-and-words",
            "title": "Information in people's own language and words",
            "statement": "People want information about their health and their children in the "
            "language they speak at home, in words they would use themselves, and from someone "
            "they can ask; a translated leaflet alone is not enough.",
            "status": "agreed",
            "date": D("2025-09-22"),
            "organisations": [
                org("Islington Family Hubs", "local-authority", "lead"),
                org(HARBOUR, "nhs", "partner"),
            ],
            "topics": ["language-and-interpreting"],
            "populations": ["somali-women", "bangladeshi-community", "older-people", "gp-patients", "peer-workers"],
            "places": ["islington", "camden", "tower-hamlets", "barnet", "enfield"],
            "evidence": [
                evidence(f"{SOMALI_2019}#S1", "supports"),
                evidence("2020-06-digital-gp-access#S3", "supports"),
                evidence("2020-06-digital-gp-access#S2", "partly", "Older people asked for a person to talk to rather than anything written, in any language."),
                evidence("2023-10-bangladeshi-elders-loneliness#S2", "supports", "Own language means the one people speak, not only the official one."),
                evidence("2025-06-peer-coaching-programme-refresh#S3", "supports", "Letters rewritten in plain words with the people they are for stopped putting people off."),
            ],
            "confidence": {
                "overall": "moderate",
                "methodological_limitations": concern("minor", "Small groups, but run with community researchers in the languages people speak."),
                "coherence": concern("minor", "Older people want a person to talk to, not something written: the statement says so."),
                "adequacy": concern("moderate", "Four engagements, each with one or two groups; nothing yet from Haringey."),
                "relevance": concern("minor", "Health, parenting and GP letters in North and East London."),
                "explanation": "Four engagements over six years, with different groups in different boroughs, say the same thing in their own ways; what partly disagrees sharpens it rather than overturning it.",
            },
            "agreed_with": [
                {
                    "date": D("2025-09-10"),
                    "how": "a reference group of Somali and Bangladeshi women and peer coaches",
                    "populations": ["somali-women", "bangladeshi-community", "peer-workers"],
                    "participants": 11,
                }
            ],
            "decisions": [
                {
                    "text": "Letters and text messages from the family hubs are offered in the language each family asks for, written with people who speak it rather than machine-translated, and every one names someone to ring.",
                    "made_by": "joint",
                    "date": D("2025-10-15"),
                }
            ],
            "review_by": D("2027-09-01"),
        },
        """## Why we think this

Somali mothers in 2019, families at GP practices in 2020, Bangladeshi elders in
2023 and peer coaches in 2025 each told us, in their own way, that information
only reaches people when it is in their language and in words they use.

## Where people disagreed

Older people at GP practices told us that what they want is a person to talk to,
not a better letter in any language. So the statement asks for someone to ask,
not only a translation.

## What we did with it

The family hubs now ask each family which language they want letters in, and the
reference group checks new letters before they go out.
""",
    )
)

STATEMENTS.append(
    (
        {
            "id": "2022-11-women-interpreters-plain-letters",
            "title": "Women interpreters and plain letters",
            "statement": "People want women interpreters when they talk about their bodies and "
            "their children, and letters without clinical labels.",
            "status": "agreed",
            "date": D("2022-11-14"),
            "organisations": [org("Islington Family Hubs", "local-authority", "lead")],
            "topics": ["language-and-interpreting"],
            "populations": ["somali-women", "peer-workers"],
            "places": ["islington", "camden"],
            "evidence": [
                evidence(f"{PEER_2018}#S2", "supports"),
                evidence(f"{SOMALI_2019}#S2", "supports"),
            ],
            "confidence": {
                "overall": "low",
                "methodological_limitations": concern("minor"),
                "coherence": concern("none"),
                "adequacy": concern("serious", "Two engagements, each with one group."),
                "relevance": concern("moderate", "Different services: peer coaching and family hubs."),
                "explanation": "Two engagements point the same way, but each heard one group.",
            },
            "agreed_with": [{"date": D("2022-11-02"), "how": "a family hubs community meeting", "participants": 17}],
            "review_by": D("2024-11-01"),
        },
        """## Why we think this

Two groups, four years apart, asked for the same kind of care in how we speak
and write to them.
""",
    )
)


def write_all() -> None:
    for meta, body in RECORDS:
        folder = ROOT / meta["id"][:4]
        folder.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=88)
        (folder / f"{meta['id']}.md").write_text(f"---\n{text}---\n\n{body}", encoding="utf-8")
    folder = ROOT.parent / "consensus"
    folder.mkdir(exist_ok=True)
    for meta, body in STATEMENTS:
        text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=88)
        (folder / f"{meta['id']}.md").write_text(f"---\n{text}---\n\n{body}", encoding="utf-8")


if __name__ == "__main__":
    write_all()
