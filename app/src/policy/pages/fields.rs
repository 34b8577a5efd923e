//! What the editor's fields share: their ids, and the message shown beside a field (a refused
//! save's, from the address, or a previewed form's).

use crate::components::FieldError;
use leptos::prelude::*;

/// The first problem of a previewed form, (field, message): shown beside its field.
pub type Problem = Option<(String, String)>;

pub use crate::components::field_id;

/// The message for field `name`: a refused save's (from the address) or the previewed form's.
pub fn field_problem(name: &str, problem: &Problem) -> impl IntoView + use<> {
    let previewed = problem
        .as_ref()
        .filter(|(f, _)| f == name)
        .map(|(_, message)| {
            view! {
                <p class="field-error" role="alert">
                    {message.clone()}
                </p>
            }
        });
    view! {
        <FieldError name=name.to_string() />
        {previewed}
    }
}
