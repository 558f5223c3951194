//! What every request shares: the store, the plan read from it, and the pages rendered
//! from that plan, all kept for as long as the store says the plan has not changed.
//!
//! The served plan's revision (one small query) is asked only when the data may have
//! changed: [`assure_store::Changes`] says so without a round trip (PostgreSQL notifies a
//! listening connection on every commit, SQLite's data version is read in process, and
//! this process's own writes count at once). While it cannot say (the listening
//! connection is down or doubted), the revision is asked on every request, as before.
//! Pages depend on nothing else, so a page rendered at a revision is the page at that
//! revision, and a change to another plan leaves this plan's pages kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use assure_app::App;
use assure_plan::Plan;
use assure_store::Store;

use crate::WebError;

/// Rendered pages kept per revision, at most this many.
const PAGE_CACHE_ENTRIES: usize = 4096;

/// A rendered page: its headers and bytes, with their compressed forms once asked for.
pub type Page = Arc<crate::encoding::Encoded>;

/// Shared by every request; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    app: App,
    store: Store,
    changes: assure_store::Changes,
    /// The revision last read, with the generation of changes read just before it.
    known: RwLock<Option<(u64, Revision)>>,
    plan_id: Option<String>,
    plan: RwLock<Option<(Revision, Arc<Plan>)>>,
    tracking: RwLock<Option<(Revision, Arc<Tracking>)>>,
    delivery: RwLock<Option<(Revision, Arc<Delivery>)>>,
    pages: Mutex<(Option<Revision>, HashMap<String, Page>)>,
    trusted_proxies: Vec<std::net::IpAddr>,
    hsts: std::sync::atomic::AtomicBool,
}

pub use assure_app::Tracking;
pub use assure_tracking::delivery::Delivery;

/// A plan and its revision: what a rendered page depends on.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Revision {
    plan_id: String,
    revision: i64,
}

impl AppState {
    /// Serve `plan_id`, or, when `None`, the latest published version of the plan.
    pub fn new(store: Store, plan_id: Option<String>) -> AppState {
        AppState::behind_proxies(store, plan_id, Vec::new())
    }

    /// The same, behind reverse proxies at these addresses: requests from them are taken
    /// to come from the client their `X-Forwarded-For` names (for sign-in throttling).
    pub fn behind_proxies(store: Store, plan_id: Option<String>, trusted_proxies: Vec<std::net::IpAddr>) -> AppState {
        AppState::serving(App::new(store), plan_id, trusted_proxies)
    }

    /// The same, with the use-cases run by `app` as configured (one that sends email, and
    /// writes links under the site's public address).
    pub fn serving(app: App, plan_id: Option<String>, trusted_proxies: Vec<std::net::IpAddr>) -> AppState {
        AppState(Arc::new(Inner {
            store: app.store().clone(),
            changes: app.store().changes(),
            known: RwLock::new(None),
            app,
            plan_id,
            plan: RwLock::new(None),
            tracking: RwLock::new(None),
            delivery: RwLock::new(None),
            pages: Mutex::new((None, HashMap::new())),
            trusted_proxies,
            hsts: std::sync::atomic::AtomicBool::new(false),
        }))
    }

    /// Send `Strict-Transport-Security` on every response (for a server behind a TLS
    /// proxy: browsers then refuse plain HTTP to the site for a year).
    pub fn with_hsts(self, enabled: bool) -> AppState {
        self.0.hsts.store(enabled, std::sync::atomic::Ordering::Relaxed);
        self
    }

    /// Whether responses carry `Strict-Transport-Security`.
    pub fn hsts(&self) -> bool {
        self.0.hsts.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The reverse proxies whose `X-Forwarded-For` is believed.
    pub fn trusted_proxies(&self) -> &[std::net::IpAddr] {
        &self.0.trusted_proxies
    }

    /// The store, for handlers that need no more than a query.
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The use-cases.
    pub fn app(&self) -> &App {
        &self.0.app
    }

    /// Run a blocking store call off the async workers.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&AppState) -> Result<T, WebError> + Send + 'static,
    ) -> Result<T, WebError> {
        let state = self.clone();
        let done = tokio::task::spawn_blocking(move || f(&state))
            .await
            .map_err(|e| WebError::Internal(format!("a database task stopped: {e}")))?;
        if let Err(WebError::Unavailable(_)) = &done {
            self.0.changes.doubt();
        }
        done
    }

    /// How changes to the data are learnt of now (for `/healthz`).
    pub fn watching(&self) -> assure_store::Watching {
        self.0.changes.watching()
    }

    /// The stored observations of these indicators (or parts) of a plan, in key order.
    pub async fn observations(
        &self,
        plan_id: String,
        indicators: Vec<String>,
    ) -> Result<Vec<assure_plan::observation::Observation>, WebError> {
        self.blocking(move |s| Ok(s.app().observations(&plan_id, &indicators)?)).await
    }

    /// What the data shows in one area of the served plan (see [`App::area_readings`]).
    pub async fn area_readings(&self, plan: Arc<Plan>, area: String) -> Result<Vec<assure_app::AreaReading>, WebError> {
        self.blocking(move |s| Ok(s.app().area_readings(&plan, &area)?)).await
    }

    /// The served plan's revision, now: as last read, unless the data may have changed
    /// since (see the module's documentation).
    pub async fn revision(&self) -> Result<Revision, WebError> {
        // Read before the revision: a change after this moves it, and the next request asks.
        let generation = self.0.changes.generation();
        if let Some(g) = generation
            && let Ok(guard) = self.0.known.read()
            && let Some((known, revision)) = guard.as_ref()
            && *known == g
        {
            return Ok(revision.clone());
        }
        let revision = self.ask_revision().await;
        if let (Ok(r), Some(g)) = (&revision, generation)
            && let Ok(mut guard) = self.0.known.write()
        {
            *guard = Some((g, r.clone()));
        }
        revision
    }

    /// The served plan's revision, asked of the database (one indexed query). On SQLite
    /// it runs in place on this worker (cheaper than a hand-off to the blocking pool); the
    /// PostgreSQL client drives its own runtime, which may not be entered from a runtime
    /// thread, so it goes to the blocking pool. When the database is unavailable, what
    /// says it has not changed is doubted until it has heard from the database again.
    pub async fn ask_revision(&self) -> Result<Revision, WebError> {
        fn ask(s: &AppState) -> Result<Revision, WebError> {
            let (plan_id, revision) = s.0.store.served_plan(s.0.plan_id.as_deref())?.ok_or(WebError::NoPlan)?;
            Ok(Revision { plan_id, revision })
        }
        let in_place = self.0.store.backend() == assure_store::BackendKind::Sqlite
            && tokio::runtime::Handle::current().runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread;
        let asked = if in_place { tokio::task::block_in_place(|| ask(self)) } else { self.blocking(ask).await };
        if let Err(WebError::Unavailable(_)) = &asked {
            self.0.changes.doubt();
        }
        asked
    }

    /// The plan being served, as it is in the store now.
    pub async fn plan(&self) -> Result<Arc<Plan>, WebError> {
        let revision = self.revision().await?;
        if let Ok(guard) = self.0.plan.read()
            && let Some((r, plan)) = guard.as_ref()
            && *r == revision
        {
            return Ok(plan.clone());
        }
        let id = revision.plan_id.clone();
        let plan = Arc::new(self.blocking(move |s| Ok(s.0.store.plan(&id)?)).await?);
        if let Ok(mut guard) = self.0.plan.write() {
            *guard = Some((revision, plan.clone()));
        }
        Ok(plan)
    }

    /// Every tracked indicator's assessment, as the store's data is now.
    pub async fn tracking(&self) -> Result<Arc<Tracking>, WebError> {
        let revision = self.revision().await?;
        if let Ok(guard) = self.0.tracking.read()
            && let Some((r, t)) = guard.as_ref()
            && *r == revision
        {
            return Ok(t.clone());
        }
        let plan = self.plan().await?;
        let tracking = Arc::new(self.blocking(move |s| Ok(s.app().tracking(&plan)?)).await?);
        if let Ok(mut guard) = self.0.tracking.write() {
            *guard = Some((revision, tracking.clone()));
        }
        Ok(tracking)
    }

    /// What partners have reported on delivery, as it is in the store now.
    pub async fn delivery(&self) -> Result<Arc<Delivery>, WebError> {
        let revision = self.revision().await?;
        if let Ok(guard) = self.0.delivery.read()
            && let Some((r, d)) = guard.as_ref()
            && *r == revision
        {
            return Ok(d.clone());
        }
        let plan_id = revision.plan_id.clone();
        let delivery = Arc::new(self.blocking(move |s| Ok(s.app().delivery(&plan_id)?)).await?);
        if let Ok(mut guard) = self.0.delivery.write() {
            *guard = Some((revision, delivery.clone()));
        }
        Ok(delivery)
    }

    /// A page rendered at this revision, if kept.
    pub fn cached_page(&self, revision: &Revision, key: &str) -> Option<Page> {
        let guard = self.0.pages.lock().ok()?;
        if guard.0.as_ref() != Some(revision) {
            return None;
        }
        guard.1.get(key).cloned()
    }

    /// Keep a page rendered at this revision (pages of older revisions are dropped).
    pub fn keep_page(&self, revision: Revision, key: String, page: Page) {
        if let Ok(mut guard) = self.0.pages.lock() {
            if guard.0.as_ref() != Some(&revision) {
                *guard = (Some(revision), HashMap::new());
            }
            if guard.1.len() < PAGE_CACHE_ENTRIES {
                guard.1.insert(key, page);
            }
        }
    }
}
