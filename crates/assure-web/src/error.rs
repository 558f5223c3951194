//! The bottom layer of the web crate: [`WebError`], one status per kind of failure, and
//! the JSON error envelope the API answers with. Lower layers' errors are mapped here,
//! once, by kind: not found 404, refused input 422 naming the field, the database
//! unavailable 503 with `Retry-After`, anything else 500, logged once with a reference
//! shown to the person. (The HTML error page is drawn by the page components, which sit
//! above this layer.)

use std::sync::atomic::{AtomicU64, Ordering};

use assure_app::AppError;
use assure_store::StoreError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;

/// A problem with one field: its name and what is wrong.
pub type FieldError = (&'static str, String);

/// Seconds a client is asked to wait before trying again when the database is unavailable.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// Why a request could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No such item (the message names it).
    #[error("{0}")]
    NotFound(String),
    /// A query parameter or form is malformed.
    #[error("{field}: {detail}")]
    BadRequest {
        /// The parameter.
        field: String,
        /// What is wrong with it.
        detail: String,
    },
    /// Input that was understood but refused: each field and what is wrong.
    #[error("{}", .0.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The page needs someone signed in (the path to come back to).
    #[error("sign in to see {0}")]
    SignIn(String),
    /// Signed in, but not allowed (the message says why).
    #[error("{0}")]
    Forbidden(String),
    /// The request's body is larger than the route takes (the message says how much it takes).
    #[error("{0}")]
    TooLarge(String),
    /// Too many requests from one address or email: try again after this many seconds.
    #[error("Too many submissions. Try again in {} minutes.", .0.div_ceil(60))]
    TooMany(u64),
    /// The database holds no plan to show.
    #[error("the database holds no plan; load one with `assure import DIR`")]
    NoPlan,
    /// The database cannot be reached or is refusing work for now.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Something inside failed.
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> WebError {
        match e {
            StoreError::NoSuchPlan(id) => WebError::NotFound(format!("There is no plan '{id}' in the database.")),
            StoreError::NoSuchDraft(id) => WebError::NotFound(format!("There is no draft '{id}'.")),
            StoreError::NoSuchAccount(u) => WebError::NotFound(format!("There is no account '{u}'.")),
            StoreError::NoSuchToken(id) => WebError::NotFound(format!("There is no API token {id}.")),
            StoreError::NoSuchUpdate(id) => WebError::NotFound(format!("There is no update {id}.")),
            StoreError::NoSuchContribution(id) => WebError::NotFound(format!("There is no published item {id}.")),
            StoreError::NoSuchRound(id) => WebError::NotFound(format!("There is no reporting round {id}.")),
            StoreError::NoSuchRecord { what, id } => WebError::NotFound(format!("There is no {what} {id}.")),
            StoreError::NoSuchArchive(id) => WebError::NotFound(format!("There is no archive {id}.")),
            StoreError::Rejected { field, message } => WebError::Invalid(vec![(field, message)]),
            StoreError::Observations(problems) => WebError::Invalid(vec![("file", problems.to_string())]),
            StoreError::PlanExists(_) | StoreError::WouldDrop { .. } => {
                WebError::Invalid(vec![("plan", e.to_string())])
            }
            StoreError::Open { .. } | StoreError::Pool(_) | StoreError::ReadOnly { .. } => {
                WebError::Unavailable(e.to_string())
            }
            StoreError::Sqlite(_) | StoreError::Postgres(_) if e.is_unavailable() => {
                WebError::Unavailable(e.to_string())
            }
            StoreError::Sqlite(_)
            | StoreError::Postgres(_)
            | StoreError::Url(_)
            | StoreError::Migration(_)
            | StoreError::Corrupt(_) => WebError::Internal(e.to_string()),
        }
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> WebError {
        match e {
            AppError::NotFound { .. } => WebError::NotFound(e.to_string()),
            AppError::InvalidFile { problems, .. } => WebError::Invalid(vec![("file", problems.to_string())]),
            AppError::Rejected(problems) => WebError::Invalid(problems),
            AppError::UnknownMapTargets(_) => WebError::Invalid(vec![("map", e.to_string())]),
            AppError::Forbidden(m) => WebError::Forbidden(m),
            AppError::Store(e) => e.into(),
            AppError::Report(m) | AppError::NotSent(m) | AppError::Refresh(m) => WebError::Internal(m),
            AppError::Fetch(e) => WebError::Unavailable(e.to_string()),
            AppError::TooMany { retry_after } => WebError::TooMany(retry_after),
            AppError::Mail(e) => WebError::Internal(e.to_string()),
        }
    }
}

impl WebError {
    /// The status this failure answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::SignIn(_) => StatusCode::SEE_OTHER,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::NoPlan | WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Log a failure that is ours (once, here, where it is answered) and give the
    /// reference to show the person; `None` for failures that are the request's.
    pub fn log(&self) -> Option<String> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        match self {
            WebError::Internal(_) | WebError::Unavailable(_) => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos() as u64);
                let reference =
                    format!("{:08x}", (nanos ^ COUNTER.fetch_add(1, Ordering::Relaxed).rotate_left(32)) as u32);
                if matches!(self, WebError::Internal(_)) {
                    tracing::error!(reference = %reference, error = %self, "request failed");
                } else {
                    tracing::warn!(reference = %reference, error = %self, "database unavailable");
                }
                Some(reference)
            }
            _ => None,
        }
    }

    /// Headers every answer of this kind carries (`Retry-After` when unavailable).
    pub fn decorate(&self, response: &mut Response) {
        if self.status() == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        if let WebError::TooMany(seconds) = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*seconds));
        }
    }
}

impl WebError {
    /// The answer for a request to `path`: the JSON envelope under `/api/`, a page
    /// elsewhere (for middleware, which answers before any handler chose).
    pub fn answer_for(self, path: &str) -> Response {
        if path.starts_with("/api/") { ApiError(self).into_response() } else { self.into_response() }
    }
}

/// One problem with a request.
#[derive(Serialize, JsonSchema)]
pub struct ErrorDetail {
    /// What is wrong.
    pub detail: String,
    /// The parameter it is about, if any.
    pub field: Option<String>,
}

/// The error envelope every failed request answers with.
#[derive(Serialize, JsonSchema)]
pub struct ErrorResponse {
    /// The problems (at least one).
    pub errors: Vec<ErrorDetail>,
}

/// An API failure, answered with the error envelope.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl ApiError {
    /// A malformed parameter or body.
    pub fn bad(field: &str, detail: String) -> ApiError {
        ApiError(WebError::BadRequest { field: field.to_owned(), detail })
    }

    /// No such item.
    pub fn not_found(what: &str, id: &str) -> ApiError {
        ApiError(WebError::NotFound(format!("there is no {what} '{id}' in the plan")))
    }

    /// Something inside failed.
    pub fn internal(message: String) -> ApiError {
        ApiError(WebError::Internal(message))
    }
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> ApiError {
        ApiError(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError(e.into())
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut status = self.0.status();
        let one = |detail: String, field: Option<String>| vec![ErrorDetail { detail, field }];
        let errors = match &self.0 {
            WebError::BadRequest { field, detail } => one(detail.clone(), Some(field.clone())),
            WebError::Invalid(problems) => {
                problems.iter().map(|(f, m)| ErrorDetail { detail: m.clone(), field: Some((*f).to_owned()) }).collect()
            }
            WebError::SignIn(_) => {
                status = StatusCode::UNAUTHORIZED;
                one(
                    "send an API token: 'Authorization: Bearer <token>' (create one at /account/tokens)".to_owned(),
                    None,
                )
            }
            WebError::Forbidden(m) | WebError::NotFound(m) | WebError::TooLarge(m) => one(m.clone(), None),
            WebError::TooMany(_) => one(self.0.to_string(), None),
            WebError::NoPlan => one(self.0.to_string(), None),
            WebError::Unavailable(_) | WebError::Internal(_) => {
                let reference = self.0.log().unwrap_or_default();
                let what = if status == StatusCode::SERVICE_UNAVAILABLE {
                    "the database is unavailable; try again shortly"
                } else {
                    "the service had a problem; try again later"
                };
                one(format!("{what} (reference {reference})"), None)
            }
        };
        let mut response = (status, Json(ErrorResponse { errors })).into_response();
        self.0.decorate(&mut response);
        response
    }
}

/// The answer for a request with an API token that does not work.
pub fn unauthorised(detail: &str) -> Response {
    let body = ErrorResponse { errors: vec![ErrorDetail { detail: detail.to_owned(), field: None }] };
    (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], Json(body)).into_response()
}

/// The answer for a path under `/api/` that is not an endpoint.
pub fn api_not_found(path: &str) -> Response {
    ApiError(WebError::NotFound(format!("there is no endpoint {path}; see /api/v1/openapi.json"))).into_response()
}
