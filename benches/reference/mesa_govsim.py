#!/usr/bin/env python3
"""govsim's model written a second time, with Mesa, from docs/ODD.md.

This is the independent second implementation that agent-based modelers use
to check a model ("docking", Axtell et al. 1996), and the yardstick for
govsim's speed: it is written the way a scholar would write it with Mesa —
residents and organizations are Mesa agents, collectives and issues are plain
objects, every draw comes from the model's `random` — following the ODD
section by section (section numbers in the comments). It reads a scenario
fully resolved by `govsim check` (so both use the same levers and defaults)
and prints one JSON object of run-level metrics, defined as in
docs/outputs.md.

    govsim check scenario.toml > resolved.toml
    python benches/reference/mesa_govsim.py resolved.toml --seed 3

Its random streams differ from govsim's, so single runs differ; compare
distributions over seeds (benches/compare_mesa.sh).

Needs mesa 3.3.1 (Python 3.11); benches/compare_mesa.sh installs it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import tomllib

import mesa

from port_levers import unimplemented_levers

PARTY, GOVERNMENT, SOCIAL = 0, 1, 2

# Routes of resolved issues (ODD 7.3).
CONVENED, SELF_ORGANIZED, BUREAUCRATIC = 0, 1, 2

# Stages of a cross-cutting issue (ODD 7.3).
CONVENING, SEARCHING, REFERRAL = 0, 1, 2

# Half-life, in days, of the counts behind legitimacy (ODD 7.6).
PRESENCE_MEMORY_DAYS = 60.0


def sigma(x: float) -> float:
    """The logistic function."""
    return 1.0 / (1.0 + math.exp(-x))


def stochastic_round(x: float, rng) -> int:
    base = math.floor(x)
    return int(base) + (1 if rng.random() < x - base else 0)


def poisson(lam: float, rng) -> int:
    """Poisson draw (Knuth for small means, normal approximation above 500)."""
    if lam <= 0.0:
        return 0
    if lam > 500.0:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class Resident(mesa.Agent):
    """A resident (ODD 2): where it lives, fixed attributes, trust, efficacy,
    recent participation and ties."""

    def __init__(self, model, community, grid, migrant, member, civic, efficacy, trust):
        super().__init__(model)
        self.community = community
        self.grid = grid
        self.migrant = migrant
        self.member = member
        self.civic = civic
        self.efficacy = efficacy
        self.trust = trust  # [party, government, social]
        self.recent = 0.0
        self.ties: list[Resident] = []
        self.took_part = False
        self.took_part_yesterday = False
        self.mobilized = False

    def remember(self):
        self.took_part_yesterday = self.took_part

    def decide(self):
        """ODD 7.1: take part today with probability σ(u)."""
        m = self.model
        r = m.s["residents"]
        c = self.community
        if self.ties:
            peer = sum(1 for t in self.ties if t.took_part_yesterday) / len(self.ties)
        else:
            peer = 0.0
        u = (
            r["b0"]
            + r["b_civic"] * self.civic
            + r["b_eff"] * self.efficacy
            + r["b_trust"] * (sum(self.trust) / 3.0)
            + r["b_peer"] * peer
        )
        if self.mobilized:
            u += r["b_mob"]
        else:
            u -= r["b_crowd"] * m.centralization
        if c.service_center:
            u += r["b_sc"]
        if self.migrant:
            u -= r["b_migrant"] * (1.0 - m.s["party"]["security"]["inclusion"] * c.inclusion_reach)
        self.took_part = m.random.random() < sigma(u)
        self.recent += r["recent_weight"] * ((1.0 if self.took_part else 0.0) - self.recent)
        self.mobilized = False


class Organization(mesa.Agent):
    """A governance center with capacity and a queue (ODD 2)."""

    def __init__(self, model, role, kind, subdistrict, community, competencies, capacity, autonomy):
        super().__init__(model)
        self.role = role
        self.kind = kind
        self.subdistrict = subdistrict
        self.community = community
        self.competencies = competencies  # a set of competency indices
        self.capacity = capacity
        self.autonomy = autonomy
        self.mandate = 0.0  # v3: the share of issues it takes on by duty
        self.overhead = 0.0
        self.unused = 0.0
        self.backlog = 0.0
        self.queue: list[tuple[Issue, int]] = []
        self.alliance = False

    def take_on_chance(self) -> float:
        # v3's one intake rule (ODD 7.3): mandate + (1 - mandate) x autonomy.
        return self.mandate + (1 - self.mandate) * self.autonomy

    def utilization(self) -> float:
        if self.capacity <= 0.0:
            return 1.0
        return min(1.0, self.backlog / (self.capacity * self.model.s["coalition"]["queue_days"]))

    def has_room(self) -> bool:
        return self.utilization() < 1.0

    def work(self):
        """ODD 7.5: spend today's capacity on ready tasks, most urgent first."""
        m = self.model
        available = max(0.0, self.capacity * m.capacity_multiplier - self.overhead)
        self.queue.sort(key=lambda t: (-t[0].urgency(m.day), t[0].serial, t[1]))
        for issue, k in self.queue:
            if available <= 0.0:
                break
            part = issue.parts[k]
            if part.ready_day > m.day:
                continue
            spent = min(available, part.remaining)
            part.remaining -= spent
            self.backlog -= spent
            available -= spent
            m.own_effort += spent
            if part.remaining <= 1e-9:
                part.done = True
        self.queue = [(i, k) for i, k in self.queue if not i.parts[k].done]
        self.backlog = max(0.0, self.backlog)
        self.unused = available


class Community:
    """A community: its residents, grids, organizations and party state (ODD 2)."""

    def __init__(self, index, kind, subdistrict):
        self.index = index
        self.kind = kind
        self.subdistrict = subdistrict
        self.residents: list[Resident] = []
        self.grids: list[Grid] = []
        self.committee: Organization | None = None
        self.party_committee: Organization | None = None
        self.service_center = False
        self.social_orgs: list[Organization] = []
        self.members = 0
        self.migrants = 0
        self.enterprise_branch_share = 0.0
        self.inclusion_reach = 0.0
        self.local_reach: list[list[Organization]] = []
        self.convening_reach: list[list[Organization]] = []
        self.legitimacy = 0.0
        self.party_present = 0.0
        self.cross_cutting_seen = 0.0
        self.won = 0.0
        self.lost = 0.0
        self.volunteer_pool = 0.0
        self.trust_party = 0.0


class Grid:
    def __init__(self, community, covered):
        self.community = community
        self.covered = covered
        self.residents: list[Resident] = []
        self.active_members = 0


class Part:
    def __init__(self, competency, remaining):
        self.competency = competency
        self.handler: Organization | None = None
        self.remaining = remaining
        self.ready_day = 0
        self.done = False


class Issue:
    """A public issue (ODD 2) with up to three parts."""

    def __init__(self, serial, community, grid, reporter, comps, m):
        i = m.s["issues"]
        self.serial = serial
        self.community = community
        self.grid = grid
        self.migrant = reporter.migrant
        self.parts = [
            Part(c, m.random.gammavariate(i["effort_shape"], i["effort_mean"] / i["effort_shape"]))
            for c in comps
        ]
        self.severity = max(0.01, m.random.betavariate(i["severity_a"], i["severity_b"]))
        self.patience = max(
            1.0, m.random.gammavariate(i["patience_shape"], i["patience_mean"] / i["patience_shape"])
        )
        self.arrival = m.day
        self.status = "latent"
        self.route = None
        self.stage = CONVENING
        self.tries = 0
        self.escalated = False
        self.convener: Organization | None = None
        self.next_part = 0
        residents = grid.residents
        self.affected = [reporter] + [m.random.choice(residents) for _ in range(i["affected"] - 1)]

    @property
    def cross_cutting(self) -> bool:
        return len(self.parts) > 1

    def urgency(self, day) -> float:
        u = self.severity * (day - self.arrival + 1) / self.patience
        return u + 10.0 if self.escalated else u


class GovModel(mesa.Model):
    """The whole district; `step` is one day in the order of ODD 3."""

    def __init__(self, scenario: dict, seed: int):
        super().__init__(seed=seed)
        self.s = scenario
        self.day = 0
        self.centralization = scenario["party"]["procedure"]["centralization"]
        self.capacity_multiplier = 1.0
        self.meeting_today = False
        self.issues: list[Issue] = []
        self.serial = 0
        self.own_effort = 0.0
        self.build()
        self.residents = self.agents_by_type[Resident]
        self.initial_population = len(self.residents)
        # Run totals (docs/outputs.md).
        self.arrived = self.resolved = self.abandoned = 0
        self.resolved_cross = self.abandoned_cross = 0
        self.by_route = [0, 0, 0]
        self.resolution_days: list[int] = []
        self.participation_sum = [0.0, 0.0, 0.0]
        self.participation_days = [0, 0, 0]
        self.pooled = self.volunteered = self.overhead = 0.0

    # ---- ODD 5: initialization -------------------------------------------------

    def build(self):
        s, rng = self.s, self.random
        comps = s["issues"]["competencies"]
        n_comp = len(comps)
        index = {name: k for k, name in enumerate(comps)}
        n_sub = s["district"]["subdistricts"]
        specs = [g for g in s["district"]["communities"] for _ in range(g["count"])]
        total_pop = sum(g["population"] for g in specs)
        sub_pop = [0] * n_sub
        for c, g in enumerate(specs):
            sub_pop[c % n_sub] += g["population"]
        gov, soc, party = s["government"], s["social"], s["party"]
        setting = party["setting"]

        def org(role, kind, sub, community, competencies, capacity, autonomy=0.0):
            return Organization(self, role, kind, sub, community, set(competencies), capacity, autonomy)

        self.departments = [
            org("department", GOVERNMENT, None, None, [k], gov["department_capacity"] * total_pop / 1000)
            for k in range(n_comp)
        ]
        self.offices = [
            org("office", GOVERNMENT, d, None, range(n_comp), gov["office_capacity"] * sub_pop[d] / 1000)
            for d in range(n_sub)
        ]
        self.orgs = list(self.departments) + list(self.offices)
        self.communities = []
        r = s["residents"]
        spread = r["initial_spread"]

        def jitter(x):
            return min(1.0, max(0.0, x + rng.uniform(-spread, spread)))

        for c, g in enumerate(specs):
            d = c % n_sub
            pop = g["population"]
            com = Community(c, g["kind"], d)
            com.legitimacy = party["security"]["initial_legitimacy"]
            com.committee = org(
                "committee", SOCIAL, d, com, [index[x] for x in soc["committee_competencies"]],
                soc["committee_capacity"] * pop / 1000, soc["autonomy"],
            )
            com.committee.mandate = soc["committee_mandate"]
            for _ in range(poisson(soc["per_community"], rng)):
                first = rng.randrange(n_comp)
                cs = [first]
                if n_comp > 1 and rng.random() < 0.5:
                    cs.append((first + rng.randrange(1, n_comp)) % n_comp)
                com.social_orgs.append(
                    org("social", SOCIAL, d, com, cs, soc["capacity"] * pop / 1000, soc["autonomy"])
                )
            if g["kind"] == "urban":
                com.social_orgs.append(org(
                    "property", SOCIAL, d, com, [index[x] for x in soc["property_competencies"]],
                    soc["property_capacity"] * pop / 1000, soc["autonomy"],
                ))
            enterprises = branches = 0
            if g["kind"] == "industrial":
                for _ in range(soc["enterprises_per_industrial"]):
                    com.social_orgs.append(org(
                        "enterprise", SOCIAL, d, com, [index[x] for x in soc["enterprise_competencies"]],
                        soc["enterprise_capacity"] * pop / 1000, soc["autonomy"],
                    ))
                    enterprises += 1
            com.committee.alliance = True
            for o in com.social_orgs:
                branch = rng.random() < setting["two_new_coverage"]
                if branch and o.role == "enterprise":
                    branches += 1
                o.alliance = branch or rng.random() < party["system"]["alliance_openness"]
            com.enterprise_branch_share = branches / enterprises if enterprises else 0.0
            # v3 (ODD section 8, item 30): a party committee where one draw u
            # falls below its coverage c, else a community hub where
            # u < c + (1 - c) x institutions.convener_coverage; both hold the
            # convener institution (com.party_committee here).
            inst = s["institutions"]
            u = rng.random()
            c_party = setting["community_coverage"]
            c_other = c_party + (1 - c_party) * inst["convener_coverage"]
            com.convener_is_party = u < c_party
            if u < c_party or (u < c_other and inst["convener"] == "community_hub"):
                # Equal resources (ODD section 8, item 15): the convener
                # takes its share of the community staff's time.
                share = com.committee.capacity * setting["committee_share"]
                com.committee.capacity -= share
                com.party_committee = org(
                    "party_committee", PARTY, d, com, [index[x] for x in soc["committee_competencies"]],
                    share + party["security"]["extra_capacity"] * pop / 1000,
                )
            com.service_center = rng.random() < party["security"]["service_centers"]
            # ODD 7.1: the share of migrants party channels reach.
            m_reach = c_reach = 0.0
            if com.party_committee:
                if com.convener_is_party:  # party-specific: migrant members' reach
                    m_reach = min(1.0, setting["migrant_member_share"] * setting["migrant_member_reach"])
                c_reach = party["security"]["service_center_migrant_reach"] if com.service_center else 0.0
            com.inclusion_reach = 1.0 - (1.0 - m_reach) * (1.0 - c_reach) * (1.0 - com.enterprise_branch_share)
            self.orgs += [com.committee] + com.social_orgs
            if com.party_committee:
                self.orgs.append(com.party_committee)
            # Residents grid by grid, in one block.
            for k in range(g["grids"]):
                grid = Grid(com, rng.random() < s["grid"]["coverage"])
                com.grids.append(grid)
                lo = pop * k // g["grids"]
                hi = pop * (k + 1) // g["grids"]
                for _ in range(lo, hi):
                    migrant = rng.random() < g["migrant_share"]
                    share = setting["migrant_member_share"] if migrant else setting["member_share"]
                    member = rng.random() < share
                    trust = [jitter(r["initial_trust"]) for _ in range(3)]
                    res = Resident(
                        self, com, grid, migrant, member,
                        rng.betavariate(r["civic_a"], r["civic_b"]), jitter(r["initial_efficacy"]), trust,
                    )
                    grid.residents.append(res)
                    com.residents.append(res)
                    com.members += member
                    com.migrants += migrant
            self.watts_strogatz(com.residents, r["ties_k"], r["ties_p"])
            self.communities.append(com)

        # Alliances: every department and the office, plus members of each subdistrict.
        self.alliances = [list(self.departments) + [self.offices[d]] for d in range(n_sub)]
        for o in self.departments + self.offices:
            o.alliance = True
        for o in self.orgs:
            if o.alliance and o.community is not None:
                self.alliances[o.subdistrict].append(o)
        # v3: one reach rule for a convener (party.system.linkage) and a
        # self-organized intake (institutions.intake_reach).
        def reach(com, linkage):
            found = [com.committee] + com.social_orgs + [self.offices[com.subdistrict]]
            if linkage == "vertical":
                found += self.departments
            elif linkage == "regional":
                found += [o for o in self.alliances[com.subdistrict] if o not in found]
            return found

        for com in self.communities:
            local = reach(com, self.s["institutions"]["intake_reach"])
            convening = reach(com, party["system"]["linkage"])
            com.local_reach = [[o for o in local if k in o.competencies] for k in range(n_comp)]
            com.convening_reach = [[o for o in convening if k in o.competencies] for k in range(n_comp)]
        self.org_trust: dict[tuple[int, int], float] = {}

    def watts_strogatz(self, people, k, p):
        """Ring of degree k, each edge rewired with probability p (ODD 5)."""
        n = len(people)
        if n < 2 or k == 0:
            return
        half = max(1, min(k // 2, (n - 1) // 2))
        adj = [set() for _ in range(n)]
        for i in range(n):
            for step in range(1, half + 1):
                j = (i + step) % n
                if self.random.random() < p:
                    for _ in range(8):
                        c = self.random.randrange(n)
                        if c != i and c not in adj[i]:
                            j = c
                            break
                if j != i:
                    adj[i].add(j)
                    adj[j].add(i)
        for i, person in enumerate(people):
            person.ties = [people[j] for j in sorted(adj[i])]

    # ---- helpers ----------------------------------------------------------------

    def trust_between(self, a, b) -> float:
        key = (min(a.unique_id, b.unique_id), max(a.unique_id, b.unique_id))
        return self.org_trust.get(key, self.s["coalition"]["initial_trust"])

    def set_trust(self, a, b, value):
        self.org_trust[(min(a.unique_id, b.unique_id), max(a.unique_id, b.unique_id))] = value

    def spawn(self, reporter: Resident, comps):
        self.serial += 1
        self.issues.append(Issue(self.serial, reporter.community, reporter.grid, reporter, comps, self))
        self.arrived += 1

    # ---- one day (ODD 3) --------------------------------------------------------

    def step(self):
        self.shocks()
        self.participate()
        self.detect_and_escalate()
        for o in self.orgs:
            o.overhead = 0.0
            o.unused = 0.0
        self.meeting_today = self.joint_conference()
        self.route()
        self.work()
        self.close()
        self.legitimacy_and_autonomy()
        if self.day % 7 == 6:
            self.diffuse_trust()
        self.day += 1

    def shocks(self):
        """ODD 7.8 and arrival (ODD 3, step 2)."""
        s = self.s
        rate, capacity, influx, competency = 1.0, 1.0, 0.0, None
        for shock in s.get("shocks", []):
            if shock["start"] <= self.day < shock["start"] + shock["days"]:
                rate *= shock.get("issue_rate", 1.0)
                capacity *= shock.get("capacity", 1.0)
                influx += shock.get("migrant_influx", 0.0) * self.initial_population / shock["days"]
                if shock.get("competency"):
                    competency = s["issues"]["competencies"].index(shock["competency"])
        self.capacity_multiplier = capacity
        if influx > 0:
            self.add_newcomers(influx)
        weights = s["issues"]["type_weights"]
        for com in self.communities:
            base = s["issues"]["rate"] * len(com.residents) / 1000
            if competency is None:
                n, extra = poisson(base * rate, self.random), 0
            else:
                n = poisson(base, self.random)
                extra = poisson(base * max(0.0, rate - 1.0) * weights[competency] / sum(weights), self.random)
            for k in range(n + extra):
                reporter = self.random.choice(com.residents)
                self.spawn(reporter, self.draw_competencies(reporter.migrant, competency if k >= n else None))

    def draw_competencies(self, migrant, forced):
        i = self.s["issues"]
        weights = i["migrant_type_weights"] if migrant else i["type_weights"]
        n = len(weights)
        primary = forced if forced is not None else self.random.choices(range(n), weights)[0]
        comps = [primary]
        if n > 1 and self.random.random() < i["cross_cutting_share"]:
            parts = 3 if n > 2 and self.random.random() < i["three_competency_share"] else 2
            while len(comps) < parts:
                c = self.random.randrange(n)
                if c not in comps:
                    comps.append(c)
        return comps

    def add_newcomers(self, expected):
        """ODD 7.8: migrant newcomers, in proportion to initial migrants, one grid a day."""
        r = self.s["residents"]
        total = sum(c.migrants for c in self.communities)
        for com in self.communities:
            w = com.migrants if total > 0 else len(com.residents)
            norm = total if total > 0 else self.initial_population
            count = stochastic_round(expected * w / norm, self.random)
            if count == 0:
                continue
            grid = com.grids[self.day % len(com.grids)]
            for _ in range(count):
                ties = []
                for _ in range(r["newcomer_ties"]):
                    t = self.random.choice(com.residents)
                    if t not in ties:
                        ties.append(t)
                res = Resident(
                    self, com, grid, True, False, self.random.betavariate(r["civic_a"], r["civic_b"]),
                    r["initial_efficacy"], [r["newcomer_trust"]] * 3,
                )
                res.ties = ties
                grid.residents.append(res)
                com.residents.append(res)

    def participate(self):
        """ODD 7.1: contacts, then every resident decides from yesterday's state."""
        s = self.s
        proc, security = s["party"]["procedure"], s["party"]["security"]
        self.residents.do("remember")
        for com in self.communities:
            boost = 1.0 + security["service_center_contacts"] if com.service_center else 1.0
            members = com.members * proc["mobilization"]
            n_member = stochastic_round(
                members * proc["contacts_per_member"] * (1 - proc["formalism"]) * boost, self.random
            )
            covered = sum(len(g.residents) for g in com.grids if g.covered)
            n_grid = stochastic_round(covered * s["grid"]["contact_rate"] * boost, self.random)
            to_migrants = com.enterprise_branch_share * com.migrants / max(1, len(com.residents))
            for k in range(n_member + n_grid):
                only_migrants = k < n_member and com.migrants > 0 and self.random.random() < to_migrants
                for _ in range(8):
                    pick = self.random.choice(com.residents)
                    if only_migrants and not pick.migrant:
                        continue
                    if self.random.random() >= pick.recent:
                        break
                pick.mobilized = True
        self.residents.do("decide")
        counts = [[0, 0], [0, 0]]  # [migrant][took part]
        for g in (g for c in self.communities for g in c.grids):
            g.active_members = 0
        for res in self.residents:
            counts[res.migrant][res.took_part] += 1
            if res.took_part and res.member:
                res.grid.active_members += 1
        for com in self.communities:
            participants = sum(1 for x in com.residents if x.took_part)
            com.trust_party = sum(x.trust[PARTY] for x in com.residents) / len(com.residents)
            com.volunteer_pool = s["residents"]["volunteer_effort"] * participants
        # Trust and efficacy as of the participation step (docs/outputs.md).
        n = len(self.residents)
        self.trust_means = [sum(x.trust[k] for x in self.residents) / n for k in range(3)]
        self.efficacy_mean = sum(x.efficacy for x in self.residents) / n
        local, migrant = counts[0], counts[1]
        for k, (part, total) in enumerate(
            [(local[1] + migrant[1], sum(local) + sum(migrant)), (local[1], sum(local)), (migrant[1], sum(migrant))]
        ):
            if total:
                self.participation_sum[k] += part / total
                self.participation_days[k] += 1

    def detect_and_escalate(self):
        """ODD 7.2."""
        i = self.s["issues"]
        member = self.s["party"]["procedure"]["member_detection"]
        sc = self.s["party"]["security"]["service_center_detection"]
        for issue in self.issues:
            if issue.status == "latent":
                miss = 1.0
                for a in issue.affected:
                    d = i["detect_participant"] if a.took_part else (
                        i["detect_report"] * (sum(a.trust) / 3.0) * a.efficacy
                    )
                    miss *= 1.0 - d
                if issue.grid.covered:
                    miss *= 1.0 - self.s["grid"]["patrol_rate"]
                miss *= (1.0 - member) ** issue.grid.active_members
                if issue.community.service_center:
                    miss *= 1.0 - sc
                if self.random.random() >= miss:
                    issue.status = "detected"
                    if issue.cross_cutting:
                        issue.community.cross_cutting_seen += 1.0
            if issue.status in ("latent", "detected"):
                issue.severity = min(1.0, issue.severity + i["escalation_rate"])
                age = self.day - issue.arrival
                if (not issue.escalated and issue.severity >= i["escalation_severity"]
                        and age >= i["escalation_age"] * issue.patience):
                    issue.escalated = True
                    issue.status = "detected"

    def joint_conference(self) -> bool:
        """ODD 7.4: trust between organizations fades every day; meetings."""
        co = self.s["coalition"]
        for key, t in self.org_trust.items():
            self.org_trust[key] = t - co["trust_decay"] * (t - co["initial_trust"])
        proc = self.s["party"]["procedure"]
        interval = proc["meeting_interval"]
        if interval == 0 or self.s["party"]["system"]["linkage"] != "regional" or self.day % interval != interval - 1:
            return False
        gain = proc["meeting_trust_gain"] * (1 - proc["formalism"])
        held = False
        met = set()
        for d, alliance in enumerate(self.alliances):
            if not any(o.community is not None and o.community.party_committee for o in alliance):
                continue
            held = True
            met.add(d)
            for x, a in enumerate(alliance):
                for b in alliance[x + 1:]:
                    t = self.trust_between(a, b)
                    self.set_trust(a, b, t + gain * (1 - t))
            for o in alliance:
                # At most what the member has left today (ODD section 8, item 43).
                left = max(0.0, o.capacity * self.capacity_multiplier - o.overhead)
                lost = min(proc["formalism"] * proc["meeting_cost"] * o.capacity, left)
                o.overhead += lost
                self.overhead += lost
        if held:
            self.share_and_review(met)
        return held

    def share_and_review(self, met):
        """ODD 7.4, channels 3 and 4: latent issues of a meeting subdistrict
        come to light; bureaucratic issues waiting for a referral get every
        remaining part referred at once."""
        proc = self.s["party"]["procedure"]
        disclose = proc["meeting_disclosure"] * (1 - proc["formalism"])
        review = proc["meeting_review"] * (1 - proc["formalism"])
        for issue in self.issues:
            if issue.community.subdistrict not in met:
                continue
            if issue.status == "latent":
                if disclose > 0 and self.random.random() < disclose:
                    issue.status = "detected"
                    if issue.cross_cutting:
                        issue.community.cross_cutting_seen += 1.0
            elif (issue.status == "assigned" and issue.route == BUREAUCRATIC
                    and issue.next_part < len(issue.parts) and review > 0
                    and self.random.random() < review):
                while issue.next_part < len(issue.parts):
                    self.refer_next_part(issue)

    # ---- ODD 7.3: routing -------------------------------------------------------

    def route(self):
        waiting = [x for x in self.issues if x.status == "detected"]
        self.random.shuffle(waiting)
        for issue in waiting:
            if issue.escalated:
                self.assign_bureaucratic(issue, urgent=True)
            elif issue.cross_cutting:
                self.route_cross_cutting(issue)
            else:
                self.route_single(issue)

    def can_convene(self, org):
        """Today's capacity left for a convening try or a triage (ODD section 8, item 43)."""
        left = max(0.0, org.capacity * self.capacity_multiplier - org.overhead)
        return left >= self.s["party"]["procedure"]["convening_cost"]

    def charge(self, org):
        cost = self.s["party"]["procedure"]["convening_cost"]
        org.overhead += cost
        self.overhead += cost

    def route_single(self, issue):
        com = issue.community
        comp = issue.parts[0].competency
        kappa = self.centralization
        pc = com.party_committee
        if kappa > 0 and pc and pc.has_room() and self.can_convene(pc) and comp in pc.competencies and self.random.random() < kappa:
            self.charge(pc)
            self.assign(issue, [pc], CONVENED, pc)
            com.party_present += 1
            return
        candidates = [o for o in com.social_orgs if comp in o.competencies]
        self.random.shuffle(candidates)
        for o in candidates:
            if o.has_room() and self.random.random() < o.take_on_chance():
                self.assign(issue, [o], SELF_ORGANIZED, None)
                return
        rc = com.committee
        if comp in rc.competencies and rc.has_room() and self.random.random() < rc.take_on_chance():
            self.assign(issue, [rc], SELF_ORGANIZED, None)
            return
        self.assign_bureaucratic(issue, urgent=False)

    def route_cross_cutting(self, issue):
        com = issue.community
        pc = com.party_committee
        co = self.s["coalition"]
        reconvene = self.meeting_today and pc is not None
        if (issue.stage == CONVENING or reconvene) and pc and pc.has_room() and self.can_convene(pc):
            self.charge(pc)
            bonus = co["reconvene_bonus"] * (1 - self.s["party"]["procedure"]["formalism"]) if reconvene else 0.0
            members = self.form_coalition(issue, pc, convened=True, bonus=bonus)
            if members:
                proc = self.s["party"]["procedure"]
                self.assign(issue, members, CONVENED, pc, proc["formalism"] * proc["paperwork_effort"])
                com.party_present += 1
                return
            if issue.stage == CONVENING:
                # One budget of days waiting for partners on every route (ODD 7.3).
                issue.tries += 1
                if issue.tries >= co["search_tries"]:
                    issue.stage = REFERRAL
                elif issue.tries >= co["max_convening_tries"]:
                    issue.stage = SEARCHING
                    return
                else:
                    return
        elif issue.stage == CONVENING:
            issue.stage = SEARCHING
        if issue.stage == SEARCHING:
            self.search_partners(issue)
        if issue.stage == REFERRAL:
            self.assign_bureaucratic(issue, urgent=False)

    def search_partners(self, issue):
        com = issue.community
        if issue.convener is None:
            primary = issue.parts[0].competency
            candidates = [o for o in com.social_orgs if primary in o.competencies]
            self.random.shuffle(candidates)
            candidates.append(com.committee)
            for o in candidates:
                if o.has_room() and self.random.random() < o.take_on_chance():
                    issue.convener = o
                    break
            else:
                issue.stage = REFERRAL
                return
        members = self.form_coalition(issue, issue.convener, convened=False)
        if members:
            self.assign(issue, members, SELF_ORGANIZED, issue.convener)
            return
        issue.tries += 1
        if issue.tries >= self.s["coalition"]["search_tries"]:
            issue.stage, issue.convener = REFERRAL, None

    def form_coalition(self, issue, asker, convened, bonus=0.0):
        co = self.s["coalition"]
        proc = self.s["party"]["procedure"]
        com = issue.community
        # v3: facilitative leadership of a self-organized intake.
        lead = co["j_lead"] * self.s["institutions"]["intake_leadership"]
        if convened:
            l0 = self.s["party"]["security"]["legitimacy_floor"]
            lead = (co["j_lead"] * proc["coordination_strength"] * (l0 + (1 - l0) * com.legitimacy)
                    + co["j_cent"] * proc["centralization"] + bonus)
        members = []
        for part in issue.parts:
            if part.competency in asker.competencies:
                members.append(asker)
                continue
            reach = (com.convening_reach if convened else com.local_reach)[part.competency]
            options = [o for o in reach if o is not asker]
            if not options:
                return None
            best_trust = max(self.trust_between(asker, o) for o in options)
            best = self.random.choice([o for o in options if self.trust_between(asker, o) == best_trust])
            u = co["j0"] + co["j_trust"] * best_trust + lead - co["j_load"] * best.utilization()
            if self.random.random() >= sigma(u):
                return None
            members.append(best)
        return members

    def assign_bureaucratic(self, issue, urgent):
        dept = self.departments[issue.parts[0].competency]
        issue.status, issue.route, issue.next_part = "assigned", BUREAUCRATIC, 1
        part = issue.parts[0]
        part.handler = dept
        part.ready_day = self.day + (0 if urgent else self.s["government"]["delay"])
        dept.queue.append((issue, 0))
        dept.backlog += part.remaining

    def assign(self, issue, members, route, convener, extra=0.0):
        issue.status, issue.route, issue.convener = "assigned", route, convener
        issue.next_part = len(issue.parts)
        g, proc = self.s["government"], self.s["party"]["procedure"]
        for k, part in enumerate(issue.parts):
            org = members[0] if len(members) == 1 else members[k]
            part.handler = org
            # ODD 7.3: a department's part waits the delay on every route.
            delay = 0
            if org.role == "department" and not issue.escalated:
                kept = 1.0 - proc["summons"] if route == CONVENED else 1.0
                delay = round(g["delay"] * kept)
            part.ready_day = self.day + delay
            part.remaining += extra
            org.queue.append((issue, k))
            org.backlog += part.remaining

    # ---- ODD 7.5: work ----------------------------------------------------------

    def work(self):
        for o in self.orgs:
            o.work()
        self.top_up()
        self.refer()

    def top_up(self):
        pooling = self.s["party"]["procedure"]["pooling"]
        n_sub = len(self.alliances)
        pools = [0.0] * n_sub
        if pooling > 0:
            for d, alliance in enumerate(self.alliances):
                for o in alliance:
                    share = 1.0 / n_sub if o.subdistrict is None else 1.0
                    pools[d] += pooling * o.unused * share
        assigned = sorted(
            (x for x in self.issues if x.status == "assigned"), key=lambda x: (-x.urgency(self.day), x.serial)
        )
        for issue in assigned:
            com = issue.community
            coalition = issue.cross_cutting and issue.route != BUREAUCRATIC
            for k, part in enumerate(issue.parts):
                if part.done or part.handler is None or part.ready_day > self.day:
                    continue
                before = part.remaining
                if (coalition or part.handler.kind != GOVERNMENT) and com.volunteer_pool > 0:
                    spent = min(com.volunteer_pool, part.remaining)
                    com.volunteer_pool -= spent
                    part.remaining -= spent
                    self.volunteered += spent
                d = com.subdistrict
                if coalition and part.handler.alliance and pools[d] > 0 and part.remaining > 1e-9:
                    spent = min(pools[d], part.remaining)
                    pools[d] -= spent
                    part.remaining -= spent
                    self.pooled += spent
                org = part.handler
                org.backlog = max(0.0, org.backlog - (before - part.remaining))
                if part.remaining <= 1e-9:
                    part.done = True
                    org.queue = [t for t in org.queue if not (t[0] is issue and t[1] == k)]

    def refer(self):
        g = self.s["government"]
        for issue in self.issues:
            if issue.status != "assigned" or issue.route != BUREAUCRATIC:
                continue
            nxt = issue.next_part
            if nxt >= len(issue.parts) or (g["sequential_referral"] and not issue.parts[nxt - 1].done):
                continue
            if self.random.random() >= g["referral_rate"]:
                continue
            self.refer_next_part(issue)

    def refer_next_part(self, issue):
        """The issue's next part to its department, after the delay."""
        k = issue.next_part
        part = issue.parts[k]
        dept = self.departments[part.competency]
        issue.next_part += 1
        part.handler = dept
        part.ready_day = self.day + self.s["government"]["delay"]
        dept.queue.append((issue, k))
        dept.backlog += part.remaining

    # ---- ODD 7.6: outcomes and feedback ------------------------------------------

    def close(self):
        r = self.s["residents"]
        recurrences = []
        still_open = []
        for issue in self.issues:
            finished = issue.status == "assigned" and all(p.done for p in issue.parts)
            if finished:
                deliberators = sum(
                    a.took_part + sum(1 for t in a.ties if t.took_part) for a in issue.affected
                )
                quality = min(1.0, r["q0"] + r["q_delib"] * min(1.0, deliberators / r["deliberators_needed"]))
                self.resolve(issue, quality)
                if self.random.random() < (1 - quality) * self.s["issues"]["recurrence"]:
                    recurrences.append((issue.affected[0], [p.competency for p in issue.parts]))
            elif self.day - issue.arrival > issue.patience:
                self.abandon(issue)
            else:
                still_open.append(issue)
        self.issues = still_open
        for reporter, comps in recurrences:
            self.spawn(reporter, comps)

    def handlers(self, issue):
        orgs = {p.handler for p in issue.parts if p.handler is not None}
        if issue.convener is not None:
            orgs.add(issue.convener)
        return sorted(orgs, key=lambda o: o.unique_id)

    def resolve(self, issue, quality):
        orgs = self.handlers(issue)
        kinds = {o.kind for o in orgs}
        issue.status = "resolved"
        self.resolved += 1
        self.resolved_cross += issue.cross_cutting
        self.by_route[issue.route] += 1
        self.resolution_days.append(self.day - issue.arrival)
        if issue.route == CONVENED:
            issue.community.won += 1
        r = self.s["residents"]
        gain = r["trust_gain"] * quality
        self.feedback(issue, kinds, lambda t: gain * (1 - t), r["efficacy_gain"])
        self.org_trust_after(orgs, success=True)

    def abandon(self, issue):
        orgs = self.handlers(issue)
        kinds = {o.kind for o in orgs} or {GOVERNMENT}
        for k, part in enumerate(issue.parts):
            if part.handler is not None and not part.done:
                org = part.handler
                org.queue = [t for t in org.queue if not (t[0] is issue and t[1] == k)]
                org.backlog = max(0.0, org.backlog - part.remaining)
        issue.status = "abandoned"
        self.abandoned += 1
        self.abandoned_cross += issue.cross_cutting
        if issue.route == CONVENED:
            issue.community.lost += 1
        r = self.s["residents"]
        self.feedback(issue, kinds, lambda t: -r["trust_loss"] * t, -r["efficacy_loss"])
        self.org_trust_after(orgs, success=False)

    def feedback(self, issue, kinds, delta, efficacy):
        """Affected residents fully (efficacy twice for participants), then
        every resident of the grid, the affected included, with
        `observer_weight`."""
        w = self.s["residents"]["observer_weight"]

        def apply(res, weight, eff):
            for k in kinds:
                res.trust[k] = min(1.0, max(0.0, res.trust[k] + weight * delta(res.trust[k])))
            res.efficacy = min(1.0, max(0.0, res.efficacy + weight * eff))

        for a in issue.affected:
            apply(a, 1.0, efficacy * (2.0 if a.took_part else 1.0))
        if w > 0:
            for res in issue.grid.residents:
                apply(res, w, efficacy)

    def org_trust_after(self, orgs, success):
        co = self.s["coalition"]
        for x, a in enumerate(orgs):
            for b in orgs[x + 1:]:
                t = self.trust_between(a, b)
                self.set_trust(a, b, t + co["trust_gain"] * (1 - t) if success else t - co["trust_loss"] * t)

    def legitimacy_and_autonomy(self):
        rate = self.s["party"]["security"]["legitimacy_rate"]
        decay = 0.5 ** (1.0 / PRESENCE_MEMORY_DAYS)
        for com in self.communities:
            if com.party_committee:
                trust = com.trust_party
                success = (com.won + 1) / (com.won + com.lost + 2)
                presence = 1.0 if com.cross_cutting_seen < 0.5 else min(1.0, com.party_present / com.cross_cutting_seen)
                com.legitimacy += rate * (trust * success * presence - com.legitimacy)
            com.party_present *= decay
            com.cross_cutting_seen *= decay
            com.won *= decay
            com.lost *= decay
        soc = self.s["social"]
        target = soc["autonomy"] * (1 - self.centralization)
        for o in self.orgs:
            if o.kind == SOCIAL and o.role != "enterprise":
                o.autonomy += soc["autonomy_erosion"] * (target - o.autonomy)

    def diffuse_trust(self):
        """ODD 7.7: toward the ties' mean, from last week's values for everyone at once."""
        r = self.s["residents"]
        w, f = r["diffusion"], r["forgetting"]
        t0, e0 = r["prior_trust"], r["prior_efficacy"]  # v3: priors apart from the start
        new = {}
        for res in self.residents:
            trust = res.trust
            if res.ties:
                n = len(res.ties)
                trust = [trust[k] + w * (sum(t.trust[k] for t in res.ties) / n - trust[k]) for k in range(3)]
            # ODD 7.7: then back toward the priors (forgetting).
            new[res] = [x + f * (t0 - x) for x in trust]
        for res, trust in new.items():
            res.trust = trust
            res.efficacy += f * (e0 - res.efficacy)

    # ---- docs/outputs.md: the run summary ---------------------------------------

    def summary(self) -> dict:
        def ratio(a, b):
            return a / b if b else None

        days = sorted(self.resolution_days)
        n = len(days)
        median = None if n == 0 else (days[n // 2] if n % 2 else (days[n // 2 - 1] + days[n // 2]) / 2)
        with_committee = [c.legitimacy for c in self.communities if c.party_committee]
        mean = lambda k: ratio(self.participation_sum[k], self.participation_days[k])  # noqa: E731
        return {
            "arrived": self.arrived,
            "resolution_rate": ratio(self.resolved, self.resolved + self.abandoned),
            "cross_cutting_resolution_rate": ratio(self.resolved_cross, self.resolved_cross + self.abandoned_cross),
            "median_resolution_days": median,
            "abandoned_share": ratio(self.abandoned, self.arrived),
            "participation_rate": mean(0),
            "participation_gap": (mean(2) - mean(1)) if mean(2) is not None and mean(1) is not None else None,
            "trust_party": self.trust_means[PARTY],
            "trust_government": self.trust_means[GOVERNMENT],
            "efficacy": self.efficacy_mean,
            "party_legitimacy": sum(with_committee) / len(with_committee) if with_committee else None,
            "share_party_convened": ratio(self.by_route[CONVENED], sum(self.by_route)),
            "share_self_organized": ratio(self.by_route[SELF_ORGANIZED], sum(self.by_route)),
            "share_bureaucratic": ratio(self.by_route[BUREAUCRATIC], sum(self.by_route)),
            "volunteer_effort": self.volunteered,
            "pooled_effort": self.pooled,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", help="a scenario resolved by `govsim check`")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, help="override sim.days")
    args = parser.parse_args()
    try:
        with open(args.scenario, "rb") as f:
            scenario = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        print(f"error: {args.scenario}: {e}", file=sys.stderr)
        return 2
    refused = unimplemented_levers(scenario)
    if refused:
        for why in refused:
            print(f"error: {args.scenario}: {why}", file=sys.stderr)
        return 2
    try:
        days = args.days or scenario["sim"]["days"]
        start = time.perf_counter()
        model = GovModel(scenario, args.seed)
    except (KeyError, TypeError) as e:
        print(
            f"error: {args.scenario}: missing or malformed lever {e}; "
            "give a scenario resolved by `govsim check`",
            file=sys.stderr,
        )
        return 2
    residents = len(model.residents)
    for _ in range(days):
        model.step()
    seconds = time.perf_counter() - start
    out = {"seed": args.seed, "days": days, "residents": residents, "seconds": seconds}
    out.update(model.summary())
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
