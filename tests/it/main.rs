//! The one integration-test binary: a module per feature, sharing `support`.

mod support;

mod action;
mod docs;
mod foundation;
mod sync;
