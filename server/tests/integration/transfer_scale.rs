//! The export at estate scale: over HTTP the download streams, so the server never holds the
//! whole file. Counted in SQL statements: the first piece of the body arrives before the last
//! rows are read, draining it reads every batch, and no piece carries much of the file.

use crate::client::{COOKIE, Person, first_admin};
use crate::on_each_backend;
use crate::support::{TestDb, World};
use app::transfer::model::{EXPORT_PATH, Format};
use app::transfer::ssr::{EXPORT_BATCH, generate_estate};
use axum::body::Body;
use axum::extract::ConnectInfo;
use futures::StreamExt as _;
use http::{Request, StatusCode, header};
use std::net::SocketAddr;
use tower::ServiceExt as _;

/// A download read piece by piece, with the statement counter read along the way.
pub struct Streamed {
    /// Statements run since the request was sent, when the response's headers arrived.
    pub at_headers: u64,
    /// … when the first piece of the body arrived.
    pub at_first: u64,
    /// … once the body was drained.
    pub at_end: u64,
    /// The size of each piece, in order.
    pub pieces: Vec<usize>,
    /// The file, when kept.
    pub file: Vec<u8>,
}

/// Downloads the export as `who`, reading the body one piece at a time.
pub async fn download(w: &World, who: &Person<'_>, format: Format, keep: bool) -> Streamed {
    let cookie = who.client.cookie().expect("signed in");
    let req = Request::get(format!("{EXPORT_PATH}?format={}", format.extension()))
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, format!("{COOKIE}={cookie}"))
        .extension(ConnectInfo(SocketAddr::from(([127, 0, 9, 1], 40_000))))
        .body(Body::empty())
        .unwrap();
    let statements = || w.state.db.statements();
    let before = statements();
    let res = w
        .router
        .clone()
        .oneshot(req)
        .await
        .expect("router never fails");
    assert_eq!(res.status(), StatusCode::OK);
    let mut streamed = Streamed {
        at_headers: statements() - before,
        at_first: 0,
        at_end: 0,
        pieces: Vec::new(),
        file: Vec::new(),
    };
    let mut body = res.into_body().into_data_stream();
    while let Some(piece) = body.next().await {
        let piece = piece.expect("the download completes");
        if streamed.pieces.is_empty() {
            streamed.at_first = statements() - before;
        }
        streamed.pieces.push(piece.len());
        if keep {
            streamed.file.extend_from_slice(&piece);
        }
    }
    streamed.at_end = statements() - before;
    streamed
}

async fn an_export_of_20000_applications_streams_with_flat_memory(db: &TestDb) {
    const APPS: usize = 20_000;
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    generate_estate(&w.state, APPS, 20).await.expect("generate");
    let batches = APPS as u64 / EXPORT_BATCH;
    // Each batch reads applications, owners, populations, tags and declarations at least.
    let full = 5 * batches;
    for format in [Format::Csv, Format::Json] {
        let s = download(&w, &admin, format, false).await;
        let total: usize = s.pieces.iter().sum();
        let largest = s.pieces.iter().copied().max().unwrap_or_default();
        eprintln!(
            "{format:?}: {total} bytes in {} pieces (largest {largest}); statements at headers \
             {}, at the first piece {}, at the end {}",
            s.pieces.len(),
            s.at_headers,
            s.at_first,
            s.at_end
        );
        assert!(
            s.at_first < full,
            "{format:?}: the first piece arrives before the last rows are read ({} statements \
             had run since the request, a whole export needs at least {full})",
            s.at_first
        );
        assert!(
            s.at_end >= s.at_headers + full,
            "{format:?}: draining the body reads every batch ({} statements, at least {full} \
             expected)",
            s.at_end - s.at_headers
        );
        assert!(
            s.at_first < s.at_headers + 2 * 5,
            "{format:?}: the first piece arrives before the second batch is read, let alone the \
             last ({} statements had run, {} in all)",
            s.at_first - s.at_headers,
            s.at_end - s.at_headers
        );
        assert!(
            s.pieces.len() as u64 >= batches,
            "{format:?}: a piece per batch, {} pieces",
            s.pieces.len()
        );
        assert!(
            largest * 20 < total,
            "{format:?}: no piece carries much of the file (the largest is {largest} of \
             {total} bytes)"
        );
    }
}
on_each_backend!(
    an_export_of_20000_applications_streams_with_flat_memory_on_each_backend,
    an_export_of_20000_applications_streams_with_flat_memory
);
