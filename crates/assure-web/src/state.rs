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
//!
//! The plan as read and the tracking computed from its observations are kept per
//! *content* revision, which partners' delivery reports do not move (see
//! [`assure_store::ServedRevision`]): a milestone update reloads only the delivery
//! reports, not the plan nor every indicator's assessment.
//!
//! Each of these is made once however many requests want it at the same moment: after a
//! change, the first request to miss asks the revision, loads, or renders, and the others
//! wait for its answer instead of each doing the same work (if it fails, the next tries).
//!
//! A write invalidates only the pages it affects. While a page is rendered, what it reads
//! through this state is noted ([`Reads`]): a page that read only the plan, its tracking
//! and its observations is kept for the content revision too, so a partner's delivery
//! report (which moves only the full revision) leaves it kept; a page that read anything
//! else (delivery, the store, a use-case) is kept for the full revision only.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use tokio::sync::OnceCell;

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
    /// Held while the revision is asked, so that requests arriving together ask once.
    asking: tokio::sync::Mutex<()>,
    plan_id: Option<String>,
    plan: Kept<Content, Plan>,
    tracking: Kept<Content, Tracking>,
    delivery: Kept<Revision, Delivery>,
    pages: Latest<Revision, Rendering>,
    /// Pages that read only what the content revision covers, kept across delivery reports.
    content_pages: Latest<Content, Page>,
    trusted_proxies: Vec<std::net::IpAddr>,
    hsts: std::sync::atomic::AtomicBool,
}

pub use assure_app::Tracking;
pub use assure_tracking::delivery::Delivery;

/// A plan and its revisions: what a rendered page depends on.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Revision {
    plan_id: Arc<str>,
    revision: i64,
    content: i64,
}

impl Revision {
    /// What the plan as read and its tracking depend on.
    pub fn content(&self) -> Content {
        Content { plan_id: self.plan_id.clone(), content: self.content }
    }
}

/// A plan and its content revision.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Content {
    plan_id: Arc<str>,
    content: i64,
}

/// What a page read while it was rendered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reads {
    /// Only the plan, its tracking and its observations: what the content revision covers.
    #[default]
    Content,
    /// Something else too (delivery reports, the store, a use-case).
    Everything,
}

tokio::task_local! {
    /// What the page being rendered on this task has read so far.
    static READS: std::cell::Cell<Reads>;
}

/// Run `render` noting what it reads through the state: its output and the reads.
pub async fn noting_reads<T>(render: impl Future<Output = T>) -> (T, Reads) {
    READS
        .scope(std::cell::Cell::new(Reads::Content), async {
            let out = render.await;
            (out, READS.with(std::cell::Cell::get))
        })
        .await
}

/// Note that the page being rendered (if one is) read more than the content revision covers.
fn reads_everything() {
    let _ = READS.try_with(|r| r.set(Reads::Everything));
}

/// A page being rendered or rendered at a revision: `None` once its first rendering
/// turned out not to be kept (an error, or a page for one visitor).
type Rendering = Arc<OnceCell<Option<Page>>>;

/// Where a page is kept: its path and query, on a day (what is overdue or stale
/// changes with the day, not only with the data).
#[derive(Clone, Copy, Debug)]
pub struct PageKey<'a> {
    pub day: jiff::civil::Date,
    pub path: &'a str,
}

/// Pages kept under their paths for the latest revision and day asked about: those of an
/// older revision or an earlier day are dropped when a newer one is asked about.
struct Latest<K, V>(Mutex<PagesAt<K, V>>);

/// The pages kept, and the revision and day they were kept for.
struct PagesAt<K, V> {
    at: Option<(K, jiff::civil::Date)>,
    pages: HashMap<String, V>,
}

impl<K: PartialEq + Clone, V> Latest<K, V> {
    fn new() -> Latest<K, V> {
        Latest(Mutex::new(PagesAt { at: None, pages: HashMap::new() }))
    }

    /// `f` on the pages kept for `at` on `day` (none yet if either is newer than those kept).
    fn with<R>(&self, at: &K, day: jiff::civil::Date, f: impl FnOnce(&mut HashMap<String, V>) -> R) -> R {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if !kept.at.as_ref().is_some_and(|(k, d)| k == at && *d == day) {
            *kept = PagesAt { at: Some((at.clone(), day)), pages: HashMap::new() };
        }
        f(&mut kept.pages)
    }
}

/// Keep `value` under `key` while fewer than [`PAGE_CACHE_ENTRIES`] are kept; either way, it.
fn keep<V: Clone>(pages: &mut HashMap<String, V>, key: &str, value: V) -> V {
    if pages.len() < PAGE_CACHE_ENTRIES {
        pages.insert(key.to_owned(), value.clone());
    }
    value
}

/// One value kept for one key (a revision), made once however many ask at once.
struct Kept<K, T> {
    slot: Mutex<Option<(K, Loading<T>)>>,
    /// The value made last, with its key (to bring up to date rather than make anew).
    last: Mutex<Option<(K, Arc<T>)>>,
}

/// A value being made, or made.
type Loading<T> = Arc<OnceCell<Arc<T>>>;

impl<K: PartialEq + Clone, T> Kept<K, T> {
    fn new() -> Kept<K, T> {
        Kept { slot: Mutex::new(None), last: Mutex::new(None) }
    }

    /// The value made last, with the key it was made for.
    fn last(&self) -> Option<(K, Arc<T>)> {
        self.last.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The value kept for `key`, or else what `load` makes, kept for it. Callers asking
    /// for the same key while `load` runs wait for its value; if it fails, each gets the
    /// error it met or tries again.
    async fn get<F: Future<Output = Result<T, WebError>>>(
        &self,
        key: K,
        load: impl FnOnce() -> F,
    ) -> Result<Arc<T>, WebError> {
        let cell = {
            let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
            match slot.as_ref() {
                Some((k, cell)) if *k == key => cell.clone(),
                _ => {
                    let cell = Arc::new(OnceCell::new());
                    *slot = Some((key.clone(), cell.clone()));
                    cell
                }
            }
        };
        cell.get_or_try_init(|| async {
            let value = Arc::new(load().await?);
            *self.last.lock().unwrap_or_else(PoisonError::into_inner) = Some((key, value.clone()));
            Ok(value)
        })
        .await
        .cloned()
    }
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
            asking: tokio::sync::Mutex::new(()),
            app,
            plan_id,
            plan: Kept::new(),
            tracking: Kept::new(),
            delivery: Kept::new(),
            pages: Latest::new(),
            content_pages: Latest::new(),
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
        reads_everything();
        &self.0.store
    }

    /// The use-cases.
    pub fn app(&self) -> &App {
        reads_everything();
        &self.0.app
    }

    /// Run a blocking store call off the async workers.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&AppState) -> Result<T, WebError> + Send + 'static,
    ) -> Result<T, WebError> {
        reads_everything();
        self.off_workers(f).await
    }

    /// The same, for reads the content revision covers (not noted).
    async fn off_workers<T: Send + 'static>(
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
        self.off_workers(move |s| Ok(s.0.app.observations(&plan_id, &indicators)?)).await
    }

    /// What the data shows in one area of the served plan (see [`App::area_readings`]).
    pub async fn area_readings(&self, plan: Arc<Plan>, area: String) -> Result<Vec<assure_app::AreaReading>, WebError> {
        self.off_workers(move |s| Ok(s.0.app.area_readings(&plan, &area)?)).await
    }

    /// The served plan's revision, now: as last read, unless the data may have changed
    /// since (see the module's documentation).
    pub async fn revision(&self) -> Result<Revision, WebError> {
        if let Some(known) = self.known_revision() {
            return Ok(known);
        }
        if self.0.changes.generation().is_none() {
            // Changes cannot be learnt of now: every request asks, each on its own.
            return self.ask_revision().await;
        }
        // The data may have changed: one request asks, and those arriving meanwhile wait
        // for its answer (a revision read after they arrived) rather than each asking.
        let _asking = self.0.asking.lock().await;
        if let Some(known) = self.known_revision() {
            return Ok(known);
        }
        // Read before the revision: a change after this moves it, and the next request asks.
        let generation = self.0.changes.generation();
        let revision = self.ask_revision().await;
        if let (Ok(r), Some(g)) = (&revision, generation)
            && let Ok(mut guard) = self.0.known.write()
        {
            *guard = Some((g, r.clone()));
        }
        revision
    }

    /// The revision last read, if nothing may have changed since it was.
    pub fn known_revision(&self) -> Option<Revision> {
        let generation = self.0.changes.generation()?;
        let guard = self.0.known.read().ok()?;
        let (known, revision) = guard.as_ref()?;
        (*known == generation).then(|| revision.clone())
    }

    /// The served plan's revision, asked of the database (one indexed query). On SQLite
    /// it runs in place on this worker (cheaper than a hand-off to the blocking pool); the
    /// PostgreSQL client drives its own runtime, which may not be entered from a runtime
    /// thread, so it goes to the blocking pool. When the database is unavailable, what
    /// says it has not changed is doubted until it has heard from the database again.
    pub async fn ask_revision(&self) -> Result<Revision, WebError> {
        fn ask(s: &AppState) -> Result<Revision, WebError> {
            let served = s.0.store.served_revision(s.0.plan_id.as_deref())?.ok_or(WebError::NoPlan)?;
            Ok(Revision { plan_id: served.plan_id.into(), revision: served.revision, content: served.content })
        }
        let in_place = self.0.store.backend() == assure_store::BackendKind::Sqlite
            && tokio::runtime::Handle::current().runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread;
        let asked = if in_place { tokio::task::block_in_place(|| ask(self)) } else { self.off_workers(ask).await };
        if let Err(WebError::Unavailable(_)) = &asked {
            self.0.changes.doubt();
        }
        asked
    }

    /// The plan being served, as it is in the store now.
    pub async fn plan(&self) -> Result<Arc<Plan>, WebError> {
        let content = self.revision().await?.content();
        let id = content.plan_id.clone();
        self.0.plan.get(content, || self.off_workers(move |s| Ok(s.0.store.plan(&id)?))).await
    }

    /// Every tracked indicator's assessment, as the store's data is now.
    pub async fn tracking(&self) -> Result<Arc<Tracking>, WebError> {
        let content = self.revision().await?.content();
        self.0
            .tracking
            .get(content, || async {
                let plan = self.plan().await?;
                self.off_workers(move |s| Ok(s.0.app.tracking(&plan)?)).await
            })
            .await
    }

    /// What partners have reported on delivery, as it is in the store now.
    pub async fn delivery(&self) -> Result<Arc<Delivery>, WebError> {
        reads_everything();
        let revision = self.revision().await?;
        let plan_id = revision.plan_id.clone();
        // Brought up to date from the last one read at the same content (so the same
        // settings), reading only what changed since; else read whole.
        let known = self
            .0
            .delivery
            .last()
            .filter(|(at, _)| at.content() == revision.content() && at.revision < revision.revision);
        self.0
            .delivery
            .get(revision, || {
                self.off_workers(move |s| match known {
                    Some((at, known)) => Ok(s.0.app.delivery_since(&plan_id, &known, at.revision)?),
                    None => Ok(s.0.app.delivery(&plan_id)?),
                })
            })
            .await
    }

    /// The page kept, or being rendered, at this revision under `key`: the first caller
    /// for a key renders it (see [`crate::cache`]) while later ones wait for the page.
    pub fn rendering(&self, revision: &Revision, key: PageKey) -> Rendering {
        self.0.pages.with(revision, key.day, |pages| match pages.get(key.path) {
            Some(r) => r.clone(),
            None => keep(pages, key.path, Rendering::default()),
        })
    }

    /// The page rendered and kept under `key` at this revision, if there is one now.
    pub fn kept_page(&self, revision: &Revision, key: PageKey) -> Option<Page> {
        self.content_page(&revision.content(), key)
            .or_else(|| self.0.pages.with(revision, key.day, |pages| pages.get(key.path)?.get()?.clone()))
    }

    /// The page kept under `key` for this content revision: one that read nothing a
    /// delivery report changes.
    pub fn content_page(&self, content: &Content, key: PageKey) -> Option<Page> {
        self.0.content_pages.with(content, key.day, |pages| pages.get(key.path).cloned())
    }

    /// Keep a page that read only what `content` covers, for as long as it holds.
    pub fn keep_content_page(&self, content: &Content, key: PageKey, page: Page) {
        self.0.content_pages.with(content, key.day, |pages| keep(pages, key.path, page));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_asking_together_share_one_load() {
        let kept = Arc::new(Kept::<i64, String>::new());
        let loads = Arc::new(AtomicUsize::new(0));
        let mut asking = tokio::task::JoinSet::new();
        for _ in 0..32 {
            let (kept, loads) = (kept.clone(), loads.clone());
            asking.spawn(async move {
                kept.get(7, || async {
                    loads.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok("the plan at 7".to_owned())
                })
                .await
            });
        }
        for answer in asking.join_all().await {
            assert_eq!(answer.unwrap().as_str(), "the plan at 7");
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1, "one load for 32 requests");

        // Kept for the key; a new key loads again.
        let again = kept.get(7, || async { Ok("loaded twice".to_owned()) }).await.unwrap();
        assert_eq!(again.as_str(), "the plan at 7");
        let next = kept.get(8, || async { Ok("the plan at 8".to_owned()) }).await.unwrap();
        assert_eq!(next.as_str(), "the plan at 8");
    }

    #[tokio::test]
    async fn what_a_rendering_reads_is_noted_on_its_own_task() {
        let ((), reads) = noting_reads(async {}).await;
        assert_eq!(reads, Reads::Content);
        let ((), reads) = noting_reads(async {
            tokio::task::yield_now().await;
            reads_everything();
        })
        .await;
        assert_eq!(reads, Reads::Everything);
        // Outside a rendering, nothing is noted and nothing fails.
        reads_everything();
        let ((), reads) = noting_reads(async {}).await;
        assert_eq!(reads, Reads::Content, "a new rendering starts afresh");
    }

    #[tokio::test]
    async fn a_failed_load_is_not_kept() {
        let kept = Kept::<i64, String>::new();
        let failed = kept.get(1, || async { Err(WebError::Unavailable("the database is down".into())) }).await;
        assert!(matches!(failed, Err(WebError::Unavailable(_))), "{failed:?}");
        let loaded = kept.get(1, || async { Ok("back".to_owned()) }).await.unwrap();
        assert_eq!(loaded.as_str(), "back");
    }
}
