//! Keyset pages in SQL, for every list: a page is the rows after (or before) a sort key, read with
//! one more row than a page to see whether the list goes on, and on a later page one probe for a
//! row the other way. At most two statements whatever the page's depth: no `OFFSET` that grows.

use crate::components::{Neighbours, Position};
use sea_orm::sea_query::{Expr, ExprTrait, Order as SeaOrder, SimpleExpr};
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, EntityTrait, IdenStatic, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

/// How the database is asked to order a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// By the key's index: the rows are met in order and the walk stops after a page (right when
    /// many rows match).
    ByIndex,
    /// By sorting the matching rows: on SQLite the key is written `+key`, which keeps its index
    /// out of the plan so that a search reads the table once rather than the index in order with
    /// a lookup per row (right when few rows match). PostgreSQL plans by its statistics alone.
    BySort,
}

/// A page of rows, in key order, and the positions of its neighbours.
pub struct KeysetPage<M> {
    pub rows: Vec<M>,
    pub neighbours: Neighbours,
}

/// One page of `matching()` ordered by `key` (a unique text column, ascending) at `position`,
/// asked for in `order`. `key_of` reads the key of a row.
pub async fn keyset_page<E, C>(
    db: &C,
    matching: impl Fn() -> Select<E>,
    key: E::Column,
    key_of: impl Fn(&E::Model) -> &str,
    position: &Position,
    size: u64,
    order: Order,
) -> Result<KeysetPage<E::Model>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let sorted: SimpleExpr = match (order, db.get_database_backend()) {
        (Order::BySort, DbBackend::Sqlite) => Expr::cust(format!(
            "+\"{}\".\"{}\"",
            E::default().table_name(),
            key.as_str()
        )),
        _ => Expr::col((E::default(), key)),
    };
    let compared: SimpleExpr = Expr::col((E::default(), key));
    keyset_by(
        db,
        matching,
        SortKey { compared, sorted },
        |m| key_of(m).to_string(),
        position,
        size,
    )
    .await
}

/// The key a page is ordered by: the expression rows are compared on, and the one the database
/// sorts by (the same, or written so that its index stays out of the plan).
pub struct SortKey {
    pub compared: SimpleExpr,
    pub sorted: SimpleExpr,
}

impl SortKey {
    /// A key computed from several columns (unique, text, ascending), which no index holds.
    pub fn computed(expr: SimpleExpr) -> Self {
        Self {
            compared: expr.clone(),
            sorted: expr,
        }
    }
}

/// One page of `matching()` ordered by `key` at `position`; `key_of` computes a row's key as
/// the database does.
pub async fn keyset_by<E, C>(
    db: &C,
    matching: impl Fn() -> Select<E>,
    key: SortKey,
    key_of: impl Fn(&E::Model) -> String,
    position: &Position,
    size: u64,
) -> Result<KeysetPage<E::Model>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let SortKey { compared, sorted } = key;
    let mut rows = match position {
        Position::First => matching().order_by(sorted, SeaOrder::Asc),
        Position::After(k) => matching()
            .filter(compared.clone().gt(k.as_str()))
            .order_by(sorted, SeaOrder::Asc),
        Position::Before(k) => matching()
            .filter(compared.clone().lt(k.as_str()))
            .order_by(sorted, SeaOrder::Desc),
    }
    .limit(size + 1)
    .all(db)
    .await?;
    let more = rows.len() as u64 > size;
    rows.truncate(size as usize);
    if matches!(position, Position::Before(_)) {
        rows.reverse();
    }
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        // Nothing here (a stale address, or no match): the page says so.
        return Ok(KeysetPage {
            rows,
            neighbours: Neighbours::default(),
        });
    };
    let (first, last) = (key_of(first), key_of(last));
    let any = |probe: SimpleExpr| async {
        Ok::<_, DbErr>(
            matching()
                .filter(probe)
                .select_only()
                .expr(compared.clone())
                .limit(1)
                .into_tuple::<String>()
                .one(db)
                .await?
                .is_some(),
        )
    };
    let before = Position::Before(first.clone());
    let after = Position::After(last.clone());
    let neighbours = match position {
        Position::First => Neighbours {
            prev: None,
            next: more.then_some(after),
        },
        Position::After(_) => Neighbours {
            prev: any(compared.clone().lt(first.as_str()))
                .await?
                .then_some(before),
            next: more.then_some(after),
        },
        Position::Before(_) => Neighbours {
            prev: more.then_some(before),
            next: any(compared.clone().gt(last.as_str()))
                .await?
                .then_some(after),
        },
    };
    Ok(KeysetPage { rows, neighbours })
}
