//! Shared page components, the layer between access and the pages: the page shell, form
//! helpers, links, tables and tags, delivery sections, what residents said. Everything two pages draw alike is
//! here, never in one of the routes; components import only error, state and access.

mod delivery;
mod forms;
mod glossary;
mod layout;
mod links;
mod status;
mod voice;

pub use delivery::*;
pub use forms::*;
pub use glossary::*;
pub use layout::*;
pub use links::*;
pub use status::*;
pub use voice::*;
