//! Deal activity (spec flow 11): the kinds of timeline entry a channel
//! manager filters the activity feed by, and a record's fields as they were
//! at any moment, rebuilt from its timeline.
//!
//! Timeline entries keep every field change with its old and new value, so a
//! record's state at a moment is its state now with every later change undone,
//! newest first.

/// A filter of the activity feed: a group of timeline entry kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActivityKind {
    /// A lead or opportunity made, or a lead routed.
    Created,
    /// Claims, accepts, releases, declines and stale-claim returns.
    Claims,
    /// Status (leads) and stage (opportunities) moves.
    Moves,
    /// Other field changes.
    Fields,
    Notes,
    Conversions,
    /// Help requests, answers and resources.
    Help,
}

/// Which field changes a group takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldRule {
    /// Any entry of the group's kinds.
    Any,
    /// `field` entries of these fields.
    Only(&'static [&'static str]),
    /// `field` entries of any other field.
    Except(&'static [&'static str]),
}

/// The fields whose changes are moves.
pub const MOVE_FIELDS: &[&str] = &["status", "stage"];

impl ActivityKind {
    pub const ALL: [ActivityKind; 7] = [
        ActivityKind::Created,
        ActivityKind::Claims,
        ActivityKind::Moves,
        ActivityKind::Fields,
        ActivityKind::Notes,
        ActivityKind::Conversions,
        ActivityKind::Help,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Created => "created",
            ActivityKind::Claims => "claims",
            ActivityKind::Moves => "moves",
            ActivityKind::Fields => "fields",
            ActivityKind::Notes => "notes",
            ActivityKind::Conversions => "conversions",
            ActivityKind::Help => "help",
        }
    }

    pub fn parse(s: &str) -> Option<ActivityKind> {
        ActivityKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The timeline entry kinds of the group, and which fields count.
    pub fn entry_kinds(self) -> (&'static [&'static str], FieldRule) {
        match self {
            ActivityKind::Created => (&["created", "routed"], FieldRule::Any),
            ActivityKind::Claims => (
                &[
                    "claim",
                    "accept",
                    "release",
                    "decline",
                    "stale_warning",
                    "stale_return",
                ],
                FieldRule::Any,
            ),
            ActivityKind::Moves => (&["field"], FieldRule::Only(MOVE_FIELDS)),
            ActivityKind::Fields => (&["field"], FieldRule::Except(MOVE_FIELDS)),
            ActivityKind::Notes => (&["note"], FieldRule::Any),
            ActivityKind::Conversions => (&["converted"], FieldRule::Any),
            ActivityKind::Help => (&["help", "help_answer", "resource"], FieldRule::Any),
        }
    }

    /// Whether a timeline entry belongs to the group.
    pub fn matches(self, kind: &str, field: Option<&str>) -> bool {
        let (kinds, rule) = self.entry_kinds();
        kinds.contains(&kind)
            && match rule {
                FieldRule::Any => true,
                FieldRule::Only(fields) => field.is_some_and(|f| fields.contains(&f)),
                FieldRule::Except(fields) => !field.is_some_and(|f| fields.contains(&f)),
            }
    }
}

/// Whether a timeline entry changed a field (and so is undone going back in
/// time): field edits, and a conversion, which moves the status.
pub fn changes_field(kind: &str, field: Option<&str>) -> bool {
    field.is_some() && matches!(kind, "field" | "converted")
}

/// The fields as they were, from the fields now (in their order, as the
/// timeline writes values) and the field changes made after the moment, in
/// the order they were made: each is undone, newest first, so a field takes
/// the old value of its first change after the moment.
pub fn fields_as_of<'a>(
    now: Vec<(String, Option<String>)>,
    later_changes: impl DoubleEndedIterator<Item = (&'a str, Option<&'a str>)>,
) -> Vec<(String, Option<String>)> {
    let mut fields = now;
    for (field, old) in later_changes.rev() {
        let old = old.map(str::to_owned);
        match fields.iter_mut().find(|(name, _)| name == field) {
            Some((_, value)) => *value = old,
            None => fields.push((field.to_owned(), old)),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_split_moves_from_other_field_changes() {
        assert!(ActivityKind::Moves.matches("field", Some("status")));
        assert!(ActivityKind::Moves.matches("field", Some("stage")));
        assert!(!ActivityKind::Moves.matches("field", Some("amount")));
        assert!(ActivityKind::Fields.matches("field", Some("amount")));
        assert!(!ActivityKind::Fields.matches("field", Some("stage")));
        assert!(ActivityKind::Help.matches("resource", None));
        assert!(ActivityKind::Claims.matches("decline", None));
        assert!(!ActivityKind::Notes.matches("help", None));
        for kind in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ActivityKind::parse("everything"), None);
    }

    #[test]
    fn fields_go_back_to_the_old_value_of_their_first_later_change() {
        let now = vec![
            ("stage".to_owned(), Some("won".to_owned())),
            ("amount".to_owned(), Some("900.00 EUR".to_owned())),
            ("next_step".to_owned(), None),
        ];
        // After the moment: stage proposal→negotiation, amount 500→900, stage negotiation→won.
        let later = [
            ("stage", Some("proposal")),
            ("amount", Some("500.00 EUR")),
            ("stage", Some("negotiation")),
        ];
        let then = fields_as_of(now.clone(), later.into_iter());
        assert_eq!(
            then,
            vec![
                ("stage".to_owned(), Some("proposal".to_owned())),
                ("amount".to_owned(), Some("500.00 EUR".to_owned())),
                ("next_step".to_owned(), None),
            ]
        );
        assert_eq!(fields_as_of(now.clone(), [].into_iter()), now);
        let cleared = fields_as_of(now, [("next_step", Some("Call"))].into_iter());
        assert_eq!(cleared[2].1.as_deref(), Some("Call"));
        assert!(changes_field("converted", Some("status")));
        assert!(!changes_field("note", None));
    }
}
