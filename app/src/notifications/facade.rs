//! STUB (replaced by the notifications branch).
#[cfg(feature = "ssr")]
pub struct Notice {
    pub users: Vec<crate::ids::UserId>,
    pub subject_type: &'static str,
    pub subject_id: String,
    pub text: String,
    pub link: String,
    pub event: &'static str,
    pub event_key: String,
    pub payload: serde_json::Value,
}
#[cfg(feature = "ssr")]
pub async fn notify(
    _txn: &sea_orm::DatabaseTransaction,
    _now: time::OffsetDateTime,
    _notice: Notice,
) -> Result<(), crate::error::AppError> {
    Ok(())
}
