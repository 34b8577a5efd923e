//! Keyset pages in SQL, for every list: a page is the rows after (or before) a sort key, read with
//! one more row than a page to see whether the list goes on, and on a later page one probe for a
//! row the other way. At most two statements whatever the page's depth: no `OFFSET` that grows.

use crate::components::{Neighbours, Position};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

/// A page of rows, in key order, and the positions of its neighbours.
pub struct KeysetPage<M> {
    pub rows: Vec<M>,
    pub neighbours: Neighbours,
}

/// One page of `matching()` ordered by `key` (a unique text column, ascending) at `position`.
/// `key_of` reads the key of a row.
pub async fn keyset_page<E, C>(
    db: &C,
    matching: impl Fn() -> Select<E>,
    key: E::Column,
    key_of: impl Fn(&E::Model) -> &str,
    position: &Position,
    size: u64,
) -> Result<KeysetPage<E::Model>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut rows = match position {
        Position::First => matching().order_by_asc(key),
        Position::After(k) => matching().filter(key.gt(k.as_str())).order_by_asc(key),
        Position::Before(k) => matching().filter(key.lt(k.as_str())).order_by_desc(key),
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
    let (first, last) = (key_of(first).to_string(), key_of(last).to_string());
    let any = |probe: sea_orm::sea_query::SimpleExpr| async {
        Ok::<_, DbErr>(
            matching()
                .filter(probe)
                .select_only()
                .column(key)
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
            prev: any(key.lt(first.as_str())).await?.then_some(before),
            next: more.then_some(after),
        },
        Position::Before(_) => Neighbours {
            prev: more.then_some(before),
            next: any(key.gt(last.as_str())).await?.then_some(after),
        },
    };
    Ok(KeysetPage { rows, neighbours })
}
