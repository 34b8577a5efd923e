//! Who may call the account server functions: enrolment is public (the link is the credential,
//! and it is rate limited), one's own account is self-service, user administration is for
//! administrators.

use super::api::{
    ChangeRoles, FinishAddPasskey, FinishEnrolment, GetAccount, GetEnrolmentInfo, InviteUser,
    IssueRecovery, ListUsers, RemovePasskey, RenamePasskey, SetUserEnabled, SignOutEverywhere,
    StartAddPasskey, StartEnrolment, TakeIssuedLink,
};
use super::model::UserAdministrators;
use crate::session::facade::{Access, Endpoint};
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(<GetEnrolmentInfo as ServerFn>::PATH, Access::Public).rate_limited(),
    Endpoint::new(<StartEnrolment as ServerFn>::PATH, Access::Public).rate_limited(),
    Endpoint::new(<FinishEnrolment as ServerFn>::PATH, Access::Public).rate_limited(),
    Endpoint::new(<GetAccount as ServerFn>::PATH, Access::SelfService),
    Endpoint::new(<StartAddPasskey as ServerFn>::PATH, Access::SelfService).rate_limited(),
    Endpoint::new(<FinishAddPasskey as ServerFn>::PATH, Access::SelfService).rate_limited(),
    Endpoint::new(<RenamePasskey as ServerFn>::PATH, Access::SelfService),
    Endpoint::new(<RemovePasskey as ServerFn>::PATH, Access::SelfService),
    Endpoint::new(<SignOutEverywhere as ServerFn>::PATH, Access::SelfService),
    Endpoint::new(
        <ListUsers as ServerFn>::PATH,
        Access::read::<UserAdministrators>(),
    ),
    Endpoint::new(
        <InviteUser as ServerFn>::PATH,
        Access::change::<UserAdministrators>(),
    ),
    Endpoint::new(
        <ChangeRoles as ServerFn>::PATH,
        Access::change::<UserAdministrators>(),
    ),
    Endpoint::new(
        <SetUserEnabled as ServerFn>::PATH,
        Access::change::<UserAdministrators>(),
    ),
    Endpoint::new(
        <IssueRecovery as ServerFn>::PATH,
        Access::change::<UserAdministrators>(),
    ),
    Endpoint::new(
        <TakeIssuedLink as ServerFn>::PATH,
        Access::read::<UserAdministrators>(),
    ),
];
