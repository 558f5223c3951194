//! Shared page components, the layer between access and the pages: the page shell, form
//! helpers, links, tables and tags, delivery sections, what residents said. Everything two pages draw alike is
//! here, never in one of the routes; components import only error, state and access.

mod actions;
mod delivery;
mod forms;
mod glossary;
mod layout;
mod links;
mod status;
mod update_form;
mod upload;
mod voice;

pub use actions::*;
pub use delivery::*;
pub use forms::*;
pub use glossary::*;
pub use layout::*;
pub use links::*;
pub use status::*;
pub use update_form::*;
pub use upload::*;
pub use voice::*;
