//! The one integration-test binary: a module per feature, sharing `support`.

mod support;

mod action;
mod attribution;
mod badges;
mod damaged;
mod docs;
mod domains;
mod endorsements;
mod foundation;
mod network;
mod newcomers;
mod org;
mod org_workflow;
mod paths;
mod rhythm;
mod site;
mod snapshot;
mod snapshot_cache;
mod suggest;
mod sync;
mod trends;
