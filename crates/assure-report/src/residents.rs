//! "What residents told us": the section every report gains from residents' voice, made
//! from published items only (counts by theme and by channel, with counts of 1 to 4
//! shown as "fewer than 5", selected quotes, and partners' responses with their status).

use crate::document::{Block, Cell, Section};

/// What residents told us, as a report shows it: only what moderators published.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Residents {
    /// (theme name, published items); "Not yet themed" for those without one.
    pub by_theme: Vec<(String, usize)>,
    /// (channel name, published items).
    pub by_channel: Vec<(String, usize)>,
    /// (quote, who and where: "Kestrel 482, Swale, November 2026").
    pub quotes: Vec<(String, String)>,
    /// (you said, we did, status, organisation).
    pub responses: Vec<(String, String, String, String)>,
}

/// A count as the public sees it: 1 to 4 is "fewer than 5".
fn shown(n: usize) -> String {
    if (1..5).contains(&n) { "fewer than 5".to_owned() } else { n.to_string() }
}

/// The section.
pub fn section(r: &Residents) -> Section {
    let mut blocks = Vec::new();
    let total: usize = r.by_channel.iter().map(|(_, n)| n).sum();
    if total == 0 {
        blocks.push(Block::Paragraph(
            "Nothing residents said has been published for this report yet. Items are published only after moderation."
                .into(),
        ));
    } else {
        blocks.push(Block::Paragraph(format!(
            "{} published items from residents (every one read by a moderator first). Counts of 1 to 4 are shown as \"fewer than 5\".",
            shown(total)
        )));
        blocks.push(Block::table(
            "Published items by theme",
            &["Theme", "Items"],
            r.by_theme.iter().map(|(t, n)| vec![Cell::text(t.clone()), Cell::text(shown(*n))]).collect(),
        ));
        blocks.push(Block::table(
            "Published items by how they reached us",
            &["Channel", "Items"],
            r.by_channel.iter().map(|(t, n)| vec![Cell::text(t.clone()), Cell::text(shown(*n))]).collect(),
        ));
        blocks.push(Block::Heading("In residents' words".into()));
        blocks.push(Block::List(r.quotes.iter().map(|(q, who)| format!("\u{201c}{q}\u{201d} ({who})")).collect()));
    }
    if !r.responses.is_empty() {
        blocks.push(Block::Heading("You said, we did".into()));
        blocks.push(Block::table(
            "Responses from partners",
            &["You said", "We did", "Status", "Responding"],
            r.responses
                .iter()
                .map(|(s, d, st, o)| {
                    vec![Cell::text(s.clone()), Cell::text(d.clone()), Cell::text(st.clone()), Cell::text(o.clone())]
                })
                .collect(),
        ));
    }
    Section { heading: "What residents told us".into(), blocks }
}
