"""aiogram routers. `get_routers()` builds fresh ones on every call, in the order they must be tried."""

from __future__ import annotations

from aiogram import Router

from handlers import errors, fallback, refusals, replies
from handlers.admin import buildings as admin_buildings
from handlers.admin import inspectors as admin_inspectors
from handlers.common import cancel, help, inspector, language, meetings_list, privacy
from handlers.common import report as report_public
from handlers.group import binding, membership, rsvp
from handlers.group import questions as group_questions
from handlers.inspector import appeal_terms as inspector_appeal_terms
from handlers.inspector import appeals as inspector_appeals
from handlers.inspector import chat_week, export, meeting_manage, meeting_new, notice, queue, record_appeal, welcome
from handlers.inspector import hours as inspector_hours
from handlers.inspector import meeting_plan as inspector_meeting_plan
from handlers.inspector import meeting_results as inspector_results
from handlers.inspector import proposals as inspector_proposals
from handlers.inspector import questions as inspector_questions
from handlers.inspector import report as inspector_report
from handlers.inspector import reports as inspector_reports
from handlers.inspector import templates as answer_templates
from handlers.resident import appeal, my_appeals, registration
from handlers.resident import propose as resident_propose


def get_routers() -> list[Router]:
    return [
        errors.create_router(),
        membership.create_router(),
        cancel.create_router(),
        welcome.create_router(),  # staff's /start, before the residents' registration
        resident_propose.create_router(),  # before registration: "/start propose" is not a building code
        registration.create_router(),
        help.create_router(),
        language.create_router(),
        privacy.create_router(),
        inspector.create_router(),
        appeal.create_router(),  # after the commands above, so /help works in the middle of the dialog
        my_appeals.create_router(),
        inspector_questions.create_router(),  # replies to passed-on chat questions win over an appeal dialog
        inspector_appeal_terms.create_router(),  # the card's Extend and Not-for-the-police, before its other buttons
        inspector_appeals.create_router(),
        answer_templates.create_router(),
        record_appeal.create_router(),
        queue.create_router(),
        export.create_router(),
        chat_week.create_router(),
        inspector_hours.create_router(),
        meeting_new.create_router(),
        inspector_meeting_plan.create_router(),  # the "Plan a meeting" button of the monthly reminder
        meeting_manage.create_router(),
        meetings_list.create_router(),
        notice.create_router(),
        inspector_report.create_router(),  # staff's /report; before the residents' /report
        inspector_reports.create_router(),
        report_public.create_router(),  # residents' /report, privately and in building chats
        replies.create_router(),
        inspector_results.create_router(),
        inspector_proposals.create_router(),  # the proposals register
        admin_inspectors.create_router(),
        admin_buildings.create_router(),
        group_questions.create_router(),  # replies to notices in building chats, before /bind's reply step
        rsvp.create_router(),
        binding.create_router(),
        refusals.create_router(),
        fallback.create_router(),  # last: what nothing else took
    ]
