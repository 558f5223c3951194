//! One error type for every handler, mapped to a status and an accessible page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;

use crate::layout;

/// Why a request could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No such item (the message names it).
    #[error("{0}")]
    NotFound(String),
    /// A query parameter is malformed.
    #[error("{field}: {detail}")]
    BadRequest {
        /// The parameter.
        field: String,
        /// What is wrong with it.
        detail: String,
    },
    /// The page needs someone signed in (the path to come back to).
    #[error("sign in to see {0}")]
    SignIn(String),
    /// Signed in, but not allowed (the message says why).
    #[error("{0}")]
    Forbidden(String),
    /// The database holds no plan to show.
    #[error("the database holds no plan; load one with `assure import DIR`")]
    NoPlan,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] assure_store::StoreError),
    /// Something inside failed.
    #[error("{0}")]
    Internal(String),
}

impl WebError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            WebError::SignIn(_) => StatusCode::SEE_OTHER,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::NoPlan => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Store(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let WebError::SignIn(path) = &self {
            let next = path.replace('%', "%25").replace('&', "%26").replace('=', "%3D").replace('+', "%2B");
            let location = format!("/sign-in?next={next}");
            return (status, [(axum::http::header::LOCATION, location)]).into_response();
        }
        let (title, message) = match &self {
            WebError::SignIn(_) => ("Sign in", self.to_string()),
            WebError::Forbidden(m) => ("You cannot do this", m.clone()),
            WebError::NotFound(m) => ("Page not found", m.clone()),
            WebError::BadRequest { .. } => ("There is a problem with the request", self.to_string()),
            WebError::NoPlan => ("No plan to show", self.to_string()),
            WebError::Store(_) | WebError::Internal(_) => {
                // Logged once, here; the page does not show internals.
                tracing::error!(error = %self, "request failed");
                ("Sorry, there is a problem with the service", "Try again later.".to_owned())
            }
        };
        let body = layout::page(
            title,
            &[],
            html! {
                h1 { (title) }
                p { (message) }
                p { a href="/" { "Go to the home page" } " or " a href="/search" { "search the plan" } "." }
            },
        );
        (status, body).into_response()
    }
}
