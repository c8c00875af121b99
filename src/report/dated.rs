//! Fields that hold from a day on (contract §8): a household's township,
//! village, status and removal, a member's unit and removal. A delivery
//! counts toward the values its records had on its day, and `summary`,
//! `unpaired` and `overdue` judge by those of their as-of day.
//!
//! The rule, for field F of record R on day d: the `new` of R's history row
//! for F with the largest (day, import) where day ≤ d; if there is none,
//! the `old` of R's row for F with the smallest import (the record's first
//! value); without history for F, the current value. A record's rows are
//! folded once, when a report loads, into a short timeline of whole states
//! (one for the days before the first change, one from each day a change
//! holds from), looked up by binary search; a record never changed has no
//! timeline, and costs a report one vector read, as before.

/// Marks a record without a timeline.
const NONE: u32 = u32::MAX;

/// One history row, its values already made small integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Row<F> {
    pub day: i32,
    pub command: i64,
    pub field: F,
    pub old: u32,
    pub new: u32,
}

/// A record's state over time: `first` before the first change, then from
/// each day on, the state of that day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Timeline<S> {
    first: S,
    changes: Vec<(i32, S)>,
}

impl<S: Copy> Timeline<S> {
    /// Fold a record's history rows (any order) into its timeline, from its
    /// current state `now`; `set` puts one field's value into a state.
    pub fn build<F: Copy + PartialEq>(
        now: S,
        mut rows: Vec<Row<F>>,
        set: impl Fn(&mut S, F, u32),
    ) -> Timeline<S> {
        // The first value of each field: the old of its first import's row.
        rows.sort_by_key(|r| r.command);
        let mut first = now;
        let mut seen: Vec<F> = Vec::new();
        for r in &rows {
            if !seen.contains(&r.field) {
                set(&mut first, r.field, r.old);
                seen.push(r.field);
            }
        }
        // Then in (day, import) order: after a day's rows, each field holds
        // the new of its largest (day, import) so far.
        rows.sort_by_key(|r| (r.day, r.command));
        let mut state = first;
        let mut changes: Vec<(i32, S)> = Vec::new();
        for r in rows {
            set(&mut state, r.field, r.new);
            match changes.last_mut() {
                Some(last) if last.0 == r.day => last.1 = state,
                _ => changes.push((r.day, state)),
            }
        }
        Timeline { first, changes }
    }

    /// The state on `day`.
    pub fn at(&self, day: i32) -> S {
        let after = self.changes.partition_point(|c| c.0 <= day);
        match after.checked_sub(1).and_then(|i| self.changes.get(i)) {
            Some(&(_, state)) => state,
            None => self.first,
        }
    }

    /// Every state the record ever had.
    pub fn states_mut(&mut self) -> impl Iterator<Item = &mut S> {
        std::iter::once(&mut self.first).chain(self.changes.iter_mut().map(|c| &mut c.1))
    }
}

/// The states of all records of one kind, by their index in the world: the
/// current one, and the timeline of those with history.
#[derive(Debug, Default)]
pub(super) struct Dated<S> {
    now: Vec<S>,
    timeline_of: Vec<u32>,
    timelines: Vec<Timeline<S>>,
}

impl<S: Copy> Dated<S> {
    pub fn new(now: Vec<S>) -> Dated<S> {
        Dated {
            timeline_of: vec![NONE; now.len()],
            now,
            timelines: Vec::new(),
        }
    }

    /// Give record `i` its timeline.
    pub fn set_timeline(&mut self, i: u32, timeline: Timeline<S>) {
        if let Some(slot) = self.timeline_of.get_mut(i as usize) {
            *slot = self.timelines.len() as u32;
            self.timelines.push(timeline);
        }
    }

    /// Record `i`'s state today (its stored values).
    pub fn now(&self, i: u32) -> Option<S> {
        self.now.get(i as usize).copied()
    }

    /// Record `i`'s state on `day`.
    pub fn on(&self, i: u32, day: i32) -> Option<S> {
        match self.timeline_of.get(i as usize) {
            Some(&t) if t != NONE => self.timelines.get(t as usize).map(|t| t.at(day)),
            _ => self.now(i),
        }
    }

    /// Every state any record ever had.
    pub fn all_mut(&mut self) -> impl Iterator<Item = &mut S> {
        self.now
            .iter_mut()
            .chain(self.timelines.iter_mut().flat_map(Timeline::states_mut))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The rule as the contract says it, for one field.
    fn naive(rows: &[Row<usize>], field: usize, now: u32, day: i32) -> u32 {
        let of_field = || rows.iter().filter(|r| r.field == field);
        if let Some(r) = of_field()
            .filter(|r| r.day <= day)
            .max_by_key(|r| (r.day, r.command))
        {
            return r.new;
        }
        of_field().min_by_key(|r| r.command).map_or(now, |r| r.old)
    }

    fn set(s: &mut [u32; 3], f: usize, v: u32) {
        if let Some(x) = s.get_mut(f) {
            *x = v;
        }
    }

    /// History rows of three fields: at most one row a field and import
    /// (the table's key), days and imports in any order.
    fn rows() -> impl Strategy<Value = Vec<Row<usize>>> {
        prop::collection::vec((0i32..20, 1i64..8, 0usize..3, 0u32..5, 0u32..5), 0..12).prop_map(
            |raw| {
                let mut rows: Vec<Row<usize>> = Vec::new();
                for (day, command, field, old, new) in raw {
                    if !rows
                        .iter()
                        .any(|r| r.field == field && r.command == command)
                    {
                        rows.push(Row {
                            day,
                            command,
                            field,
                            old,
                            new,
                        });
                    }
                }
                rows
            },
        )
    }

    proptest! {
        #[test]
        fn a_timeline_gives_the_rule_s_value_on_every_day(rows in rows(), now in any::<[u32; 3]>()) {
            let timeline = Timeline::build(now, rows.clone(), set);
            for day in -2..24 {
                let state = timeline.at(day);
                for field in 0..3 {
                    prop_assert_eq!(state[field], naive(&rows, field, now[field], day), "day {} field {}", day, field);
                }
            }
        }
    }

    #[test]
    fn a_move_holds_from_its_day_and_the_first_value_before() {
        // 双江村 (1) → 大坪村 (2) on day 10 by import 7; a later import on
        // the same day back to 1: the later import holds for the whole day.
        let rows = vec![
            Row {
                day: 10,
                command: 7,
                field: 0,
                old: 1,
                new: 2,
            },
            Row {
                day: 10,
                command: 8,
                field: 0,
                old: 2,
                new: 3,
            },
        ];
        let t = Timeline::build([3, 0, 0], rows, set);
        assert_eq!(t.at(9)[0], 1);
        assert_eq!(t.at(10)[0], 3);
        assert_eq!(t.at(i32::MAX)[0], 3);
        assert_eq!(t.at(i32::MIN)[0], 1);
        let mut dated = Dated::new(vec![[3, 0, 0], [4, 4, 4]]);
        dated.set_timeline(0, t);
        assert_eq!(dated.on(0, 9), Some([1, 0, 0]));
        assert_eq!(dated.on(1, 9), Some([4, 4, 4]));
        assert_eq!(dated.on(2, 9), None);
        assert_eq!(dated.now(0), Some([3, 0, 0]));
    }
}
