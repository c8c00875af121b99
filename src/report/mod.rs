//! Reports: grouping stored records into the totals a district report needs,
//! and rendering them in the user's language and format.

pub mod group;
pub mod labels;
pub mod render;
pub mod summary;
pub mod totals;

pub use labels::{Label, Lang};
pub use render::{Cell, Column, Format, Table};
