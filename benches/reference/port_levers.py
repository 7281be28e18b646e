#!/usr/bin/env python3
"""Which levers of a resolved scenario the Mesa port (mesa_govsim.py) runs.

The port refuses a scenario with any lever it does not implement, so that it
never runs another model than govsim's without saying so. Standard library
only, so that it can be checked where Mesa is not installed:

    govsim check scenario.toml > resolved.toml
    python benches/reference/port_levers.py resolved.toml   # exit 2 and the levers, if any

A new lever of govsim is refused here until the port implements it (add it to
IMPLEMENTED) or says at which value leaving it out changes nothing (NEUTRAL).
"""

from __future__ import annotations

import json
import sys
import tomllib

# benches/README.md, "Docking".
#
# Every lever of a resolved scenario, by dotted path ("[]" for the entries of
# a list of sections), that this port implements. A resolved scenario with any
# other lever is refused (exit 2, naming it), unless the lever is in NEUTRAL at
# the value there (where govsim's model is the one this port runs) or in
# NOT_MODEL (names, and what govsim's runner handles around the model).
IMPLEMENTED = frozenset(
    [
        "coalition.initial_trust",
        "coalition.j0",
        "coalition.j_cent",
        "coalition.j_lead",
        "coalition.j_load",
        "coalition.j_trust",
        "coalition.max_convening_tries",
        "coalition.queue_days",
        "coalition.reconvene_bonus",
        "coalition.search_tries",
        "coalition.trust_decay",
        "coalition.trust_gain",
        "coalition.trust_loss",
        "district.communities[].count",
        "district.communities[].grids",
        "district.communities[].kind",
        "district.communities[].migrant_share",
        "district.communities[].population",
        "district.subdistricts",
        "government.delay",
        "government.department_capacity",
        "government.office_capacity",
        "government.referral_rate",
        "government.sequential_referral",
        "grid.contact_rate",
        "grid.coverage",
        "grid.patrol_rate",
        "issues.affected",
        "issues.competencies",
        "issues.cross_cutting_share",
        "issues.detect_participant",
        "issues.detect_report",
        "issues.effort_mean",
        "issues.effort_shape",
        "issues.escalation_age",
        "issues.escalation_rate",
        "issues.escalation_severity",
        "issues.migrant_type_weights",
        "issues.patience_mean",
        "issues.patience_shape",
        "issues.rate",
        "issues.recurrence",
        "issues.severity_a",
        "issues.severity_b",
        "issues.three_competency_share",
        "issues.type_weights",
        "party.procedure.centralization",
        "party.procedure.contacts_per_member",
        "party.procedure.convening_cost",
        "party.procedure.coordination_strength",
        "party.procedure.formalism",
        "party.procedure.meeting_cost",
        "party.procedure.meeting_disclosure",
        "party.procedure.meeting_interval",
        "party.procedure.meeting_review",
        "party.procedure.meeting_trust_gain",
        "party.procedure.member_detection",
        "party.procedure.mobilization",
        "party.procedure.paperwork_effort",
        "party.procedure.pooling",
        "party.security.extra_capacity",
        "party.security.inclusion",
        "party.security.initial_legitimacy",
        "party.security.legitimacy_floor",
        "party.security.legitimacy_rate",
        "party.security.service_center_contacts",
        "party.security.service_center_detection",
        "party.security.service_center_migrant_reach",
        "party.security.service_centers",
        "party.setting.committee_share",
        "party.setting.community_coverage",
        "party.setting.member_share",
        "party.setting.migrant_member_reach",
        "party.setting.migrant_member_share",
        "party.setting.two_new_coverage",
        "party.system.alliance_openness",
        "party.system.linkage",
        "residents.b0",
        "residents.b_civic",
        "residents.b_crowd",
        "residents.b_eff",
        "residents.b_migrant",
        "residents.b_mob",
        "residents.b_peer",
        "residents.b_sc",
        "residents.b_trust",
        "residents.civic_a",
        "residents.civic_b",
        "residents.deliberators_needed",
        "residents.diffusion",
        "residents.efficacy_gain",
        "residents.efficacy_loss",
        "residents.forgetting",
        "residents.initial_efficacy",
        "residents.initial_spread",
        "residents.initial_trust",
        "residents.newcomer_ties",
        "residents.newcomer_trust",
        "residents.observer_weight",
        "residents.q0",
        "residents.q_delib",
        "residents.recent_weight",
        "residents.ties_k",
        "residents.ties_p",
        "residents.trust_gain",
        "residents.trust_loss",
        "residents.volunteer_effort",
        "shocks[].capacity",
        "shocks[].competency",
        "shocks[].days",
        "shocks[].issue_rate",
        "shocks[].migrant_influx",
        "shocks[].name",
        "shocks[].start",
        "social.autonomy",
        "social.committee_mandate",
        "residents.prior_trust",
        "residents.prior_efficacy",
        "institutions.intake_reach",
        "institutions.convener_coverage",
        "institutions.intake_leadership",
        "social.autonomy_erosion",
        "social.capacity",
        "social.committee_capacity",
        "social.committee_competencies",
        "social.enterprise_capacity",
        "social.enterprise_competencies",
        "social.enterprises_per_industrial",
        "social.per_community",
        "social.property_capacity",
        "social.property_competencies",
    ]
)

# Levers this port does not implement, and the one value at which leaving them
# out changes nothing (EMPTY: the lever must be absent or an empty list).
EMPTY = object()
NEUTRAL = {
    "sim.warmup_days": 0,  # no burn-in: every day is recorded
    "policy": EMPTY,  # no [[policy]] reforms
    "government.office_competencies": EMPTY,  # the office works every competency
    "social.organization_competencies": EMPTY,  # social organizations draw from every competency
    "party.procedure.summons": 0.0,  # v2's summons of departments (join and delay) is not ported
    "institutions.convener_mandate": 1.0,  # the port's party committee always convenes
    "institutions.legitimacy_uptake": 0.0,  # issues are always brought to the convener
    "issues.unmeetable_share": 0.0,  # every demand can be met
    "issues.induced_demand": 0.0,  # a fixed issue rate
    "sim.summary_from": 1,  # the summary counts every recorded day
    "government.reply_limit": 0,  # v3 item 44's reply limit is not ported: no limit
    "government.ranking": 0.0,  # no ranking, so compliance never moves
}

# Choices of which the port implements some values only.
SOME_VALUES = {
    "institutions.convener": ("none", "community_hub"),  # not the residents' committee
}

# Not levers of the model: names, the run's length and seed (given on the
# command line), how often rows are kept, and satisfaction, an output that
# this port does not report.
NOT_MODEL = frozenset(
    ["name", "description", "sim.days", "sim.seed", "sim.record_every", "residents.satisfaction_speed",
     "issues.reply_days", "residents.explained_satisfaction",
     # Read only with a reply limit or ranking, which must be neutral above.
     "government.compliance", "government.ranking_response"]
)

# Lists whose entries are sections, walked entry by entry.
LISTS_OF_SECTIONS = frozenset(["district.communities", "shocks"])


def unimplemented_levers(scenario: dict) -> list[str]:
    """The levers of `scenario` this port would silently not run, each with why."""
    found = []

    def walk(table: dict, path: str):
        for key, value in table.items():
            dotted = f"{path}.{key}" if path else key
            if dotted in SOME_VALUES:
                if value not in SOME_VALUES[dotted]:
                    found.append(
                        f"`{dotted}` = {json.dumps(value)}: not implemented by this port "
                        f"(only {', '.join(json.dumps(v) for v in SOME_VALUES[dotted])})"
                    )
            elif dotted in NEUTRAL:
                neutral = NEUTRAL[dotted]
                if (neutral is EMPTY and value != []) or (neutral is not EMPTY and value != neutral):
                    want = "absent" if neutral is EMPTY else json.dumps(neutral)
                    found.append(
                        f"`{dotted}` = {json.dumps(value)[:60]}: not implemented by this port (only {want})"
                    )
            elif isinstance(value, dict):
                walk(value, dotted)
            elif dotted in LISTS_OF_SECTIONS:
                for entry in value:
                    walk(entry, dotted + "[]")
            elif dotted not in IMPLEMENTED and dotted not in NOT_MODEL:
                found.append(f"`{dotted}`: not a lever this port knows")

    walk(scenario, "")
    return found



def main() -> int:
    if len(sys.argv) != 2:
        print("usage: port_levers.py RESOLVED.toml", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], "rb") as f:
            scenario = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        print(f"error: {sys.argv[1]}: {e}", file=sys.stderr)
        return 2
    refused = unimplemented_levers(scenario)
    for why in refused:
        print(f"error: {sys.argv[1]}: {why}", file=sys.stderr)
    return 2 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
