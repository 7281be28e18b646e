//! What is specific to the party (design section 10, rule 3): the one place
//! that lists the mechanisms which read whether an organization is a party
//! organization or a resident a party member, and the gates through which
//! the rules of other modules read it.
//!
//! Every other rule reads attributes and institutions (capacity,
//! competencies, autonomy, trust, reach, the convener institution), never
//! an organization's kind. Each mechanism below has a lever that switches
//! it off, a source and a measured switch-off effect (ODD section 8). The
//! label-swap test (`tests/label_swap.rs`) switches every one off and checks
//! that a district in which a community hub holds the party committees'
//! institutions gives byte-identical outputs to one with party committees:
//! a rule that branches on kind anywhere else makes it fail.

use super::world::{Community, OrgRole, World};

/// One party-specific mechanism.
#[derive(Debug, Clone, Copy)]
pub struct PartyMechanism {
    /// Short name.
    pub name: &'static str,
    /// What it does, in words.
    pub what: &'static str,
    /// The levers and values that switch it off.
    pub off: &'static [(&'static str, f64)],
    /// Where it comes from.
    pub source: &'static str,
}

/// Every party-specific mechanism of the model.
pub const MECHANISMS: &[PartyMechanism] = &[
    PartyMechanism {
        name: "summons",
        what: "a party convener's political authority over departments: a \
               summoned department must join and skips part of its delay",
        off: &[("party.procedure.summons", 0.0)],
        source: "Beijing's 'the street blows the whistle, departments report' \
                 (jiexiang chuishao, bumen baodao), 2018; ODD section 8, item 29",
    },
    PartyMechanism {
        name: "member mobilization",
        what: "party members' contacts with households, which mobilize \
               residents to take part",
        off: &[("party.procedure.mobilization", 0.0)],
        source: "the Beilun study: party members' contacts with residents \
                 under regional party building; intensity stylized",
    },
    PartyMechanism {
        name: "member detection",
        what: "active party members notice latent issues of their grid",
        off: &[("party.procedure.member_detection", 0.0)],
        source: "the Beilun study: party members as the eyes of grid \
                 management; rate stylized",
    },
    PartyMechanism {
        name: "migrant members' reach",
        what: "a community party committee reaches migrants through migrant \
               party members (an inclusion channel)",
        off: &[("party.setting.migrant_member_reach", 0.0)],
        source: "the Beilun study: migrant party members organized by \
                 community party committees; reach stylized",
    },
    PartyMechanism {
        name: "'two new' party branches",
        what: "party branches in social organizations and enterprises bring \
               them into the alliance and reach enterprises' migrant workers",
        off: &[("party.setting.two_new_coverage", 0.0)],
        source: "the Beilun study: party organizations in 'two new' \
                 organizations (new economic and new social organizations)",
    },
];

/// Whether the convener `convener` summons the organization `asked`: a
/// party organization's political authority over a department (mechanism
/// "summons").
#[inline]
pub fn summons(world: &World, convener: u32, asked: u32) -> bool {
    world.orgs[convener as usize].party && world.orgs[asked as usize].role == OrgRole::Department
}

/// Whether migrant party members reach the migrants of `community`
/// through its convener (mechanism "migrant members' reach").
#[inline]
pub fn migrant_members_reach(community: &Community) -> bool {
    community.convener_is_party
}
