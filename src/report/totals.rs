//! `totals`: groups of deliveries by any dimensions, as a plain table with a
//! grand total row, or as a cross-tab (one column per value of `--across`,
//! like a spreadsheet pivot table), and as tidy JSON.

use super::group::{group, sort_by_total, Dim, Feed, Figures, Filters, Grouping, Measure, World};
use super::labels::{Label, Lang};
use super::mask;
use super::render::{Cell, Column, Format, Table};
use crate::store::Db;
use crate::values::Category;
use serde_json::{json, Map, Value};
use std::rc::Rc;

/// How rows are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SortBy {
    /// By the group's values: categories canonically, periods in time.
    #[default]
    Key,
    /// Largest total first.
    #[value(alias = "合计")]
    Total,
}

/// What the user asked `totals` for.
#[derive(Debug, Clone, Default)]
pub struct TotalsSpec {
    pub by: Vec<Dim>,
    pub across: Option<Dim>,
    pub measure: Measure,
    pub filters: Filters,
    pub sort: SortBy,
    pub top: Option<usize>,
}

/// The computed totals.
pub struct Totals {
    /// Shared by the totals of one scan (a workbook's sheets).
    pub world: Rc<World>,
    pub spec: TotalsSpec,
    /// Groups by `by`.
    pub rows: Grouping,
    /// Groups by `by` + `across`, when crossing.
    pub cells: Option<Grouping>,
    /// Groups by `across` alone, when crossing.
    pub columns: Option<Grouping>,
    pub grand: Figures,
}

/// Compute the totals in one scan of the deliveries.
pub fn compute(conn: Db<'_>, spec: TotalsSpec) -> anyhow::Result<Totals> {
    compute_in(Feed::Scan(conn), World::load(conn)?, spec)
}

/// Compute the totals with households and members already loaded, from
/// `feed`.
pub fn compute_in(feed: Feed<'_>, world: World, spec: TotalsSpec) -> anyhow::Result<Totals> {
    let filters = spec.filters.clone();
    let mut all = compute_many(feed, Rc::new(world), &filters, vec![spec])?;
    all.pop()
        .ok_or_else(|| crate::i18n::report::ReportMsg::NoTotals.into())
}

/// Compute several totals, all with `filters`, in one scan of `feed`: a
/// workbook's sheets by category, unit, township and month read the
/// deliveries once, not once each.
pub fn compute_many(
    feed: Feed<'_>,
    world: Rc<World>,
    filters: &Filters,
    specs: Vec<TotalsSpec>,
) -> anyhow::Result<Vec<Totals>> {
    // Each spec's groupings: its rows, the grand total, and when crossing
    // its cells and its columns; all fed by one scan.
    let lists_of = |spec: &TotalsSpec| {
        let mut lists = vec![spec.by.clone(), Vec::new()];
        if let Some(across) = spec.across {
            let mut cells = spec.by.clone();
            cells.push(across);
            lists.push(cells);
            lists.push(vec![across]);
        }
        lists
    };
    let specs: Vec<TotalsSpec> = specs
        .into_iter()
        .map(|spec| TotalsSpec {
            filters: filters.clone(),
            ..spec
        })
        .collect();
    let lists: Vec<Vec<Dim>> = specs.iter().flat_map(lists_of).collect();
    let mut groupings = group(feed, &world, filters, &lists)?.into_iter();
    let mut all = Vec::with_capacity(specs.len());
    for spec in specs {
        let mut rows = groupings.next().unwrap_or_else(|| Grouping {
            dims: spec.by.clone(),
            groups: Vec::new(),
        });
        if spec.by == [Dim::Category] {
            every_category(&world, &mut rows, filters);
        }
        let grand = groupings.next().map(|g| g.grand()).unwrap_or_default();
        let (cells, mut columns) = if spec.across.is_some() {
            (groupings.next(), groupings.next())
        } else {
            (None, None)
        };
        // Across category, all seven columns too, so that a district's
        // form with fixed 六送一办 columns lines up.
        if let (Some(Dim::Category), Some(columns)) = (spec.across, &mut columns) {
            every_category(&world, columns, filters);
        }
        if spec.sort == SortBy::Total {
            let measure = if spec.across.is_some() {
                spec.measure
            } else {
                Measure::Total
            };
            sort_by_total(&world, &mut rows, measure);
        }
        if let Some(n) = spec.top {
            rows.groups.truncate(n);
        }
        all.push(Totals {
            world: Rc::clone(&world),
            spec,
            rows,
            cells,
            columns,
            grand,
        });
    }
    Ok(all)
}

/// By category alone (as rows, or as the columns of a cross-tab), a report
/// lists all seven categories (those of `--category` only), a category
/// without deliveries with zeros.
fn every_category(world: &World, rows: &mut Grouping, filters: &Filters) {
    for category in Category::ALL {
        let value = u32::from(category.index());
        let wanted = filters.category.is_none_or(|c| c == category);
        if wanted && !rows.groups.iter().any(|(v, _)| v.as_slice() == [value]) {
            rows.groups.push((vec![value], Figures::default()));
        }
    }
    let dims = rows.dims.clone();
    rows.groups
        .sort_by(|a, b| world.compare_keys(&dims, &a.0, &b.0));
}

impl Totals {
    /// How many of `dim`'s leading columns are left out: a village's
    /// township when the township is a dimension of its own.
    fn skipped(&self, dim: Dim) -> usize {
        usize::from(dim == Dim::Village && self.spec.by.contains(&Dim::Township))
    }

    fn dim_columns(&self, lang: Lang) -> Vec<Column> {
        self.spec
            .by
            .iter()
            .flat_map(|d| d.columns(lang).into_iter().skip(self.skipped(*d)))
            .map(|(key, label)| Column::new(key, label))
            .collect()
    }

    fn dim_cells(&self, values: &[u32], lang: Lang) -> Vec<Cell> {
        self.spec
            .by
            .iter()
            .zip(values)
            .flat_map(|(d, v)| {
                let cells = self.world.cells(*d, *v, lang);
                cells.into_iter().skip(self.skipped(*d))
            })
            .collect()
    }

    /// The total row's leading cells: the word, then blanks.
    fn total_lead(&self, width: usize, lang: Lang) -> Vec<Cell> {
        let mut cells = vec![Cell::text(Label::GrandTotal.text(lang))];
        cells.resize(width.max(1), Cell::text(""));
        cells
    }

    /// The human table: plain, or a cross-tab with `--across`.
    pub fn table(&self, lang: Lang) -> Table {
        let mut columns = self.dim_columns(lang);
        let width = columns.len();
        if width == 0 {
            columns.push(Column::new("group", ""));
        }
        let (Some(across), Some(cells), Some(across_groups)) =
            (self.spec.across, &self.cells, &self.columns)
        else {
            for m in Measure::ALL {
                columns.push(Column::new(m.key(), m.label().text(lang)));
            }
            let rows = self
                .rows
                .groups
                .iter()
                .map(|(values, figures)| {
                    let mut row = self.dim_cells(values, lang);
                    row.extend(Measure::ALL.iter().map(|m| figures.cell(*m)));
                    row
                })
                .collect();
            let mut total = self.total_lead(width, lang);
            total.extend(Measure::ALL.iter().map(|m| self.grand.cell(*m)));
            return Table {
                columns,
                rows,
                total: Some(total),
            };
        };
        let measure = self.spec.measure;
        let across_values: Vec<u32> = across_groups
            .groups
            .iter()
            .filter_map(|(v, _)| v.first().copied())
            .collect();
        for v in &across_values {
            let label = self
                .world
                .cells(across, *v, lang)
                .iter()
                .map(Cell::human)
                .collect::<Vec<_>>()
                .join(" ");
            columns.push(Column::new(label.clone(), label));
        }
        columns.push(Column::new(measure.key(), Label::Total.text(lang)));
        let lookup: std::collections::HashMap<&[u32], &Figures> = cells
            .groups
            .iter()
            .map(|(k, f)| (k.as_slice(), f))
            .collect();
        let empty = |m: Measure| match m {
            Measure::Deliveries | Measure::Households => Cell::Int(0),
            _ => Cell::Money(crate::values::Fen(0)),
        };
        let rows = self
            .rows
            .groups
            .iter()
            .map(|(values, figures)| {
                let mut row = self.dim_cells(values, lang);
                let mut key = values.clone();
                key.push(0);
                for v in &across_values {
                    if let Some(last) = key.last_mut() {
                        *last = *v;
                    }
                    row.push(
                        lookup
                            .get(key.as_slice())
                            .map_or(empty(measure), |f| f.cell(measure)),
                    );
                }
                row.push(figures.cell(measure));
                row
            })
            .collect();
        let mut total = self.total_lead(width, lang);
        total.extend(across_groups.groups.iter().map(|(_, f)| f.cell(measure)));
        total.push(self.grand.cell(measure));
        Table {
            columns,
            rows,
            total: Some(total),
        }
    }

    /// Tidy JSON: one object per group (by `by` and `across`).
    pub fn json(&self) -> Value {
        let grouping = self.cells.as_ref().unwrap_or(&self.rows);
        let rows: Vec<Value> = grouping
            .groups
            .iter()
            .filter(|(values, _)| {
                // With --top, keep only the groups of the rows shown.
                self.cells.is_none() || self.rows.groups.iter().any(|(r, _)| values.starts_with(r))
            })
            .map(|(values, figures)| {
                let mut map = Map::new();
                for (dim, v) in grouping.dims.iter().zip(values) {
                    for (k, val) in self.world.json(*dim, *v) {
                        map.insert(k.to_string(), val);
                    }
                }
                if let Value::Object(m) = figures_json(figures) {
                    map.extend(m);
                }
                Value::Object(map)
            })
            .collect();
        let by: Vec<&str> = grouping.dims.iter().map(|d| d.key()).collect();
        json!({"by": by, "rows": rows, "total": figures_json(&self.grand)})
    }

    /// The totals in `format`, ID and phone numbers in names masked unless
    /// `reveal`.
    pub fn render(&self, lang: Lang, format: Format, reveal: bool) -> String {
        match format {
            Format::Json => {
                let mut json = self.json();
                mask::json(&mut json, reveal);
                let mut s = serde_json::to_string_pretty(&json).unwrap_or_default();
                s.push('\n');
                s
            }
            other => {
                let mut table = self.table(lang);
                mask::table(&mut table, reveal);
                table.render(other)
            }
        }
    }
}

/// The five measures as JSON (money as two-decimal strings).
pub fn figures_json(f: &Figures) -> Value {
    json!({
        "deliveries": f.deliveries,
        "households": f.households,
        "goods": f.goods.yuan_string(),
        "cash": f.cash.yuan_string(),
        "total": f.total().yuan_string(),
    })
}

/// The two tables `demo` prints: by category and by unit.
pub fn demo_tables(conn: Db<'_>, lang: Lang) -> anyhow::Result<Vec<Table>> {
    [Dim::Category, Dim::Unit]
        .into_iter()
        .map(|dim| {
            let spec = TotalsSpec {
                by: vec![dim],
                ..TotalsSpec::default()
            };
            Ok(compute(conn, spec)?.table(lang))
        })
        .collect()
}
