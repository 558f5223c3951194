//! Areas as data names them: a plan area's id, ONS code, ODS code, name or alias, and the
//! comparator England, all resolved to one id.

use std::collections::HashMap;

use assure_plan::{Comparator, Plan};

/// Every way of naming an area, to its id.
#[derive(Debug, Clone)]
pub struct AreaIndex {
    ids: HashMap<String, String>,
    names: HashMap<String, String>,
}

impl AreaIndex {
    /// The plan's areas and England.
    pub fn new(plan: &Plan) -> AreaIndex {
        let mut ids = HashMap::new();
        let mut names = HashMap::new();
        let england = Comparator::England;
        for key in [england.area_id(), england.code(), england.name()] {
            ids.insert(key.to_ascii_lowercase(), england.area_id().to_owned());
        }
        names.insert(england.area_id().to_owned(), england.name().to_owned());
        for a in &plan.areas {
            let id = a.id.get_ref();
            let keys =
                [Some(id.as_str()), a.code.as_ref().map(|c| c.get_ref().as_str()), a.ods.as_deref(), Some(&a.name)];
            for key in keys.into_iter().flatten().chain(a.aliases.iter().map(String::as_str)) {
                ids.insert(key.to_ascii_lowercase(), id.clone());
            }
            names.insert(id.clone(), a.name.clone());
        }
        AreaIndex { ids, names }
    }

    /// The id of the area `text` names (case-insensitive), if any.
    pub fn resolve(&self, text: &str) -> Option<&str> {
        self.ids.get(&text.trim().to_ascii_lowercase()).map(String::as_str)
    }

    /// The name of an area id (the id itself when unknown).
    pub fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.names.get(id).map_or(id, String::as_str)
    }
}
