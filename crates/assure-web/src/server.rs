//! The accept loop: every connection bounded in time and in number, so that clients that
//! stall or hoard connections cannot exhaust the process's file descriptors.
//!
//! A request's head must arrive whole within [`Limits::header_timeout`] of the
//! connection opening (or of its first byte, on a kept-alive connection); a kept-alive
//! connection with no request is closed after [`Limits::idle_timeout`]; a request body
//! that stops arriving fails after [`Limits::body_timeout`]. At most
//! [`Limits::max_connections`] connections are served; a few more
//! ([`RESERVE_CONNECTIONS`]) are taken, one request each, to answer `/healthz` (anything
//! else there gets `503` with `Retry-After` and `Connection: close`); beyond those a new
//! connection is closed at once. On shutdown, requests in flight are finished first.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::AppState;
use crate::error::{ErrorDetail, ErrorResponse};

/// Connections taken beyond [`Limits::max_connections`], one request each, so that a
/// health check still gets through when every ordinary connection is in use.
pub const RESERVE_CONNECTIONS: usize = 16;

/// Seconds a client refused at the connection limit is asked to wait.
const RETRY_AFTER_SECONDS: u32 = 1;

/// How long a connection may take at each step, and how many may be open at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Time for a request's head (request line and headers) to arrive whole.
    pub header_timeout: Duration,
    /// Time a kept-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// Time a request body may go without sending anything.
    pub body_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for Limits {
    /// 10 s for a head, 60 s idle, 30 s of silence in a body, 512 connections.
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
            max_connections: 512,
        }
    }
}

/// Serve `state` on `listener` within `limits` until `shutdown` completes; requests in
/// flight are then finished before this returns.
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = crate::router(state.clone()).layer(RequestBodyTimeoutLayer::new(limits.body_timeout));
    let ordinary = Arc::new(Semaphore::new(limits.max_connections));
    let reserve = Arc::new(Semaphore::new(RESERVE_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut warned: Option<Instant> = None;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // Out of file descriptors, most likely: wait for some to close.
                    tracing::error!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (permit, beyond) = match ordinary.clone().try_acquire_owned() {
            Ok(p) => (p, false),
            Err(_) => {
                if warned.is_none_or(|w| w.elapsed() > Duration::from_secs(10)) {
                    tracing::warn!(max_connections = limits.max_connections, "at the connection limit");
                    warned = Some(Instant::now());
                }
                match reserve.clone().try_acquire_owned() {
                    Ok(p) => (p, true),
                    Err(_) => continue, // dropped: closed at once
                }
            }
        };
        let watch = Arc::new(Watch::new());
        let (app, state) = (app.clone(), state.clone());
        let service_watch = watch.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            let in_flight = InFlight::new(service_watch.clone());
            // A page already kept is answered here, without the router and its layers.
            let kept = match beyond {
                false => kept_answer(&state, &request),
                true => None,
            };
            let mut app = app.clone();
            async move {
                let response = match kept {
                    Some(response) => Ok(response),
                    None => {
                        request.extensions_mut().insert(ConnectInfo(peer));
                        if beyond {
                            request.extensions_mut().insert(BeyondLimit);
                        }
                        tower_service::Service::call(&mut app, request).await
                    }
                };
                drop(in_flight);
                response
            }
        });
        let io = TokioIo::new(Watched { io: stream, watch: watch.clone() });
        let connection = hyper::server::conn::http1::Builder::new().keep_alive(!beyond).serve_connection(io, service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _permit = permit;
            tokio::select! {
                done = connection => if let Err(e) = done {
                    tracing::debug!(error = %e, "connection ended with an error");
                },
                () = watch.expired(limits) => tracing::debug!(%peer, "closed a connection that timed out"),
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// [`crate::cache::kept_answer`], logged as the trace layer logs what goes through the stack.
fn kept_answer<B>(state: &AppState, request: &hyper::Request<B>) -> Option<Response> {
    if !tracing::enabled!(target: "tower_http::trace::on_response", tracing::Level::INFO) {
        return crate::cache::kept_answer(state, request);
    }
    let started = Instant::now();
    let response = crate::cache::kept_answer(state, request)?;
    let span = tracing::info_span!(target: "tower_http::trace::make_span", "request",
        method = %request.method(), uri = %request.uri(), version = ?request.version());
    let _entered = span.enter();
    tracing::info!(target: "tower_http::trace::on_response",
        latency = %format_args!("{} μs", started.elapsed().as_micros()), status = response.status().as_u16(),
        kept = true, "finished processing request");
    Some(response)
}

/// Errors of one connection that was being accepted, not of the listener.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

/// Marks a request that came on a connection beyond [`Limits::max_connections`].
#[derive(Clone, Copy, Debug)]
pub struct BeyondLimit;

/// Middleware: a request on a connection beyond the limit is answered only if it is
/// the health check; anything else gets `503` with `Retry-After` (the JSON envelope
/// under `/api/`), and the connection is closed.
pub async fn refuse_beyond_limit(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if request.extensions().get::<BeyondLimit>().is_none() || path == "/healthz" {
        return next.run(request).await;
    }
    let detail = "The server is at its connection limit; try again shortly.";
    let mut response = if path.starts_with("/api/") {
        let body = ErrorResponse { errors: vec![ErrorDetail { detail: detail.to_owned(), field: None }] };
        (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, detail).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// What one connection is doing, in milliseconds since it opened: when a byte last
/// went either way, when the head being read began, how many requests are in flight.
struct Watch {
    opened: Instant,
    last: AtomicU64,
    /// 1 + the time the head being read began; 0 when no head is being read.
    head: AtomicU64,
    in_flight: AtomicUsize,
}

impl Watch {
    /// A connection just opened: waiting for its first head.
    fn new() -> Watch {
        Watch {
            opened: Instant::now(),
            last: AtomicU64::new(0),
            head: AtomicU64::new(1),
            in_flight: AtomicUsize::new(0),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Bytes arrived: with no request in flight, they begin a head.
    fn read(&self) {
        let now = self.now();
        self.last.store(now, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Relaxed) == 0 {
            let _ = self.head.compare_exchange(0, now + 1, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    fn wrote(&self) {
        self.last.store(self.now(), Ordering::Relaxed);
    }

    /// Completes when the connection has overstayed: a head not whole in time, or no
    /// request for the idle time. Never while a request is in flight.
    async fn expired(&self, limits: Limits) {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        loop {
            let deadline = match (self.in_flight.load(Ordering::Relaxed), self.head.load(Ordering::Relaxed)) {
                (0, 0) => Some(self.last.load(Ordering::Relaxed).saturating_add(ms(limits.idle_timeout))),
                (0, began) => Some((began - 1).saturating_add(ms(limits.header_timeout))),
                _ => None,
            };
            let now = self.now();
            let wait = match deadline {
                Some(d) if now >= d => return,
                Some(d) => d - now,
                None => ms(limits.header_timeout.min(limits.idle_timeout)),
            };
            tokio::time::sleep(Duration::from_millis(wait.max(1))).await;
        }
    }
}

/// A request being answered on a watched connection (ends when dropped).
struct InFlight(Arc<Watch>);

impl InFlight {
    fn new(watch: Arc<Watch>) -> InFlight {
        watch.in_flight.fetch_add(1, Ordering::Relaxed);
        watch.head.store(0, Ordering::Relaxed);
        InFlight(watch)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.wrote();
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A TCP stream that tells its [`Watch`] when bytes go either way.
struct Watched {
    io: TcpStream,
    watch: Arc<Watch>,
}

impl AsyncRead for Watched {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.io).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.watch.read();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.watch.wrote();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.watch.wrote();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
