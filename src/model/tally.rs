//! What the model counts each day: plain numbers that the metrics layer turns
//! into rates, windows and run-level figures. Counting is the model's job;
//! interpreting is not.

/// Counts of one day.
#[derive(Debug, Clone, Default)]
pub struct DayTally {
    /// Issues that arrived (recurrences included).
    pub arrived: u32,
    /// Latent issues detected.
    pub detected: u32,
    /// Issues resolved.
    pub resolved: u32,
    /// Issues abandoned.
    pub abandoned: u32,
    /// Cross-cutting issues resolved.
    pub resolved_cross: u32,
    /// Cross-cutting issues resolved jointly: their parts worked together by
    /// a coalition of two or more organizations (any convener; not one
    /// department after another).
    pub resolved_cross_jointly: u32,
    /// Sum of the quality of the issues resolved.
    pub quality_sum: f64,
    /// Sum over the issues resolved of the chance that their reporter is
    /// satisfied (ODD 7.6).
    pub satisfied: f64,
    /// Issues closed today as explained (demands that cannot be met).
    pub explained: u32,
    /// Issues closed today whose reporter had a reply in time (taken on
    /// within `issues.reply_days` of becoming known).
    pub responded: u32,
    /// Cross-cutting issues abandoned.
    pub abandoned_cross: u32,
    /// Issues of migrants resolved.
    pub resolved_migrant: u32,
    /// Issues of migrants abandoned.
    pub abandoned_migrant: u32,
    /// Issues that escalated into petitions.
    pub escalations: u32,
    /// Residents who took part today for the first time since
    /// [`crate::model::Model::start_participation_year`].
    pub first_participants: u32,
    /// Residents who took part today for the first time this month (30
    /// recorded days).
    pub first_participants_month: u32,
    /// Latent issues brought up at a joint conference.
    pub disclosed: u32,
    /// Bureaucratic issues whose remaining parts a joint conference referred.
    pub reviewed: u32,
    /// Open issues at the end of the day (latent, detected or assigned).
    pub open: u32,
    /// Resolutions by route: party-convened, self-organized, bureaucratic.
    pub by_route: [u32; 3],
    /// Resolution credit by kind of handler: party, government, social.
    pub credit: [f64; 3],
    /// Each issue resolved today: days from arrival to resolution, whether
    /// cross-cutting, and its route (0 party-convened, 1 self-organized, 2 bureaucratic).
    pub resolution_days: Vec<(u32, bool, u8)>,
    /// Each issue resolved today, for each organization that handled or
    /// convened it: (organization, its share of the credit, 1 / number of
    /// such organizations; its autonomy then).
    pub org_credit: Vec<(u32, f64, f64)>,
    /// Effort organizations spent from their own capacity.
    pub own_effort: f64,
    /// Pooled effort spent on coalition parts.
    pub pooled_effort: f64,
    /// Volunteer effort spent.
    pub volunteer_effort: f64,
    /// Capacity lost to meetings, convening and triage.
    pub overhead: f64,
    /// Residents: locals, migrants.
    pub residents: [u32; 2],
    /// Residents taking part: locals, migrants.
    pub participants: [u32; 2],
    /// Residents taking part today who also took part yesterday.
    pub persisting: u32,
    /// Residents who took part yesterday.
    pub yesterday: u32,
    /// Mean trust in party, government, social organizations.
    pub trust: [f64; 3],
    /// Mean efficacy.
    pub efficacy: f64,
    /// Mean party legitimacy over communities with a party committee (NaN if none).
    pub legitimacy: f64,
    /// Issues taken on today (assigned to a route), and of them those the
    /// convener convened or triaged.
    pub assigned: [u32; 2],
    /// Share of the communities with a convener whose convener convened or
    /// triaged nothing lately (decaying count below 0.5): "virtual" (NaN if
    /// no community has a convener).
    pub virtual_share: f64,
    /// Mean inter-organizational trust over pairs that met (0 if none).
    pub org_trust: f64,
    /// Pairs that met as a share of possible pairs.
    pub org_density: f64,
    /// Effort the organizations could give today (their capacities times a
    /// shock's multiplier), volunteers and pooling excluded.
    pub capacity: f64,
}
