//! Reports: grouping stored records into the totals a district report needs,
//! and rendering them in the user's language and format.

pub mod check;
pub mod collate;
pub mod dated;
pub mod group;
pub mod labels;
pub mod log;
pub mod mask;
pub mod overdue;
pub mod render;
pub mod show;
pub mod summary;
pub mod title;
pub mod totals;
pub mod world;
pub mod xlsx;

pub use labels::{Label, Lang};
pub use render::{Cell, Column, Format, Table};
