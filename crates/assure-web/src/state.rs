//! What every request shares: the store, and the plan read from it, cached for as long
//! as the store says it has not changed.

use std::sync::{Arc, RwLock};

use assure_plan::Plan;
use assure_store::Store;

use crate::WebError;

/// Shared by every request; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    store: Store,
    plan_id: Option<String>,
    cache: RwLock<Option<Cached>>,
}

struct Cached {
    id: String,
    revision: i64,
    plan: Arc<Plan>,
}

impl AppState {
    /// Serve `plan_id`, or, when `None`, the most recently imported plan.
    pub fn new(store: Store, plan_id: Option<String>) -> AppState {
        AppState(Arc::new(Inner { store, plan_id, cache: RwLock::new(None) }))
    }

    /// The store, for handlers that need more than the plan.
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The plan being served, as it is in the store now.
    pub async fn plan(&self) -> Result<Arc<Plan>, WebError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || state.plan_now())
            .await
            .map_err(|e| WebError::Internal(format!("plan loader stopped: {e}")))?
    }

    fn plan_now(&self) -> Result<Arc<Plan>, WebError> {
        let inner = &self.0;
        let id = match &inner.plan_id {
            Some(id) => id.clone(),
            None => {
                let plans = inner.store.plans()?;
                plans.into_iter().max_by(|a, b| a.imported_at.cmp(&b.imported_at)).ok_or(WebError::NoPlan)?.id
            }
        };
        let revision = inner.store.plan_revision(&id)?.ok_or(WebError::NoPlan)?;
        if let Ok(guard) = inner.cache.read()
            && let Some(c) = guard.as_ref()
            && c.id == id
            && c.revision == revision
        {
            return Ok(c.plan.clone());
        }
        let plan = Arc::new(inner.store.plan(&id)?);
        if let Ok(mut guard) = inner.cache.write() {
            *guard = Some(Cached { id, revision, plan: plan.clone() });
        }
        Ok(plan)
    }
}
