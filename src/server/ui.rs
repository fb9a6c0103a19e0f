//! The review web page at `/ui`: HTML, CSS and JavaScript embedded in the
//! binary (no CDN; works offline), speaking the same `/v1` API with a
//! `review` token the reviewer signs in with.

use std::sync::Arc;

use axum::Router;

use super::App;

/// The page's routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
}
